package portal

import (
	"context"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/auth"
)

// editedBy is the subquery of the organisations a user owns or edits; its one placeholder
// is the user's ID.
const editedBy = `SELECT m.organisation_id FROM organisation_members m
	WHERE m.user_id = ? AND m.role IN ('OWNER', 'EDITOR')`

// editorScope is currentScope for reads that also show the caller's own items in every
// status: an organisation a signed-in user owns or edits, and its activities; and, for
// those who keep every listing's content (administrators, municipal editors, catalogue:write
// keys), every organisation and activity of the municipality.
func editorScope(ctx context.Context) (scope, error) {
	sc, err := currentScope(ctx)
	v := auth.ViewerFrom(ctx)
	if err == nil && v != nil && v.User != nil {
		sc.editor = v.User.ID
	}
	if err == nil && v != nil {
		sc.everyListing = editsEveryListing(v)
	}
	return sc, err
}

// activityVisible returns the condition, with its arguments, under which activity "a" may
// be read in sc: published, or in an organisation the scope's editor owns or edits.
func (sc scope) activityVisible() (string, []any) {
	// SECURITY: the public sees published activities of published organisations only;
	// an owner or editor also sees their organisation's activities in every status, and
	// those who may edit every listing see every activity of the municipality.
	if sc.everyListing {
		return "TRUE", nil
	}
	if sc.editor == uuid.Nil {
		return "a.published", nil
	}
	return "(a.published OR a.organisation_id IN (" + editedBy + "))", []any{sc.editor}
}

// organisationVisible is activityVisible for organisation "o": in one of statuses, or one
// the scope's editor owns or edits.
func (sc scope) organisationVisible(statuses []OrganisationStatus) (string, []any) {
	// SECURITY: the public sees organisations in statuses (published) only; an owner or
	// editor also sees their own in every status (PENDING, ARCHIVED ...), and those who may
	// edit every listing see every organisation of the municipality.
	if sc.everyListing {
		return "TRUE", nil
	}
	if sc.editor == uuid.Nil {
		return "o.status IN (?)", []any{bun.In(statuses)}
	}
	return "(o.status IN (?) OR o.id IN (" + editedBy + "))", []any{bun.In(statuses), sc.editor}
}

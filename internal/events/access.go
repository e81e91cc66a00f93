package events

import (
	"context"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
)

// Who may write what, in one place:
//
//   - an organisation's events and series: its OWNER and EDITOR members, and the
//     municipality's ADMIN and EDITOR users;
//   - the municipality's own events and series (no organisation): ADMIN and EDITOR;
//   - the closure calendar: ADMIN and EDITOR.
//
// Readers see PUBLISHED events; those who may write an event see it as a DRAFT too.

// requireClosureEditor returns the viewer when it may keep the closure calendar. Errors:
// UNAUTHENTICATED, FORBIDDEN.
func requireClosureEditor(ctx context.Context) (*auth.Viewer, error) {
	v, err := auth.RequirePerson(ctx)
	if err != nil {
		return nil, err
	}
	// SECURITY: the closure calendar is the municipality's: ADMIN and EDITOR only.
	if !v.MunicipalEditor() {
		return nil, apperr.New(apperr.Forbidden, "")
	}
	return v, nil
}

// mayWrite returns nil when v may write an event or series of organisation org (nil: the
// municipality's own). Errors: FORBIDDEN.
func mayWrite(ctx context.Context, db bun.IDB, v *auth.Viewer, mid uuid.UUID, org *uuid.UUID) error {
	// SECURITY: ADMIN and EDITOR write every event of the municipality.
	if v.MunicipalEditor() {
		return nil
	}
	// SECURITY: the municipality's own events are ADMIN's and EDITOR's only.
	if org == nil {
		return apperr.New(apperr.Forbidden, "")
	}
	// SECURITY: an organisation's OWNER and EDITOR members write its events.
	ok, err := db.NewSelect().
		TableExpr("organisation_members").
		Where("municipality_id = ? AND organisation_id = ? AND user_id = ? AND role IN ('OWNER', 'EDITOR')",
			mid, *org, v.User.ID).
		Exists(ctx)
	if err != nil {
		return database.MapError(err, "check membership", "organisation")
	}
	if !ok {
		return apperr.New(apperr.Forbidden, "")
	}
	return nil
}

// drafts says whose drafts a reader sees: all (a municipal editor) or those of orgs.
type drafts struct {
	all  bool
	orgs []uuid.UUID
}

// draftsOf returns whose drafts the request's viewer may see; nil for the public.
func draftsOf(ctx context.Context, db bun.IDB, mid uuid.UUID) (*drafts, error) {
	v := auth.ViewerFrom(ctx)
	if v == nil || v.User == nil {
		return nil, nil
	}
	// SECURITY: ADMIN and EDITOR see every draft of the municipality.
	if v.MunicipalEditor() {
		return &drafts{all: true}, nil
	}
	// SECURITY: OWNER and EDITOR members see their organisations' drafts.
	var orgs []uuid.UUID
	err := db.NewSelect().
		TableExpr("organisation_members").
		Column("organisation_id").
		Where("municipality_id = ? AND user_id = ? AND role IN ('OWNER', 'EDITOR')", mid, v.User.ID).
		Scan(ctx, &orgs)
	if err != nil {
		return nil, database.MapError(err, "find memberships", "organisation")
	}
	if len(orgs) == 0 {
		return nil, nil
	}
	return &drafts{orgs: orgs}, nil
}

// visible adds the condition that the reader may see event "e" to q.
func (d *drafts) visible(q *bun.SelectQuery) *bun.SelectQuery {
	switch {
	case d == nil:
		// SECURITY: the public sees published events only, of the municipality or of a
		// published organisation (not one waiting for approval, rejected or archived).
		return q.Where("e.publication = 'PUBLISHED' AND " + organisationPublished)
	case d.all:
		return q
	}
	return q.Where("((e.publication = 'PUBLISHED' AND "+organisationPublished+") OR e.organisation_id IN (?))",
		bun.In(d.orgs))
}

// organisationPublished is the condition that event "e" is the municipality's or its
// organisation is published.
const organisationPublished = `(e.organisation_id IS NULL OR EXISTS (SELECT 1 FROM organisations po
	WHERE po.id = e.organisation_id AND po.status = 'PUBLISHED'))`

// hereCond is the condition that event "e" is one of municipality mid's: its own, and the
// published events of the providers of other municipalities it has accepted, which only
// fritid_served_events (migration 0051) returns, so a municipality's drafts and hidden
// events never show elsewhere.
func (s *Service) hereCond(ctx context.Context, mid uuid.UUID) (string, []any, error) {
	if s.Here == nil {
		return "e.municipality_id = ?", []any{mid}, nil
	}
	// SECURITY: another municipality's events only through fritid_served_events.
	return s.Here(ctx, mid, "e", "fritid_served_events")
}

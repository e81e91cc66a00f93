package content

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
//   - pages: the municipality's ADMIN and EDITOR users;
//   - the municipality's own articles: ADMIN and EDITOR, and a committee editor when every
//     neighbourhood the article is about is one they keep (an article about none is not
//     theirs);
//   - an organisation's articles: ADMIN and EDITOR, and the organisation's OWNER and
//     EDITOR members.

// requirePageEditor returns the viewer when it may write pages. Errors: UNAUTHENTICATED,
// FORBIDDEN.
func requirePageEditor(ctx context.Context) (*auth.Viewer, error) {
	v, err := auth.RequirePerson(ctx)
	if err != nil {
		return nil, err
	}
	// SECURITY: pages are the municipality's: ADMIN and EDITOR only.
	if !v.MunicipalEditor() {
		return nil, apperr.New(apperr.Forbidden, "")
	}
	return v, nil
}

// articleOwner is what decides who may write an article.
type articleOwner struct {
	organisationID   *uuid.UUID
	neighbourhoodIDs []uuid.UUID
}

// mayWriteArticle returns nil when v may write an article owned as o. Errors: FORBIDDEN.
func mayWriteArticle(ctx context.Context, db bun.IDB, v *auth.Viewer, mid uuid.UUID, o articleOwner) error {
	// SECURITY: ADMIN and EDITOR write every article of the municipality.
	if v.MunicipalEditor() {
		return nil
	}
	if o.organisationID != nil {
		// SECURITY: an organisation's OWNER and EDITOR members write its articles.
		ok, err := db.NewSelect().TableExpr("organisation_members").
			Where("municipality_id = ? AND organisation_id = ? AND user_id = ? AND role IN ('OWNER', 'EDITOR')",
				mid, *o.organisationID, v.User.ID).Exists(ctx)
		if err != nil {
			return database.MapError(err, "check membership", "organisation")
		}
		if !ok {
			return apperr.New(apperr.Forbidden, "")
		}
		return nil
	}
	// SECURITY: a committee editor writes the municipality's articles about their own
	// neighbourhoods only, and only when every neighbourhood named is theirs.
	if len(o.neighbourhoodIDs) == 0 {
		return apperr.New(apperr.Forbidden, "")
	}
	n, err := db.NewSelect().TableExpr("neighbourhood_editors").
		Where("municipality_id = ? AND user_id = ? AND neighbourhood_id IN (?)", mid, v.User.ID, bun.In(o.neighbourhoodIDs)).
		Count(ctx)
	if err != nil {
		return database.MapError(err, "check committee", "neighbourhood")
	}
	if int(n) != len(uniq(o.neighbourhoodIDs)) {
		return apperr.New(apperr.Forbidden, "")
	}
	return nil
}

func uniq(ids []uuid.UUID) []uuid.UUID {
	seen := map[uuid.UUID]bool{}
	var out []uuid.UUID
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

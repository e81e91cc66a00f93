package portal

import (
	"context"

	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/platform/apperr"
)

// The municipality's roles over the catalogue, in one place:
//
//   - ADMIN: everything, including approval, the taxonomy's structure, users and keys;
//   - EDITOR: the content of every listing (organisations, activities, venues, texts,
//     category and neighbourhood texts, committees), but not approval, not members, users,
//     roles or keys, and not the activity card;
//   - an API key with catalogue:write: as EDITOR, and it may also manage members;
//   - a committee editor (neighbourhood_editors): one neighbourhood's description, committee
//     contact and committee members, nothing else;
//   - an organisation's OWNER and EDITOR members: that organisation, its activities and
//     venues (OWNERs also its members).

// editsEveryListing reports whether v keeps the content of every listing of the
// municipality: an administrator, a municipal editor, or a catalogue:write key.
func editsEveryListing(v *auth.Viewer) bool {
	return v.Has(auth.RoleAdmin) || v.Has(auth.RoleEditor) || v.HasScope(auth.ScopeCatalogueWrite)
}

// managesEveryOrganisation reports whether v manages the members of every organisation of
// the municipality: an administrator or a catalogue:write key. A municipal editor keeps
// content, not people.
func managesEveryOrganisation(v *auth.Viewer) bool {
	return v.Has(auth.RoleAdmin) || v.HasScope(auth.ScopeCatalogueWrite)
}

// requireCatalogueEditor returns the viewer when it keeps every listing's content (see
// editsEveryListing). Errors: UNAUTHENTICATED, FORBIDDEN.
func requireCatalogueEditor(ctx context.Context) (*auth.Viewer, error) {
	v := auth.ViewerFrom(ctx)
	if v == nil || (v.User == nil && v.APIKey == nil) {
		return nil, apperr.New(apperr.Unauthenticated, "")
	}
	// SECURITY: administrators, municipal editors and catalogue:write keys.
	if !editsEveryListing(v) {
		return nil, apperr.New(apperr.Forbidden, "")
	}
	return v, nil
}

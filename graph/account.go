package graph

import (
	"context"

	"github.com/google/uuid"

	"github.com/fritid/fritid/graph/model"
	"github.com/fritid/fritid/internal/audit"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/relay"
	"github.com/fritid/fritid/internal/portal"
)

// auditFilter parses the API's audit filter. Errors: BAD_USER_INPUT naming a bad ID.
func auditFilter(in *model.AuditFilterInput) (audit.Filter, error) {
	var f audit.Filter
	if in == nil {
		return f, nil
	}
	f.Action, f.Since, f.Until = deref(in.Action, ""), in.Since, in.Until
	var err error
	if f.ItemID, err = anyID(in.ItemID, "filter.itemId"); err != nil {
		return f, err
	}
	f.ActorID, err = anyID(in.ActorID, "filter.actorId")
	return f, err
}

// anyID parses a global ID of any type, or nil.
func anyID(gid *string, field string) (*uuid.UUID, error) {
	if gid == nil {
		return nil, nil
	}
	_, id, err := relay.ParseGlobalID(*gid, field)
	if err != nil {
		return nil, err
	}
	return &id, nil
}

// registerInput parses the API's registration input. Errors: BAD_USER_INPUT naming a bad ID.
func registerInput(in model.RegisterOrganisationInput) (portal.RegisterInput, error) {
	cats, err := parseIDs(in.Categories, "Category", "input.categories")
	if err != nil {
		return portal.RegisterInput{}, err
	}
	out := portal.RegisterInput{Name: in.Name, Kind: in.Kind, OrgNumber: in.OrgNumber, CategoryIDs: cats,
		Email: deref(in.Email, ""), Summary: deref(in.Summary, "")}
	if o := in.Owner; o != nil {
		out.Owner = &portal.NewOwner{Email: o.Email, Password: o.Password, DisplayName: deref(o.DisplayName, "")}
	}
	return out, nil
}

// listOf answers a list that was read: empty, not null, when it has nothing. A nullable
// list field is null only with its error.
func listOf[T any](list []T, err error) ([]T, error) {
	if err != nil {
		return nil, err
	}
	if list == nil {
		list = []T{}
	}
	return list, nil
}

// memberListOf returns an organisation's members and invitations, loaded with those of
// every organisation in the answer, or the error the caller gets instead of them.
func memberListOf(ctx context.Context, orgID uuid.UUID) (*portal.MemberList, error) {
	ml, err := loadersFor(ctx).memberLists.get(ctx, orgID)
	if err != nil {
		return nil, err
	}
	if ml == nil { // not answered for: deny rather than show
		return nil, apperr.New(apperr.Forbidden, "")
	}
	return ml, ml.Err
}

// registrationNodes returns the organisations of a page of registrations.
func registrationNodes(c *portal.RegistrationConnection) []*portal.Organisation {
	out := make([]*portal.Organisation, len(c.Edges))
	for i, e := range c.Edges {
		out[i] = e.Node.Organisation
	}
	return out
}

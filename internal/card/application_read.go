package card

import (
	"context"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/audit"
	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/keyset"
	"github.com/fritid/fritid/internal/platform/relay"
)

// ApplicationFilter narrows a list of applications: to one programme, to one status.
type ApplicationFilter struct {
	ProgrammeID *uuid.UUID
	Status      *ApplicationStatus
}

// ApplicationConnection is a page of applications, oldest submission first.
type ApplicationConnection struct {
	Edges    []*ApplicationEdge
	PageInfo *relay.PageInfo
	count    keyset.Counter
}

// ApplicationEdge is an application in a page, with its cursor.
type ApplicationEdge struct {
	Cursor string
	Node   *Application
}

// Nodes returns the page's applications alone.
func (c *ApplicationConnection) Nodes() []*Application {
	return nodes(c.Edges, func(e *ApplicationEdge) *Application { return e.Node })
}

// TotalCount returns how many applications the list has.
func (c *ApplicationConnection) TotalCount(ctx context.Context) (int, error) { return c.count(ctx) }

var applicationSort = keyset.Spec{Order: "APPLICATIONS", Expr: "ca.submitted_at", Cast: "timestamptz",
	IDCol: "ca.id"}

type applicationRow struct {
	Application `bun:",extend"`
	SortKey     string `bun:"sort_key,scanonly"`
}

func (r *applicationRow) key() (string, uuid.UUID) { return r.SortKey, r.ID }

// visibleApplications returns the applications the caller may see, as a query: card
// coordinators and administrators all of the municipality's; a caseworker their agency's
// (filed by it, or for a card it issued); a resident signed in with ID-porten their own;
// an organisation's OWNER or EDITOR those it filed. Errors: UNAUTHENTICATED.
func (s *Service) visibleApplications(ctx context.Context, c caller) (func() *bun.SelectQuery, bool, error) {
	// SECURITY: only applications of the request's municipality.
	base := func() *bun.SelectQuery {
		return s.db.NewSelect().Model((*Application)(nil)).Where("ca.municipality_id = ?", c.mid())
	}
	switch {
	case c.v == nil:
		return nil, false, apperr.New(apperr.Unauthenticated, "")
	case c.v.User != nil && c.staff():
		// SECURITY: coordinators and administrators see every application here.
		return base, true, nil
	case c.v.User != nil && c.has(auth.RoleCaseworker):
		ag, err := caseworkerAgency(ctx, s.db, c)
		if err != nil {
			return nil, false, err
		}
		// SECURITY: a caseworker sees their agency's applications only.
		return func() *bun.SelectQuery {
			return base().Where(`(ca.agency_id = ? OR EXISTS (SELECT 1 FROM cards k
				WHERE k.id = ca.card_id AND k.agency_id = ?))`, ag.ID, ag.ID)
		}, true, nil
	case c.v.User != nil:
		// SECURITY: an organisation's OWNER and EDITOR members see what it filed.
		return func() *bun.SelectQuery {
			return base().Where(`ca.organisation_id IN (SELECT m.organisation_id FROM organisation_members m
				WHERE m.user_id = ? AND m.role IN ('OWNER', 'EDITOR'))`, c.v.User.ID)
		}, false, nil
	}
	key, err := s.residentKey(c)
	if err != nil {
		return nil, false, err
	}
	// SECURITY: a resident sees the applications they filed.
	return func() *bun.SelectQuery { return base().Where("ca.applicant_key = ?", key) }, false, nil
}

// FindApplications returns a page of the applications the caller may see (see
// visibleApplications), oldest submission first, narrowed by f. The stopper's findings
// are shown to caseworkers and coordinators only. Errors: UNAUTHENTICATED, FORBIDDEN,
// BAD_USER_INPUT naming "after" or "before" for a cursor of another list.
func (s *Service) FindApplications(ctx context.Context, f ApplicationFilter, page relay.Page) (
	*ApplicationConnection, error,
) {
	c, err := current(ctx)
	if err != nil {
		return nil, err
	}
	visible, staff, err := s.visibleApplications(ctx, c)
	if err != nil {
		return nil, err
	}
	base := func() *bun.SelectQuery {
		q := visible()
		if f.ProgrammeID != nil {
			q = q.Where("ca.programme_id = ?", *f.ProgrammeID)
		}
		if f.Status != nil {
			q = q.Where("ca.status = ?", *f.Status)
		}
		return q
	}
	q, err := applicationSort.Apply(base().ColumnExpr("ca.*"), page)
	if err != nil {
		return nil, err
	}
	var rows []*applicationRow
	if err := q.Scan(ctx, &rows); err != nil {
		return nil, database.MapError(err, "find applications", "application")
	}
	rows, cursors, info := keyset.Paginate(rows, (*applicationRow).key, applicationSort.Order, page)
	conn := &ApplicationConnection{PageInfo: info, count: keyset.CountOf(base(), "application")}
	for i, r := range rows {
		a := &r.Application
		if !staff {
			a.Findings = nil
		}
		conn.Edges = append(conn.Edges, &ApplicationEdge{Cursor: cursors[i], Node: a})
	}
	return conn, nil
}

// FindApplicationByID returns an application the caller may see (as FindApplications).
// Errors: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND (also for one the caller may not see).
func (s *Service) FindApplicationByID(ctx context.Context, id uuid.UUID) (*Application, error) {
	c, err := current(ctx)
	if err != nil {
		return nil, err
	}
	visible, staff, err := s.visibleApplications(ctx, c)
	if err != nil {
		return nil, err
	}
	a := new(Application)
	if err := visible().Where("ca.id = ?", id).Scan(ctx, a); err != nil {
		return nil, database.MapError(err, "find application", "application")
	}
	if !staff {
		a.Findings = nil
	}
	return a, nil
}

// ProgrammeApplicationsInput sets how a programme takes applications.
type ProgrammeApplicationsInput struct {
	Mode             ApplicationMode
	ApplicationsOnly bool
}

// SetProgrammeApplications sets how a programme takes applications: ASSESSED or
// FIRST_COME, and whether it is a fund (applications only) (card coordinators and
// administrators). Errors: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, BAD_USER_INPUT naming
// "input.mode".
func (s *Service) SetProgrammeApplications(ctx context.Context, programmeID uuid.UUID, in ProgrammeApplicationsInput) (
	*Programme, error,
) {
	// SECURITY: the programme's staff say how it takes applications.
	c, err := requireRole(ctx, auth.RoleCardCoordinator, auth.RoleAdmin)
	if err != nil {
		return nil, err
	}
	if !in.Mode.valid() {
		return nil, apperr.Invalid("input.mode", "ChoiceInvalid", nil)
	}
	err = database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		p, err := lockProgramme(ctx, tx, c.mid(), programmeID)
		if err != nil {
			return err
		}
		p.ApplicationMode, p.ApplicationsOnly = in.Mode, in.ApplicationsOnly
		_, err = tx.NewUpdate().Model(p).Column("application_mode", "applications_only").Set("updated_at = now()").
			WherePK().
			Exec(ctx)
		if err != nil {
			return database.MapError(err, "set programme applications", "programme")
		}
		return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: c.mid(), ActorID: c.actor(),
			Action: "set_card_programme_applications", ItemType: "CardProgramme", ItemID: &p.ID,
			Fields: []string{"applicationMode", "applicationsOnly"}})
	})
	if err != nil {
		return nil, err
	}
	return s.findProgramme(ctx, s.db, c, programmeID)
}

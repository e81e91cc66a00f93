package events

import (
	"context"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/audit"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/relay"
)

// SignupConnection is a page of an event's sign-ups, in the order they came.
type SignupConnection struct {
	Edges      []*SignupEdge
	PageInfo   *relay.PageInfo
	TotalCount int
}

// SignupEdge is a sign-up in a page.
type SignupEdge struct {
	Cursor string
	Node   *Signup
}

// Nodes returns the page's sign-ups.
func (c *SignupConnection) Nodes() []*Signup {
	out := make([]*Signup, len(c.Edges))
	for i, e := range c.Edges {
		out[i] = e.Node
	}
	return out
}

// FindSignups returns a page of event e's sign-ups with their participants, for those
// who may write the event (its organisation's OWNER and EDITOR members, the
// municipality's ADMIN and EDITOR users). Paging is forward only. Errors:
// UNAUTHENTICATED, FORBIDDEN, BAD_USER_INPUT for a bad cursor.
func (s *Service) FindSignups(ctx context.Context, e *Event, page relay.Page) (*SignupConnection, error) {
	t, v, err := begin(ctx)
	if err != nil {
		return nil, err
	}
	// SECURITY: an event's sign-ups are seen by those who may write the event (mayWrite).
	if err := mayWrite(ctx, s.db, v, t.ID(), e.OrganisationID); err != nil {
		return nil, err
	}
	var after int64
	if page.After != "" {
		if err := relay.DecodeCursor(page.After, "after", &after); err != nil {
			return nil, err
		}
	}
	base := func() *bun.SelectQuery {
		return s.db.NewSelect().Model((*Signup)(nil)).Where("su.municipality_id = ? AND su.event_id = ?", t.ID(), e.ID)
	}
	total, err := base().Count(ctx)
	if err != nil {
		return nil, database.MapError(err, "count sign-ups", "signup")
	}
	var sus []*Signup
	err = base().Model(&sus).Where("su.seq > ?", after).Order("su.seq").Limit(int64(page.Limit + 1)).Scan(ctx)
	if err != nil {
		return nil, database.MapError(err, "find sign-ups", "signup")
	}
	c := &SignupConnection{PageInfo: &relay.PageInfo{HasPreviousPage: after > 0}, TotalCount: int(total)}
	if len(sus) > page.Limit {
		sus, c.PageInfo.HasNextPage = sus[:page.Limit], true
	}
	if err := withParticipants(ctx, s.db, t.ID(), sus); err != nil {
		return nil, err
	}
	if err := waitingPositions(ctx, s.db, e.ID, sus); err != nil {
		return nil, err
	}
	for _, su := range sus {
		c.Edges = append(c.Edges, &SignupEdge{Cursor: relay.EncodeCursor(su.Seq), Node: su})
	}
	if n := len(c.Edges); n > 0 {
		c.PageInfo.StartCursor, c.PageInfo.EndCursor = &c.Edges[0].Cursor, &c.Edges[n-1].Cursor
	}
	return c, nil
}

// withParticipants sets the participants of sus.
func withParticipants(ctx context.Context, db bun.IDB, mid uuid.UUID, sus []*Signup) error {
	if len(sus) == 0 {
		return nil
	}
	by := make(map[uuid.UUID]*Signup, len(sus))
	ids := make([]uuid.UUID, len(sus))
	for i, su := range sus {
		by[su.ID], ids[i] = su, su.ID
	}
	var ps []*Participant
	err := db.NewSelect().Model(&ps).
		Where("p.municipality_id = ? AND p.signup_id IN (?)", mid, bun.In(ids)).
		Order("p.signup_id", "p.n").Scan(ctx)
	if err != nil {
		return database.MapError(err, "find participants", "signup")
	}
	for _, p := range ps {
		by[p.SignupID].Participants = append(by[p.SignupID].Participants, p)
	}
	return nil
}

// waitingPositions sets the waiting list positions of sus, sign-ups of event id, in one
// statement.
func waitingPositions(ctx context.Context, db bun.IDB, id uuid.UUID, sus []*Signup) error {
	var rows []struct {
		ID  uuid.UUID `bun:"id,type:uuid"`
		Pos int       `bun:"pos"`
	}
	err := db.NewSelect().TableExpr("event_signups").
		ColumnExpr("id, row_number() OVER (ORDER BY seq) AS pos").
		Where("event_id = ? AND status = 'WAITING'", id).Scan(ctx, &rows)
	if err != nil {
		return database.MapError(err, "count waiting", "signup")
	}
	pos := make(map[uuid.UUID]int, len(rows))
	for _, r := range rows {
		pos[r.ID] = r.Pos
	}
	for _, su := range sus {
		su.Position = pos[su.ID]
	}
	return nil
}

// MarkAttendance records whether sign-up gid's participants came, for the event's
// organiser at the door, and returns the sign-up. Errors: UNAUTHENTICATED, FORBIDDEN,
// NOT_FOUND.
func (s *Service) MarkAttendance(ctx context.Context, gid string, attended bool) (*Signup, error) {
	t, v, err := begin(ctx)
	if err != nil {
		return nil, err
	}
	id, err := relay.ParseTypedID(gid, "EventSignup", "id")
	if err != nil {
		return nil, err
	}
	var su *Signup
	err = database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		if su, err = s.organisersSignup(ctx, tx, t.ID(), v, id); err != nil {
			return err
		}
		su.Attended = &attended
		_, err := tx.NewUpdate().Model(su).Set("attended = ?, updated_at = now()", attended).WherePK().Exec(ctx)
		if err != nil {
			return database.MapError(err, "mark attendance", "id")
		}
		if err := withParticipants(ctx, tx, t.ID(), []*Signup{su}); err != nil {
			return err
		}
		return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: t.ID(), ActorID: &v.User.ID,
			Action: "mark_attendance", ItemType: "Event", ItemID: &su.EventID})
	})
	return su, err
}

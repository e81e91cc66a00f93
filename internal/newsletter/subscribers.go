package newsletter

import (
	"context"
	"encoding/csv"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/fritid/fritid/internal/audit"
	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/relay"
	"github.com/fritid/fritid/internal/tenant"
)

// SubscriberFilter narrows subscribers; empty fields do not narrow.
type SubscriberFilter struct {
	// ListID is the list's global ID (required).
	ListID string
	Status *Status
	// Interests: subscribers with any of them.
	Interests *InterestsInput
	// ChangedSince: subscribers created or changed at or after it.
	ChangedSince *time.Time
}

// SubscriberConnection is a page of subscribers, by last change.
type SubscriberConnection struct {
	Edges      []*SubscriberEdge
	PageInfo   *relay.PageInfo
	TotalCount int
}

// SubscriberEdge is a subscriber in a page.
type SubscriberEdge struct {
	Cursor string
	Node   *Subscriber
}

// Nodes returns the page's subscribers.
func (c *SubscriberConnection) Nodes() []*Subscriber {
	out := make([]*Subscriber, len(c.Edges))
	for i, e := range c.Edges {
		out[i] = e.Node
	}
	return out
}

// cursor is where a page of subscribers continues: after this change of this subscriber.
type cursor struct {
	At time.Time `json:"t"`
	ID uuid.UUID `json:"i"`
}

// query returns the query of the subscribers f selects in municipality mid.
func (f *SubscriberFilter) query(db bun.IDB, mid uuid.UUID, model any) (*bun.SelectQuery, error) {
	list, err := relay.ParseTypedID(f.ListID, "NewsletterList", "list")
	if err != nil {
		return nil, err
	}
	q := selectSubscribers(db, model).Where("s.municipality_id = ? AND s.list_id = ?", mid, list)
	if f.Status != nil {
		q = q.Where("s.status = ?", *f.Status)
	}
	if f.ChangedSince != nil {
		q = q.Where("s.updated_at >= ?", *f.ChangedSince)
	}
	if f.Interests != nil {
		ints, err := f.Interests.parse("interests")
		if err != nil {
			return nil, err
		}
		q = q.Where("(s.category_ids && ?::uuid[] OR s.neighbourhood_ids && ?::uuid[] OR s.age_groups && ?::text[])",
			pgdialect.Array(ints.CategoryIDs), pgdialect.Array(ints.NeighbourhoodIDs), pgdialect.Array(ints.AgeGroups))
	}
	return q, nil
}

// FindSubscribers returns a page of a list's subscribers with their consent records,
// ordered by last change (so an integration reads changedSince its last run), for ADMIN
// and API keys with SUBSCRIBERS_READ. Errors: UNAUTHENTICATED, FORBIDDEN, BAD_USER_INPUT
// naming the field.
func (s *Service) FindSubscribers(ctx context.Context, f SubscriberFilter, page relay.Page) (
	*SubscriberConnection, error,
) {
	t, _, err := requireReader(ctx)
	if err != nil {
		return nil, err
	}
	var after cursor
	if page.After != "" {
		if err := relay.DecodeCursor(page.After, "after", &after); err != nil {
			return nil, err
		}
	}
	var subs []*Subscriber
	count, err := f.query(s.db, t.ID(), (*Subscriber)(nil))
	if err != nil {
		return nil, err
	}
	total, err := count.Count(ctx)
	if err != nil {
		return nil, database.MapError(err, "count subscribers", "list")
	}
	q, _ := f.query(s.db, t.ID(), &subs)
	if page.After != "" {
		q = q.Where("(s.updated_at, s.id) > (?, ?)", after.At, after.ID)
	}
	if err := q.Order("s.updated_at", "s.id").Limit(int64(page.Limit + 1)).Scan(ctx); err != nil {
		return nil, database.MapError(err, "find subscribers", "list")
	}
	c := &SubscriberConnection{PageInfo: &relay.PageInfo{HasPreviousPage: page.After != ""}, TotalCount: int(total)}
	if len(subs) > page.Limit {
		subs, c.PageInfo.HasNextPage = subs[:page.Limit], true
	}
	for _, sub := range subs {
		c.Edges = append(c.Edges, &SubscriberEdge{Cursor: relay.EncodeCursor(cursor{sub.UpdatedAt, sub.ID}), Node: sub})
	}
	if n := len(c.Edges); n > 0 {
		c.PageInfo.StartCursor, c.PageInfo.EndCursor = &c.Edges[0].Cursor, &c.Edges[n-1].Cursor
	}
	return c, nil
}

// CSVColumns are the columns of the subscribers' CSV export, in order.
var CSVColumns = []string{"id", "email", "locale", "status", "categories", "neighbourhoods", "age_groups",
	"consent_source", "consent_text_id", "consent_text_version", "consent_given_at", "confirmed_at", "updated_at"}

// ExportSubscribers writes the subscribers f selects as CSV (UTF-8, a header row, lists
// separated by spaces, times in RFC 3339), for ADMIN and API keys with SUBSCRIBERS_READ.
// Audit-logged. Errors: UNAUTHENTICATED, FORBIDDEN, BAD_USER_INPUT naming the field.
func (s *Service) ExportSubscribers(ctx context.Context, f SubscriberFilter, w io.Writer) error {
	t, v, err := requireReader(ctx)
	if err != nil {
		return err
	}
	var subs []*Subscriber
	q, err := f.query(s.db, t.ID(), &subs)
	if err != nil {
		return err
	}
	if err := q.Order("s.updated_at", "s.id").Scan(ctx); err != nil {
		return database.MapError(err, "export subscribers", "list")
	}
	e := &audit.Entry{MunicipalityID: t.ID(), Action: "export_newsletter_subscribers", ItemType: "NewsletterList"}
	if v.User != nil {
		e.ActorID = &v.User.ID
	}
	if err := audit.Append(ctx, s.db, e); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVColumns); err != nil {
		return err
	}
	for _, sub := range subs {
		if err := cw.Write(csvRow(sub)); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// csvRow is one subscriber's row of the export.
func csvRow(sub *Subscriber) []string {
	opt := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	ver, confirmed := "", ""
	if sub.TextVersion != nil {
		ver = strconv.Itoa(*sub.TextVersion)
	}
	if sub.ConfirmedAt != nil {
		confirmed = sub.ConfirmedAt.UTC().Format(time.RFC3339)
	}
	ages := make([]string, len(sub.AgeGroups))
	for i, a := range sub.AgeGroups {
		ages[i] = string(a)
	}
	return []string{sub.GlobalID(), csvSafe(sub.Email), sub.Locale, string(sub.Status),
		strings.Join(sub.Categories(), " "), strings.Join(sub.Neighbourhoods(), " "), strings.Join(ages, " "),
		string(sub.Source), opt(sub.TextGlobalID()), ver, sub.GivenAt.UTC().Format(time.RFC3339), confirmed,
		sub.UpdatedAt.UTC().Format(time.RFC3339)}
}

// csvSafe keeps a spreadsheet from reading a cell as a formula.
func csvSafe(v string) string {
	if v != "" && strings.ContainsRune("=+-@", rune(v[0])) {
		return "'" + v
	}
	return v
}

// DataReport is what the newsletter holds of an address: its subscriptions with their
// consent records, and the wish for providers' information of the account with it.
type DataReport struct {
	Subscribers  []*Subscriber
	OwnerConsent *OwnerConsent
}

// SubscriberDataReport returns every subscription of the municipality with an address
// (ADMIN), with consent records, and the provider-information wish of the account with it.
// Audit-logged without the address. Errors: UNAUTHENTICATED, FORBIDDEN, BAD_USER_INPUT
// naming "email".
func (s *Service) SubscriberDataReport(ctx context.Context, email string) (*DataReport, error) {
	t, v, email, err := s.beginPrivacy(ctx, email)
	if err != nil {
		return nil, err
	}
	r := &DataReport{}
	err = database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		err := selectSubscribers(tx, &r.Subscribers).Where("s.municipality_id = ? AND s.email = ?", t.ID(), email).
			Order("s.id").Scan(ctx)
		if err != nil {
			return database.MapError(err, "find subscriptions", "email")
		}
		if r.OwnerConsent, err = findOwnerConsent(ctx, tx, t.ID(), ownerConsentOf, email); err != nil {
			return err
		}
		return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: t.ID(), ActorID: &v.User.ID,
			Action: "report_subscriber_data", ItemType: "NewsletterSubscriber"})
	})
	return r, err
}

// EraseSubscriberData deletes every subscription of the municipality with an address
// (ADMIN), and the account's wish for providers' information, and returns how many
// subscriptions it deleted. Only a keyed hash of the address stays, for every list,
// so that no import adds it again. Audit-logged without the address. Errors:
// UNAUTHENTICATED, FORBIDDEN, BAD_USER_INPUT naming "email".
func (s *Service) EraseSubscriberData(ctx context.Context, email string) (int, error) {
	t, v, email, err := s.beginPrivacy(ctx, email)
	if err != nil {
		return 0, err
	}
	var n int
	err = database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		if n, err = s.endSubscriptions(ctx, tx, t.ID(), "s.email = ?", []any{email}, "ERASED", false); err != nil {
			return err
		}
		_, err := tx.NewDelete().Model((*OwnerConsent)(nil)).Where("oc.municipality_id = ?", t.ID()).
			Where(ownerConsentOf, email).Exec(ctx)
		if err != nil {
			return database.MapError(err, "erase provider newsletter consent", "email")
		}
		if err := s.suppress(ctx, tx, t.ID(), nil, email, "ERASED"); err != nil {
			return err
		}
		return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: t.ID(), ActorID: &v.User.ID,
			Action: "erase_subscriber_data", ItemType: "NewsletterSubscriber"})
	})
	return n, err
}

// beginPrivacy returns the tenant, the administrator and the normalised address.
func (s *Service) beginPrivacy(ctx context.Context, email string) (*tenant.Tenant, *auth.Viewer, string, error) {
	t, v, err := requireAdmin(ctx)
	if err != nil {
		return nil, nil, "", err
	}
	e, err := auth.NormaliseEmail(email, "email")
	if err != nil {
		return nil, nil, "", err
	}
	return t, v, e, nil
}

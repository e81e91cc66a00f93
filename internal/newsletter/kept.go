package newsletter

import (
	"context"
	"slices"
	"strings"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/integration"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/tenant"
)

// A provider list that keeps itself takes its recipients from fritid's own data: the
// contact address of every PUBLISHED organisation of the municipality, the address of each
// of their owners who asked for the municipality's information for providers
// (SetProviderNewsletter), and the neighbourhood committees' addresses. They are subscriber
// rows with the sources ORGANISATION, OWNER and COMMITTEE, so deliveries, one-click
// unsubscribing, the data-subject report and erasure work on them as on any subscriber.
// syncKept brings the rows in line with the data when a campaign to the list is queued,
// when the list changes and hourly: an organisation unpublished, an address changed or an
// owner's wish withdrawn takes its row away (unsuppressed: the data decides), a new one adds
// it. An address that left the list (its keyed hash) or bounced stays off, whatever the data
// says; one subscribed by itself keeps its own subscription.

// ListSource is where a provider list that keeps itself takes recipients from.
type ListSource string

// The sources of a kept list.
const (
	FromOrganisationContacts ListSource = "ORGANISATION_CONTACTS"
	FromOrganisationOwners   ListSource = "ORGANISATION_OWNERS"
	FromCommittees           ListSource = "COMMITTEES"
)

// The consent sources of a kept list's subscribers.
const (
	SourceOrganisation Source = "ORGANISATION"
	SourceOwner        Source = "OWNER"
	SourceCommittee    Source = "COMMITTEE"
)

// keptSources are the consent sources of rows a kept list writes itself.
var keptSources = []Source{SourceOrganisation, SourceOwner, SourceCommittee}

// Kept reports whether a subscriber comes from fritid's data rather than a consent.
func (s Source) Kept() bool { return slices.Contains(keptSources, s) }

// applyKeeping sets how l keeps itself from in: where a provider list takes recipients,
// and a digest's schedule. Errors: BAD_USER_INPUT naming the field.
func (s *Service) applyKeeping(t *tenant.Tenant, l *List, in ListInput) error {
	if in.KeptFrom != nil {
		l.KeptFrom = []ListSource{}
		for _, k := range in.KeptFrom {
			if k != FromOrganisationContacts && k != FromOrganisationOwners && k != FromCommittees {
				return apperr.Invalid("input.keptFrom", "NewsletterKeptFromInvalid", nil)
			}
			if !slices.Contains(l.KeptFrom, k) {
				l.KeptFrom = append(l.KeptFrom, k)
			}
		}
	}
	if len(l.KeptFrom) > 0 && l.Audience != Providers {
		return apperr.Invalid(fieldOf(in.KeptFrom != nil, "input.keptFrom", "input.audience"),
			"NewsletterKeptNeedsProviders", nil)
	}
	return s.applyDigest(t, l, in)
}

// fieldOf names the field a refusal is about: the one given when it was, else other.
func fieldOf(given bool, field, other string) string {
	if given {
		return field
	}
	return other
}

// keptRecipient is an address a kept list takes from the data.
type keptRecipient struct {
	email, locale string
	source        Source
}

// syncKept brings the kept subscribers of list id in line with the data, in tx (the list
// row locked, so two at once wait for each other); a list kept by hand loses any it had.
func (s *Service) syncKept(ctx context.Context, tx bun.IDB, mid, id uuid.UUID) error {
	l := new(List)
	err := tx.NewSelect().Model(l).Where("l.municipality_id = ? AND l.id = ?", mid, id).For("UPDATE OF l").Scan(ctx)
	if err != nil {
		return database.MapError(err, "lock newsletter list", "list")
	}
	want, err := s.keptRecipients(ctx, tx, l)
	if err != nil {
		return err
	}
	var have []*Subscriber
	err = tx.NewSelect().Model(&have).Column("s.id", "s.email", "s.consent_source").
		Where("s.list_id = ? AND s.consent_source IN (?)", l.ID, bun.In(keptSources)).Scan(ctx)
	if err != nil {
		return database.MapError(err, "find kept subscribers", "list")
	}
	var gone []uuid.UUID
	for _, h := range have {
		r, ok := want[h.Email]
		switch {
		case !ok:
			gone = append(gone, h.ID)
		case r.source != h.Source:
			// Another source took the address over (an owner's wish over the contact): its
			// language comes with it.
			_, err := tx.NewUpdate().Model(h).
				Set("consent_source = ?, locale = ?, updated_at = now()", r.source, r.locale).
				WherePK().
				Exec(ctx)
			if err != nil {
				return database.MapError(err, "update kept subscriber", "list")
			}
		}
		delete(want, h.Email)
	}
	if len(gone) > 0 {
		_, err := s.endSubscriptions(ctx, tx, mid, "s.id IN (?)", []any{bun.In(gone)}, "REMOVED", false)
		if err != nil {
			return err
		}
	}
	return s.addKept(ctx, tx, l, want)
}

// addKept adds the recipients want to l, confirmed: an address pending on the list by its
// own form becomes a kept one (it needs no opt-in any more); one subscribed already stays
// as it is.
func (s *Service) addKept(ctx context.Context, tx bun.IDB, l *List, want map[string]keptRecipient) error {
	if len(want) == 0 {
		return nil
	}
	now := s.now()
	rows := make([]*Subscriber, 0, len(want))
	for _, r := range want {
		rows = append(rows, &Subscriber{ID: uuid.Must(uuid.NewV7()), MunicipalityID: l.MunicipalityID, ListID: l.ID,
			Email: r.email, Locale: r.locale, Status: Confirmed,
			Interests: noInterests(), Consent: Consent{Source: r.source, GivenAt: now, ConfirmedAt: &now}})
	}
	slices.SortFunc(rows, func(a, b *Subscriber) int { return strings.Compare(a.Email, b.Email) })
	var ids []uuid.UUID
	_, err := tx.NewInsert().Model(&rows).ExcludeColumn("created_at", "updated_at").
		On("CONFLICT (list_id, email) DO UPDATE").
		Set("status = 'CONFIRMED', consent_source = EXCLUDED.consent_source, locale = EXCLUDED.locale").
		Set("consent_given_at = EXCLUDED.consent_given_at, confirmed_at = EXCLUDED.confirmed_at, updated_at = now()").
		Where("s.status = 'PENDING'").Returning("s.id").Exec(ctx, &ids)
	if err != nil {
		return database.MapError(err, "add kept subscribers", "list")
	}
	// The change feed and webhooks hear of each, by ID alone, as of any confirmed subscriber.
	for _, id := range ids {
		if err := integration.RecordChange(ctx, tx, l.MunicipalityID, "subscriber.confirmed", id); err != nil {
			return err
		}
	}
	return nil
}

// keptRecipients returns the addresses l takes from the data, by normalised address: an
// owner's first (in the language they chose), then an organisation's contact, then a
// committee's (in the municipality's language); addresses that left the list or bounced,
// and those that are no address, are left out.
func (s *Service) keptRecipients(ctx context.Context, tx bun.IDB, l *List) (map[string]keptRecipient, error) {
	out := map[string]keptRecipient{}
	if len(l.KeptFrom) == 0 {
		return out, nil
	}
	var def string
	err := tx.NewSelect().TableExpr("municipalities").Column("default_locale").Where("id = ?", l.MunicipalityID).
		Scan(ctx, &def)
	if err != nil {
		return nil, database.MapError(err, "find municipality", "list")
	}
	add := func(email, locale string, src Source) {
		e, err := auth.NormaliseEmail(email, "email")
		if err != nil {
			return // an organisation's or committee's field may hold anything
		}
		if _, ok := out[e]; !ok {
			out[e] = keptRecipient{email: e, locale: locale, source: src}
		}
	}
	for _, k := range []ListSource{FromOrganisationOwners, FromOrganisationContacts, FromCommittees} {
		if !slices.Contains(l.KeptFrom, k) {
			continue
		}
		rows, err := keptAddresses(ctx, tx, l.MunicipalityID, k)
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			add(r.Email, cmpOr(r.Locale, def), sourceOf[k])
		}
	}
	return out, s.dropSuppressed(ctx, tx, l, out)
}

// sourceOf is the consent source of each list source's rows.
var sourceOf = map[ListSource]Source{FromOrganisationContacts: SourceOrganisation,
	FromOrganisationOwners: SourceOwner, FromCommittees: SourceCommittee}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// keptAddress is an address from the data, with the language its owner chose ("": none).
type keptAddress struct {
	Email  string `bun:"email"`
	Locale string `bun:"locale"`
}

// keptAddresses returns the addresses source k gives in municipality mid.
func keptAddresses(ctx context.Context, db bun.IDB, mid uuid.UUID, k ListSource) ([]keptAddress, error) {
	var q *bun.SelectQuery
	switch k {
	case FromOrganisationContacts:
		q = db.NewSelect().TableExpr("organisations AS o").ColumnExpr("o.email, '' AS locale").
			Where("o.municipality_id = ? AND o.status = 'PUBLISHED' AND o.email <> ''", mid)
	case FromOrganisationOwners:
		// SECURITY: an owner's address only with the owner's own wish (newsletter_owner_consents,
		// written by SetProviderNewsletter for the signed-in account alone).
		q = db.NewSelect().TableExpr("newsletter_owner_consents AS c").ColumnExpr("DISTINCT u.email, c.locale").
			Join("JOIN users AS u ON u.id = c.user_id AND u.disabled_at IS NULL").
			Join("JOIN organisation_members AS m ON m.user_id = c.user_id AND m.role = 'OWNER'").
			Join("JOIN organisations AS o ON o.id = m.organisation_id AND o.status = 'PUBLISHED'").
			Where("c.municipality_id = ?", mid)
	default:
		q = db.NewSelect().TableExpr("neighbourhoods AS n").ColumnExpr("n.committee_email AS email, '' AS locale").
			Where("n.municipality_id = ? AND n.committee_email <> ''", mid)
	}
	var out []keptAddress
	if err := q.OrderExpr("1").Scan(ctx, &out); err != nil {
		return nil, database.MapError(err, "find kept addresses", "list")
	}
	return out, nil
}

// dropSuppressed removes from rs the addresses whose keyed hash keeps them off l: they
// unsubscribed from it, or bounced, complained or were erased.
func (s *Service) dropSuppressed(ctx context.Context, tx bun.IDB, l *List, rs map[string]keptRecipient) error {
	if len(rs) == 0 {
		return nil
	}
	byHash := make(map[string]string, len(rs))
	hashes := make([][]byte, 0, len(rs))
	for e := range rs {
		h := s.emailHash(l.MunicipalityID, e)
		byHash[string(h)] = e
		hashes = append(hashes, h)
	}
	var off [][]byte
	err := tx.NewSelect().TableExpr("newsletter_suppressions").Column("email_hash").
		Where("municipality_id = ? AND (list_id = ? OR list_id IS NULL) AND email_hash = ANY(?)",
			l.MunicipalityID, l.ID, pgdialect.Array(hashes)).Scan(ctx, &off)
	if err != nil {
		return database.MapError(err, "check suppressions", "list")
	}
	for _, h := range off {
		delete(rs, byHash[string(h)])
	}
	return nil
}

// SyncKeptLists brings every kept list of every municipality in line with the data (the
// hourly job), so the subscribers an integration reads do not wait for the next campaign.
func (s *Service) SyncKeptLists(ctx context.Context) error {
	var lists []*List
	err := s.db.NewSelect().Model(&lists).Column("l.id", "l.municipality_id").
		Where("cardinality(l.kept_from) > 0").Order("l.id").Scan(ctx)
	if err != nil {
		return database.MapError(err, "find kept lists", "list")
	}
	for _, l := range lists {
		err := database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
			return s.syncKept(ctx, tx, l.MunicipalityID, l.ID)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

package card

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/tenant"
)

// Statistics never show a small number of people, cards or tickets. The rule:
//
//  1. Every count below MinCellCount is suppressed and shown as "<5", zero included,
//     totals included.
//  2. Published counts add up: the programme's tickets are the sum of its providers', a
//     provider's the sum of its offers', claimed = redeemed + expired + cancelled + open,
//     redeemed tickets = the donated + the purchased ones, and the cards issued (and
//     active) the sum of the agencies' and of the age bands'. So more counts are
//     suppressed, each the smallest shown count of a sum, and shown as "≥5", until no
//     suppressed count can be worked out exactly: (a) no sum has a lone suppressed count;
//     (b) no sum pins its suppressed counts to their bounds (small ones are 0 to 4, the
//     others at least 5: three suppressed counts that add up to 0 are all 0); and (c) no
//     suppressed count follows from all the sums together (checked by row reduction), so
//     chains of sums do not give one away either. A reader may still learn that a few
//     suppressed counts together are, say, 1; never which of them it is.
//  3. A count a reader knows anyway, the purchased tickets of a provider with no PURCHASED
//     offer say, is shown as "<5" but needs no protection.
//  4. A value in øre is shown only when the count of the tickets it is the value of is
//     shown: the value of an offer's tickets divided by its price is their count. So the
//     settlement of a provider with fewer than 5 redeemed tickets from a source is not in
//     the statistics.
//  5. A ratio is shown only when both its counts are.
//
// The rule protects one overview. Overviews of overlapping periods set side by side can
// still narrow counts down, so publish periods that do not overlap (months, quarters).

// MinCellCount is the smallest count statistics show.
const MinCellCount = 5

// Count is a count in statistics: Value is nil when the count is suppressed, and Display
// is what to show, the number or, when suppressed, "<5" (below MinCellCount) or "≥5" (not
// small, but hidden so that a small count beside it cannot be worked out).
type Count struct {
	Value   *int
	Display string
}

// Suppressed reports whether the count is hidden.
func (c Count) Suppressed() bool { return c.Value == nil }

// Amount is a sum of money in øre in statistics; Ore is nil when suppressed, because the
// count of tickets it is the value of is.
type Amount struct {
	Ore *int64
}

// TicketCounts are the tickets of a programme, a provider or an offer in a period:
// Claimed were taken in it, Redeemed checked in, Expired expired unused and Cancelled
// cancelled in it; Open are those claimed in it that are still unused. NoShows are the
// expired ones of an event (an offer with a time) that nobody came with: they expired at
// or after the event, not before it by the offer's expireUnusedDaysBefore.
type TicketCounts struct {
	Claimed, Redeemed, Expired, Cancelled, Open, NoShows Count
}

// Settlement is the value of the tickets redeemed in a period, split by who paid for them:
// the municipality pays the provider only for the PURCHASED tickets actually used.
type Settlement struct {
	Donated, Purchased               Amount
	DonatedTickets, PurchasedTickets Count
}

// AgencyCards are the cards an agency issued; AgencyID nil is the anonymous cards, which
// the programme's coordinators issue.
type AgencyCards struct {
	AgencyID       *uuid.UUID
	Name           string
	Issued, Active Count
}

// AgeBandCards are the cards issued to an age band ("0-5" ... "67+"), or "ANONYMOUS".
type AgeBandCards struct {
	AgeBand        string
	Issued, Active Count
}

// Utilisation compares counts: RedeemedOfClaimed is redeemed / claimed, ClaimedOfReleased
// claimed / released; nil when a count is suppressed or the divisor is 0.
type Utilisation struct {
	RedeemedOfClaimed *float64
	ClaimedOfReleased *float64
}

// OfferStatistics are one offer's tickets from the programme's cards. Released is the
// offer's released stock now (not a count of people; shown as it is).
type OfferStatistics struct {
	OfferID        uuid.UUID
	OrganisationID uuid.UUID
	Title          string
	Source         OfferSource
	Released       int
	Tickets        TicketCounts
	Utilisation    Utilisation
	ValueRedeemed  Amount
}

// ProviderStatistics are a provider organisation's tickets from the programme's cards,
// with the settlement.
type ProviderStatistics struct {
	OrganisationID uuid.UUID
	Name           string
	Released       int
	Tickets        TicketCounts
	Utilisation    Utilisation
	Settlement     Settlement
}

// CardStatistics is the overview of a programme in a period, with small counts suppressed
// (see MinCellCount).
type CardStatistics struct {
	ProgrammeID uuid.UUID
	// From and To are the period's first and last days; zero when open.
	From, To time.Time
	// CardsIssued were issued in the period; CardsActive are those of them ACTIVE now.
	CardsIssued, CardsActive Count
	ByAgency                 []*AgencyCards
	ByAgeBand                []*AgeBandCards
	Released                 int
	Tickets                  TicketCounts
	Utilisation              Utilisation
	Settlement               Settlement
	ByOffer                  []*OfferStatistics
	ByProvider               []*ProviderStatistics
}

// ageBands are the bands cards keep, in order, with the ages they span.
var ageBands = []struct {
	name   string
	lo, hi int
}{{"0-5", 0, 5}, {"6-9", 6, 9}, {"10-12", 10, 12}, {"13-15", 13, 15}, {"16-17", 16, 17}, {"18-66", 18, 66}, {"67+", 67, 200}}

// anonymousBand is the age band row of the anonymous cards.
const anonymousBand = "ANONYMOUS"

// CardStatistics returns the overview of a programme for card coordinators and
// administrators: cards issued and active, by agency and age band; tickets claimed,
// redeemed, expired, cancelled and open, per offer and per provider, with utilisation;
// and the value redeemed, split into DONATED and PURCHASED, per provider: the settlement.
// from and to are the first and last days of the period in the municipality's time zone
// (zero: open), and count cards by when they were issued and tickets by when each thing
// happened to them. Tickets count when a card of the programme holds them. Errors:
// UNAUTHENTICATED, FORBIDDEN (caseworkers too: they see people, not statistics),
// NOT_FOUND, BAD_USER_INPUT naming "to" (before from).
func (s *Service) CardStatistics(ctx context.Context, programmeID uuid.UUID, from, to time.Time) (*CardStatistics, error) {
	// SECURITY: the programme's staff see its statistics.
	c, err := requireRole(ctx, auth.RoleCardCoordinator, auth.RoleAdmin)
	if err != nil {
		return nil, err
	}
	if !from.IsZero() && !to.IsZero() && dateOf(to).Before(dateOf(from)) {
		return nil, apperr.Invalid("to", "ValidityInverted", nil)
	}
	// SECURITY: only a programme of the request's municipality.
	p := new(Programme)
	err = s.db.NewSelect().Model(p).Where("p.id = ? AND p.municipality_id = ?", programmeID, c.mid()).Scan(ctx)
	if err != nil {
		return nil, database.MapError(err, "find programme", "programme")
	}
	lo, hi := periodBounds(c.t, from, to)
	st := &CardStatistics{ProgrammeID: programmeID, From: from, To: to}
	tab := &statTable{}
	cards, err := s.cardCells(ctx, c, tab, p, lo, hi)
	if err != nil {
		return nil, err
	}
	tickets, err := s.ticketCells(ctx, c, tab, programmeID, lo, hi)
	if err != nil {
		return nil, err
	}
	tab.suppress()
	cards.fill(st)
	tickets.fill(st)
	return st, nil
}

// periodBounds returns the instants a period of days starts and ends (exclusive) in the
// municipality's time zone; open ends stretch far.
func periodBounds(t *tenant.Tenant, from, to time.Time) (time.Time, time.Time) {
	loc, err := time.LoadLocation(t.Municipality.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	lo, hi := time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
	if !from.IsZero() {
		lo = time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, loc)
	}
	if !to.IsZero() {
		hi = time.Date(to.Year(), to.Month(), to.Day()+1, 0, 0, 0, 0, loc)
	}
	return lo, hi
}

// cardStats are the card cells of an overview.
type cardStats struct {
	issued, active *statCell
	agencies       []*AgencyCards
	agencyCells    [][2]*statCell
	bands          []string
	bandCells      [][2]*statCell
}

// cardCells counts the programme's cards issued in [lo, hi) into tab.
func (s *Service) cardCells(ctx context.Context, c caller, tab *statTable, p *Programme, lo, hi time.Time) (*cardStats, error) {
	programmeID := p.ID
	var rows []struct {
		AgencyID *uuid.UUID `bun:"agency_id,type:uuid"`
		AgeBand  *string    `bun:"age_band"`
		Issued   int        `bun:"issued"`
		Active   int        `bun:"active"`
	}
	// SECURITY: only cards of the request's municipality.
	err := s.db.NewSelect().TableExpr("cards AS c").
		ColumnExpr("c.agency_id, c.age_band, count(*) AS issued, count(*) FILTER (WHERE c.status = ?) AS active", CardActive).
		Where("c.municipality_id = ? AND c.programme_id = ? AND c.issued_at >= ? AND c.issued_at < ?", c.mid(), programmeID, lo, hi).
		GroupExpr("c.agency_id, c.age_band").Scan(ctx, &rows)
	if err != nil {
		return nil, database.MapError(err, "count cards", "card")
	}
	var agencies []*Agency
	err = s.db.NewSelect().Model(&agencies).Where("ag.municipality_id = ?", c.mid()).
		Where(`(ag.id IN (SELECT agency_id FROM card_programme_agencies WHERE programme_id = ?)
			OR ag.id IN (SELECT agency_id FROM cards WHERE programme_id = ?))`, programmeID, programmeID).
		OrderExpr("ag.name COLLATE \"nb-x-icu\", ag.id").Scan(ctx)
	if err != nil {
		return nil, database.MapError(err, "find agencies", "agency")
	}
	byAgency := map[uuid.UUID][2]int{}
	byBand := map[string][2]int{}
	var total [2]int
	for _, r := range rows {
		var key uuid.UUID // uuid.Nil: the anonymous cards
		if r.AgencyID != nil {
			key = *r.AgencyID
		}
		band := anonymousBand
		if r.AgeBand != nil {
			band = *r.AgeBand
		}
		a, b := byAgency[key], byBand[band]
		byAgency[key] = [2]int{a[0] + r.Issued, a[1] + r.Active}
		byBand[band] = [2]int{b[0] + r.Issued, b[1] + r.Active}
		total = [2]int{total[0] + r.Issued, total[1] + r.Active}
	}
	anonymous, err := s.db.NewSelect().Table("cards").Where("programme_id = ? AND kind = ?", programmeID, CardAnonymous).Exists(ctx)
	if err != nil {
		return nil, database.MapError(err, "find anonymous cards", "card")
	}
	cs := &cardStats{issued: tab.cell(total[0]), active: tab.cell(total[1])}
	// The rows are the agencies that may issue in the programme or did, the bands of its
	// ages, and the anonymous cards when it has any: which rows there are says nothing
	// about a person.
	for _, b := range ageBands {
		if _, ok := byBand[b.name]; ok || b.lo <= p.MaxAge && b.hi >= p.MinAge {
			cs.bands = append(cs.bands, b.name)
		}
	}
	if anonymous {
		agencies = append(agencies, &Agency{})
		cs.bands = append(cs.bands, anonymousBand)
	}
	for _, ag := range agencies {
		n := byAgency[ag.ID]
		row := &AgencyCards{Name: ag.Name}
		if ag.ID != uuid.Nil {
			row.AgencyID = &ag.ID
		}
		cs.agencies = append(cs.agencies, row)
		cs.agencyCells = append(cs.agencyCells, [2]*statCell{tab.cell(n[0]), tab.cell(n[1])})
	}
	for _, band := range cs.bands {
		n := byBand[band]
		cs.bandCells = append(cs.bandCells, [2]*statCell{tab.cell(n[0]), tab.cell(n[1])})
	}
	for i, total := range []*statCell{cs.issued, cs.active} {
		tab.sum(total, column(cs.agencyCells, i)...)
		tab.sum(total, column(cs.bandCells, i)...)
	}
	return cs, nil
}

// column returns the i-th cell of each pair.
func column(pairs [][2]*statCell, i int) []*statCell {
	out := make([]*statCell, len(pairs))
	for j, p := range pairs {
		out[j] = p[i]
	}
	return out
}

// fill publishes the card cells into st.
func (cs *cardStats) fill(st *CardStatistics) {
	st.CardsIssued, st.CardsActive = cs.issued.count(), cs.active.count()
	for i, row := range cs.agencies {
		row.Issued, row.Active = cs.agencyCells[i][0].count(), cs.agencyCells[i][1].count()
		st.ByAgency = append(st.ByAgency, row)
	}
	for i, band := range cs.bands {
		st.ByAgeBand = append(st.ByAgeBand, &AgeBandCards{AgeBand: band, Issued: cs.bandCells[i][0].count(), Active: cs.bandCells[i][1].count()})
	}
}

// The ticket counts of a level (an offer, a provider, the programme), by index.
const (
	statClaimed = iota
	statRedeemed
	statExpired
	statCancelled
	statOpen
	statNoShows
	statExpiredOther // expired, not a no-show: a cell of the sums only, never published
	statCounts
)

// statSources are the sources by index in ticketLevel.src and .ore.
var statSources = [2]OfferSource{SourceDonated, SourcePurchased}

// ticketLevel is the ticket cells of an offer, a provider or the programme.
type ticketLevel struct {
	st       [statCounts]*statCell
	src      [2]*statCell // redeemed tickets by source; nil for an offer
	ore      [2]int64     // value redeemed by source
	released int
}

// newTicketLevel makes a level's cells; bySource is nil for an offer, whose redeemed
// tickets are not published by source.
func newTicketLevel(tab *statTable, n [statCounts]int, bySource []int, ore [2]int64, released int) *ticketLevel {
	l := &ticketLevel{ore: ore, released: released}
	for i := range n {
		l.st[i] = tab.cell(n[i])
	}
	// claimed = redeemed + expired + cancelled + open (exactly so for an open period), and
	// expired = no-shows + the others. The others are not published; the rule treats them
	// as a count like any other, which assumes a reader knows more, never less.
	tab.sum(l.st[statClaimed], l.st[statRedeemed], l.st[statExpired], l.st[statCancelled], l.st[statOpen])
	tab.sum(l.st[statExpired], l.st[statNoShows], l.st[statExpiredOther])
	if bySource != nil {
		for i := range l.src {
			l.src[i] = tab.cell(bySource[i])
		}
		tab.sum(l.st[statRedeemed], l.src[0], l.src[1])
	}
	return l
}

func (l *ticketLevel) counts() TicketCounts {
	return TicketCounts{Claimed: l.st[statClaimed].count(), Redeemed: l.st[statRedeemed].count(), Expired: l.st[statExpired].count(),
		Cancelled: l.st[statCancelled].count(), Open: l.st[statOpen].count(), NoShows: l.st[statNoShows].count()}
}

func (l *ticketLevel) utilisation() Utilisation {
	return Utilisation{RedeemedOfClaimed: ratio(l.st[statRedeemed], l.st[statClaimed]), ClaimedOfReleased: ofReleased(l.st[statClaimed], l.released)}
}

func (l *ticketLevel) settlement() Settlement {
	return Settlement{Donated: l.src[0].amount(l.ore[0]), Purchased: l.src[1].amount(l.ore[1]),
		DonatedTickets: l.src[0].count(), PurchasedTickets: l.src[1].count()}
}

// ticketStats are the ticket cells of an overview.
type ticketStats struct {
	total          *ticketLevel
	offers         []*OfferStatistics
	offerLevels    []*ticketLevel
	providers      []*ProviderStatistics
	providerLevels []*ticketLevel
	dated          []bool // by offer: whether it is an event's
}

// statOffer is an offer of the programme, or one the programme's cards hold tickets of.
type statOffer struct {
	ID             uuid.UUID   `bun:"id,type:uuid"`
	OrganisationID uuid.UUID   `bun:"organisation_id,type:uuid"`
	Released       int         `bun:"released"`
	Source         OfferSource `bun:"source"`
	Dated          bool        `bun:"dated"`
	OrgName        string      `bun:"org_name"`
	Title          string      `bun:"title"`
}

// statTickets are the ticket counts of an offer from one source.
type statTickets struct {
	OfferID   uuid.UUID   `bun:"offer_id,type:uuid"`
	Source    OfferSource `bun:"source"`
	Claimed   int         `bun:"claimed"`
	Redeemed  int         `bun:"redeemed"`
	Expired   int         `bun:"expired"`
	Cancelled int         `bun:"cancelled"`
	Open      int         `bun:"open"`
	NoShows   int         `bun:"no_shows"`
	Ore       int64       `bun:"redeemed_ore"`
}

// ticketCells counts the tickets of the programme's cards in [lo, hi) into tab, per offer
// and provider.
func (s *Service) ticketCells(ctx context.Context, c caller, tab *statTable, programmeID uuid.UUID, lo, hi time.Time) (*ticketStats, error) {
	var offers []*statOffer
	// SECURITY: only offers of the request's municipality.
	err := s.db.NewSelect().TableExpr("card_offers AS o").
		ColumnExpr("o.id, o.organisation_id, o.released, o.source, o.event_at IS NOT NULL AS dated").
		ColumnExpr("org.name AS org_name, coalesce(tx.title, '') AS title").
		Join("JOIN organisations AS org ON org.id = o.organisation_id").
		Join(`LEFT JOIN LATERAL (SELECT t.title FROM card_offer_translations t WHERE t.offer_id = o.id
			ORDER BY array_position(?::text[], t.locale) NULLS LAST, t.locale LIMIT 1) AS tx ON true`, pgdialect.Array(c.chain(ctx))).
		Where("o.municipality_id = ?", c.mid()).
		Where(`(o.id IN (SELECT offer_id FROM card_offer_programmes WHERE programme_id = ?)
			OR o.id IN (SELECT tk.offer_id FROM card_tickets tk JOIN cards c ON c.id = tk.card_id WHERE c.programme_id = ?))`, programmeID, programmeID).
		OrderExpr("org.name COLLATE \"nb-x-icu\", org.id, title, o.id").Scan(ctx, &offers)
	if err != nil {
		return nil, database.MapError(err, "find offers", "offer")
	}
	var counts []*statTickets
	err = s.db.NewRaw(`SELECT tk.offer_id, tk.source,
			count(*) FILTER (WHERE tk.claimed_at >= ?2 AND tk.claimed_at < ?3) AS claimed,
			count(*) FILTER (WHERE tk.status = 'REDEEMED' AND tk.redeemed_at >= ?2 AND tk.redeemed_at < ?3) AS redeemed,
			count(*) FILTER (WHERE tk.status = 'EXPIRED' AND tk.expires_at >= ?2 AND tk.expires_at < ?3) AS expired,
			count(*) FILTER (WHERE tk.status = 'CANCELLED' AND tk.cancelled_at >= ?2 AND tk.cancelled_at < ?3) AS cancelled,
			count(*) FILTER (WHERE tk.status = 'CLAIMED' AND tk.claimed_at >= ?2 AND tk.claimed_at < ?3) AS open,
			count(*) FILTER (WHERE tk.status = 'EXPIRED' AND tk.expires_at >= ?2 AND tk.expires_at < ?3
				AND o.event_at IS NOT NULL AND tk.expires_at >= o.event_at) AS no_shows,
			coalesce(sum(tk.value_ore) FILTER (WHERE tk.status = 'REDEEMED' AND tk.redeemed_at >= ?2 AND tk.redeemed_at < ?3), 0) AS redeemed_ore
		FROM card_tickets tk JOIN cards c ON c.id = tk.card_id JOIN card_offers o ON o.id = tk.offer_id
		WHERE tk.municipality_id = ?0 AND c.programme_id = ?1
		GROUP BY tk.offer_id, tk.source`, c.mid(), programmeID, lo, hi).Scan(ctx, &counts)
	if err != nil {
		return nil, database.MapError(err, "count tickets", "ticket")
	}
	return buildTicketStats(tab, offers, counts), nil
}

// buildTicketStats makes the cells of offers, their providers and the programme, and the
// sums between them.
func buildTicketStats(tab *statTable, offers []*statOffer, counts []*statTickets) *ticketStats {
	type agg struct {
		n        [statCounts]int
		bySource [2]int
		ore      [2]int64
		released int
	}
	byOffer := map[uuid.UUID]*agg{}
	add := func(a *agg, t *statTickets) {
		for i, v := range [statCounts]int{t.Claimed, t.Redeemed, t.Expired, t.Cancelled, t.Open, t.NoShows, t.Expired - t.NoShows} {
			a.n[i] += v
		}
		i := 0
		if t.Source == SourcePurchased {
			i = 1
		}
		a.bySource[i] += t.Redeemed
		a.ore[i] += t.Ore
	}
	for _, t := range counts {
		if byOffer[t.OfferID] == nil {
			byOffer[t.OfferID] = &agg{}
		}
		add(byOffer[t.OfferID], t)
	}
	ts := &ticketStats{}
	var total agg
	byProvider := map[uuid.UUID]*agg{}
	var order []*statOffer // the first offer of each provider
	for _, o := range offers {
		a := byOffer[o.ID]
		if a == nil {
			a = &agg{}
		}
		a.released = o.Released
		ts.offers = append(ts.offers, &OfferStatistics{OfferID: o.ID, OrganisationID: o.OrganisationID, Title: o.Title, Source: o.Source, Released: o.Released})
		ts.offerLevels = append(ts.offerLevels, newTicketLevel(tab, a.n, nil, a.ore, a.released))
		ts.dated = append(ts.dated, o.Dated)
		p := byProvider[o.OrganisationID]
		if p == nil {
			p = &agg{}
			byProvider[o.OrganisationID] = p
			order = append(order, o)
		}
		for _, x := range []*agg{p, &total} {
			for i := range a.n {
				x.n[i] += a.n[i]
			}
			for i := range a.bySource {
				x.bySource[i] += a.bySource[i]
				x.ore[i] += a.ore[i]
			}
			x.released += a.released
		}
	}
	ts.total = newTicketLevel(tab, total.n, total.bySource[:], total.ore, total.released)
	for _, o := range order {
		p := byProvider[o.OrganisationID]
		ts.providers = append(ts.providers, &ProviderStatistics{OrganisationID: o.OrganisationID, Name: o.OrgName, Released: p.released})
		ts.providerLevels = append(ts.providerLevels, newTicketLevel(tab, p.n, p.bySource[:], p.ore, p.released))
	}
	ts.knownZeros()
	ts.sums(tab)
	return ts
}

// knownZeros marks the redeemed tickets by source of a provider (or the programme) with
// no offer from that source as known, and the no-shows of offers without an event (and of
// providers, or the programme, with none): the offers' sources and times are published,
// so there is nothing to protect in a count that must be 0.
func (ts *ticketStats) knownZeros() {
	dated := map[uuid.UUID]bool{}
	anyDated := false
	for i, o := range ts.offers {
		c := ts.offerLevels[i].st[statNoShows]
		c.known = !ts.dated[i] && c.n == 0
		dated[o.OrganisationID] = dated[o.OrganisationID] || ts.dated[i]
		anyDated = anyDated || ts.dated[i]
	}
	for j, p := range ts.providers {
		c := ts.providerLevels[j].st[statNoShows]
		c.known = !dated[p.OrganisationID] && c.n == 0
	}
	ts.total.st[statNoShows].known = !anyDated && ts.total.st[statNoShows].n == 0
	var anywhere [2]bool
	for j, p := range ts.providers {
		var has [2]bool
		for _, o := range ts.offers {
			for i, src := range statSources {
				if o.Source == src {
					anywhere[i] = true
					has[i] = has[i] || o.OrganisationID == p.OrganisationID
				}
			}
		}
		for i, c := range ts.providerLevels[j].src {
			c.known = !has[i] && c.n == 0
		}
	}
	for i, c := range ts.total.src {
		c.known = !anywhere[i] && c.n == 0
	}
}

// sums records how the levels add up: the programme is the sum of its providers, a
// provider the sum of its offers, by status and by source.
func (ts *ticketStats) sums(tab *statTable) {
	for i := range statCounts {
		var providers []*statCell
		for j, p := range ts.providers {
			providers = append(providers, ts.providerLevels[j].st[i])
			var offers []*statCell
			for k, o := range ts.offers {
				if o.OrganisationID == p.OrganisationID {
					offers = append(offers, ts.offerLevels[k].st[i])
				}
			}
			tab.sum(ts.providerLevels[j].st[i], offers...)
		}
		tab.sum(ts.total.st[i], providers...)
	}
	for src := range statSources {
		var providers []*statCell
		for j, p := range ts.providers {
			providers = append(providers, ts.providerLevels[j].src[src])
			var offers []*statCell
			for k, o := range ts.offers {
				if o.OrganisationID == p.OrganisationID && o.Source == statSources[src] {
					offers = append(offers, ts.offerLevels[k].st[statRedeemed])
				}
			}
			if len(offers) > 0 {
				tab.sum(ts.providerLevels[j].src[src], offers...)
			}
		}
		tab.sum(ts.total.src[src], providers...)
	}
}

// fill publishes the ticket cells into st.
func (ts *ticketStats) fill(st *CardStatistics) {
	st.Released = ts.total.released
	st.Tickets, st.Utilisation, st.Settlement = ts.total.counts(), ts.total.utilisation(), ts.total.settlement()
	for i, o := range ts.offers {
		l := ts.offerLevels[i]
		o.Tickets, o.Utilisation = l.counts(), l.utilisation()
		o.ValueRedeemed = l.st[statRedeemed].amount(l.ore[0] + l.ore[1])
		st.ByOffer = append(st.ByOffer, o)
	}
	for i, p := range ts.providers {
		l := ts.providerLevels[i]
		p.Tickets, p.Utilisation, p.Settlement = l.counts(), l.utilisation(), l.settlement()
		st.ByProvider = append(st.ByProvider, p)
	}
}

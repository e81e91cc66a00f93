package card

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/relay"
)

// table builds a statTable with one sum: the total, then the parts.
func table(total int, parts ...int) (*statTable, []*statCell) {
	tab := &statTable{}
	cells := []*statCell{tab.cell(total)}
	for _, n := range parts {
		cells = append(cells, tab.cell(n))
	}
	tab.sum(cells[0], cells[1:]...)
	return tab, cells
}

func displays(cells []*statCell) []string {
	out := make([]string, len(cells))
	for i, c := range cells {
		out[i] = c.count().Display
	}
	return out
}

// checkSuppressed fails t unless the suppressed table keeps its promises.
func checkSuppressed(t *testing.T, tab *statTable) {
	t.Helper()
	for _, c := range tab.cells {
		if got := c.count(); got.Value != nil && *got.Value < MinCellCount {
			t.Errorf("count %d shown", c.n)
		}
	}
	for _, g := range tab.sums {
		if !safe(g) {
			var vals []string
			for _, c := range g {
				vals = append(vals, fmt.Sprintf("%d/%v", c.n, c.open()))
			}
			t.Errorf("sum %v gives a count away", vals)
		}
	}
	if d := tab.derivable(); len(d) > 0 {
		t.Errorf("%d suppressed counts follow from the sums", len(d))
	}
}

func TestSuppressOneSum(t *testing.T) {
	tests := []struct {
		name  string
		cells []int
		want  []string
	}{
		{"OneSmallPart", []int{23, 20, 3}, []string{"23", "≥5", "<5"}},
		{"TwoSmallParts", []int{40, 30, 7, 3, 0}, []string{"40", "30", "7", "<5", "<5"}},
		{"SmallPartsAllZero", []int{6, 6, 0, 0, 0}, []string{"6", "≥5", "<5", "<5", "<5"}},
		{"SmallPartsAllFour", []int{12, 4, 4, 4}, []string{"≥5", "<5", "<5", "<5"}},
		{"SmallTotal", []int{3, 3, 0}, []string{"<5", "<5", "<5"}},
		{"NothingSmall", []int{15, 5, 10}, []string{"15", "5", "10"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tab, cells := table(tt.cells[0], tt.cells[1:]...)
			tab.suppress()
			if got := displays(cells); fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
			checkSuppressed(t, tab)
		})
	}
}

// TestSuppressCrossTable suppresses a two-by-two table with its row, column and grand
// totals: a small cell takes three others with it, and no row reduction finds it.
func TestSuppressCrossTable(t *testing.T) {
	tab := &statTable{}
	a, b, c, d := tab.cell(3), tab.cell(10), tab.cell(10), tab.cell(10)
	r1, r2, c1, c2, all := tab.cell(13), tab.cell(20), tab.cell(13), tab.cell(20), tab.cell(33)
	tab.sum(r1, a, b)
	tab.sum(r2, c, d)
	tab.sum(c1, a, c)
	tab.sum(c2, b, d)
	tab.sum(all, r1, r2)
	tab.sum(all, c1, c2)
	tab.suppress()
	if got := displays([]*statCell{a, b, c, d, r1, r2, c1, c2, all}); fmt.Sprint(got) != "[<5 ≥5 ≥5 ≥5 13 20 13 20 33]" {
		t.Errorf("got %v", got)
	}
	checkSuppressed(t, tab)
}

// TestSuppressRandom suppresses random programmes' ticket tables and checks the promises.
func TestSuppressRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 300 {
		var offers []*statOffer
		var counts []*statTickets
		for range 1 + r.IntN(6) {
			o := &statOffer{ID: uuid.New(), OrganisationID: uuid.NewSHA1(uuid.Nil, []byte{byte(r.IntN(3))}), Source: statSources[r.IntN(2)]}
			offers = append(offers, o)
			n := func() int { return []int{0, 1, 2, 3, 4, 5, 6, 9, 20}[r.IntN(9)] }
			st := &statTickets{OfferID: o.ID, Source: o.Source, Redeemed: n(), Expired: n(), Cancelled: n(), Open: n()}
			st.Claimed = st.Redeemed + st.Expired + st.Cancelled + st.Open
			st.Ore = int64(st.Redeemed) * 5000
			o.Released = st.Claimed + r.IntN(10)
			counts = append(counts, st)
		}
		tab := &statTable{}
		buildTicketStats(tab, offers, counts)
		tab.suppress()
		t.Run(fmt.Sprint(i), func(t *testing.T) { checkSuppressed(t, tab) })
	}
}

func TestCardStatistics(t *testing.T) {
	e := newEnv(t)
	nav, school := e.agency("NAV Larvik"), e.agency("Skolehelsetjenesten")
	p := e.programme([]*Agency{nav, school})
	navCW, schoolCW := e.caseworker(nav), e.caseworker(school)
	for range 6 {
		e.family(p, navCW)
	}
	for range 2 {
		e.family(p, schoolCW)
	}
	anon := e.anonCards(p, 20)
	pool, cinema := e.organisation("badeland"), e.organisation("kino")
	a := e.tkOffer(pool, []*Programme{p}, 100, func(in *OfferInput) { in.Texts = in.Texts[:1] })
	purchased := func(in *OfferInput) {
		in.ValueOre, in.Source, in.Texts = 9000, SourcePurchased, []OfferText{{Locale: "nb", Title: "Kino"}}
	}
	b, c := e.tkOffer(cinema, []*Programme{p}, 100, purchased), e.tkOffer(cinema, []*Programme{p}, 10, purchased)
	claim := func(o *Offer, n int) []*Ticket {
		var out []*Ticket
		for _, card := range anon[:n] {
			tk, err := e.svc.ClaimTicket(anonymous(e.larvik), card.Card.ID, o.ID, access(card))
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, tk)
		}
		return out
	}
	redeem := func(org uuid.UUID, tks []*Ticket) {
		door := e.member(org, "TICKET_CHECKER")
		for _, tk := range tks {
			if _, err := e.svc.RedeemTicket(door, tk.Code); err != nil {
				t.Fatal(err)
			}
		}
	}
	ta, tb, tc := claim(a, 7), claim(b, 12), claim(c, 3)
	redeem(pool, ta[:6])
	redeem(cinema, tb[:10])
	redeem(cinema, tc[:1])
	if _, err := e.svc.CancelTicket(e.coord, tc[1].ID, nil); err != nil {
		t.Fatal(err)
	}

	st, err := e.svc.CardStatistics(e.coord, p.ID, time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	check := func(what string, got Count, want string) {
		t.Helper()
		if got.Display != want {
			t.Errorf("%s = %q, want %q", what, got.Display, want)
		}
	}
	check("cards issued", st.CardsIssued, "28")
	check("cards active", st.CardsActive, "28")
	if len(st.ByAgency) != 3 || st.ByAgency[2].AgencyID != nil {
		t.Fatalf("by agency: %+v", st.ByAgency)
	}
	check("NAV", st.ByAgency[0].Issued, "≥5")
	check("school", st.ByAgency[1].Issued, "<5")
	check("anonymous", st.ByAgency[2].Issued, "20")
	var bands []string
	for _, b := range st.ByAgeBand {
		bands = append(bands, b.AgeBand+"="+b.Issued.Display)
	}
	if fmt.Sprint(bands) != "[0-5=<5 6-9=<5 10-12=≥5 13-15=<5 16-17=<5 18-66=<5 ANONYMOUS=20]" {
		t.Errorf("by age band: %v", bands)
	}

	check("tickets claimed", st.Tickets.Claimed, "22")
	check("tickets redeemed", st.Tickets.Redeemed, "17")
	check("tickets expired", st.Tickets.Expired, "<5")
	if st.Released != 210 || st.Settlement.Donated.Ore == nil || *st.Settlement.Donated.Ore != 6*15000 ||
		st.Settlement.Purchased.Ore == nil || *st.Settlement.Purchased.Ore != 11*9000 {
		t.Errorf("programme: released %d, settlement %+v", st.Released, st.Settlement)
	}
	if len(st.ByProvider) != 2 || st.ByProvider[0].OrganisationID != pool || st.ByProvider[1].OrganisationID != cinema {
		t.Fatalf("providers: %+v", st.ByProvider)
	}
	bp, kino := st.ByProvider[0], st.ByProvider[1]
	check("pool redeemed", bp.Tickets.Redeemed, "6")
	check("pool donated", bp.Settlement.DonatedTickets, "6")
	check("pool purchased", bp.Settlement.PurchasedTickets, "<5")
	if bp.Settlement.Donated.Ore == nil || *bp.Settlement.Donated.Ore != 90000 || bp.Settlement.Purchased.Ore != nil {
		t.Errorf("pool settlement %+v", bp.Settlement)
	}
	if r := bp.Utilisation.RedeemedOfClaimed; r == nil || *r != 6.0/7 {
		t.Errorf("pool utilisation %v", r)
	}
	check("cinema purchased", kino.Settlement.PurchasedTickets, "11")
	if kino.Settlement.Purchased.Ore == nil || *kino.Settlement.Purchased.Ore != 99000 {
		t.Errorf("cinema settlement %+v: the municipality pays for the 11 tickets used", kino.Settlement)
	}
	check("cinema cancelled", kino.Tickets.Cancelled, "<5")
	if len(st.ByOffer) != 3 {
		t.Fatalf("offers: %+v", st.ByOffer)
	}
	for _, o := range st.ByOffer {
		if o.OfferID == c.ID {
			check("small offer claimed", o.Tickets.Claimed, "<5")
			if o.ValueRedeemed.Ore != nil || o.Utilisation.RedeemedOfClaimed != nil {
				t.Errorf("small offer: %+v", o)
			}
		}
		if o.OfferID == b.ID && (o.Tickets.Redeemed.Value != nil || o.ValueRedeemed.Ore != nil) {
			t.Errorf("the other cinema offer gives the small one away: %+v", o.Tickets)
		}
	}
	// Nothing shown anywhere is below 5.
	var all []Count
	all = append(all, st.CardsIssued, st.CardsActive, st.Settlement.DonatedTickets, st.Settlement.PurchasedTickets)
	tickets := func(tc TicketCounts) { all = append(all, tc.Claimed, tc.Redeemed, tc.Expired, tc.Cancelled, tc.Open) }
	tickets(st.Tickets)
	for _, x := range st.ByAgency {
		all = append(all, x.Issued, x.Active)
	}
	for _, x := range st.ByAgeBand {
		all = append(all, x.Issued, x.Active)
	}
	for _, x := range st.ByOffer {
		tickets(x.Tickets)
	}
	for _, x := range st.ByProvider {
		tickets(x.Tickets)
		all = append(all, x.Settlement.DonatedTickets, x.Settlement.PurchasedTickets)
	}
	for _, n := range all {
		if n.Value != nil && *n.Value < MinCellCount || n.Value == nil && n.Display != "<5" && n.Display != "≥5" {
			t.Errorf("count %+v", n)
		}
	}

	t.Run("Period", func(t *testing.T) {
		later, err := e.svc.CardStatistics(e.admin, p.ID, e.today().AddDate(0, 0, 1), e.today().AddDate(0, 1, 0))
		if err != nil {
			t.Fatal(err)
		}
		if later.CardsIssued.Display != "<5" || later.Tickets.Claimed.Display != "<5" || later.Settlement.Purchased.Ore != nil {
			t.Errorf("an empty period: %+v", later)
		}
		today, err := e.svc.CardStatistics(e.coord, p.ID, e.today(), e.today())
		if err != nil || today.Tickets.Redeemed.Display != "17" {
			t.Errorf("today: %+v %v", today.Tickets, err)
		}
		_, err = e.svc.CardStatistics(e.coord, p.ID, e.today(), e.today().AddDate(0, 0, -1))
		wantCode(t, err, apperr.BadUserInput, "to")
	})

	t.Run("Authorisation", func(t *testing.T) {
		_, err := e.svc.CardStatistics(navCW, p.ID, time.Time{}, time.Time{})
		wantCode(t, err, apperr.Forbidden)
		_, err = e.svc.CardStatistics(e.member(pool, "OWNER"), p.ID, time.Time{}, time.Time{})
		wantCode(t, err, apperr.Forbidden)
		_, err = e.svc.CardStatistics(anonymous(e.larvik), p.ID, time.Time{}, time.Time{})
		wantCode(t, err, apperr.Unauthenticated)
		sf := e.municipality("sandefjord")
		sfCoord, _ := e.as(sf, auth.RoleCardCoordinator)
		_, err = e.svc.CardStatistics(sfCoord, p.ID, time.Time{}, time.Time{})
		wantCode(t, err, apperr.NotFound)
	})

	t.Run("Settlement", func(t *testing.T) {
		// A provider with one used ticket is paid for exactly one, though statistics hide it.
		theatre := e.organisation("teater")
		d := e.tkOffer(theatre, []*Programme{p}, 5, func(in *OfferInput) {
			in.ValueOre, in.Source, in.Texts = 25000, SourcePurchased, []OfferText{{Locale: "nb", Title: "Teater"}}
		})
		tk, err := e.svc.ClaimTicket(anonymous(e.larvik), anon[19].Card.ID, d.ID, access(anon[19]))
		if err != nil {
			t.Fatal(err)
		}
		redeem(theatre, []*Ticket{tk})
		got, err := e.svc.Settlement(e.coord, p.ID, time.Time{}, time.Time{}, allOf)
		if err != nil {
			t.Fatal(err)
		}
		var lines []string
		for _, ps := range got.Nodes() {
			lines = append(lines, fmt.Sprintf("%s:%d:%d", ps.Name, ps.Tickets, ps.Ore))
		}
		// Donated tickets (the pool) are not owed; the cinema's 11 and the theatre's 1 are.
		if want := "[kino:11:99000 teater:1:25000]"; fmt.Sprint(lines) != want {
			t.Errorf("settlement %v, want %s", lines, want)
		}
		wantPages(t, got.Nodes(), func(pg relay.Page) ([]*ProviderSettlement, *relay.PageInfo, error) {
			conn, err := e.svc.Settlement(e.coord, p.ID, time.Time{}, time.Time{}, pg)
			if err != nil {
				return nil, nil, err
			}
			return conn.Nodes(), conn.PageInfo, nil
		})
		if n, err := got.TotalCount(e.coord); n != 2 || err != nil {
			t.Errorf("totalCount %d %v, want 2", n, err)
		}
		later, err := e.svc.Settlement(e.admin, p.ID, e.today().AddDate(0, 0, 1), time.Time{}, allOf)
		if err != nil || len(later.Edges) != 0 {
			t.Errorf("a period with nothing redeemed: %v %v", later, err)
		}
		_, err = e.svc.Settlement(navCW, p.ID, time.Time{}, time.Time{}, allOf)
		wantCode(t, err, apperr.Forbidden)
	})
}

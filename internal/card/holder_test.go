package card

import (
	"strings"
	"testing"
	"time"

	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/card/code"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/relay"
)

func TestAnonymousCards(t *testing.T) {
	e := newEnv(t)
	p := e.programme(nil, func(in *ProgrammeInput) { in.CardsAvailable = 30 })
	batch, err := e.svc.IssueAnonymousCards(e.coord, p.ID, 25)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, a := range batch {
		if len(a.PIN) != 6 || a.Card.Kind != CardAnonymous || a.Card.HolderID != nil || a.Card.AgeBand != nil || seen[a.Card.Number] {
			t.Fatalf("card = %+v", a)
		}
		seen[a.Card.Number] = true
	}
	if n := e.count("SELECT count(*) FROM cards WHERE programme_id = ? AND kind = 'ANONYMOUS' AND pin_hash IS NOT NULL", p.ID); n != 25 {
		t.Errorf("%d anonymous cards stored", n)
	}
	for _, a := range batch[:3] {
		if n := e.count("SELECT count(*) FROM cards WHERE position(? in encode(pin_hash, 'escape')) > 0", a.PIN); n != 0 {
			t.Error("a PIN is stored as it is")
		}
	}

	t.Run("Limits", func(t *testing.T) {
		_, err := e.svc.IssueAnonymousCards(e.coord, p.ID, 6)
		wantCode(t, err, apperr.BadUserInput, "count", string(NoCardsLeft))
		_, err = e.svc.IssueAnonymousCards(e.coord, p.ID, 0)
		wantCode(t, err, apperr.BadUserInput, "count")
		_, err = e.svc.IssueAnonymousCards(e.coord, p.ID, 501)
		wantCode(t, err, apperr.BadUserInput, "count")
		cw, _ := e.as(e.larvik, auth.RoleCaseworker)
		_, err = e.svc.IssueAnonymousCards(cw, p.ID, 1)
		wantCode(t, err, apperr.Forbidden)
		closed := e.programme(nil, func(in *ProgrammeInput) { in.Status = ProgrammeClosed })
		_, err = e.svc.IssueAnonymousCards(e.coord, closed.ID, 1)
		wantCode(t, err, apperr.Conflict)
	})

	t.Run("NumberAndPIN", func(t *testing.T) {
		a := batch[0]
		typed := strings.ToLower(code.Format(a.Card.Number)) // as a holder types it
		got, err := e.svc.CardByNumber(withClient(anonymous(e.larvik), "10.0.0.1"), typed, a.PIN)
		if err != nil || got.ID != a.Card.ID {
			t.Fatalf("%+v %v", got, err)
		}
		wrongPIN := "000000"
		if wrongPIN == a.PIN {
			wrongPIN = "111111"
		}
		_, errPIN := e.svc.CardByNumber(withClient(anonymous(e.larvik), "10.0.0.2"), a.Card.Number, wrongPIN)
		_, errNum := e.svc.CardByNumber(withClient(anonymous(e.larvik), "10.0.0.2"), "ZZZZ-ZZZZ-Z", a.PIN)
		_, errPIN2 := e.svc.CardByNumber(withClient(anonymous(e.larvik), "10.0.0.2"), batch[1].Card.Number, a.PIN)
		for _, err := range []error{errPIN, errNum, errPIN2} {
			if apperr.CodeOf(err) != apperr.NotFound || err.Error() != errPIN.Error() {
				t.Errorf("err = %v, want the same NOT_FOUND for all", err)
			}
		}
		// Another municipality does not know the card.
		sf := e.municipality("sandefjord")
		_, err = e.svc.CardByNumber(anonymous(sf), a.Card.Number, a.PIN)
		wantCode(t, err, apperr.NotFound)
	})

	t.Run("ThrottlePerCard", func(t *testing.T) {
		a := batch[5]
		for i := range 5 {
			_, err := e.svc.CardByNumber(withClient(anonymous(e.larvik), "10.1.0."+string(rune('1'+i))), a.Card.Number, "999999")
			wantCode(t, err, apperr.NotFound)
		}
		// The right PIN from a fresh address is locked out too: the card is under attack.
		_, err := e.svc.CardByNumber(withClient(anonymous(e.larvik), "10.1.1.1"), a.Card.Number, a.PIN)
		ae := wantCode(t, err, apperr.RateLimited)
		if r, _ := ae.Data["RetryAfter"].(int); r < 1 || r > 15*60 {
			t.Errorf("retry after %v", ae.Data["RetryAfter"])
		}
		// Later the window has passed.
		e.svc.now = func() time.Time { return time.Now().Add(16 * time.Minute) }
		defer func() { e.svc.now = time.Now }()
		if _, err := e.svc.CardByNumber(withClient(anonymous(e.larvik), "10.1.1.1"), a.Card.Number, a.PIN); err != nil {
			t.Errorf("after the window: %v", err)
		}
	})

	t.Run("ThrottlePerClient", func(t *testing.T) {
		ctx := withClient(anonymous(e.larvik), "192.0.2.7")
		for i := range 20 {
			_, err := e.svc.CardByNumber(ctx, batch[6+i%10].Card.Number, "999999")
			wantCode(t, err, apperr.NotFound)
		}
		_, err := e.svc.CardByNumber(ctx, batch[20].Card.Number, batch[20].PIN)
		wantCode(t, err, apperr.RateLimited)
		if _, err := e.svc.CardByNumber(withClient(anonymous(e.larvik), "192.0.2.8"), batch[20].Card.Number, batch[20].PIN); err != nil {
			t.Errorf("another client: %v", err)
		}
	})
}

func TestMyCards(t *testing.T) {
	e := newEnv(t)
	nav := e.agency("NAV")
	p := e.programme([]*Agency{nav})
	cw := e.caseworker(nav)
	mother, father := e.guardian(), e.guardian()
	older, younger := e.recipient(p, 14, mother, father), e.recipient(p, 9, mother)
	younger.OverrideReason = "Søsken, begge kvalifiserer etter vedtaket."
	for _, in := range []RecipientInput{older, younger} {
		if _, err := e.svc.IssueCard(cw, in); err != nil {
			t.Fatal(err)
		}
	}
	for name, tc := range map[string]struct {
		number string
		want   int
	}{
		"Mother": {mother, 2}, "Father": {father, 1}, "Child": {older.ChildIdentityNumber, 1}, "Stranger": {e.guardian(), 0},
	} {
		conn, err := e.svc.MyCards(resident(e.larvik, tc.number), allOf)
		if err != nil || len(conn.Edges) != tc.want {
			t.Errorf("%s: %v, want %d cards", name, err, tc.want)
			continue
		}
		for _, c := range conn.Nodes() {
			if c.Holder == nil || c.Holder.GivenName != "Kari" {
				t.Errorf("%s: holder = %+v", name, c.Holder)
			}
		}
	}
	// The mother's two cards, a page at a time each way.
	mine := resident(e.larvik, mother)
	all, err := e.svc.MyCards(mine, allOf)
	if err != nil {
		t.Fatal(err)
	}
	wantPages(t, all.Nodes(), func(p relay.Page) ([]*Card, *relay.PageInfo, error) {
		conn, err := e.svc.MyCards(mine, p)
		if err != nil {
			return nil, nil, err
		}
		return conn.Nodes(), conn.PageInfo, nil
	})
	if n, err := all.TotalCount(mine); n != 2 || err != nil {
		t.Errorf("totalCount %d %v, want 2", n, err)
	}
	// The same person in another municipality has no cards there.
	sf := e.municipality("sandefjord")
	if conn, err := e.svc.MyCards(resident(sf, mother), allOf); err != nil || len(conn.Edges) != 0 {
		t.Errorf("in Sandefjord: %v %v", conn, err)
	}
	_, err = e.svc.MyCards(anonymous(e.larvik), allOf)
	wantCode(t, err, apperr.Unauthenticated)
	_, err = e.svc.MyCards(e.coord, allOf) // a password sign-in carries no identity number
	wantCode(t, err, apperr.Forbidden)
}

func TestCardsOfMyAgency(t *testing.T) {
	e := newEnv(t)
	nav, school := e.agency("NAV"), e.agency("Skolen")
	p := e.programme([]*Agency{nav, school})
	cwNAV, cwNAV2, cwSchool := e.caseworker(nav), e.caseworker(nav), e.caseworker(school)
	var navCards []*Card
	for range 3 {
		got, err := e.svc.IssueCard(cwNAV, e.recipient(p, 10))
		if err != nil {
			t.Fatal(err)
		}
		navCards = append(navCards, got.Card)
	}
	schoolCard, err := e.svc.IssueCard(cwSchool, e.recipient(p, 11))
	if err != nil {
		t.Fatal(err)
	}

	page, err := e.svc.CardsOfMyAgency(cwNAV2, CardFilter{}, relay.Page{Limit: 2})
	if err != nil || len(page.Edges) != 2 || !page.PageInfo.HasNextPage || page.Edges[0].Node.Holder == nil {
		t.Fatalf("page 1: %v %v", page, err)
	}
	next := relay.Page{Limit: 2, After: *page.PageInfo.EndCursor}
	rest, err := e.svc.CardsOfMyAgency(cwNAV2, CardFilter{ProgrammeID: &p.ID}, next)
	if err != nil || len(rest.Edges) != 1 || rest.PageInfo.HasNextPage || rest.Edges[0].Node.ID != navCards[0].ID {
		t.Fatalf("page 2: %v %v", rest, err)
	}
	if n := e.count("SELECT count(*) FROM audit_log WHERE action = 'read_card_holder'"); n != 3 {
		t.Errorf("%d holder reads audited, want 3", n)
	}
	_, err = e.svc.CardsOfMyAgency(e.coord, CardFilter{}, allOf)
	wantCode(t, err, apperr.Forbidden)

	t.Run("Status", func(t *testing.T) {
		id := navCards[0].ID
		_, err := e.svc.SuspendCard(cwSchool, id)
		wantCode(t, err, apperr.NotFound) // another agency's card
		c, err := e.svc.SuspendCard(cwNAV2, id)
		if err != nil || c.Status != CardSuspended {
			t.Fatalf("%+v %v", c, err)
		}
		_, err = e.svc.SuspendCard(cwNAV, id)
		wantCode(t, err, apperr.Conflict)
		if c, err = e.svc.ResumeCard(cwNAV, id); err != nil || c.Status != CardActive {
			t.Fatalf("%+v %v", c, err)
		}
		if c, err = e.svc.RevokeCard(e.coord, schoolCard.Card.ID); err != nil || c.Status != CardRevoked || c.EndedAt == nil {
			t.Fatalf("%+v %v", c, err)
		}
		_, err = e.svc.ResumeCard(cwSchool, schoolCard.Card.ID)
		wantCode(t, err, apperr.Conflict)
		if n := e.count("SELECT cards_issued FROM card_programmes WHERE id = ?", p.ID); n != 3 {
			t.Errorf("cards issued after a revocation = %d, want 3", n)
		}
		_, err = e.svc.RevokeCard(resident(e.larvik, e.guardian()), id)
		wantCode(t, err, apperr.Unauthenticated)
	})
}

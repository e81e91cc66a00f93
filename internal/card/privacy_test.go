package card

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/card/code"
	"github.com/fritid/fritid/internal/platform/apperr"
)

// family is a child with a card and two guardians.
type family struct {
	child, mother, father string
	card                  *Card
}

func (e *env) family(p *Programme, cw context.Context) family {
	e.t.Helper()
	f := family{mother: e.guardian(), father: e.guardian()}
	in := e.recipient(p, 10, f.mother, f.father)
	f.child = in.ChildIdentityNumber
	got, err := e.svc.IssueCard(cw, in)
	if err != nil {
		e.t.Fatal(err)
	}
	f.card = got.Card
	return f
}

// addTicket gives a card a claimed ticket on a new offer of 10 released tickets.
func (e *env) addTicket(p *Programme, c *Card) {
	e.t.Helper()
	org := e.organisation("org-" + c.ID.String()[:8])
	o, err := e.svc.SaveOffer(e.coord, OfferInput{OrganisationID: org, ProgrammeIDs: []uuid.UUID{p.ID}, Texts: []OfferText{{Locale: "nb", Title: "Kino"}},
		Stock: 10, PerCardLimit: 1, Admits: 1, ValidFrom: time.Now().Add(-time.Hour), ValidTo: time.Now().AddDate(0, 1, 0), ValueOre: 9000, Source: SourcePurchased})
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.svc.ReleaseStock(e.coord, o.ID, 10); err != nil {
		e.t.Fatal(err)
	}
	ticket, _ := code.New(code.TicketCodeLength)
	ticket, _ = code.Normalise(ticket)
	e.exec(`WITH taken AS (UPDATE card_offer_stock_slots SET claimed = claimed + 1
			WHERE offer_id = ?2
				AND slot = (SELECT min(slot) FROM card_offer_stock_slots WHERE offer_id = ?2 AND claimed < released)
			RETURNING slot)
		INSERT INTO card_tickets (municipality_id, card_id, offer_id, code, admits, expires_at, value_ore, source, stock_slot)
		SELECT ?0, ?1, ?2, ?3, 1, now() + interval '1 month', 9000, 'PURCHASED', slot FROM taken`,
		e.larvik.ID(), c.ID, o.ID, ticket)
}

func TestPersonalDataReportAndErasure(t *testing.T) {
	e := newEnv(t)
	nav := e.agency("NAV Larvik")
	p := e.programme([]*Agency{nav})
	cw := e.caseworker(nav)
	f := e.family(p, cw)
	e.addTicket(p, f.card)

	t.Run("Report", func(t *testing.T) {
		r, err := e.svc.PersonalDataReport(e.admin, f.child)
		if err != nil {
			t.Fatal(err)
		}
		if !r.Found || r.GivenName != "Kari" || r.BirthDate == nil || r.Guardians != 2 || len(r.Cards) != 1 || len(r.ChildrenCards) != 0 {
			t.Fatalf("report = %+v", r)
		}
		rc := r.Cards[0]
		if rc.Programme != "Aktivitetskortet" || rc.Agency != "NAV Larvik" || len(rc.Tickets) != 1 || rc.Tickets[0].Offer != "Kino" || rc.Tickets[0].Status != "CLAIMED" {
			t.Errorf("report card = %+v", rc)
		}
		r, err = e.svc.PersonalDataReport(e.admin, f.mother)
		if err != nil || !r.Found || r.BirthDate != nil || len(r.Cards) != 0 || len(r.ChildrenCards) != 1 || r.ChildrenCards[0].Card.Holder == nil {
			t.Fatalf("mother's report = %+v %v", r, err)
		}
		r, err = e.svc.PersonalDataReport(e.admin, e.guardian())
		if err != nil || r.Found {
			t.Fatalf("a stranger's report = %+v %v", r, err)
		}
		if n := e.count("SELECT count(*) FROM audit_log WHERE action = 'personal_data_report'"); n != 3 {
			t.Errorf("%d reports audited", n)
		}
		_, err = e.svc.PersonalDataReport(e.coord, f.child)
		wantCode(t, err, apperr.Forbidden)
		_, err = e.svc.PersonalDataReport(e.admin, "12345678901")
		wantCode(t, err, apperr.BadUserInput, "identityNumber")
	})

	t.Run("Erase", func(t *testing.T) {
		_, err := e.svc.ErasePersonalData(cw, f.child)
		wantCode(t, err, apperr.Forbidden)
		erased, err := e.svc.ErasePersonalData(e.admin, f.child)
		if err != nil || !erased {
			t.Fatalf("%v %v", erased, err)
		}
		var c Card
		if err := e.db.NewSelect().Model(&c).Where("id = ?", f.card.ID).Scan(context.Background()); err != nil {
			t.Fatal(err)
		}
		if c.HolderID != nil || c.Status != CardRevoked || c.AgeBand == nil || *c.AgeBand != "10-12" {
			t.Errorf("card after erasure = %+v", c)
		}
		if n := e.count("SELECT count(*) FROM card_tickets WHERE card_id = ? AND status = 'CANCELLED'", c.ID); n != 1 {
			t.Errorf("the claimed ticket was not cancelled")
		}
		if n := e.count("SELECT sum(claimed) FROM card_offer_stock_slots"); n != 0 {
			t.Errorf("stock not returned: %d claimed", n)
		}
		// The guardians had no one else: they went too.
		if n := e.count("SELECT count(*) FROM card_persons"); n != 0 {
			t.Errorf("%d persons left", n)
		}
		if n := e.count("SELECT count(*) FROM audit_log WHERE action = 'erase_personal_data' AND item_type = 'CardPerson'"); n != 3 {
			t.Errorf("%d erasures audited, want 3", n)
		}
		r, err := e.svc.PersonalDataReport(e.admin, f.mother)
		if err != nil || r.Found {
			t.Errorf("after erasure: %+v %v", r, err)
		}
		if erased, err := e.svc.ErasePersonalData(e.admin, f.child); err != nil || erased {
			t.Errorf("erasing again: %v %v", erased, err)
		}
		// The child can be given a card again: the old one is revoked and anonymous.
		again := RecipientInput{ProgrammeID: p.ID, ChildIdentityNumber: f.child, GivenName: "Kari", BirthDate: f.card.Holder.BirthDate}
		if fs, err := e.svc.CheckRecipient(cw, again); err != nil || len(fs) != 0 {
			t.Errorf("checks after erasure: %v %v", codes(fs), err)
		}
	})
}

func TestRetention(t *testing.T) {
	e := newEnv(t)
	nav := e.agency("NAV")
	p := e.programme([]*Agency{nav})
	cw := e.caseworker(nav)
	ended, active, sibling := e.family(p, cw), e.family(p, cw), e.family(p, cw)
	// One of the sibling's guardians is also a guardian of the active family's child.
	e.exec("INSERT INTO card_guardianships (municipality_id, guardian_id, child_id) SELECT municipality_id, (SELECT guardian_id FROM card_guardianships WHERE child_id = ? LIMIT 1), ? FROM cards WHERE id = ?",
		sibling.card.HolderID, active.card.HolderID, active.card.ID)
	for _, c := range []*Card{ended.card, sibling.card} {
		if _, err := e.svc.RevokeCard(e.coord, c.ID); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Now()
	if n, err := e.svc.EraseExpiredPersonalData(context.Background(), e.db, now.AddDate(0, 0, 89)); err != nil || n != 0 {
		t.Fatalf("within retention: erased %d %v", n, err)
	}
	n, err := e.svc.EraseExpiredPersonalData(context.Background(), e.db, now.AddDate(0, 0, 91))
	if err != nil {
		t.Fatal(err)
	}
	// The ended family (3) and the sibling with one guardian (2); the sibling's other
	// guardian also has the active child and stays.
	if n != 5 {
		t.Errorf("erased %d, want 5", n)
	}
	if got := e.count("SELECT count(*) FROM card_persons"); got != 4 {
		t.Errorf("%d persons left, want 4 (the active family and the shared guardian)", got)
	}
	if got := e.count("SELECT count(*) FROM cards WHERE holder_id IS NULL"); got != 2 {
		t.Errorf("%d anonymous cards, want 2", got)
	}
	if got := e.count("SELECT count(*) FROM audit_log WHERE action = 'erase_expired_personal_data'"); got != 5 {
		t.Errorf("%d erasures audited", got)
	}
}

func TestExpireCards(t *testing.T) {
	e := newEnv(t)
	nav := e.agency("NAV")
	p := e.programme([]*Agency{nav})
	f := e.family(p, e.caseworker(nav))
	if _, err := e.svc.IssueAnonymousCards(e.coord, p.ID, 2); err != nil {
		t.Fatal(err)
	}
	if n, err := e.svc.ExpireCards(context.Background(), e.db, time.Now()); err != nil || n != 0 {
		t.Fatalf("expired %d %v", n, err)
	}
	after := p.ValidTo.AddDate(0, 0, 1).Add(12 * time.Hour)
	n, err := e.svc.ExpireCards(context.Background(), e.db, after)
	if err != nil || n != 3 {
		t.Fatalf("expired %d %v", n, err)
	}
	var c Card
	if err := e.db.NewSelect().Model(&c).Where("id = ?", f.card.ID).Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	if c.Status != CardExpired || c.EndedAt == nil || c.EndedAt.After(after) || c.EndedAt.Before(p.ValidTo) {
		t.Errorf("card = %+v", c)
	}
	if got := e.count("SELECT count(*) FROM audit_log WHERE action = 'expire_card'"); got != 3 {
		t.Errorf("%d expiries audited", got)
	}
}

// TestNoIdentityNumberStored issues cards, checks, reports and erases, then reads every
// row of every table and every audit entry as text: no identity number may be there.
func TestNoIdentityNumberStored(t *testing.T) {
	e := newEnv(t)
	nav := e.agency("NAV")
	p := e.programme([]*Agency{nav})
	cw := e.caseworker(nav)
	var numbers []string
	for range 3 {
		f := e.family(p, cw)
		numbers = append(numbers, f.child, f.mother, f.father)
	}
	bad := e.recipient(p, 10, e.guardian())
	bad.BirthDate = bad.BirthDate.AddDate(0, 0, 1)
	numbers = append(numbers, bad.ChildIdentityNumber, bad.GuardianIdentityNumbers[0])
	if _, err := e.svc.IssueCard(cw, bad); err == nil {
		t.Fatal("a mismatched birth date was accepted")
	}
	if _, err := e.svc.CheckRecipient(cw, e.recipient(p, 10, numbers[1])); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.PersonalDataReport(e.admin, numbers[0]); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.ErasePersonalData(e.admin, numbers[3]); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.MyCards(resident(e.larvik, numbers[1]), allOf); err != nil {
		t.Fatal(err)
	}
	var tables []string
	err := e.db.NewSelect().Table("information_schema.tables").Column("table_name").
		Where("table_schema = 'public' AND table_type = 'BASE TABLE'").Scan(context.Background(), &tables)
	if err != nil || len(tables) < 20 {
		t.Fatalf("tables: %v %v", tables, err)
	}
	for _, table := range tables {
		var dump string
		if err := e.db.QueryRowContext(context.Background(), "SELECT coalesce(string_agg(t::text, E'\\n'), '') FROM ? t", bun.Ident(table)).Scan(&dump); err != nil {
			t.Fatalf("%s: %v", table, err)
		}
		for _, n := range numbers {
			if strings.Contains(dump, n) {
				t.Errorf("table %s holds an identity number", table)
			}
		}
	}
	if e.count("SELECT count(*) FROM audit_log") < 10 {
		t.Error("too few audit entries to mean anything")
	}
}

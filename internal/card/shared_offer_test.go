package card

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/relay"
	"github.com/fritid/fritid/internal/tenant"
)

// sharedEnv is a county's bus company kept in Larvik that Sandefjord shows (accepted) and
// Porsgrunn does not (asked, not answered), with card staff and a programme in Sandefjord.
type sharedEnv struct {
	*env
	sfj, pors          *tenant.Tenant
	bus, club          uuid.UUID
	owner, checker     context.Context // the bus company's, in Larvik
	sfjCoord, porCoord context.Context
	sfjProg            *Programme
}

func newSharedEnv(t *testing.T) *sharedEnv {
	e := &sharedEnv{env: newEnv(t)}
	e.sfj, e.pors = e.municipality("sandefjord"), e.municipality("porsgrunn")
	e.bus, e.club = e.organisation("vkt"), e.organisation("larvik-turn")
	e.exec("UPDATE organisations SET scope = 'REGION', region = 'Vestfold' WHERE id = ?", e.bus)
	for _, m := range []struct {
		t      *tenant.Tenant
		status string
	}{{e.sfj, "ACCEPTED"}, {e.pors, "REQUESTED"}} {
		e.exec(`INSERT INTO provider_municipalities (organisation_id, home_municipality_id, municipality_id, status)
			VALUES (?, ?, ?, ?)`, e.bus, e.larvik.ID(), m.t.ID(), m.status)
	}
	e.owner, e.checker = e.member(e.bus, "OWNER"), e.member(e.bus, "TICKET_CHECKER")
	e.sfjCoord, _ = e.as(e.sfj, auth.RoleCardCoordinator)
	e.porCoord, _ = e.as(e.pors, auth.RoleCardCoordinator)
	in := ProgrammeInput{Texts: []ProgrammeText{{Locale: "nb", Name: "Fritidskortet"}}, MinAge: 2, MaxAge: 18,
		ValidFrom: e.today().AddDate(0, -1, 0), ValidTo: e.today().AddDate(0, 10, 0), CardsAvailable: 100,
		BudgetOre: 10_000_000, DefaultAllowance: 5, Status: ProgrammeActive}
	var err error
	if e.sfjProg, err = e.svc.SaveProgramme(e.sfjCoord, in); err != nil {
		t.Fatal(err)
	}
	return e
}

// busTickets is a shared offer of 100 bus tickets, worth 40 kroner each, bought by the
// municipalities, open from an hour ago for a month; split shares it.
func (e *sharedEnv) busTickets(split ...PlacementInput) SharedOfferInput {
	return SharedOfferInput{OrganisationID: e.bus, Texts: []OfferText{{Locale: "nb", Title: "2-klippskort",
		HowToUse: "Vis koden til sjåføren"},
		{Locale: "en", Title: "Two-ride bus ticket"}}, Admits: 1, ValidFrom: time.Now().Add(-time.Hour),
		ValidTo: time.Now().AddDate(0, 1, 0), ValueOre: 4000, Source: SourcePurchased, Stock: 100, Placements: split}
}

func (e *sharedEnv) placement(so *SharedOffer, slug string) *Placement {
	e.t.Helper()
	for _, p := range so.Placements {
		if p.MunicipalitySlug == slug {
			return p
		}
	}
	e.t.Fatalf("no placement in %s: %+v", slug, so.Placements)
	return nil
}

func TestSharedOfferIntoSeveralProgrammes(t *testing.T) {
	t.Parallel()
	e := newSharedEnv(t)

	t.Run("BadInput", func(t *testing.T) {
		for _, c := range []struct {
			name          string
			split         []PlacementInput
			field, reason string
		}{
			{"not accepted", []PlacementInput{{"sandefjord", 10}, {"porsgrunn", 10}}, "input.placements[1].municipality",
				"PROVIDER_NOT_ACCEPTED"},
			{"unknown", []PlacementInput{{"atlantis", 10}}, "input.placements[0].municipality", ""},
			{"home", []PlacementInput{{"larvik", 10}}, "input.placements[0].municipality", "HOME"},
			{"twice", []PlacementInput{{"sandefjord", 10}, {"sandefjord", 5}}, "input.placements[1].municipality", "DUPLICATE"},
			{"negative", []PlacementInput{{"sandefjord", -1}}, "input.placements[0].stock", ""},
			{"split over stock", []PlacementInput{{"sandefjord", 101}}, "input.placements", "SPLIT_EXCEEDS_STOCK"},
		} {
			_, err := e.svc.SaveSharedOffer(e.owner, e.busTickets(c.split...))
			wantCode(t, err, apperr.BadUserInput, c.field, c.reason)
		}
		// SECURITY: another organisation's members, and the served municipality's staff.
		_, err := e.svc.SaveSharedOffer(e.member(e.club, "OWNER"), e.busTickets())
		wantCode(t, err, apperr.Forbidden)
		in := e.busTickets()
		_, err = e.svc.SaveSharedOffer(e.sfjCoord, in)
		wantCode(t, err, apperr.BadUserInput, "input.organisationId")
		if n := e.count("SELECT count(*) FROM card_shared_offers"); n != 0 {
			t.Errorf("%d shared offers after refusals", n)
		}
	})

	so, err := e.svc.SaveSharedOffer(e.owner, e.busTickets(PlacementInput{"sandefjord", 30}))
	if err != nil {
		t.Fatal(err)
	}
	if p := e.placement(so, "sandefjord"); p.Status != PlacementOffered || p.Stock != 30 || p.OfferID != nil {
		t.Fatalf("placement %+v", p)
	}

	var sfjOffer *Offer
	t.Run("Accept", func(t *testing.T) {
		// Only the municipality it was offered to sees and answers it.
		reqs, err := e.svc.SharedOfferRequests(e.sfjCoord, nil)
		if err != nil || len(reqs) != 1 || reqs[0].Title != "2-klippskort" || reqs[0].Stock != 30 ||
			reqs[0].HomeSlug != "larvik" || reqs[0].OrganisationName != "vkt" || reqs[0].Status != PlacementOffered {
			t.Fatalf("requests %+v %v", reqs, err)
		}
		for _, ctx := range []context.Context{e.coord, e.porCoord} {
			if reqs, err := e.svc.SharedOfferRequests(ctx, nil); err != nil || len(reqs) != 0 {
				t.Errorf("another municipality sees %d requests (%v)", len(reqs), err)
			}
			_, err := e.svc.AcceptSharedOffer(ctx, so.ID, PlacementAcceptInput{ProgrammeIDs: []uuid.UUID{e.sfjProg.ID},
				PerCardLimit: 1})
			wantCode(t, err, apperr.NotFound, "id")
		}
		sfjEditor, _ := e.as(e.sfj, auth.RoleEditor)
		_, err = e.svc.AcceptSharedOffer(sfjEditor, so.ID, PlacementAcceptInput{ProgrammeIDs: []uuid.UUID{e.sfjProg.ID},
			PerCardLimit: 1})
		wantCode(t, err, apperr.Forbidden)

		late := so.ValidTo.Add(time.Hour)
		_, err = e.svc.AcceptSharedOffer(e.sfjCoord, so.ID, PlacementAcceptInput{ProgrammeIDs: []uuid.UUID{e.sfjProg.ID},
			PerCardLimit: 1, ValidTo: &late})
		wantCode(t, err, apperr.BadUserInput, "input.validTo")
		_, err = e.svc.AcceptSharedOffer(e.sfjCoord, so.ID, PlacementAcceptInput{ProgrammeIDs: []uuid.UUID{e.sfjProg.ID}})
		wantCode(t, err, apperr.BadUserInput, "input.perCardLimit")
		// A programme of the home municipality is not Sandefjord's.
		larvikProg := e.programme(nil)
		_, err = e.svc.AcceptSharedOffer(e.sfjCoord, so.ID, PlacementAcceptInput{ProgrammeIDs: []uuid.UUID{larvikProg.ID},
			PerCardLimit: 1})
		wantCode(t, err, apperr.BadUserInput, "input.programmeIds")

		end := so.ValidTo.Add(-24 * time.Hour)
		sfjOffer, err = e.svc.AcceptSharedOffer(e.sfjCoord, so.ID,
			PlacementAcceptInput{ProgrammeIDs: []uuid.UUID{e.sfjProg.ID},
				PerCardLimit: 2, ValidTo: &end})
		if err != nil {
			t.Fatal(err)
		}
		if sfjOffer.MunicipalityID != e.sfj.ID() || sfjOffer.OrganisationID != e.bus || sfjOffer.Stock != 30 ||
			sfjOffer.Released != 0 ||
			sfjOffer.Status != OfferDraft || sfjOffer.Title != "2-klippskort" || sfjOffer.PerCardLimit != 2 ||
			!sfjOffer.ValidTo.Equal(end) || sfjOffer.ValueOre != 4000 || sfjOffer.Source != SourcePurchased {
			t.Fatalf("Sandefjord's offer %+v", sfjOffer)
		}
		_, err = e.svc.AcceptSharedOffer(e.sfjCoord, so.ID, PlacementAcceptInput{ProgrammeIDs: []uuid.UUID{e.sfjProg.ID},
			PerCardLimit: 1})
		wantCode(t, err, apperr.Conflict, "id", "ACCEPTED")
		// The home municipality does not see Sandefjord's offer.
		_, err = e.svc.FindOfferByID(e.coord, sfjOffer.ID)
		wantCode(t, err, apperr.NotFound)
	})

	t.Run("TheProviderKeepsItsTerms", func(t *testing.T) {
		in := OfferInput{ID: &sfjOffer.ID, OrganisationID: e.bus, ProgrammeIDs: []uuid.UUID{e.sfjProg.ID}, Stock: 30,
			PerCardLimit: 3, Admits: 1, ValidFrom: sfjOffer.ValidFrom, ValidTo: sfjOffer.ValidTo, ValueOre: 4000,
			Source: SourcePurchased}
		for field, change := range map[string]func(*OfferInput){
			"input.texts":    func(in *OfferInput) { in.Texts = []OfferText{{Locale: "nb", Title: "Sandefjords busskort"}} },
			"input.stock":    func(in *OfferInput) { in.Stock = 60 },
			"input.valueOre": func(in *OfferInput) { in.ValueOre = 1 },
			"input.admits":   func(in *OfferInput) { in.Admits = 2 },
			"input.validTo":  func(in *OfferInput) { in.ValidTo = so.ValidTo.Add(time.Hour) },
		} {
			bad := in
			change(&bad)
			_, err := e.svc.SaveOffer(e.sfjCoord, bad)
			wantCode(t, err, apperr.BadUserInput, field)
		}
		// What is the municipality's own it changes as on any offer.
		o, err := e.svc.SaveOffer(e.sfjCoord, in)
		if err != nil || o.PerCardLimit != 3 || o.Title != "2-klippskort" {
			t.Fatalf("own change: %+v %v", o, err)
		}
		if _, err := e.svc.ReleaseStock(e.sfjCoord, sfjOffer.ID, 31); apperr.CodeOf(err) != apperr.BadUserInput {
			t.Errorf("released past the share: %v", err)
		}
		if _, err := e.svc.ReleaseStock(e.sfjCoord, sfjOffer.ID, 20); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.SetOfferStatus(e.sfjCoord, sfjOffer.ID, OfferPublished); err != nil {
			t.Fatal(err)
		}
	})

	// A Sandefjord card claims a ticket; the bus company's checker in Larvik checks it in.
	cards := e.sfjCards(2)
	tk, err := e.svc.ClaimTicket(anonymous(e.sfj), cards[0].Card.ID, sfjOffer.ID, access(cards[0]))
	if err != nil {
		t.Fatal(err)
	}

	t.Run("OneDoorForAll", func(t *testing.T) {
		// SECURITY: another Larvik organisation's checker and a Sandefjord user learn nothing.
		other := e.member(e.club, "TICKET_CHECKER")
		_, err := e.svc.CheckTicket(other, tk.Code)
		wantCode(t, err, apperr.TicketNotFound, "code")
		_, err = e.svc.RedeemTicket(e.sfjCoord, tk.Code)
		wantCode(t, err, apperr.Forbidden)

		// A Larvik ticket of the bus company with the same code: typed, the code is
		// ambiguous; the QR codes name the municipality.
		_, local := e.doorTickets(e.bus, 1)
		e.exec("UPDATE card_tickets SET code = ? WHERE id = ?", tk.Code, local[0].ID)
		_, err = e.svc.CheckTicket(e.checker, tk.FormattedCode())
		wantCode(t, err, apperr.Conflict, "code", "AMBIGUOUS")
		if chk, err := e.svc.CheckTicket(e.checker, TicketPayload("larvik",
			tk.Code)); err != nil || chk.OfferTitle != "Svømmehallen" {
			t.Errorf("the Larvik ticket by its QR code: %+v %v", chk, err)
		}
		e.exec("UPDATE card_tickets SET code = ? WHERE id = ?", local[0].Code, local[0].ID)

		for _, typed := range []string{tk.FormattedCode(), tk.Payload} {
			chk, err := e.svc.CheckTicket(e.checker, typed)
			if err != nil || !chk.Valid || chk.OfferTitle != "2-klippskort" || chk.Admits != 1 {
				t.Fatalf("%q: %+v %v", typed, chk, err)
			}
		}
		chk, err := e.svc.RedeemTicket(e.checker, tk.Payload)
		if err != nil || !chk.Valid {
			t.Fatalf("redeem: %+v %v", chk, err)
		}
		_, err = e.svc.RedeemTicket(e.checker, tk.Code)
		wantCode(t, err, apperr.AlreadyRedeemed, "code")
		// Sandefjord's ticket says when, not who: the checker is not Sandefjord's user.
		if e.count(`SELECT count(*) FROM card_tickets WHERE id = ? AND status = 'REDEEMED' AND redeemed_by IS NULL
			AND municipality_id = ?`, tk.ID, e.sfj.ID()) != 1 {
			t.Error("the ticket is not redeemed in Sandefjord without a checker")
		}
		const logged = `SELECT count(*) FROM audit_log WHERE action = 'redeem_card_ticket' AND item_id = ?
			AND municipality_id = ? AND (actor_id IS NOT NULL) = ?`
		if e.count(logged, tk.ID, e.sfj.ID(), false) != 1 || e.count(logged, tk.ID, e.larvik.ID(), true) != 1 {
			t.Error("the redemption is not in both municipalities' logs")
		}
	})

	t.Run("EachPaysForItsOwn", func(t *testing.T) {
		page := relay.Page{Limit: 10}
		sfjSettlement, err := e.svc.Settlement(e.sfjCoord, e.sfjProg.ID, time.Time{}, time.Time{}, page)
		if err != nil || len(sfjSettlement.Edges) != 1 || sfjSettlement.Edges[0].Node.OrganisationID != e.bus ||
			sfjSettlement.Edges[0].Node.Tickets != 1 || sfjSettlement.Edges[0].Node.TicketOre != 4000 {
			t.Fatalf("Sandefjord's settlement %+v %v", sfjSettlement, err)
		}
		prog := e.programme(nil)
		larvik, err := e.svc.Settlement(e.coord, prog.ID, time.Time{}, time.Time{}, page)
		if err != nil || len(larvik.Edges) != 0 {
			t.Errorf("Larvik's settlement %+v %v", larvik, err)
		}
		// The provider sees per municipality what settlement needs, nothing of the cards.
		list, err := e.svc.SharedOffers(e.owner, e.bus)
		if err != nil || len(list) != 1 {
			t.Fatalf("shared offers %v %v", list, err)
		}
		p := e.placement(list[0], "sandefjord")
		if p.Status != PlacementAccepted || p.Released != 20 || p.Claimed != 1 || p.Redeemed != 1 || p.RedeemedOre != 4000 ||
			p.OfferID == nil || *p.OfferID != sfjOffer.ID {
			t.Errorf("placement %+v", p)
		}
		_, err = e.svc.SharedOffers(e.sfjCoord, e.bus)
		wantCode(t, err, apperr.BadUserInput, "organisationId")
	})

	t.Run("ChangesReachTheShares", func(t *testing.T) {
		in := e.busTickets(PlacementInput{"sandefjord", 10})
		in.ID = &so.ID
		_, err := e.svc.SaveSharedOffer(e.owner, in)
		wantCode(t, err, apperr.BadUserInput, "input.placements[0].stock")

		in = e.busTickets(PlacementInput{"sandefjord", 25})
		in.ID = &so.ID
		in.Texts = []OfferText{{Locale: "nb", Title: "Klippekort buss"}}
		in.ValidTo = so.ValidTo.Add(-48 * time.Hour)
		if _, err := e.svc.SaveSharedOffer(e.owner, in); err != nil {
			t.Fatal(err)
		}
		o, err := e.svc.FindOfferByID(e.sfjCoord, sfjOffer.ID)
		if err != nil || o.Title != "Klippekort buss" || o.Stock != 25 || !o.ValidTo.Equal(in.ValidTo) || o.Released != 20 {
			t.Fatalf("Sandefjord's offer after the change %+v %v", o, err)
		}
	})

	t.Run("Withdraw", func(t *testing.T) {
		in := e.busTickets()
		in.ID = &so.ID
		in.Texts = nil
		out, err := e.svc.SaveSharedOffer(e.owner, in)
		if err != nil {
			t.Fatal(err)
		}
		if p := e.placement(out, "sandefjord"); p.Status != PlacementWithdrawn || p.OfferID != nil {
			t.Errorf("placement %+v", p)
		}
		o, err := e.svc.FindOfferByID(e.sfjCoord, sfjOffer.ID)
		if err != nil || o.Status != OfferEnded {
			t.Errorf("Sandefjord's offer %+v %v", o, err)
		}
		_, err = e.svc.ClaimTicket(anonymous(e.sfj), cards[1].Card.ID, sfjOffer.ID, access(cards[1]))
		if apperr.CodeOf(err) == "" {
			t.Error("a withdrawn share's offer still gives tickets")
		}
		// Offered again, it is accepted anew as a new offer; the old one stays ended.
		in.Placements = []PlacementInput{{"sandefjord", 10}}
		if _, err := e.svc.SaveSharedOffer(e.owner, in); err != nil {
			t.Fatal(err)
		}
		again, err := e.svc.AcceptSharedOffer(e.sfjCoord, so.ID, PlacementAcceptInput{ProgrammeIDs: []uuid.UUID{e.sfjProg.ID},
			PerCardLimit: 1})
		if err != nil || again.ID == sfjOffer.ID || again.Stock != 10 || again.Status != OfferDraft {
			t.Fatalf("accepted again: %+v %v", again, err)
		}
	})
}

func TestSharedOfferDeclineAndDrop(t *testing.T) {
	t.Parallel()
	e := newSharedEnv(t)
	so, err := e.svc.SaveSharedOffer(e.owner, e.busTickets(PlacementInput{"sandefjord", 40}))
	if err != nil {
		t.Fatal(err)
	}
	req, err := e.svc.DeclineSharedOffer(e.sfjCoord, so.ID, "Vi har egne busskort")
	if err != nil || req.Status != PlacementDeclined || req.Reason == nil || *req.Reason != "Vi har egne busskort" {
		t.Fatalf("decline %+v %v", req, err)
	}
	_, err = e.svc.DeclineSharedOffer(e.sfjCoord, so.ID, "")
	wantCode(t, err, apperr.Conflict, "id", "DECLINED")
	list, err := e.svc.SharedOffers(e.owner, e.bus)
	if err != nil || e.placement(list[0], "sandefjord").Status != PlacementDeclined {
		t.Fatalf("provider's view %+v %v", list, err)
	}
	// Offered again, after Sandefjord stopped showing the provider: it cannot be accepted.
	in := e.busTickets(PlacementInput{"sandefjord", 40})
	in.ID = &so.ID
	if _, err := e.svc.SaveSharedOffer(e.owner, in); err != nil {
		t.Fatal(err)
	}
	e.exec("UPDATE provider_municipalities SET status = 'DROPPED' WHERE organisation_id = ? AND municipality_id = ?",
		e.bus, e.sfj.ID())
	_, err = e.svc.AcceptSharedOffer(e.sfjCoord, so.ID, PlacementAcceptInput{ProgrammeIDs: []uuid.UUID{e.sfjProg.ID},
		PerCardLimit: 1})
	wantCode(t, err, apperr.Conflict, "id", "PROVIDER_NOT_ACCEPTED")
	_, err = e.svc.SaveSharedOffer(e.owner, in)
	wantCode(t, err, apperr.BadUserInput, "input.placements[0].municipality", "PROVIDER_NOT_ACCEPTED")
}

// sfjCards issues n anonymous cards in Sandefjord's programme.
func (e *sharedEnv) sfjCards(n int) []*AnonymousCard {
	e.t.Helper()
	out, err := e.svc.IssueAnonymousCards(e.sfjCoord, e.sfjProg.ID, n)
	if err != nil {
		e.t.Fatal(err)
	}
	return out
}

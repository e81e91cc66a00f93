package card

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/fritid/fritid/internal/mail"
	"github.com/fritid/fritid/internal/platform/apperr"
)

// outbox returns the e-mails waiting to go to address, oldest first.
func (e *env) outbox(address string) []*mail.Message {
	e.t.Helper()
	var out []*mail.Message
	err := e.db.NewSelect().Model(&out).Where("to_address = ?", address).OrderExpr("created_at, id").Scan(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	return out
}

// confirmLink returns the token of the newest confirmation e-mail to address.
func (e *env) confirmToken(address string) string {
	e.t.Helper()
	var token string
	for _, m := range e.outbox(address) {
		if m.Template == "CardNoticeConfirm" {
			u, err := url.Parse(m.Data["Link"].(string))
			if err != nil {
				e.t.Fatal(err)
			}
			token = u.Query().Get("token")
		}
	}
	if token == "" {
		e.t.Fatalf("no confirmation e-mail to %s", address)
	}
	return token
}

// templates returns the templates of the e-mails to address.
func (e *env) templates(address string) []string {
	var out []string
	for _, m := range e.outbox(address) {
		out = append(out, m.Template)
	}
	return out
}

func TestNoticeContact(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.svc.PublicURL = "https://fritid.example"
	nav := e.agency("NAV Larvik")
	p := e.programme([]*Agency{nav})
	f := e.family(p, e.caseworker(nav))
	mother := resident(e.larvik, f.mother)

	t.Run("BadInput", func(t *testing.T) {
		for _, tc := range []struct {
			in    NoticeContactInput
			field string
		}{
			{NoticeContactInput{Email: "ikke en adresse", Notices: []NoticeKind{NoticeRefill}}, "input.email"},
			{NoticeContactInput{Email: "mor@example.no"}, "input.notices"},
			{NoticeContactInput{Email: "mor@example.no", Notices: []NoticeKind{"SMS"}}, "input.notices"},
			{NoticeContactInput{Email: "mor@example.no", Locale: "xx", Notices: []NoticeKind{NoticeRefill}}, "input.locale"},
		} {
			_, err := e.svc.SetNoticeContact(mother, f.card.ID, tc.in)
			wantCode(t, err, apperr.BadUserInput, tc.field)
		}
	})

	t.Run("WhoMay", func(t *testing.T) {
		in := NoticeContactInput{Email: "x@example.no", Notices: []NoticeKind{NoticeRefill}}
		_, err := e.svc.SetNoticeContact(anonymous(e.larvik), f.card.ID, in)
		wantCode(t, err, apperr.Unauthenticated)
		_, err = e.svc.SetNoticeContact(e.coord, f.card.ID, in)
		wantCode(t, err, apperr.Forbidden)
		_, err = e.svc.SetNoticeContact(resident(e.larvik, e.guardian()), f.card.ID, in)
		wantCode(t, err, apperr.NotFound)
		a := e.anonCards(p, 1)[0]
		_, err = e.svc.SetNoticeContact(mother, a.Card.ID, in)
		wantCode(t, err, apperr.NotFound)
		if n := e.count("SELECT count(*) FROM card_notice_contacts"); n != 0 {
			t.Errorf("%d addresses kept", n)
		}
	})

	n, err := e.svc.SetNoticeContact(mother, f.card.ID, NoticeContactInput{Email: " Mor@Example.NO ", Locale: "nn",
		Notices: []NoticeKind{NoticeWaitingPlace, NoticeTicketExpiring, NoticeWaitingPlace}})
	if err != nil || n.Email != "mor@example.no" || n.Locale != "nn" || n.Confirmed() || len(n.Notices) != 2 {
		t.Fatalf("%+v %v", n, err)
	}
	msgs := e.outbox("mor@example.no")
	if len(msgs) != 1 || msgs[0].Template != "CardNoticeConfirm" || msgs[0].Locale != "nn" ||
		!strings.HasPrefix(msgs[0].Data["Link"].(string), "https://fritid.example/card-notices/confirm?token=") {
		t.Fatalf("confirmation: %+v", msgs)
	}
	if n := e.count("SELECT count(*) FROM audit_log WHERE action = 'set_card_notice_contact' AND item_id = ?", f.card.ID); n != 1 {
		t.Errorf("%d audit entries", n)
	}

	// Nothing but the confirmation goes to an address not confirmed.
	o, first, tk := e.soldOutOffer(p)
	if _, err := e.svc.JoinWaitingList(mother, f.card.ID, o.ID, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.CancelTicket(anonymous(e.larvik), tk.ID, access(first)); err != nil {
		t.Fatal(err)
	}
	if got := e.templates("mor@example.no"); len(got) != 1 {
		t.Errorf("before confirming: %v", got)
	}

	token := e.confirmToken("mor@example.no")
	err = e.svc.ConfirmNoticeContact(anonymous(e.larvik), "wrong"+token)
	wantCode(t, err, apperr.BadUserInput, "token")
	if err := e.svc.ConfirmNoticeContact(anonymous(e.larvik), token); err != nil {
		t.Fatal(err)
	}
	err = e.svc.ConfirmNoticeContact(anonymous(e.larvik), token)
	wantCode(t, err, apperr.BadUserInput, "token")

	t.Run("AWaitingPlace", func(t *testing.T) {
		o, first, tk := e.soldOutOffer(p)
		if _, err := e.svc.JoinWaitingList(mother, f.card.ID, o.ID, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.CancelTicket(anonymous(e.larvik), tk.ID, access(first)); err != nil {
			t.Fatal(err)
		}
		msgs := e.outbox("mor@example.no")
		last := msgs[len(msgs)-1]
		if last.Template != "CardWaitingPlace" || last.Locale != "nn" || last.Data["Offer"] != "Svømmehallen" ||
			last.Data["Until"] == "" || last.Data["Link"] != "https://fritid.example" {
			t.Errorf("notice: %+v", last)
		}
	})

	t.Run("AReminder", func(t *testing.T) {
		before := len(e.outbox("mor@example.no"))
		o := e.tkOffer(e.organisation("kino"), []*Programme{p}, 5)
		tk, err := e.svc.ClaimTicket(mother, f.card.ID, o.ID, nil)
		if err != nil {
			t.Fatal(err)
		}
		e.exec("UPDATE card_tickets SET claimed_at = now() - interval '5 days', expires_at = now() + interval '2 days' WHERE id = ?",
			tk.ID)
		for range 2 {
			if _, err := e.svc.ExpireTicketsAndCards(context.Background(), time.Now()); err != nil {
				t.Fatal(err)
			}
		}
		msgs := e.outbox("mor@example.no")
		if len(msgs) != before+1 || msgs[before].Template != "CardTicketExpiring" || msgs[before].Data["Offer"] != "Svømmehallen" {
			t.Errorf("reminders: %v", e.templates("mor@example.no"))
		}
	})

	t.Run("NewOffersOnlyWhenAsked", func(t *testing.T) {
		before := len(e.outbox("mor@example.no"))
		o := e.tkOffer(e.organisation("zoo"), []*Programme{p}, 5)
		if n := e.count("SELECT count(*) FROM river_job WHERE kind = 'card_offer_announce' AND args->>'offer_id' = ?",
			o.ID.String()); n != 1 {
			t.Fatalf("%d announcement jobs", n)
		}
		if told, err := e.svc.AnnounceOffer(context.Background(), e.larvik.ID(), o.ID); err != nil || told != 0 {
			t.Errorf("told %d: %v", told, err)
		}
		if _, err := e.svc.SetNoticeContact(mother, f.card.ID, NoticeContactInput{Email: "mor@example.no",
			Notices: []NoticeKind{NoticeNewOffers, NoticeRefill}}); err != nil {
			t.Fatal(err)
		}
		if got := e.templates("mor@example.no"); len(got) != before {
			t.Errorf("the same confirmed address needs no new confirmation: %v", got[before:])
		}
		if told, err := e.svc.AnnounceOffer(context.Background(), e.larvik.ID(), o.ID); err != nil || told != 1 {
			t.Errorf("told %d: %v", told, err)
		}
		teens := e.tkOffer(e.organisation("ungdom"), []*Programme{p}, 5, func(in *OfferInput) { in.MinAge = intp(15) })
		if told, err := e.svc.AnnounceOffer(context.Background(), e.larvik.ID(), teens.ID); err != nil || told != 0 {
			t.Errorf("an offer for older children, told %d: %v", told, err)
		}
		if err := e.svc.NotifyRefill(context.Background(), e.db, e.larvik.ID(), f.card.ID, 15050); err != nil {
			t.Fatal(err)
		}
		msgs := e.outbox("mor@example.no")
		if len(msgs) != before+2 || msgs[before].Template != "CardNewOffer" || msgs[before+1].Data["Amount"] != "150,50" {
			t.Errorf("notices: %v", e.templates("mor@example.no"))
		}
	})

	t.Run("InTheReportAndErased", func(t *testing.T) {
		r, err := e.svc.PersonalDataReport(e.admin, f.child)
		if err != nil || len(r.Cards) != 1 || r.Cards[0].NoticeContact == nil || r.Cards[0].NoticeContact.Email != "mor@example.no" ||
			len(r.Cards[0].WaitingPlaces) != 2 {
			t.Fatalf("report: %+v %v", r, err)
		}
		if _, err := e.svc.ErasePersonalData(e.admin, f.mother); err != nil {
			t.Fatal(err)
		}
		if n := e.count("SELECT count(*) FROM card_notice_contacts WHERE card_id = ?", f.card.ID); n != 0 {
			t.Error("the mother's address outlived her erasure")
		}
	})
}

// TestNoticeContactRetention erases the address of a card that ended longer ago than
// the retention period, and of one never confirmed whose link expired.
func TestNoticeContactRetention(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	nav := e.agency("NAV Larvik")
	p := e.programme([]*Agency{nav})
	cw := e.caseworker(nav)
	ended, pending := e.family(p, cw), e.family(p, cw)
	for _, f := range []family{ended, pending} {
		_, err := e.svc.SetNoticeContact(resident(e.larvik, f.father), f.card.ID, NoticeContactInput{Email: "far@example.no",
			Notices: []NoticeKind{NoticeRefill}})
		if err != nil {
			t.Fatal(err)
		}
	}
	e.exec("UPDATE card_notice_contacts SET confirmed_at = now(), token_hash = NULL, token_expires_at = NULL WHERE card_id = ?",
		ended.card.ID)
	if _, err := e.svc.RevokeCard(cw, ended.card.ID); err != nil {
		t.Fatal(err)
	}
	// The ended card's holder is erased with its address; the pending address goes
	// although its card is in use.
	later := time.Now().AddDate(0, 0, 100)
	if _, err := e.svc.EraseExpiredPersonalData(context.Background(), e.db, later); err != nil {
		t.Fatal(err)
	}
	if n := e.count("SELECT count(*) FROM card_notice_contacts"); n != 0 {
		t.Errorf("%d addresses kept", n)
	}
}

// TestRefillNotices follows money put on a card to its holder's confirmed address, when it
// asked to hear of refills: the programme's grant (as the refill job and a new grant give
// it) and a coordinator's top-up, each with its amount; a card whose holder did not ask
// hears nothing.
func TestRefillNotices(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	nav := e.agency("NAV Larvik")
	p := e.programme([]*Agency{nav})
	f := e.family(p, e.caseworker(nav))
	quiet := e.anonCards(p, 1)[0]
	mother := resident(e.larvik, f.mother)
	if _, err := e.svc.SetNoticeContact(mother, f.card.ID, NoticeContactInput{Email: "mor@example.no",
		Notices: []NoticeKind{NoticeRefill}}); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.ConfirmNoticeContact(anonymous(e.larvik), e.confirmToken("mor@example.no")); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.SetProgrammeMoney(e.coord, p.ID, ProgrammeMoneyInput{GrantOre: 50_000,
		GrantPeriod: ptr(GrantYear), BudgetWarningPercent: 80}); err != nil {
		t.Fatal(err)
	}
	e.topUp(f.card.ID, 12_345)
	e.topUp(quiet.Card.ID, 10_000)
	msgs := e.outbox("mor@example.no")
	if len(msgs) != 3 || msgs[1].Template != "CardRefill" || msgs[1].Data["Amount"] != "500,00" ||
		msgs[2].Template != "CardRefill" || msgs[2].Data["Amount"] != "123,45" {
		t.Fatalf("notices: %+v", msgs)
	}
	if n := e.count("SELECT count(*) FROM outbox WHERE template = 'CardRefill'"); n != 2 {
		t.Errorf("%d refill notices in all, want the mother's 2", n)
	}
}

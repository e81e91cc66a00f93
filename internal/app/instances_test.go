package app_test

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river/rivertype"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/card"
	"github.com/fritid/fritid/internal/mail"
	"github.com/fritid/fritid/internal/mail/mailtest"
	"github.com/fritid/fritid/internal/platform/config"
	"github.com/fritid/fritid/internal/platform/jobs"
)

// Several instances behind a load balancer: each test below runs two fritid instances, each
// with its own pools, caches and limiters, over one PostgreSQL database, and shows what a
// user sees when their requests are spread over both (docs/scaling.md).

// newPair starts two instances over one fresh database with the demo municipality; the
// first made the database. They share the secret key, as every instance of a deployment
// must (FRITID_SECRET_KEY): sessions, throttle keys and PINs are keyed hashes.
func newPair(t *testing.T, tweak ...func(*config.Config)) (a, b *testServer) {
	t.Helper()
	secret := rand.Text() + rand.Text()
	tweak = append(tweak, func(c *config.Config) { c.SecretKey = secret })
	a = newServer(t, tweak...)
	return a, openServer(t, a.app.Config.DatabaseURL, tweak...)
}

// TestInstancesShareTheLoginThrottle alternates failed logins between two instances: the
// account is locked after five in all, on both, as with one instance. Sessions are shared.
func TestInstancesShareTheLoginThrottle(t *testing.T) {
	t.Parallel()
	a, b := newPair(t)
	if a.app.Auth == b.app.Auth || a.app.Portal == b.app.Portal || a.app.Tenants == b.app.Tenants {
		t.Fatal("the two instances share services: the test would prove nothing")
	}
	createAdmin(t, a, "kari@example.no")
	wrong := map[string]any{"e": "kari@example.no", "p": "feil passord!"}
	for i := range auth.DefaultOptions.MaxFailures {
		if r := []*testServer{a, b}[i%2].post(t, loginMutation, wrong); r.code() != "UNAUTHENTICATED" {
			t.Fatalf("failure %d: %+v", i+1, r.Errors)
		}
	}
	// A session started on one instance is good on the other.
	createAdmin(t, a, "ola@example.no")
	session := login(t, a, "ola@example.no")
	if r := ok(t, b.post(t, `{ viewer { user { email } } }`, nil, session)); get(r.Data, "viewer.user.email") != "ola@example.no" {
		t.Errorf("a session from A on B: %+v", r.Data)
	}
	right := map[string]any{"e": "kari@example.no", "p": "riktig hest batteri"}
	for name, s := range map[string]*testServer{"A": a, "B": b} {
		if r := s.post(t, loginMutation, right); r.code() != "RATE_LIMITED" {
			t.Errorf("instance %s after %d failures over both: %+v, want RATE_LIMITED", name, auth.DefaultOptions.MaxFailures, r.Errors)
		}
	}
}

// TestInstancesShareTheLoginThrottleUnderConcurrency sends a burst of wrong passwords to
// both instances at once: no more than five are checked (the others are RATE_LIMITED),
// and five checked in all, burst and later attempts together, lock the account on both.
func TestInstancesShareTheLoginThrottleUnderConcurrency(t *testing.T) {
	t.Parallel()
	a, b := newPair(t)
	both := []*testServer{a, b}
	createAdmin(t, a, "kari@example.no")
	wrong := map[string]any{"e": "kari@example.no", "p": "feil passord!"}
	limit := auth.DefaultOptions.MaxFailures
	var wg sync.WaitGroup
	codes := make([]string, 4*limit)
	for i := range codes {
		wg.Go(func() { codes[i] = both[i%2].post(t, loginMutation, wrong).code() })
	}
	wg.Wait()
	checked := 0
	for _, c := range codes {
		switch c {
		case "UNAUTHENTICATED":
			checked++
		case "RATE_LIMITED":
		default:
			t.Fatalf("a wrong password answered %q", c)
		}
	}
	if checked > limit {
		t.Errorf("a burst of %d over two instances had %d passwords checked, want at most %d", len(codes), checked, limit)
	}
	for i := 0; checked < limit; i++ {
		if r := both[i%2].post(t, loginMutation, wrong); r.code() != "UNAUTHENTICATED" {
			t.Fatalf("after %d checked failures: %+v", checked, r.Errors)
		}
		checked++
	}
	for name, s := range map[string]*testServer{"A": a, "B": b} {
		right := map[string]any{"e": "kari@example.no", "p": "riktig hest batteri"}
		if r := s.post(t, loginMutation, right); r.code() != "RATE_LIMITED" {
			t.Errorf("instance %s after %d checked failures: %+v, want RATE_LIMITED", name, limit, r.Errors)
		}
	}
}

// cardWorld is a card programme with a published offer, set up through instance a.
type cardWorld struct {
	coord, door      string // Authorization headers
	programme, offer string
}

// newCardWorld sets up a programme and an offer with released units of stock, a
// coordinator and a ticket checker at the offer's organisation.
func newCardWorld(t *testing.T, a *testServer, released int) *cardWorld {
	t.Helper()
	ctx := context.Background()
	demo, _ := a.app.Tenants.FindMunicipalityBySlug(ctx, "demo")
	users := map[string][]auth.MunicipalRole{"koordinator@example.no": {auth.RoleCardCoordinator}, "dor@example.no": nil}
	for email, roles := range users {
		if _, err := a.app.Auth.CreateUser(ctx, auth.CreateUserInput{MunicipalityID: demo.ID(), Email: email,
			Password: "riktig hest batteri", Roles: roles}); err != nil {
			t.Fatal(err)
		}
	}
	var org string
	if err := a.app.DB.QueryRowContext(ctx, `INSERT INTO organisations (municipality_id, slug, name, kind, status)
		VALUES (?, 'bowling', 'Larvik Bowling', 'OTHER', 'PUBLISHED') RETURNING id`, demo.ID()).Scan(&org); err != nil {
		t.Fatal(err)
	}
	a.exec(t, `INSERT INTO organisation_members (municipality_id, organisation_id, user_id, role)
		SELECT ?, ?, id, 'TICKET_CHECKER' FROM users WHERE email = 'dor@example.no'`, demo.ID(), org)
	w := &cardWorld{coord: login(t, a, "koordinator@example.no"), door: login(t, a, "dor@example.no")}
	year := time.Now().Year()
	prog := ok(t, a.post(t, `mutation($in: CardProgrammeInput!) {
		saveCardProgramme(input: $in) { programme { id } } }`, map[string]any{"in": map[string]any{
		"texts":  []any{map[string]any{"locale": "nb", "name": "Aktivitetskortet", "eligibility": "Barn"}},
		"minAge": 6, "maxAge": 17, "validFrom": fmt.Sprintf("%d-01-01", year), "validTo": fmt.Sprintf("%d-12-31", year),
		"cardsAvailable": 100, "budgetOre": 50000000, "defaultAllowance": 5, "status": "ACTIVE", "agencyIds": []string{}}}, w.coord))
	w.programme = get(prog.Data, "saveCardProgramme.programme.id").(string)
	offer := ok(t, a.post(t, `mutation($in: CardOfferInput!) {
		saveCardOffer(input: $in) { offer { id } } }`, map[string]any{"in": map[string]any{
		"organisationId": relayID("Organisation", org), "programmeIds": []string{w.programme},
		"texts": []any{map[string]any{"locale": "nb", "title": "To runder bowling", "howToUse": "Vis billetten i kassa"}},
		"stock": 40, "perCardLimit": 1, "admits": 1, "validFrom": time.Now().Add(-time.Hour).Format(time.RFC3339),
		"validTo": time.Now().AddDate(0, 1, 0).Format(time.RFC3339), "valueOre": 15000, "source": "PURCHASED"}}, w.coord))
	w.offer = get(offer.Data, "saveCardOffer.offer.id").(string)
	ok(t, a.post(t, `mutation($id: ID!, $n: Int!) {
		releaseCardOfferStock(offerId: $id, amount: $n) { offer { released } } }`,
		map[string]any{"id": w.offer, "n": released}, w.coord))
	ok(t, a.post(t, `mutation($id: ID!) {
		setCardOfferStatus(id: $id, status: PUBLISHED) { offer { status } } }`, map[string]any{"id": w.offer}, w.coord))
	return w
}

// anonymousCard is a card's ID and the number and PIN that open it.
type anonymousCard struct {
	id     string
	access map[string]any
}

// issueAnonymous issues n anonymous cards through s.
func (w *cardWorld) issueAnonymous(t *testing.T, s *testServer, n int) []anonymousCard {
	t.Helper()
	r := ok(t, s.post(t, `mutation($p: ID!, $n: Int!) {
		issueAnonymousCards(programmeId: $p, count: $n) { cards { pin card { id number } } } }`,
		map[string]any{"p": w.programme, "n": n}, w.coord))
	out := make([]anonymousCard, n)
	for i := range out {
		c := fmt.Sprintf("issueAnonymousCards.cards.%d.", i)
		out[i] = anonymousCard{id: get(r.Data, c+"card.id").(string),
			access: map[string]any{"number": get(r.Data, c+"card.number"), "pin": get(r.Data, c+"pin")}}
	}
	return out
}

const openCardMutation = `mutation($a: CardPinInput!) { openCard(access: $a) { card { id } } }`

const claimMutation = `mutation($c: ID!, $o: ID!, $a: CardPinInput) {
	claimTicket(cardId: $c, offerId: $o, access: $a) { ticket { code } } }`

// TestInstancesShareCardLimits: wrong PINs and unknown door codes spread over two
// instances lock out at the same totals as on one, and claims through both at once never
// take more than the released stock.
func TestInstancesShareCardLimits(t *testing.T) {
	t.Parallel()
	a, b := newPair(t)
	both := []*testServer{a, b}
	const released = 5
	w := newCardWorld(t, a, released)
	cards := w.issueAnonymous(t, a, 3+2*released)

	t.Run("ClaimsNeverOversell", func(t *testing.T) {
		claimants := cards[3:]
		codes := make([]string, len(claimants))
		var wg sync.WaitGroup
		for i, c := range claimants {
			wg.Go(func() {
				codes[i] = both[i%2].post(t, claimMutation, map[string]any{"c": c.id, "o": w.offer, "a": c.access}).code()
			})
		}
		wg.Wait()
		took, soldOut := 0, 0
		for _, c := range codes {
			switch c {
			case "":
				took++
			case "SOLD_OUT":
				soldOut++
			default:
				t.Errorf("a claim answered %q", c)
			}
		}
		if took != released || soldOut != len(claimants)-released {
			t.Errorf("%d claims over two instances: %d took a ticket, %d SOLD_OUT; want %d and %d",
				len(claimants), took, soldOut, released, len(claimants)-released)
		}
		for i, s := range both {
			r := ok(t, s.post(t, `query($o: ID!) { node(id: $o) { ... on CardOffer { claimed left } } }`,
				map[string]any{"o": w.offer}, w.coord))
			if get(r.Data, "node.claimed") != float64(released) || get(r.Data, "node.left") != 0.0 {
				t.Errorf("instance %d reads the offer as %+v, want %d claimed, 0 left", i, r.Data, released)
			}
		}
	})
	t.Run("PINFailures", func(t *testing.T) {
		card := cards[0]
		wrong := map[string]any{"number": card.access["number"], "pin": "000000"}
		if wrong["pin"] == card.access["pin"] {
			wrong["pin"] = "111111"
		}
		// card.MaxPINFailures' default: five wrong PINs per card number in the window.
		for i := range 5 {
			if r := both[i%2].post(t, openCardMutation, map[string]any{"a": wrong}); r.code() != "NOT_FOUND" {
				t.Fatalf("wrong PIN %d: %+v", i+1, r.Errors)
			}
		}
		for i, s := range both {
			if r := s.post(t, openCardMutation, map[string]any{"a": card.access}); r.code() != "RATE_LIMITED" {
				t.Errorf("the right PIN on instance %d after five wrong over both: %+v, want RATE_LIMITED", i, r.Errors)
			}
		}
		// Another card is not locked.
		ok(t, b.post(t, openCardMutation, map[string]any{"a": cards[2].access}))
	})

	t.Run("PINFailuresInABurst", func(t *testing.T) {
		card := cards[1]
		wrong := map[string]any{"number": card.access["number"], "pin": "000000"}
		if wrong["pin"] == card.access["pin"] {
			wrong["pin"] = "111111"
		}
		codes := make([]string, 20)
		var wg sync.WaitGroup
		for i := range codes {
			wg.Go(func() { codes[i] = both[i%2].post(t, openCardMutation, map[string]any{"a": wrong}).code() })
		}
		wg.Wait()
		checked := 0
		for _, c := range codes {
			switch c {
			case "NOT_FOUND":
				checked++
			case "RATE_LIMITED":
			default:
				t.Fatalf("a wrong PIN answered %q", c)
			}
		}
		if checked > 5 {
			t.Errorf("a burst of %d wrong PINs over two instances had %d checked, want at most 5", len(codes), checked)
		}
		for ; checked < 5; checked++ {
			if r := both[checked%2].post(t, openCardMutation, map[string]any{"a": wrong}); r.code() != "NOT_FOUND" {
				t.Fatalf("wrong PIN after the burst: %+v", r.Errors)
			}
		}
		for i, s := range both {
			if r := s.post(t, openCardMutation, map[string]any{"a": card.access}); r.code() != "RATE_LIMITED" {
				t.Errorf("the right PIN on instance %d after five checked: %+v, want RATE_LIMITED", i, r.Errors)
			}
		}
	})

	t.Run("DoorCodes", func(t *testing.T) {
		const doorMaxFailures = 10 // internal/card/checkin.go
		for i := range doorMaxFailures {
			r := both[i%2].post(t, `mutation($c: String!) {
				checkTicket(code: $c) { ticketCheck { valid } } }`, map[string]any{"c": fmt.Sprintf("ZZZZ-ZZZZ-%04d", i)}, w.door)
			if r.code() != "TICKET_NOT_FOUND" {
				t.Fatalf("unknown code %d: %+v", i+1, r.Errors)
			}
		}
		for i, s := range both {
			r := s.post(t, `mutation { checkTicket(code: "ZZZZ-ZZZZ-ZZZZ") { ticketCheck { valid } } }`, nil, w.door)
			if r.code() != "RATE_LIMITED" {
				t.Errorf("instance %d after %d unknown codes over both: %+v, want RATE_LIMITED", i, doorMaxFailures, r.Errors)
			}
		}
	})

}

// TestInstancesEachMeterTheirOwnBudget: the cost budget is kept in each instance's memory
// (graph/meter.go), so a client whose requests are spread over N instances may spend up to
// N budgets a minute. A client that has spent its budget on one instance is still served
// by the other, which then limits it at its own budget.
func TestInstancesEachMeterTheirOwnBudget(t *testing.T) {
	t.Parallel()
	a, b := newPair(t, func(c *config.Config) { c.MaxComplexity, c.BudgetAnonymous = 1000, 1000 })
	body := []byte(`{"query": "{ organisations(first: 100) { nodes { id name slug } } }"}`)
	paid := func(s *testServer) int { // operations of cost 302 paid until RATE_LIMITED
		for n := 0; n < 20; n++ {
			r := s.do(t, http.MethodPost, "/graphql", "application/json", body)
			switch {
			case r.code() == "RATE_LIMITED" && r.Status == http.StatusTooManyRequests:
				return n
			case r.code() != "":
				t.Fatalf("%d %+v", r.Status, r.Errors)
			}
		}
		t.Fatal("20 operations costing 302 never spent a budget of 1000 a minute")
		return 0
	}
	onA := paid(a)
	if r := a.do(t, http.MethodPost, "/graphql", "application/json", body); r.code() != "RATE_LIMITED" {
		t.Fatalf("instance A served a client over its budget: %+v", r.Errors)
	}
	onB := paid(b)
	// A full budget of 1000 pays three operations of 302; the refill (17 a second) pays a
	// fourth only after 12 s.
	if onA < 3 || onB < 3 {
		t.Errorf("paid %d operations on A and then %d on B, want at least 3 on each: each instance has its own budget", onA, onB)
	}
}

// TestInstancesAPQCacheHoldsNoMunicipalityData: automatic persisted queries are kept per
// instance, and hold only a query's text. A hash registered on A is unknown to B until the
// client sends the text there too (the APQ protocol's retry); either instance answers a
// hash with the data of the request's own municipality.
func TestInstancesAPQCacheHoldsNoMunicipalityData(t *testing.T) {
	t.Parallel()
	a, b := newPair(t)
	if _, err := a.app.Tenants.CreateMunicipality(context.Background(), tenantInput("nabo", "Nabo kommune")); err != nil {
		t.Fatal(err)
	}
	const query = `{ municipality { name } }`
	sum := sha256.Sum256([]byte(query))
	ext := map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hex.EncodeToString(sum[:])}}
	send := func(s *testServer, withText bool, slug string) *gqlResponse {
		body := map[string]any{"extensions": ext}
		if withText {
			body["query"] = query
		}
		return s.do(t, http.MethodPost, "/graphql", "application/json", mustJSON(body), "X-Municipality: "+slug)
	}
	if r := ok(t, send(a, true, "demo")); get(r.Data, "municipality.name") != "Demo kommune" {
		t.Fatalf("A registers the query: %+v", r.Data)
	}
	if r := send(b, false, "demo"); r.code() != "PERSISTED_QUERY_NOT_FOUND" {
		t.Errorf("B, which never saw the text, answered the hash with %+v %+v", r.Data, r.Errors)
	}
	if r := ok(t, send(b, true, "demo")); get(r.Data, "municipality.name") != "Demo kommune" {
		t.Errorf("B with the text: %+v", r.Data)
	}
	for name, s := range map[string]*testServer{"A": a, "B": b} {
		for slug, want := range map[string]string{"demo": "Demo kommune", "nabo": "Nabo kommune"} {
			if r := ok(t, send(s, false, slug)); get(r.Data, "municipality.name") != want {
				t.Errorf("instance %s answers the hash for %s with %+v, want %s", name, slug, r.Data, want)
			}
		}
	}
}

// TestInstancesRunEachJobOnce runs the job queue on both instances at once: both enqueue
// the card housekeeping for the same period, which makes one job; every expired ticket is
// expired once, with one audit entry; and every queued message is delivered once.
func TestInstancesRunEachJobOnce(t *testing.T) {
	t.Parallel()
	box, smtpURL := mailtest.Start(t)
	a, b := newPair(t, func(c *config.Config) { c.SMTPURL = smtpURL })
	ctx := context.Background()
	const tickets = 4
	w := newCardWorld(t, a, tickets)
	for i, c := range w.issueAnonymous(t, a, tickets) {
		ok(t, []*testServer{a, b}[i%2].post(t, claimMutation, map[string]any{"c": c.id, "o": w.offer, "a": c.access}))
	}
	a.exec(t, "UPDATE card_tickets SET claimed_at = now() - interval '1 hour', expires_at = now() - interval '1 minute'")
	demo, _ := a.app.Tenants.FindMunicipalityBySlug(ctx, "demo")
	const messages = 45
	for i := range messages {
		if err := mail.Enqueue(ctx, []*testServer{a, b}[i%2].app.DB, &mail.Message{MunicipalityID: demo.ID(), Template: "PasswordReset",
			To: fmt.Sprintf("person%d@example.no", i), Locale: "nb"}); err != nil {
			t.Fatal(err)
		}
	}

	var wg sync.WaitGroup
	inserted := make([]*rivertype.JobInsertResult, 2)
	for i, s := range []*testServer{a, b} {
		wg.Go(func() {
			err := s.app.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
				var err error
				inserted[i], err = jobs.InsertTx(ctx, tx, card.ExpiryArgs{}, nil)
				return err
			})
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	if inserted[0].Job.ID != inserted[1].Job.ID || inserted[0].UniqueSkippedAsDuplicate == inserted[1].UniqueSkippedAsDuplicate {
		t.Errorf("both instances enqueued the period's housekeeping: jobs %d and %d", inserted[0].Job.ID, inserted[1].Job.ID)
	}
	startJobs(t, a)
	startJobs(t, b)
	wctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	if err := jobs.WaitIdle(wctx, a.app.DB, mail.Kind, card.ExpiryArgs{}.Kind()); err != nil {
		t.Fatal(err)
	}
	var ran int
	if err := a.app.DB.QueryRowContext(ctx, "SELECT count(*) FROM river_job WHERE state = 'completed'").Scan(&ran); err != nil {
		t.Fatal(err)
	}
	if ran < messages+1 {
		t.Errorf("%d jobs completed, want at least %d", ran, messages+1)
	}
	var entries, left int
	if err := a.app.DB.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM audit_log WHERE action = 'expire_card_ticket'),
		(SELECT count(*) FROM card_tickets WHERE status <> 'EXPIRED')`).Scan(&entries, &left); err != nil {
		t.Fatal(err)
	}
	if entries != tickets || left != 0 {
		t.Errorf("expiry with both instances: %d audit entries, %d not expired; want %d, 0", entries, left, tickets)
	}
	seen := map[string]int{}
	for _, m := range box.Messages() {
		for _, to := range m.To {
			seen[to]++
		}
	}
	for i := range messages {
		if to := fmt.Sprintf("person%d@example.no", i); seen[to] != 1 {
			t.Errorf("%s got %d messages, want 1", to, seen[to])
		}
	}
	if len(box.Messages()) != messages {
		t.Errorf("%d messages delivered, want %d", len(box.Messages()), messages)
	}
}

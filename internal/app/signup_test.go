package app_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fritid/fritid/internal/events"
	"github.com/fritid/fritid/internal/mail/mailtest"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/config"
	"github.com/fritid/fritid/internal/tenant"
)

const setSignupQ = `mutation($in: SetEventSignupInput!) { setEventSignup(input: $in) {
	event { id placesLeft waitingListLength signupOpen signup { places waitingListSize groupSizeLimit closesAt } } } }`

const signUpQ = `mutation($in: SignUpInput!) { signUp(input: $in) {
	signup { id status position groupSize } cancellationToken event { placesLeft waitingListLength signupOpen } } }`

const cancelSignupQ = `mutation($t: String, $id: ID) { cancelSignup(token: $t, id: $id) {
	event { placesLeft waitingListLength } } }`

const signupsQ = `query($id: ID!) { event(id: $id) { placesLeft waitingListLength signups(first: 100) { totalCount
	nodes { id status position groupSize contactEmail attended participants { name guardianPhone needs age } } } } }`

// newSignupServer is newEventServer with the given configuration changes.
func newSignupServer(t *testing.T, tweak ...func(*config.Config)) (*testServer, string) {
	t.Helper()
	s, admin, _ := newContentServer(t, tweak...)
	now := time.Date(2027, 1, 1, 12, 0, 0, 0, time.UTC)
	s.app.Events.Now = func() time.Time { return now }
	return s, admin
}

// signupEvent makes a published event on 10 February 2027 with the sign-up settings
// given and returns its ID.
func signupEvent(t *testing.T, s *testServer, admin, slug string, settings map[string]any) string {
	t.Helper()
	start := time.Date(2027, 2, 10, 18, 0, 0, 0, time.UTC)
	r := ok(t, s.post(t, createEventQ, map[string]any{"in": eventInput(slug, start,
		map[string]any{"publication": "PUBLISHED"})}, admin))
	id := get(r.Data, "createEvent.event.id").(string)
	if settings != nil {
		settings["eventId"] = id
		ok(t, s.post(t, setSignupQ, map[string]any{"in": settings}, admin))
	}
	return id
}

// signUpAs signs up the named participants with contact e-mail email.
func signUpAs(t *testing.T, s *testServer, event, email string, names ...string) *gqlResponse {
	t.Helper()
	ps := make([]any, len(names))
	for i, n := range names {
		ps[i] = map[string]any{"name": n}
	}
	return s.post(t, signUpQ, map[string]any{"in": map[string]any{"eventId": event, "contactEmail": email,
		"participants": ps}})
}

// TestSignupConcurrentNeverOverbooks has 1,000 people sign up at once, a few dozen at a
// time against the real database, for 100 places and a waiting list of 50: exactly 100
// are confirmed, exactly 50 wait (positions 1 to 50, each once) and the other 850 are
// refused as full; the counts shown to the public agree with the rows.
func TestSignupConcurrentNeverOverbooks(t *testing.T) {
	t.Parallel()
	s, admin := newSignupServer(t)
	id := signupEvent(t, s, admin, "sommerleir", map[string]any{"places": 100, "waitingListSize": 50})
	ctx := context.Background()
	demo, err := s.app.Tenants.FindMunicipalityBySlug(ctx, "demo")
	if err != nil {
		t.Fatal(err)
	}
	ctx = tenant.WithTenant(ctx, demo)

	const total, workers = 1000, 16
	var (
		mu        sync.Mutex
		confirmed int
		positions = map[int]int{}
		full      int
		others    []error
	)
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				res, err := s.app.Events.SignUp(ctx, events.SignupInput{EventID: id,
					ContactEmail: fmt.Sprintf("forelder%d@example.no", i),
					Participants: []*events.ParticipantInput{{}}})
				mu.Lock()
				switch {
				case err == nil && res.Signup.Status == events.SignupConfirmed:
					confirmed++
				case err == nil && res.Signup.Status == events.SignupWaiting:
					positions[res.Signup.Position]++
				case apperr.CodeOf(err) == apperr.Conflict && apperr.As(err).MessageID == "SignupFull":
					full++
				default:
					others = append(others, err)
				}
				mu.Unlock()
			}
		}()
	}
	for i := range total {
		jobs <- i
	}
	close(jobs)
	wg.Wait()

	if len(others) > 0 {
		t.Fatalf("%d unexpected answers, the first: %v", len(others), others[0])
	}
	if confirmed != 100 || len(positions) != 50 || full != 850 {
		t.Fatalf("confirmed %d, waiting %d, refused %d; want 100, 50, 850", confirmed, len(positions), full)
	}
	for p := 1; p <= 50; p++ {
		if positions[p] != 1 {
			t.Fatalf("waiting list position %d given %d times", p, positions[p])
		}
	}
	if n := count(t, s, `SELECT coalesce(sum(group_size), 0) FROM event_signups WHERE status = 'CONFIRMED'`); n != 100 {
		t.Fatalf("%d confirmed participants in the database, want 100", n)
	}
	r := ok(t, s.post(t, `query($id: ID!) { event(id: $id) { placesLeft waitingListLength signupOpen } }`,
		map[string]any{"id": id}))
	if get(r.Data, "event.placesLeft") != 0.0 || get(r.Data, "event.waitingListLength") != 50.0 ||
		get(r.Data, "event.signupOpen") != false {
		t.Fatalf("public counts: %v", r.Data)
	}
}

// TestSignupCancellationPromotesAndMails cancels with the secret token and as the
// organiser: each time the first waiting sign-up whose whole group fits gets the places
// and an e-mail, delivered by the job queue through SMTP.
func TestSignupCancellationPromotesAndMails(t *testing.T) {
	t.Parallel()
	box, url := mailtest.Start(t)
	s, admin := newSignupServer(t, func(c *config.Config) { c.SMTPURL = url })
	id := signupEvent(t, s, admin, "teaterverksted", map[string]any{"places": 3, "waitingListSize": 5,
		"groupSizeLimit": 3, "askName": true, "askNeeds": true})

	a := ok(t, signUpAs(t, s, id, "a@example.no", "Ada", "Per"))
	b := ok(t, signUpAs(t, s, id, "b@example.no", "Bo", "Siv"))
	c := ok(t, signUpAs(t, s, id, "c@example.no", "Cia"))
	d := ok(t, signUpAs(t, s, id, "d@example.no", "Dag", "Eli", "Finn"))
	for _, w := range []struct {
		r      *gqlResponse
		status string
		pos    any
	}{{a, "CONFIRMED", nil}, {b, "WAITING", 1.0}, {c, "CONFIRMED", nil}, {d, "WAITING", 2.0}} {
		if get(w.r.Data, "signUp.signup.status") != w.status || get(w.r.Data, "signUp.signup.position") != w.pos {
			t.Fatalf("want %s %v, got %v", w.status, w.pos, w.r.Data)
		}
	}
	if get(d.Data, "signUp.event.placesLeft") != 0.0 || get(d.Data, "signUp.event.waitingListLength") != 5.0 {
		t.Fatalf("counts after four sign-ups: %v", d.Data)
	}

	t.Run("CancelWithTokenPromotesTheFirstThatFits", func(t *testing.T) {
		r := ok(t, s.post(t, cancelSignupQ, map[string]any{"t": get(a.Data, "signUp.cancellationToken")}))
		if get(r.Data, "cancelSignup.event.placesLeft") != 0.0 ||
			get(r.Data, "cancelSignup.event.waitingListLength") != 3.0 {
			t.Fatalf("after cancelling: %v", r.Data)
		}
		// Each contact had the confirmation of its sign-up; b now has the news too.
		got := bodiesTo(t, s, box, "b@example.no")
		if len(got) != 2 || mentioning(got, "en plass er blitt ledig på «Teater: teaterverksted»") != 1 {
			t.Fatalf("the promoted contact's e-mails (%d):\n%s", len(got), strings.Join(got, "\n---\n"))
		}
		if got := bodiesTo(t, s, box, "d@example.no"); len(got) != 1 || mentioning(got, "har nå fått plass") != 0 {
			t.Fatalf("the group still waiting was told it has places:\n%s", strings.Join(got, "\n---\n"))
		}
		r = s.post(t, cancelSignupQ, map[string]any{"t": get(a.Data, "signUp.cancellationToken")})
		if r.code() != "NOT_FOUND" {
			t.Fatalf("a used token: %+v", r.Errors)
		}
	})
	t.Run("OrganiserCancelsAndSeesTheList", func(t *testing.T) {
		r := ok(t, s.post(t, cancelSignupQ, map[string]any{"id": get(c.Data, "signUp.signup.id")}, admin))
		if get(r.Data, "cancelSignup.event.placesLeft") != 1.0 {
			t.Fatalf("after the organiser cancelled: %v", r.Data)
		}
		if got := bodiesTo(t, s, box, "d@example.no"); mentioning(got, "har nå fått plass") != 0 {
			t.Fatalf("a group of three promoted to one place: %v", got)
		}
		r = ok(t, s.post(t, signupsQ, map[string]any{"id": id}, admin))
		nodes := list(r, "event.signups")
		if len(nodes) != 2 || nodes[0]["status"] != "CONFIRMED" || nodes[1]["status"] != "WAITING" ||
			nodes[1]["position"] != 1.0 || nodes[0]["contactEmail"] != "b@example.no" ||
			get(nodes[0], "participants.1.name") != "Siv" {
			t.Fatalf("the list: %v", r.Data)
		}
	})
	t.Run("MarkAttendance", func(t *testing.T) {
		r := ok(t, s.post(t, `mutation($id: ID!) { markAttendance(id: $id, attended: true) { attended groupSize } }`,
			map[string]any{"id": get(b.Data, "signUp.signup.id")}, admin))
		if get(r.Data, "markAttendance.attended") != true {
			t.Fatalf("got %v", r.Data)
		}
	})
}

// TestSignupBadInputSavesNothing refuses each bad sign-up and setting as BAD_USER_INPUT
// naming the field, with no sign-up written.
func TestSignupBadInputSavesNothing(t *testing.T) {
	t.Parallel()
	s, admin := newSignupServer(t)
	id := signupEvent(t, s, admin, "klatring", map[string]any{"places": 10, "groupSizeLimit": 2,
		"ageMin": 6, "ageMax": 12, "askName": true, "askGuardianPhone": true})
	none := signupEvent(t, s, admin, "uten-pamelding", nil)
	later := signupEvent(t, s, admin, "senere", map[string]any{"places": 10, "opensAt": "2027-01-15T00:00:00Z"})
	closed := signupEvent(t, s, admin, "stengt", map[string]any{"places": 10, "closesAt": "2026-12-31T00:00:00Z"})
	kid := func(name string, age int) map[string]any {
		return map[string]any{"name": name, "age": age, "guardianPhone": "+47 900 00 000"}
	}
	ok(t, s.post(t, signUpQ, map[string]any{"in": map[string]any{"eventId": id, "contactEmail": "mor@example.no",
		"participants": []any{kid("Ola", 8)}}}))
	many := make([]any, 51)
	for i := range many {
		many[i] = kid(fmt.Sprint("Barn", i), 8)
	}
	for name, c := range map[string]struct {
		event, email string
		ps           []any
		field        string
	}{
		"Twice":               {id, "Mor@Example.no", []any{kid("ola", 8)}, "input.contactEmail"},
		"GroupOverLimit":      {id, "far@example.no", []any{kid("A", 8), kid("B", 8), kid("C", 8)}, "input.participants"},
		"TooManyParticipants": {id, "far@example.no", many, "input.participants"},
		"NoParticipants":      {id, "far@example.no", []any{}, "input.participants"},
		"AgeOutOfRange":       {id, "far@example.no", []any{kid("A", 8), kid("B", 14)}, "input.participants.1.age"},
		"AgeMissing":          {id, "far@example.no", []any{map[string]any{"name": "A", "guardianPhone": "1"}}, "input.participants.0.age"},
		"NameMissing":         {id, "far@example.no", []any{map[string]any{"age": 8, "guardianPhone": "1"}}, "input.participants.0.name"},
		"PhoneMissing":        {id, "far@example.no", []any{map[string]any{"age": 8, "name": "A"}}, "input.participants.0.guardianPhone"},
		"BadEmail":            {id, "ikke-en-adresse", []any{kid("A", 8)}, "input.contactEmail"},
		"NoSignup":            {none, "far@example.no", []any{kid("A", 8)}, "input.eventId"},
		"NotOpenYet":          {later, "far@example.no", []any{kid("A", 8)}, "input.eventId"},
		"Closed":              {closed, "far@example.no", []any{kid("A", 8)}, "input.eventId"},
	} {
		t.Run(name, func(t *testing.T) {
			wantInvalid(t, s.post(t, signUpQ, map[string]any{"in": map[string]any{"eventId": c.event,
				"contactEmail": c.email, "participants": c.ps}}), c.field)
		})
	}
	if n := count(t, s, `SELECT count(*) FROM event_signups`); n != 1 {
		t.Fatalf("%d sign-ups saved, want the one good", n)
	}
	if n := count(t, s, `SELECT count(*) FROM event_signup_participants WHERE needs <> ''`); n != 0 {
		t.Fatal("an answer not asked for was kept")
	}
	for name, c := range map[string]struct {
		in    map[string]any
		field string
	}{
		"NoPlaces":            {map[string]any{"places": 0}, "input.places"},
		"GroupLimit":          {map[string]any{"places": 5, "groupSizeLimit": 51}, "input.groupSizeLimit"},
		"WindowBackwards":     {map[string]any{"places": 5, "opensAt": "2027-02-01T00:00:00Z", "closesAt": "2027-01-01T00:00:00Z"}, "input.closesAt"},
		"AgesBackwards":       {map[string]any{"places": 5, "ageMin": 10, "ageMax": 6}, "input.ageMax"},
		"NegativeWaitingList": {map[string]any{"places": 5, "waitingListSize": -1}, "input.waitingListSize"},
		"EndWithSignups":      {map[string]any{}, "input.places"},
	} {
		t.Run("Settings"+name, func(t *testing.T) {
			c.in["eventId"] = id
			wantInvalid(t, s.post(t, setSignupQ, map[string]any{"in": c.in}, admin), c.field)
		})
	}
}

// TestSignupOpenFilter lists the events whose sign-up is open now, and the others.
func TestSignupOpenFilter(t *testing.T) {
	t.Parallel()
	s, admin := newSignupServer(t)
	signupEvent(t, s, admin, "apen", map[string]any{"places": 1})
	full := signupEvent(t, s, admin, "full", map[string]any{"places": 1})
	signupEvent(t, s, admin, "senere", map[string]any{"places": 5, "opensAt": "2027-01-15T00:00:00Z"})
	signupEvent(t, s, admin, "uten", nil)
	ok(t, signUpAs(t, s, full, "a@example.no", "A"))
	for _, c := range []struct {
		open bool
		want string
	}{{true, "apen"}, {false, "full,senere,uten"}} {
		r := ok(t, s.post(t, readEventsQ, map[string]any{"f": map[string]any{"signupOpen": c.open}}))
		got := names(r.Data, "events.nodes", "slug")
		slices.Sort(got)
		if strings.Join(got, ",") != c.want {
			t.Errorf("signupOpen %v: %v, want %s", c.open, got, c.want)
		}
	}
}

// TestSignupErasedAfterRetention keeps an event's sign-ups for the configured days after
// it ends and then erases them with their participants, the counts of places staying.
func TestSignupErasedAfterRetention(t *testing.T) {
	t.Parallel()
	s, admin := newSignupServer(t, func(c *config.Config) { c.SignupRetentionDays = 10 })
	id := signupEvent(t, s, admin, "fotballskole", map[string]any{"places": 5, "askName": true})
	other := signupEvent(t, s, admin, "senere-skole", map[string]any{"places": 5, "askName": true,
		"closesAt": "2027-02-10T00:00:00Z"})
	ok(t, signUpAs(t, s, id, "a@example.no", "Ada"))
	ok(t, signUpAs(t, s, other, "a@example.no", "Ada"))
	ends := time.Date(2027, 2, 10, 20, 0, 0, 0, time.UTC) // the events' end
	s.exec(t, `UPDATE events SET starts_at = starts_at + interval '30 days', ends_at = ends_at + interval '30 days'
		WHERE slug = 'senere-skole'`)
	for _, c := range []struct {
		at   time.Time
		want int
	}{{ends.Add(9 * 24 * time.Hour), 0}, {ends.Add(10*24*time.Hour + time.Minute), 1}, {ends.Add(11 * 24 * time.Hour), 0}} {
		n, err := s.app.Events.EraseExpiredSignups(context.Background(), c.at)
		if err != nil || n != c.want {
			t.Fatalf("at %v: erased %d (%v), want %d", c.at, n, err, c.want)
		}
	}
	if n := count(t, s, `SELECT count(*) FROM event_signup_participants`); n != 1 {
		t.Fatalf("%d participants left, want the later event's one", n)
	}
	r := ok(t, s.post(t, `query($id: ID!) { event(id: $id) { placesLeft } }`, map[string]any{"id": id}))
	if get(r.Data, "event.placesLeft") != 4.0 {
		t.Fatalf("the count of places taken changed: %v", r.Data)
	}
}

// TestSignupDataReportAndErasure finds a person's sign-ups by their contact e-mail in
// any case, and erases them, the freed place going to the waiting list.
func TestSignupDataReportAndErasure(t *testing.T) {
	t.Parallel()
	s, admin := newSignupServer(t)
	id := signupEvent(t, s, admin, "korps", map[string]any{"places": 1, "waitingListSize": 1, "askName": true})
	ok(t, signUpAs(t, s, id, "Mor@Example.no", "Ada"))
	ok(t, signUpAs(t, s, id, "far@example.no", "Bo"))
	r := ok(t, s.post(t, `mutation { signupDataReport(contactEmail: "mor@example.NO") {
		signups { eventId status participants { name } } } }`, nil, admin))
	if get(r.Data, "signupDataReport.signups.0.participants.0.name") != "Ada" ||
		get(r.Data, "signupDataReport.signups.0.eventId") != id || get(r.Data, "signupDataReport.signups.1") != nil {
		t.Fatalf("report: %v", r.Data)
	}
	r = ok(t, s.post(t, `mutation { eraseSignupData(contactEmail: "mor@example.no") { erased } }`, nil, admin))
	if get(r.Data, "eraseSignupData.erased") != 1.0 {
		t.Fatalf("erased: %v", r.Data)
	}
	if n := count(t, s, `SELECT count(*) FROM event_signup_participants WHERE name = 'Ada'`); n != 0 {
		t.Fatal("the participant is still held")
	}
	if n := count(t, s, `SELECT count(*) FROM event_signups WHERE status = 'CONFIRMED'`); n != 1 {
		t.Fatal("the waiting sign-up did not get the freed place")
	}
	if n := count(t, s, `SELECT count(*) FROM audit_log WHERE action IN ('report_signup_data', 'erase_signup_data')
		AND NOT (to_jsonb(audit_log)::text ILIKE '%mor@example%')`); n != 2 {
		t.Fatalf("%d audit entries without the address, want 2", n)
	}
	wantInvalid(t, s.post(t, `mutation { eraseSignupData(contactEmail: "nei") { erased } }`, nil, admin), "contactEmail")
}

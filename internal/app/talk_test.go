package app_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/resident"
)

const (
	forYouUpdatedQ = `subscription { forYouUpdated { id kind title summary } }`
	postNoticeQ    = `mutation($nb: ID!, $title: String!, $until: Time!) {
		postNeighbourhoodNotice(input: {neighbourhoodId: $nb, validUntil: $until,
			texts: [{locale: "nb", title: $title, text: "Møt opp ved skolen."}]}) { notice { id postedBy title } } }`
)

// staffLogin makes a user of the demo municipality with roles and returns their
// Authorization header.
func staffLogin(t *testing.T, s *testServer, email string, roles ...auth.MunicipalRole) string {
	t.Helper()
	tn, _ := s.app.Tenants.FindMunicipalityBySlug(context.Background(), "demo")
	if _, err := s.app.Auth.CreateUser(context.Background(), auth.CreateUserInput{MunicipalityID: tn.ID(),
		Email: email, Password: "riktig hest batteri", Roles: roles}); err != nil {
		t.Fatal(err)
	}
	r := ok(t, s.post(t, loginMutation, map[string]any{"e": email, "p": "riktig hest batteri"}))
	return "Authorization: Bearer " + get(r.Data, "login.token").(string)
}

// waitSubscribers waits until the instance holds n subscriptions, so that what is
// announced next reaches them.
func waitSubscribers(t *testing.T, s *testServer, n int) {
	t.Helper()
	deadline := time.Now().Add(liveWait)
	for s.app.Live.Subscribers() != n {
		if time.Now().After(deadline) {
			t.Fatalf("%d subscriptions, want %d", s.app.Live.Subscribers(), n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestForYouUpdated: a device hears of a notice to its neighbourhood and a resident who
// keeps nothing of an activity published for the first time, each only of its own; a
// device forgotten meanwhile is told UNAUTHENTICATED at the next item.
func TestForYouUpdated(t *testing.T) {
	t.Parallel()
	w := newResidentWorld(t)
	s := w.s
	nord := w.neighbourhood(t, w.demo, "nord")
	editor := staffLogin(t, s, "redaktor@example.no", auth.RoleEditor)
	setNb := `mutation($n: ID) { setMyNeighbourhood(neighbourhoodId: $n) { myThings { device } } }`
	near, far, all := w.register(t), w.register(t), w.register(t)
	ok(t, s.post(t, setNb, map[string]any{"n": relayID("Neighbourhood", w.sentrum)}, near))
	ok(t, s.post(t, setNb, map[string]any{"n": relayID("Neighbourhood", nord)}, far))

	// The device token in connection_init, or in the upgrade request's header.
	nearWS := dialWS(t, s, map[string]any{"deviceToken": strings.TrimPrefix(near, resident.DeviceHeader+": ")})
	farWS, allWS := dialWS(t, s, nil, far), dialWS(t, s, nil, all)
	for _, ws := range []*wsClient{nearWS, farWS, allWS} {
		ws.subscribe(t, "f", forYouUpdatedQ, nil)
	}
	waitSubscribers(t, s, 3)

	until := time.Now().Add(72 * time.Hour).Format(time.RFC3339)
	a := ok(t, s.post(t, postNoticeQ, map[string]any{"nb": relayID("Neighbourhood", w.sentrum), "title": "Dugnad",
		"until": until}, editor))
	act := w.activity(t, w.demo, w.laget, "svomming", "PUBLISHED", map[string][2]string{"nb": {"Svømming", "Kurs"}})
	if _, err := s.app.Integration.Dispatch(context.Background()); err != nil {
		t.Fatal(err)
	}
	if m := nearWS.next(t, "f"); get(m.Data, "forYouUpdated.id") != get(a.Data, "postNeighbourhoodNotice.notice.id") ||
		get(m.Data, "forYouUpdated.kind") != "NOTICE" || get(m.Data, "forYouUpdated.title") != "Dugnad" {
		t.Fatalf("near: %+v", m)
	}
	if m := allWS.next(t, "f"); get(m.Data, "forYouUpdated.id") != relayID("Activity", act) ||
		get(m.Data, "forYouUpdated.kind") != "ACTIVITY" || get(m.Data, "forYouUpdated.title") != "Svømming" {
		t.Fatalf("keeps nothing: %+v", m)
	}
	ok(t, s.post(t, `mutation { forgetDevice { forgotten } }`, nil, near))
	b := ok(t, s.post(t, postNoticeQ, map[string]any{"nb": relayID("Neighbourhood", nord), "title": "Vegarbeid",
		"until": until}, editor))
	if m := farWS.next(t, "f"); get(m.Data, "forYouUpdated.id") != get(b.Data, "postNeighbourhoodNotice.notice.id") {
		t.Fatalf("far: its first item is not the notice to its neighbourhood: %+v", m)
	}
	if m := nearWS.next(t, "f"); m.code() != "UNAUTHENTICATED" {
		t.Fatalf("forgotten device: %+v", m)
	}
}

// TestForYouUpdatedRefused: no device, an unknown token, or staff without a device.
func TestForYouUpdatedRefused(t *testing.T) {
	t.Parallel()
	w := newResidentWorld(t)
	for name, headers := range map[string][]string{"nobody": nil,
		"unknown device":                {resident.DeviceHeader + ": fdv_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"},
		"another municipality's device": {w.register(t, "X-Municipality: larvik")}} {
		t.Run(name, func(t *testing.T) {
			ws := dialWS(t, w.s, nil, headers...)
			ws.subscribe(t, "f", forYouUpdatedQ, nil)
			if m := ws.next(t, "f"); m.code() != "UNAUTHENTICATED" {
				t.Fatalf("%+v", m)
			}
		})
	}
}

const (
	askQ = `mutation($s: ID!, $n: String!, $t: String!) {
		askQuestion(input: {subjectId: $s, displayName: $n, text: $t}) { question { id displayName text } } }`
	questionsQ = `query($s: ID!) { questions(subjectId: $s) { open edges { node { id displayName text answer } } } }`
)

// TestQuestionsOverGraphQL: off by default; the municipality turns questions on; a device
// and a signed-in resident ask; the organisation answers; reports hold a question and the
// moderators restore it; a person's questions are in their data report and anonymised when
// they are erased.
func TestQuestionsOverGraphQL(t *testing.T) {
	t.Parallel()
	w := newResidentWorld(t)
	s := w.s
	admin := staffLogin(t, s, "admin@example.no", auth.RoleAdmin)
	orgEditor := staffLogin(t, s, "lagleder@example.no")
	s.exec(t, `INSERT INTO organisation_members (municipality_id, organisation_id, user_id, role)
		SELECT municipality_id, ?, id, 'EDITOR' FROM users WHERE email = 'lagleder@example.no'`, w.laget)
	act := relayID("Activity", w.activity(t, w.demo, w.laget, "fotball", "PUBLISHED",
		map[string][2]string{"nb": {"Fotball", ""}}))
	dev := w.register(t)

	r := s.post(t, askQ, map[string]any{"s": act, "n": "Kari", "t": "Når er treningene?"}, dev)
	wantResidentError(t, r, "QUESTIONS_DISABLED", "", "MUNICIPALITY")
	ok(t, s.post(t, `mutation { updateMunicipality(input: {questionsEnabled: true, questionHoldReports: 2}) {
		municipality { questionsEnabled questionHoldReports } } }`, nil, admin))

	q := ok(t, s.post(t, askQ, map[string]any{"s": act, "n": "Kari", "t": "Når er treningene?"}, dev))
	qid := get(q.Data, "askQuestion.question.id")
	number := identityNumber(time.Date(1984, 5, 6, 0, 0, 0, 0, time.UTC), 0)
	now := time.Now()
	person := "Authorization: Bearer " + w.iss.sign(t, w.iss.key, map[string]any{"iss": w.iss.URL, "aud": "fritid",
		"sub": "p", "pid": number, "iat": now.Unix(), "exp": now.Add(time.Hour).Unix()})
	ok(t, s.post(t, askQ, map[string]any{"s": act, "n": "Per", "t": "Er det plass til flere?"}, person))
	r = s.post(t, askQ, map[string]any{"s": relayID("Activity", w.larvikAct), "n": "Per", "t": "Hei på dere"}, dev)
	wantResidentError(t, r, "NOT_FOUND", "input.subjectId", "")

	ans := ok(t, s.post(t, `mutation($id: ID!) { answerQuestion(id: $id, text: "Tirsdager kl. 18.") {
		question { answer } } }`, map[string]any{"id": qid}, orgEditor))
	if get(ans.Data, "answerQuestion.question.answer") != "Tirsdager kl. 18." {
		t.Fatalf("answer: %v", ans.Data)
	}
	list := ok(t, s.post(t, questionsQ, map[string]any{"s": act}))
	if get(list.Data, "questions.open") != true || len(items(list.Data, "questions.edges")) != 2 {
		t.Fatalf("public list: %v", list.Data)
	}

	// Two reporters hold the device's question (the municipality's threshold is 2).
	report := `mutation($id: ID!) { reportQuestion(id: $id, reason: "Spam") { reported } }`
	for _, h := range []string{w.register(t), w.register(t)} {
		if r := ok(t, s.post(t, report, map[string]any{"id": qid}, h)); get(r.Data, "reportQuestion.reported") != true {
			t.Fatalf("report: %v", r.Data)
		}
	}
	if list := ok(t, s.post(t, questionsQ, map[string]any{"s": act})); len(items(list.Data, "questions.edges")) != 1 {
		t.Fatalf("held, still shown: %v", list.Data)
	}
	queue := ok(t, s.post(t, `{ questionModerationQueue { status reports question { id } } }`, nil, admin))
	if get(queue.Data, "questionModerationQueue.0.status") != "HELD" ||
		get(queue.Data, "questionModerationQueue.0.reports") != 2.0 {
		t.Fatalf("queue: %v", queue.Data)
	}
	ok(t, s.post(t, `mutation($id: ID!) { moderateQuestion(id: $id, action: RESTORE) { deleted question { status } } }`,
		map[string]any{"id": qid}, admin))

	// The person's question in their data report; erased, it stays without a name.
	rep := ok(t, s.post(t, `mutation($n: String!) { personalDataReport(identityNumber: $n) {
		residentQuestions { status question { displayName text } } } }`, map[string]any{"n": number}, admin))
	if get(rep.Data, "personalDataReport.residentQuestions.0.question.displayName") != "Per" {
		t.Fatalf("data report: %v", rep.Data)
	}
	ok(t, s.post(t, `mutation($n: String!) { erasePersonalData(identityNumber: $n) { erased } }`,
		map[string]any{"n": number}, admin))
	list = ok(t, s.post(t, questionsQ, map[string]any{"s": act}))
	names := map[any]bool{}
	for _, e := range items(list.Data, "questions.edges") {
		names[e.(map[string]any)["node"].(map[string]any)["displayName"]] = true
	}
	if len(names) != 2 || !names["Kari"] || !names[nil] {
		t.Fatalf("after erasure: %v", list.Data)
	}
}

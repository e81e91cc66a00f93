package app_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	"github.com/fritid/fritid/internal/auth"
)

// Clients of live updates for the tests: graphql-transport-ws over a real websocket, and
// server-sent events over a real HTTP stream, against the whole app.

// liveWait bounds every wait for a message: generous, since the machine may be loaded.
const liveWait = 30 * time.Second

// liveMsg is one message of a subscription: its data, or its errors.
type liveMsg struct {
	Data   map[string]any
	Errors []map[string]any
	Done   bool // the stream completed
}

// code returns the first error's extensions.code, or "".
func (m liveMsg) code() string {
	if len(m.Errors) == 0 {
		return ""
	}
	ext, _ := m.Errors[0]["extensions"].(map[string]any)
	c, _ := ext["code"].(string)
	return c
}

// wsClient is one graphql-transport-ws connection.
type wsClient struct {
	c       *websocket.Conn
	msgs    chan wsFrame
	pending map[string][]wsFrame // messages of other operations, read while waiting for one
}

type wsFrame struct {
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

// dialWS opens a websocket to s's /graphql, sends connection_init with payload and waits
// for connection_ack; headers are "Name: value".
func dialWS(t testing.TB, s *testServer, payload map[string]any, headers ...string) *wsClient {
	t.Helper()
	ws, err := tryDialWS(t, s, payload, headers...)
	if err != nil {
		t.Fatal(err)
	}
	return ws
}

// tryDialWS is dialWS returning why the connection was refused.
func tryDialWS(t testing.TB, s *testServer, payload map[string]any, headers ...string) (*wsClient, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), liveWait)
	defer cancel()
	h := http.Header{}
	for _, x := range headers {
		if k, v, ok := strings.Cut(x, ":"); ok {
			h.Set(strings.TrimSpace(k), strings.TrimSpace(v))
		}
	}
	c, res, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(s.URL, "http")+"/graphql",
		&websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}, HTTPHeader: h})
	if err != nil {
		if res != nil {
			return nil, fmt.Errorf("dial: %w (status %d)", err, res.StatusCode)
		}
		return nil, fmt.Errorf("dial: %w", err)
	}
	c.SetReadLimit(1 << 20)
	ws := &wsClient{c: c, msgs: make(chan wsFrame, 64)}
	t.Cleanup(func() { _ = c.CloseNow() })
	go ws.read()
	p, _ := json.Marshal(payload)
	if err := wsjson.Write(ctx, c, wsFrame{Type: "connection_init", Payload: p}); err != nil {
		return nil, err
	}
	for {
		select {
		case f, ok := <-ws.msgs:
			if !ok {
				return nil, fmt.Errorf("closed before connection_ack: %s", websocket.CloseStatus(nil))
			}
			switch f.Type {
			case "connection_ack":
				return ws, nil
			case "ping", "pong", "ka":
			default:
				return nil, fmt.Errorf("%s: %s", f.Type, f.Payload)
			}
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// read passes the server's frames on, answering pings, until the connection ends.
func (ws *wsClient) read() {
	defer close(ws.msgs)
	for {
		var f wsFrame
		if err := wsjson.Read(context.Background(), ws.c, &f); err != nil {
			return
		}
		if f.Type == "ping" {
			_ = wsjson.Write(context.Background(), ws.c, wsFrame{Type: "pong"})
			continue
		}
		ws.msgs <- f
	}
}

// subscribe starts operation id.
func (ws *wsClient) subscribe(t testing.TB, id, query string, vars map[string]any) {
	t.Helper()
	p, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	ctx, cancel := context.WithTimeout(context.Background(), liveWait)
	defer cancel()
	if err := wsjson.Write(ctx, ws.c, wsFrame{ID: id, Type: "subscribe", Payload: p}); err != nil {
		t.Fatal(err)
	}
}

// next waits for the next message of operation id; other operations' messages wait for
// their own next.
func (ws *wsClient) next(t testing.TB, id string) liveMsg {
	t.Helper()
	if q := ws.pending[id]; len(q) > 0 {
		ws.pending[id] = q[1:]
		return frameMsg(t, q[0])
	}
	timer := time.NewTimer(liveWait)
	defer timer.Stop()
	for {
		select {
		case f, ok := <-ws.msgs:
			if !ok {
				t.Fatalf("operation %s: the connection closed", id)
			}
			if f.Type == "pong" || f.Type == "ka" {
				continue
			}
			if f.ID != id {
				if ws.pending == nil {
					ws.pending = map[string][]wsFrame{}
				}
				ws.pending[f.ID] = append(ws.pending[f.ID], f)
				continue
			}
			return frameMsg(t, f)
		case <-timer.C:
			t.Fatalf("operation %s: no message in %s", id, liveWait)
		}
	}
}

// until reads operation id's messages until one satisfies want, and returns it. Changes
// are announced after they commit, so a subscription may first hear again of a change its
// first read already held: the state it sends then is the same as before.
func (ws *wsClient) until(t testing.TB, id string, want func(liveMsg) bool) liveMsg {
	t.Helper()
	for {
		if m := ws.next(t, id); want(m) || m.Done || len(m.Errors) > 0 {
			return m
		}
	}
}

// closed waits until the server closes the connection and returns its close status.
func (ws *wsClient) closed(t testing.TB) websocket.StatusCode {
	t.Helper()
	timer := time.NewTimer(liveWait)
	defer timer.Stop()
	for {
		select {
		case _, ok := <-ws.msgs:
			if !ok {
				ctx, cancel := context.WithTimeout(context.Background(), time.Second)
				defer cancel()
				_, _, err := ws.c.Read(ctx)
				return websocket.CloseStatus(err)
			}
		case <-timer.C:
			t.Fatalf("still open after %s", liveWait)
		}
	}
}

func frameMsg(t testing.TB, f wsFrame) liveMsg {
	t.Helper()
	var m liveMsg
	switch f.Type {
	case "next":
		var p struct {
			Data   map[string]any   `json:"data"`
			Errors []map[string]any `json:"errors"`
		}
		if err := json.Unmarshal(f.Payload, &p); err != nil {
			t.Fatal(err)
		}
		m.Data, m.Errors = p.Data, p.Errors
	case "error":
		if err := json.Unmarshal(f.Payload, &m.Errors); err != nil {
			t.Fatal(err)
		}
	case "complete":
		m.Done = true
	default:
		t.Fatalf("unexpected %s: %s", f.Type, f.Payload)
	}
	return m
}

// sseClient is one subscription over server-sent events.
type sseClient struct {
	msgs   chan liveMsg
	cancel context.CancelFunc
}

// subscribeSSE starts a subscription as an event stream; headers are "Name: value".
func subscribeSSE(t testing.TB, s *testServer, query string, vars map[string]any, headers ...string) *sseClient {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.URL+"/graphql", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	for _, x := range headers {
		if k, v, ok := strings.Cut(x, ":"); ok {
			req.Header.Set(strings.TrimSpace(k), strings.TrimSpace(v))
		}
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	ct := res.Header.Get("Content-Type")
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(ct, "text/event-stream") {
		t.Fatalf("event stream: status %d, %s", res.StatusCode, ct)
	}
	c := &sseClient{msgs: make(chan liveMsg, 64), cancel: cancel}
	go func() {
		defer close(c.msgs)
		defer res.Body.Close()
		sc := bufio.NewScanner(res.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		event := ""
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "event: "):
				event = strings.TrimPrefix(line, "event: ")
				if event == "complete" {
					c.msgs <- liveMsg{Done: true}
				}
			case strings.HasPrefix(line, "data: ") && event == "next":
				var m liveMsg
				_ = json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &m)
				c.msgs <- m
			}
		}
	}()
	return c
}

// next waits for the stream's next message.
func (c *sseClient) next(t testing.TB) liveMsg {
	t.Helper()
	select {
	case m, ok := <-c.msgs:
		if !ok {
			t.Fatal("the event stream ended")
		}
		return m
	case <-time.After(liveWait):
		t.Fatalf("no event in %s", liveWait)
	}
	return liveMsg{}
}

// until reads the stream's messages until one satisfies want, and returns it (see
// wsClient.until).
func (c *sseClient) until(t testing.TB, want func(liveMsg) bool) liveMsg {
	t.Helper()
	for {
		if m := c.next(t); want(m) || len(m.Errors) > 0 {
			return m
		}
	}
}

// liveCard is a municipality's published offer, a door checker and anonymous cards.
type liveCard struct {
	s             *testServer
	admin, door   string // "Authorization: Bearer ..." headers
	programme     string
	offer         string
	organisation  string
	municipalitiy string
}

// newLiveCard sets up an active programme and a published offer (100 tickets released) of
// an organisation with a ticket checker in the demo municipality of s.
func newLiveCard(t testing.TB, s *testServer) *liveCard {
	t.Helper()
	return newLiveCardOf(t, s, 100)
}

// newLiveCardOf is newLiveCard with stock tickets.
func newLiveCardOf(t testing.TB, s *testServer, stock int) *liveCard {
	t.Helper()
	ctx := context.Background()
	demo, err := s.app.Tenants.FindMunicipalityBySlug(ctx, "demo")
	if err != nil {
		t.Fatal(err)
	}
	users := map[string][]auth.MunicipalRole{"admin@example.no": {auth.RoleAdmin, auth.RoleCardCoordinator},
		"dor@example.no": nil}
	for email, roles := range users {
		if _, err := s.app.Auth.CreateUser(ctx, auth.CreateUserInput{MunicipalityID: demo.ID(), Email: email,
			Password: "riktig hest batteri", Roles: roles}); err != nil {
			t.Fatal(err)
		}
	}
	lc := &liveCard{s: s, admin: login(t, s, "admin@example.no"), municipalitiy: demo.ID().String()}
	if err := s.app.DB.QueryRowContext(ctx, `INSERT INTO organisations (municipality_id, slug, name, kind, status)
		VALUES (?, 'bad', 'Larvik Bad', 'OTHER', 'PUBLISHED') RETURNING id`, demo.ID()).Scan(&lc.organisation); err != nil {
		t.Fatal(err)
	}
	if _, err := s.app.DB.ExecContext(ctx, `INSERT INTO organisation_members
		(municipality_id, organisation_id, user_id, role)
		SELECT ?, ?, id, 'TICKET_CHECKER' FROM users WHERE email = 'dor@example.no'`,
		demo.ID(), lc.organisation); err != nil {
		t.Fatal(err)
	}
	lc.door = login(t, s, "dor@example.no")
	year := time.Now().Year()
	r := ok(t, s.post(t, `mutation($in: CardProgrammeInput!) { saveCardProgramme(input: $in) { programme { id } } }`,
		map[string]any{"in": map[string]any{"texts": []any{map[string]any{"locale": "nb", "name": "Aktivitetskortet"}},
			"minAge": 0, "maxAge": 17, "validFrom": fmt.Sprintf("%d-01-01", year),
			"validTo": fmt.Sprintf("%d-12-31", year), "cardsAvailable": 10000, "budgetOre": 0, "defaultAllowance": 10,
			"status": "ACTIVE", "agencyIds": []any{}}}, lc.admin))
	lc.programme = get(r.Data, "saveCardProgramme.programme.id").(string)
	offer := ok(t, s.post(t, `mutation($in: CardOfferInput!) { saveCardOffer(input: $in) { offer { id } } }`,
		map[string]any{"in": map[string]any{"organisationId": relayID("Organisation", lc.organisation),
			"programmeIds": []string{lc.programme}, "texts": []any{map[string]any{"locale": "nb", "title": "Svømming"}},
			"stock": stock, "perCardLimit": 5, "admits": 1, "validFrom": time.Now().Add(-time.Hour).Format(time.RFC3339),
			"validTo": time.Now().AddDate(0, 1, 0).Format(time.RFC3339), "valueOre": 5000, "source": "DONATED"}}, lc.admin))
	lc.offer = get(offer.Data, "saveCardOffer.offer.id").(string)
	ok(t, s.post(t, `mutation($id: ID!, $n: Int!) {
		releaseCardOfferStock(offerId: $id, amount: $n) { offer { released } } }`,
		map[string]any{"id": lc.offer, "n": stock}, lc.admin))
	ok(t, s.post(t, `mutation($id: ID!) { setCardOfferStatus(id: $id, status: PUBLISHED) { offer { status } } }`,
		map[string]any{"id": lc.offer}, lc.admin))
	return lc
}

// liveTicket is a claimed ticket of an anonymous card, with the card's number and PIN.
type liveTicket struct {
	id, code, card string
	access         map[string]any
}

// tickets issues n anonymous cards and claims one ticket of the offer with each.
func (lc *liveCard) tickets(t testing.TB, n int) []liveTicket {
	t.Helper()
	r := ok(t, lc.s.post(t, `mutation($p: ID!, $n: Int!) { issueAnonymousCards(programmeId: $p, count: $n) {
		cards { pin card { id number } } } }`, map[string]any{"p": lc.programme, "n": n}, lc.admin))
	out := make([]liveTicket, n)
	for i := range out {
		c := fmt.Sprintf("issueAnonymousCards.cards.%d.", i)
		out[i] = liveTicket{card: get(r.Data, c+"card.id").(string), access: map[string]any{
			"number": get(r.Data, c+"card.number"), "pin": get(r.Data, c+"pin")}}
		claim := ok(t, lc.s.post(t, `mutation($c: ID!, $o: ID!, $a: CardPinInput) {
			claimTicket(cardId: $c, offerId: $o, access: $a) { ticket { id code } } }`,
			map[string]any{"c": out[i].card, "o": lc.offer, "a": out[i].access}))
		out[i].id = get(claim.Data, "claimTicket.ticket.id").(string)
		out[i].code = get(claim.Data, "claimTicket.ticket.code").(string)
	}
	return out
}

// redeem checks the ticket in at the door.
func (lc *liveCard) redeem(t testing.TB, s *testServer, code string) {
	t.Helper()
	ok(t, s.post(t, `mutation($c: String!) { redeemTicket(code: $c) { ticketCheck { valid } } }`,
		map[string]any{"c": code}, lc.door))
}

const ticketUpdatedQ = `subscription($id: ID!, $a: CardPinInput) {
	ticketUpdated(ticketId: $id, access: $a) { id status redeemedAt offer { left } } }`

const offerStockQ = `subscription($id: ID!) { cardOfferStock(offerId: $id) { id left claimed } }`

const doorScansQ = `subscription($id: ID!) { doorScans(offerId: $id) { offerId code admits scannedAt } }`

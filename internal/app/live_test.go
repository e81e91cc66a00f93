package app_test

import (
	"context"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/fritid/fritid/internal/platform/config"
)

// TestLiveTicketOverWebsocket: the holder of an anonymous card watches a ticket over
// graphql-transport-ws; the door redeems it through the ordinary mutation on another
// request, and the holder's screen gets REDEEMED. On the same connection the offer's
// stock falls when another card claims, and a second device at the door (signed in with
// its token in connection_init, as a browser must) sees the scan without holder data.
func TestLiveTicketOverWebsocket(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	lc := newLiveCard(t, s)
	tk := lc.tickets(t, 1)[0]

	holder := dialWS(t, s, nil)
	holder.subscribe(t, "t", ticketUpdatedQ, map[string]any{"id": tk.id, "a": tk.access})
	m := holder.next(t, "t")
	if get(m.Data, "ticketUpdated.status") != "CLAIMED" || get(m.Data, "ticketUpdated.id") != tk.id {
		t.Fatalf("first message: %+v", m)
	}
	holder.subscribe(t, "s", offerStockQ, map[string]any{"id": lc.offer})
	if m := holder.next(t, "s"); get(m.Data, "cardOfferStock.left") != 99.0 {
		t.Fatalf("stock at first: %+v", m)
	}
	second := dialWS(t, s, map[string]any{"Authorization": lc.door[len("Authorization: "):]})
	second.subscribe(t, "d", doorScansQ, map[string]any{"id": lc.offer})

	lc.tickets(t, 1) // another family claims one
	m = holder.until(t, "s", func(m liveMsg) bool { return get(m.Data, "cardOfferStock.left") != 99.0 })
	if get(m.Data, "cardOfferStock.left") != 98.0 || get(m.Data, "cardOfferStock.claimed") != 2.0 {
		t.Fatalf("stock after a claim: %+v", m)
	}
	lc.redeem(t, s, tk.code)
	m = holder.until(t, "t", func(m liveMsg) bool { return get(m.Data, "ticketUpdated.status") != "CLAIMED" })
	if get(m.Data, "ticketUpdated.status") != "REDEEMED" || get(m.Data, "ticketUpdated.redeemedAt") == nil {
		t.Fatalf("after the door: %+v", m)
	}
	scan := second.next(t, "d")
	if get(scan.Data, "doorScans.code") != tk.code || get(scan.Data, "doorScans.offerId") != lc.offer ||
		get(scan.Data, "doorScans.admits") != 1.0 || len(scan.Data["doorScans"].(map[string]any)) != 4 {
		t.Fatalf("door scan: %+v", scan)
	}
}

// TestLiveTicketOverServerSentEvents: the same over an event stream (POST, Accept:
// text/event-stream).
func TestLiveTicketOverServerSentEvents(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	lc := newLiveCard(t, s)
	tk := lc.tickets(t, 1)[0]
	sse := subscribeSSE(t, s, ticketUpdatedQ, map[string]any{"id": tk.id, "a": tk.access})
	if m := sse.next(t); get(m.Data, "ticketUpdated.status") != "CLAIMED" {
		t.Fatalf("first event: %+v", m)
	}
	lc.redeem(t, s, tk.code)
	if m := sse.until(t, func(m liveMsg) bool { return get(m.Data, "ticketUpdated.status") != "CLAIMED" }); get(m.Data,
		"ticketUpdated.status") != "REDEEMED" {
		t.Fatalf("after the door: %+v", m)
	}
}

// TestLiveAcrossInstances: a subscriber on instance B hears of a redemption made on
// instance A (two handlers over one database: LISTEN/NOTIFY carries it).
func TestLiveAcrossInstances(t *testing.T) {
	t.Parallel()
	a, b := newPair(t)
	lc := newLiveCard(t, a)
	tk := lc.tickets(t, 1)[0]
	ws := dialWS(t, b, nil)
	ws.subscribe(t, "t", ticketUpdatedQ, map[string]any{"id": tk.id, "a": tk.access})
	if m := ws.next(t, "t"); get(m.Data, "ticketUpdated.status") != "CLAIMED" {
		t.Fatalf("first message on B: %+v", m)
	}
	lc.redeem(t, a, tk.code)
	if m := ws.until(t, "t", func(m liveMsg) bool { return get(m.Data, "ticketUpdated.status") != "CLAIMED" }); get(m.Data,
		"ticketUpdated.status") != "REDEEMED" {
		t.Fatalf("on B after redeeming on A: %+v", m)
	}
}

// TestLiveAccess is the access table of the subscriptions (docs/access.md): who may watch
// gets the first value; what may not be watched is refused when subscribing, with the
// codes a query would give, over both transports; a wrong connection_init token closes
// the connection.
func TestLiveAccess(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	larvik := tenantInput("larvik", "Larvik kommune")
	if _, err := s.app.Tenants.CreateMunicipality(context.Background(), larvik); err != nil {
		t.Fatal(err)
	}
	createAdminIn(t, s, "larvik", "admin@larvik.no")
	larvikAdmin := login(t, s, "admin@larvik.no", "X-Municipality: larvik")
	lc := newLiveCard(t, s)
	tks := lc.tickets(t, 2)
	wrongPIN := map[string]any{"number": tks[0].access["number"], "pin": "000000"}
	if tks[0].access["pin"] == "000000" {
		wrongPIN["pin"] = "111111"
	}
	cases := []struct {
		name, query string
		vars        map[string]any
		headers     []string
		code        string // "": allowed, the first message has data
	}{
		{"HolderWithPIN", ticketUpdatedQ, map[string]any{"id": tks[0].id, "a": tks[0].access}, nil, ""},
		{"CardCoordinator", ticketUpdatedQ, map[string]any{"id": tks[0].id}, []string{lc.admin}, ""},
		{"OfferAnonymous", offerStockQ, map[string]any{"id": lc.offer}, nil, ""},
		{"OfferOtherMunicipalitysAdmin", offerStockQ, map[string]any{"id": lc.offer},
			[]string{"X-Municipality: larvik", larvikAdmin}, "NOT_FOUND"},
		{"AnotherMunicipalitysTicket", ticketUpdatedQ, map[string]any{"id": tks[0].id, "a": tks[0].access},
			[]string{"X-Municipality: larvik"}, "NOT_FOUND"},
		{"AnotherMunicipalitysOffer", offerStockQ, map[string]any{"id": lc.offer},
			[]string{"X-Municipality: larvik"}, "NOT_FOUND"},
		{"WrongPIN", ticketUpdatedQ, map[string]any{"id": tks[0].id, "a": wrongPIN}, nil, "NOT_FOUND"},
		{"AnotherCardsPIN", ticketUpdatedQ, map[string]any{"id": tks[0].id, "a": tks[1].access}, nil, "NOT_FOUND"},
		{"NoPIN", ticketUpdatedQ, map[string]any{"id": tks[0].id}, nil, "UNAUTHENTICATED"},
		{"WrongIDType", ticketUpdatedQ, map[string]any{"id": lc.offer}, nil, "BAD_USER_INPUT"},
		{"DoorAnonymous", doorScansQ, map[string]any{"id": lc.offer}, nil, "UNAUTHENTICATED"},
		{"DoorNotAChecker", doorScansQ, map[string]any{"id": lc.offer}, []string{lc.admin}, "NOT_FOUND"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ws := dialWS(t, s, nil, c.headers...)
			ws.subscribe(t, "1", c.query, c.vars)
			if m := ws.next(t, "1"); m.code() != c.code || (m.Data != nil) != (c.code == "") {
				t.Errorf("over websocket: %+v, want %q", m, c.code)
			}
			sse := subscribeSSE(t, s, c.query, c.vars, c.headers...)
			if m := sse.next(t); m.code() != c.code || (m.Data != nil) != (c.code == "") {
				t.Errorf("over SSE: %+v, want %q", m, c.code)
			}
		})
	}
	t.Run("WrongInitToken", func(t *testing.T) {
		if _, err := tryDialWS(t, s, map[string]any{"Authorization": "Bearer not-a-session"}); err == nil {
			t.Error("a wrong token in connection_init was let in")
		}
	})
}

// TestLiveAccessEndsMidStream: the caller is checked again for each change. A card
// coordinator watching a ticket logs out; at the next change the subscription ends with
// UNAUTHENTICATED instead of the ticket.
func TestLiveAccessEndsMidStream(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	lc := newLiveCard(t, s)
	tk := lc.tickets(t, 1)[0]
	coord := login(t, s, "admin@example.no")
	ws := dialWS(t, s, map[string]any{"authToken": coord[len("Authorization: Bearer "):]})
	ws.subscribe(t, "t", ticketUpdatedQ, map[string]any{"id": tk.id})
	if m := ws.next(t, "t"); get(m.Data, "ticketUpdated.status") != "CLAIMED" {
		t.Fatalf("staff watching: %+v", m)
	}
	ok(t, s.post(t, `mutation { logout { sessionEnded } }`, nil, coord))
	lc.redeem(t, s, tk.code)
	m := ws.next(t, "t")
	if m.Data != nil && get(m.Data, "ticketUpdated") != nil || m.code() != "UNAUTHENTICATED" {
		t.Fatalf("after logging out: %+v", m)
	}
	if m := ws.next(t, "t"); !m.Done {
		t.Fatalf("not ended: %+v", m)
	}
}

// TestLiveLimits: subscriptions beyond the per-connection and per-client limits are
// refused with RATE_LIMITED and their reason, over both transports. A websocket
// that never sends connection_init, and one that holds no subscription, are closed.
func TestLiveLimits(t *testing.T) {
	t.Parallel()
	s := newServer(t, func(c *config.Config) {
		c.LiveMaxPerConnection, c.LiveMaxPerClient = 2, 3
		c.LiveInitTimeout, c.LiveIdleTimeout = 200*time.Millisecond, 300*time.Millisecond
	})
	lc := newLiveCard(t, s)
	vars := map[string]any{"id": lc.offer}
	one := dialWS(t, s, nil)
	for _, id := range []string{"a", "b"} {
		one.subscribe(t, id, offerStockQ, vars)
		if m := one.next(t, id); get(m.Data, "cardOfferStock.left") != 100.0 {
			t.Fatalf("subscription %s: %+v", id, m)
		}
	}
	one.subscribe(t, "c", offerStockQ, vars)
	m := one.next(t, "c")
	if m.code() != "RATE_LIMITED" || m.Errors[0]["extensions"].(map[string]any)["reason"] != "PER_CONNECTION" {
		t.Fatalf("third on one connection: %+v", m)
	}
	two := dialWS(t, s, nil)
	two.subscribe(t, "a", offerStockQ, vars)
	if m := two.next(t, "a"); m.code() != "" {
		t.Fatalf("third of the client: %+v", m)
	}
	two.subscribe(t, "b", offerStockQ, vars)
	m = two.next(t, "b")
	if m.code() != "RATE_LIMITED" || m.Errors[0]["extensions"].(map[string]any)["reason"] != "PER_CLIENT" {
		t.Fatalf("fourth of the client: %+v", m)
	}
	sse := subscribeSSE(t, s, offerStockQ, vars)
	if m := sse.next(t); m.code() != "RATE_LIMITED" {
		t.Fatalf("fourth of the client over SSE: %+v", m)
	}

	t.Run("InitTimeout", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), liveWait)
		defer cancel()
		c, _, err := websocket.Dial(ctx, "ws"+s.URL[len("http"):]+"/graphql",
			&websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
		if err != nil {
			t.Fatal(err)
		}
		defer c.CloseNow()
		if _, _, err := c.Read(ctx); websocket.CloseStatus(err) == -1 {
			t.Errorf("without connection_init: %v, want it closed", err)
		}
	})
	t.Run("Idle", func(t *testing.T) {
		dialWS(t, s, nil).closed(t)
	})
}

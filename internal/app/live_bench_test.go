package app_test

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/fritid/fritid/internal/platform/config"
)

// BenchmarkLiveRedemptionToSubscriber: a ticket's holder watches it over a websocket; the
// door redeems it over HTTP. ns/op is from sending the redemption to the holder's message
// (the mutation's round trip included, so it bounds the time from COMMIT to the message
// from above); ns/after-answer is from the mutation's answer to the message (0 when the
// message came first).
func BenchmarkLiveRedemptionToSubscriber(b *testing.B) {
	s := newServer(b, func(c *config.Config) { c.LiveMaxPerConnection, c.LiveMaxPerClient = 1_000_000, 1_000_000 })
	lc := newLiveCardOf(b, s, 10_000)
	ws := dialWS(b, s, nil)
	var after time.Duration
	i := 0
	var tks []liveTicket
	for b.Loop() {
		b.StopTimer()
		if len(tks) == 0 {
			tks = lc.tickets(b, 50)
		}
		tk := tks[0]
		tks = tks[1:]
		id := fmt.Sprint(i)
		i++
		ws.subscribe(b, id, ticketUpdatedQ, map[string]any{"id": tk.id, "a": tk.access})
		if m := ws.next(b, id); get(m.Data, "ticketUpdated.status") != "CLAIMED" {
			b.Fatalf("first: %+v", m)
		}
		b.StartTimer()
		got := make(chan liveMsg, 1)
		go func() { got <- ws.next(b, id) }()
		lc.redeem(b, s, tk.code)
		answered := time.Now()
		m := <-got
		after += max(time.Since(answered), 0)
		if get(m.Data, "ticketUpdated.status") != "REDEEMED" {
			b.Fatalf("after the door: %+v", m)
		}
	}
	b.ReportMetric(float64(after.Nanoseconds())/float64(b.N), "ns/after-answer")
}

// BenchmarkLiveSubscriptionMemory opens 10,000 subscriptions to an offer's stock on one
// instance (over 10 websockets of 1,000) and reports the heap and goroutines each costs:
// the server's side and this test client's together (the client keeps no state per
// subscription beyond the socket's).
func BenchmarkLiveSubscriptionMemory(b *testing.B) {
	const conns, per = 10, 1_000
	s := newServer(b, func(c *config.Config) { c.LiveMaxPerConnection, c.LiveMaxPerClient = per, conns*per })
	lc := newLiveCard(b, s)
	for b.Loop() {
		clients := make([]*wsClient, conns)
		for i := range clients {
			clients[i] = dialWS(b, s, nil)
		}
		heap, goroutines := heapInUse(), runtime.NumGoroutine()
		for _, ws := range clients {
			for j := range per {
				ws.subscribe(b, fmt.Sprint(j), offerStockQ, map[string]any{"id": lc.offer})
			}
		}
		for _, ws := range clients {
			for n := 0; n < per; {
				switch m := <-ws.msgs; m.Type {
				case "next":
					n++
				case "pong", "ka":
				default:
					b.Fatalf("%s: %s", m.Type, m.Payload)
				}
			}
		}
		if n := s.app.Live.Subscribers(); n != conns*per {
			b.Fatalf("%d subscriptions open, want %d", n, conns*per)
		}
		b.ReportMetric(float64(heapInUse()-heap)/(conns*per), "bytes/subscription")
		b.ReportMetric(float64(runtime.NumGoroutine()-goroutines)/(conns*per), "goroutines/subscription")
		for _, ws := range clients {
			_ = ws.c.CloseNow()
		}
	}
}

func heapInUse() int64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapInuse)
}

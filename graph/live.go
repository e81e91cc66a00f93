package graph

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	coderws "github.com/coder/websocket"
	"github.com/google/uuid"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/live"
	"github.com/fritid/fritid/internal/resident"
	"github.com/fritid/fritid/internal/tenant"
)

// Live updates (subscriptions), over a websocket (graphql-transport-ws) or server-sent
// events. Each subscription (stream) is authorised by its domain read when it starts and
// again for each announcement the hub delivers, with the caller authenticated afresh (a
// session that ended ends the subscriptions it opened). Limits: subscriptions per
// connection and per client address, the wait for connection_init, keep-alive pings, and
// websockets without subscriptions closed after LiveOptions.IdleTimeout.

// LiveOptions configure subscriptions; Options.Live nil serves none.
type LiveOptions struct {
	// Hub delivers the announcements of changes.
	Hub *live.Hub
	// Auth authenticates a websocket's connection_init token, and every token again per event.
	Auth *auth.Service
	// Origins are the CORS origins; a websocket from a browser of another origin is refused.
	Origins          []string
	MaxPerConnection int
	MaxPerClient     int
	InitTimeout      time.Duration
	PingInterval     time.Duration
	IdleTimeout      time.Duration
}

// liveState is the handler's live bookkeeping: subscriptions per client address, and the
// error each ended stream is to end with.
type liveState struct {
	opt LiveOptions

	mu        sync.Mutex
	perClient map[string]int
	ended     sync.Map // *graphql.OperationContext -> error
}

// addLiveTransports adds the websocket and server-sent events transports, before POST
// (an event stream is a POST with Accept: text/event-stream).
func addLiveTransports(srv *handler.Server, r *Resolver, opt *LiveOptions) {
	if opt == nil || opt.Hub == nil {
		return
	}
	l := &liveState{opt: *opt, perClient: map[string]int{}}
	r.live = l
	srv.AddTransport(transport.Websocket{
		Implementation: transport.CoderWebsocketImplementation{AcceptOptions: coderws.AcceptOptions{
			OriginPatterns: originPatterns(opt.Origins)}},
		InitFunc:              l.init,
		InitTimeout:           opt.InitTimeout,
		KeepAlivePingInterval: opt.PingInterval,
		PingPongInterval:      opt.PingInterval,
	})
	srv.AddTransport(transport.SSE{KeepAlivePingInterval: opt.PingInterval})
}

// originPatterns turns the CORS origins into the websocket's host patterns: "*" allows
// every origin; none allows only the API's own host (and clients that send no Origin).
func originPatterns(origins []string) []string {
	var out []string
	for _, o := range origins {
		o = strings.TrimSpace(o)
		if o == "*" {
			return []string{"*"}
		}
		if u, err := url.Parse(o); err == nil && u.Host != "" {
			out = append(out, u.Host)
		}
	}
	return out
}

// liveRequest reports whether r opens a websocket or an event stream.
func liveRequest(r *http.Request) bool {
	return r.Header.Get("Upgrade") != "" ||
		(r.Method == http.MethodPost && strings.Contains(r.Header.Get("Accept"), "text/event-stream"))
}

// connKey keys a connection's subscription count in its context.
type connKey struct{}

// tokenKey keys the bearer token a live connection authenticated with.
type tokenKey struct{}

// conn is one websocket or event stream: its subscriptions, and for a websocket the timer
// that closes it when it has had none for IdleTimeout.
type conn struct {
	n    int
	idle *time.Timer // nil: never closed for idleness
}

// withConn gives a live request its connection state and its header's bearer token.
func withConn(r *http.Request) *http.Request {
	ctx := context.WithValue(r.Context(), connKey{}, &conn{})
	if t, ok := auth.Bearer(r.Header.Get("Authorization")); ok {
		ctx = context.WithValue(ctx, tokenKey{}, t)
	}
	return r.WithContext(ctx)
}

// init answers a websocket's connection_init: a token in its payload ("Authorization":
// "Bearer ..." or "authToken") signs the connection in, as the header does for HTTP
// (browsers cannot set headers on websockets), and "deviceToken" is a resident's device
// token, as the X-Fritid-Device header. A wrong bearer token closes it with 4403; a device
// token is checked by the subscriptions that read it.
func (l *liveState) init(ctx context.Context, p transport.InitPayload) (context.Context, *transport.InitPayload,
	error,
) {
	token, ok := auth.Bearer(p.Authorization())
	if !ok {
		token = p.GetString("authToken")
	}
	if token != "" {
		t, err := tenant.Current(ctx)
		if err != nil {
			return transport.WithWebsocketCloseCode(ctx, 4403), nil, err
		}
		v, err := l.opt.Auth.AuthenticateToken(ctx, t.ID(), token)
		if err != nil {
			return transport.WithWebsocketCloseCode(ctx, 4403), nil, apperr.New(apperr.Unauthenticated, "TokenInvalid")
		}
		ctx = context.WithValue(auth.WithViewer(ctx, v), tokenKey{}, token)
	}
	if d := p.GetString("deviceToken"); d != "" {
		ctx = resident.WithDevice(ctx, d)
	}
	c, _ := ctx.Value(connKey{}).(*conn)
	if c == nil {
		c = &conn{}
		ctx = context.WithValue(ctx, connKey{}, c)
	}
	if l.opt.IdleTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithCancel(ctx)
		// SECURITY: a connection that subscribes to nothing does not hold a socket for ever.
		c.idle = time.AfterFunc(l.opt.IdleTimeout, cancel)
	}
	return ctx, nil, nil
}

// acquire counts a new subscription against its connection's and its client's limits and
// returns the function that gives it back. Errors: RATE_LIMITED.
func (l *liveState) acquire(ctx context.Context) (func(), error) {
	client := auth.ClientFrom(ctx)
	c, _ := ctx.Value(connKey{}).(*conn)
	l.mu.Lock()
	defer l.mu.Unlock()
	// SECURITY: bounded per connection and per client address, so one client cannot hold
	// the instance's memory and goroutines.
	if c != nil && c.n >= l.opt.MaxPerConnection {
		return nil, &apperr.Error{Code: apperr.RateLimited, MessageID: "LiveTooManyPerConnection",
			Data: map[string]any{"Max": l.opt.MaxPerConnection}, Reason: "PER_CONNECTION"}
	}
	if l.perClient[client] >= l.opt.MaxPerClient {
		return nil, &apperr.Error{Code: apperr.RateLimited, MessageID: "LiveTooManyPerClient",
			Data: map[string]any{"Max": l.opt.MaxPerClient}, Reason: "PER_CLIENT"}
	}
	l.perClient[client]++
	if c != nil {
		c.n++
		if c.idle != nil {
			c.idle.Stop()
		}
	}
	var once sync.Once
	return func() { once.Do(func() { l.release(client, c) }) }, nil
}

func (l *liveState) release(client string, c *conn) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.perClient[client]--; l.perClient[client] <= 0 {
		delete(l.perClient, client)
	}
	if c != nil {
		if c.n--; c.n == 0 && c.idle != nil {
			c.idle.Reset(l.opt.IdleTimeout)
		}
	}
}

// reauth returns ctx with the viewer of the connection's token authenticated afresh; an
// anonymous connection stays as it is. Errors: UNAUTHENTICATED (the session has ended).
func (l *liveState) reauth(ctx context.Context) (context.Context, error) {
	token, _ := ctx.Value(tokenKey{}).(string)
	if token == "" {
		return ctx, nil
	}
	t, err := tenant.Current(ctx)
	if err != nil {
		return ctx, err
	}
	// SECURITY: the session, key or ID token is checked again for every event, so one that
	// has ended or been revoked hears nothing more.
	v, err := l.opt.Auth.AuthenticateToken(ctx, t.ID(), token)
	if err != nil {
		return ctx, err
	}
	return auth.WithViewer(ctx, v), nil
}

// feed says how a subscription reads: start is the domain's authorised read when it
// starts (send false: nothing to send yet), next the one for each announcement (send false:
// nothing to send, as for a resync of a stream of scans). Both check the caller again.
// coalesce: changes waiting together are one fresh read (a state, not a list of events).
type feed[T any] struct {
	topic    live.Topic
	start    func(ctx context.Context) (v T, send bool, err error)
	next     func(ctx context.Context, e live.Event) (v T, send bool, err error)
	coalesce bool
}

// stateFeed is the feed of a thing's state: read now and after each change.
func stateFeed[T any](topic live.Topic, read func(context.Context) (T, error)) feed[T] {
	return feed[T]{topic: topic, coalesce: true,
		start: func(ctx context.Context) (T, bool, error) { v, err := read(ctx); return v, true, err },
		next:  func(ctx context.Context, _ live.Event) (T, bool, error) { v, err := read(ctx); return v, true, err }}
}

// hubWait is how long a new subscription waits for the hub to listen (the database
// reachable) before it is refused with SERVICE_UNAVAILABLE.
const hubWait = 10 * time.Second

// stream runs one subscription to f: a failed read ends it with its error; so does
// falling behind (RATE_LIMITED, reason TOO_SLOW). Errors when it starts: RATE_LIMITED
// (limits), SERVICE_UNAVAILABLE (the hub cannot listen), and f.start's.
func stream[T any](ctx context.Context, r *Resolver, f feed[T]) (<-chan T, error) {
	l := r.live
	if l == nil {
		return nil, apperr.New(apperr.BadRequest, "")
	}
	release, err := l.acquire(ctx)
	if err != nil {
		return nil, err
	}
	// Listening before the first read, so no change after it is missed.
	sub := l.opt.Hub.Subscribe(f.topic)
	fail := func(err error) (<-chan T, error) {
		sub.Close()
		release()
		return nil, err
	}
	wctx, cancel := context.WithTimeout(ctx, hubWait)
	defer cancel()
	if err := l.opt.Hub.WaitReady(wctx); err != nil {
		return fail(apperr.New(apperr.ServiceUnavailable, string(apperr.ServiceUnavailable)))
	}
	first, send, err := f.start(ctx)
	if err != nil {
		return fail(err)
	}
	out := make(chan T, 1)
	if send {
		out <- first
	}
	opCtx := graphql.GetOperationContext(ctx)
	go func() {
		defer release()
		defer sub.Close()
		defer close(out)
		if err := follow(ctx, l, sub, f, out); err != nil {
			l.ended.Store(opCtx, err)
			context.AfterFunc(ctx, func() { l.ended.Delete(opCtx) })
		}
	}()
	return out, nil
}

// follow sends f's reads on out for each announcement until ctx ends (nil) or a read
// fails (its error).
func follow[T any](ctx context.Context, l *liveState, sub *live.Subscription, f feed[T], out chan<- T) error {
	for {
		var e live.Event
		var ok bool
		select {
		case <-ctx.Done():
			return nil
		case e, ok = <-sub.C:
		}
		if !ok {
			return &apperr.Error{Code: apperr.RateLimited, MessageID: "LiveTooSlow", Reason: "TOO_SLOW"}
		}
		if f.coalesce {
			drain(sub.C)
		}
		ectx, err := l.reauth(ctx)
		if err != nil {
			return err
		}
		v, send, err := f.next(ectx, e)
		if err != nil {
			return err
		}
		if !send {
			continue
		}
		select {
		case out <- v:
		case <-ctx.Done():
			return nil
		}
	}
}

// liveTopic returns the topic of kind for id in the request's municipality.
func liveTopic(ctx context.Context, kind live.Kind, id uuid.UUID) (live.Topic, error) {
	t, err := tenant.Current(ctx)
	if err != nil {
		return live.Topic{}, err
	}
	return live.Topic{Kind: kind, MunicipalityID: t.ID(), ID: id}, nil
}

// drain takes the announcements already waiting on c.
func drain(c <-chan live.Event) {
	for {
		select {
		case _, ok := <-c:
			if !ok {
				return
			}
		default:
			return
		}
	}
}

// liveResponses ends a stream that failed with its error, and gives each event of a
// subscription fresh loaders (keeping the card accesses of the operation), so nested
// fields are read afresh too.
type liveResponses struct{ r *Resolver }

var _ interface {
	graphql.HandlerExtension
	graphql.ResponseInterceptor
} = liveResponses{}

func (liveResponses) ExtensionName() string                   { return "LiveResponses" }
func (liveResponses) Validate(graphql.ExecutableSchema) error { return nil }

func (e liveResponses) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	if !graphql.HasOperationContext(ctx) {
		return next(ctx)
	}
	opCtx := graphql.GetOperationContext(ctx)
	if opCtx.Operation == nil || opCtx.Operation.Operation != ast.Subscription || e.r.live == nil {
		return next(ctx)
	}
	if old, ok := ctx.Value(loadersKey{}).(*loaders); ok {
		fresh := newLoaders(e.r.Portal, e.r.Cards).withContent(e.r.Content).withEvents(e.r.Calendar)
		old.cardAccess.mu.Lock()
		for id, a := range old.cardAccess.m {
			fresh.cardAccess.put(id, a)
		}
		old.cardAccess.mu.Unlock()
		ctx = context.WithValue(ctx, loadersKey{}, fresh)
	}
	resp := next(ctx)
	if resp != nil {
		return resp
	}
	err, ok := e.r.live.ended.LoadAndDelete(opCtx)
	if !ok {
		return nil
	}
	graphql.AddError(ctx, err.(error))
	return &graphql.Response{Errors: graphql.GetErrors(ctx)}
}

// serveLive serves a websocket or an event stream: with its connection state, and without
// the server's read and write deadlines, which would cut a long-lived stream.
func serveLive(next http.Handler, w http.ResponseWriter, r *http.Request) {
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Time{})
	_ = rc.SetWriteDeadline(time.Time{})
	next.ServeHTTP(w, withConn(r))
}

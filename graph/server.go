package graph

import (
	"context"
	"log/slog"
	"mime"
	"net/http"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"
	"go.opentelemetry.io/otel/trace"

	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/httpserver"
	"github.com/fritid/fritid/internal/platform/i18n"
)

// Options configure the GraphQL endpoint.
type Options struct {
	Introspection bool
	MaxDepth      int
	// Limits bound each request's document, cost and its caller's budget.
	Limits         Limits
	MaxUploadBytes int64
	QueryCacheSize int
	APQCacheSize   int
	Bundle         *i18n.Bundle
	Logger         *slog.Logger
	RequestID      RequestIDFunc
	// Observe, when set, is told each operation's name, outcome ("ok" or the first error
	// code) and duration, for metrics.
	Observe func(ctx context.Context, operation, outcome string, d time.Duration)
	// Live, when set, serves subscriptions over websockets and server-sent events.
	Live *LiveOptions
	// Tracer, when set, records a span per operation and per resolver (see
	// operationTracer); nil installs nothing, so fields pay nothing for tracing when it is off.
	Tracer trace.Tracer
}

func init() {
	// Over-deep, over-complex and over-large operations are request errors, like
	// unparseable ones: with application/graphql-response+json they answer 400.
	protocol := []apperr.Code{apperr.QueryTooDeep, apperr.QueryTooComplex, apperr.PayloadTooLarge, apperr.RateLimited}
	for _, c := range protocol {
		errcode.RegisterErrorType(string(c), errcode.KindProtocol)
	}
}

// NewHandler returns the /graphql endpoint: with opt.Live the websocket and event-stream
// transports for subscriptions, then GET, POST and multipart transports, an LRU query
// cache, automatic persisted queries, complexity and depth limits, introspection per opt,
// one error presenter and a recover function.
func NewHandler(r *Resolver, opt Options) http.Handler {
	es := NewExecutableSchema(Config{Resolvers: r})
	// The schema is parsed on first use (see postgenerate.go): here, before the server
	// listens, rather than in the first request.
	es.Schema()
	srv := handler.New(es)
	addLiveTransports(srv, r, opt.Live)
	srv.AddTransport(transport.GET{})
	srv.AddTransport(transport.POST{})
	multipart := transport.MultipartForm{MaxUploadSize: opt.MaxUploadBytes, MaxMemory: 32 << 20}
	srv.AddTransport(multipartForm{MultipartForm: multipart, bundle: opt.Bundle})
	queryCache := lru.New[*ast.QueryDocument](opt.QueryCacheSize)
	srv.SetQueryCache(queryCache)
	srv.SetParserTokenLimit(opt.Limits.MaxTokens)
	srv.Use(inputGuard{}) // first: reading arguments for the cost model panics on some bad values
	if opt.Introspection {
		srv.Use(extension.Introspection{})
	}
	srv.Use(extension.AutomaticPersistedQuery{Cache: lru.New[string](opt.APQCacheSize)})
	srv.Use(depthLimit{Limit: opt.MaxDepth})
	srv.Use(costLimit{limits: opt.Limits, cache: queryCache})
	if opt.Tracer != nil {
		srv.Use(operationTracer{tracer: opt.Tracer})
	}
	srv.Use(readPolicy{})
	srv.Use(loaderExtension{r: r})
	srv.Use(cachePolicy{})
	srv.Use(liveResponses{r: r})
	if opt.Observe != nil {
		srv.Use(observer{observe: opt.Observe})
	}
	srv.SetErrorPresenter(errorPresenter(opt.Bundle, opt.Logger, opt.RequestID))
	srv.SetRecoverFunc(recoverFunc(opt.Logger, opt.RequestID))
	return guard(srv, opt)
}

// guard answers what gqlgen's transports would answer vaguely: a method other than GET and
// POST (405), a POST body that is neither JSON nor multipart (415); and it rewrites gqlgen's
// answers to request errors (see requestErrorWriter).
func guard(next http.Handler, opt Options) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		chain := i18n.FromContext(r.Context()).Chain
		refuse := func(status int, messageID string, code apperr.Code) {
			httpserver.WriteError(w, status, opt.Bundle.Localize(chain, messageID, nil), string(code))
		}
		switch r.Method {
		case http.MethodGet:
		case http.MethodPost:
			mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
			if err != nil || (mt != "application/json" && mt != "multipart/form-data") {
				refuse(http.StatusUnsupportedMediaType, string(apperr.UnsupportedMediaType), apperr.UnsupportedMediaType)
				return
			}
		default:
			w.Header().Set("Allow", "GET, POST")
			if r.Method == http.MethodOptions {
				w.WriteHeader(http.StatusNoContent)
				return
			}
			refuse(http.StatusMethodNotAllowed, "MethodNotAllowed", apperr.BadRequest)
			return
		}
		if liveRequest(r) {
			serveLive(next, w, r)
			return
		}
		r, asked := withRequestStatus(r)
		rw := &requestErrorWriter{ResponseWriter: w, chain: chain, opt: &opt, request: r, asked: asked}
		next.ServeHTTP(rw, withCacheState(w, r))
		rw.finish()
	})
}

// observer reports each operation's outcome and duration.
type observer struct {
	observe func(ctx context.Context, operation, outcome string, d time.Duration)
}

var _ interface {
	graphql.HandlerExtension
	graphql.ResponseInterceptor
} = observer{}

func (observer) ExtensionName() string                   { return "Observer" }
func (observer) Validate(graphql.ExecutableSchema) error { return nil }

func (o observer) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	if resp == nil || !graphql.HasOperationContext(ctx) {
		return resp
	}
	opCtx := graphql.GetOperationContext(ctx)
	outcome := "ok"
	if len(resp.Errors) > 0 {
		if c, ok := resp.Errors[0].Extensions["code"].(apperr.Code); ok {
			outcome = string(c)
		} else {
			outcome = "error"
		}
	}
	name := opCtx.OperationName
	if name == "" && opCtx.Operation != nil {
		name = opCtx.Operation.Name
	}
	if name == "" {
		name = "anonymous"
	}
	o.observe(ctx, name, outcome, time.Since(opCtx.Stats.OperationStart))
	return resp
}

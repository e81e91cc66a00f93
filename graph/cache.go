package graph

import (
	"context"
	"fmt"
	"net/http"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/fritid/fritid/internal/resident"
)

// PublicMaxAge is how long a shared cache (a CDN, a browser) may keep a public answer:
// an anonymous GET query (automatic persisted queries make every catalogue read one) that
// succeeded. Everything else is "no-store": answers for a signed-in caller or a device, mutations,
// errors. A change made by an editor shows in cached answers within this time.
const PublicMaxAge = 60

type cacheKey struct{}

// cacheState travels in the request context from the HTTP handler to the response
// interceptor, which decides whether the answer may be cached.
type cacheState struct {
	header http.Header
	public bool // an anonymous GET
}

// withCacheState sets the default "no-store" and notes whether r could get a public
// answer.
func withCacheState(w http.ResponseWriter, r *http.Request) *http.Request {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Add("Vary", "Authorization")
	w.Header().Add("Vary", resident.DeviceHeader)
	// A device's answers are its own: never in a shared cache.
	public := r.Method == http.MethodGet && r.Header.Get("Authorization") == "" && r.Header.Get("Cookie") == "" &&
		r.Header.Get(resident.DeviceHeader) == ""
	return r.WithContext(context.WithValue(r.Context(), cacheKey{}, &cacheState{header: w.Header(), public: public}))
}

// cachePolicy marks successful anonymous GET queries as publicly cacheable.
type cachePolicy struct{}

var _ interface {
	graphql.HandlerExtension
	graphql.ResponseInterceptor
} = cachePolicy{}

func (cachePolicy) ExtensionName() string                   { return "CachePolicy" }
func (cachePolicy) Validate(graphql.ExecutableSchema) error { return nil }

func (cachePolicy) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	st, _ := ctx.Value(cacheKey{}).(*cacheState)
	if resp == nil || st == nil || !st.public || len(resp.Errors) > 0 || !graphql.HasOperationContext(ctx) {
		return resp
	}
	if op := graphql.GetOperationContext(ctx).Operation; op != nil && op.Operation == ast.Query {
		st.header.Set("Cache-Control", fmt.Sprintf("public, max-age=%d", PublicMaxAge))
	}
	return resp
}

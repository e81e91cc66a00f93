// Package httpserver holds the cross-cutting HTTP plumbing shared by every
// entry point of the server: request ids, access logging, panic recovery,
// request body limits, CORS, Prometheus metrics, health endpoints and a
// graceful Run loop.
//
// It knows nothing about municipalities, activities or GraphQL resolvers;
// callers compose its middleware around their own handlers, outermost first:
//
//	Recover -> RequestLog -> BodyLimit -> CORS -> application handler
//
// Middleware returns the same chain for a Config.
package httpserver

// Package replica marks the requests whose reads may be served by a read replica: the
// GraphQL layer decides (an anonymous caller's query, never a mutation), the domain
// services ask (Allowed) before they choose a connection pool.
package replica

import "context"

type allowKey struct{}

// Allow returns a copy of ctx whose reads may go to a read replica, which may lag the
// primary by its replication delay.
func Allow(ctx context.Context) context.Context {
	return context.WithValue(ctx, allowKey{}, true)
}

// Allowed reports whether ctx's reads may go to a read replica: only when Allow marked it.
func Allowed(ctx context.Context) bool {
	ok, _ := ctx.Value(allowKey{}).(bool)
	return ok
}

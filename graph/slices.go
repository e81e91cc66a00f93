package graph

import (
	"context"
	"io"

	"github.com/99designs/gqlgen/graphql"
)

// marshalSliceSerially marshals a list's items one after another, in place of gqlgen's
// MarshalSliceConcurrently, which starts a goroutine per item. It serves the catalogue's
// activity and organisation lists (see postgenerate.go): every relation their items
// resolve is registered with the request's batches when the list is read, so the first
// item's resolvers fetch for all of them and the rest find their values loaded; a
// goroutine per item would only add its start and stack growth, for hundreds of items a
// request. The signature is gqlgen's; workerLimit has no use here. A panic in an item is
// reported as gqlgen reports it, and nulls the list.
func marshalSliceSerially(ctx context.Context, length int, _ int64, omitPanicHandler bool,
	marshalElement func(ctx context.Context, i int) graphql.Marshaler) graphql.Array {
	ret := make(graphql.Array, length)
	for i := range length {
		childCtx := graphql.WithFieldContext(ctx, &graphql.FieldContext{Index: &i})
		if omitPanicHandler {
			ret[i] = marshalElement(childCtx, i)
		} else if !marshalGuarded(childCtx, ret, i, marshalElement) {
			return nil
		}
	}
	return ret
}

// marshalGuarded marshals item i into ret, and reports false after a panic.
func marshalGuarded(ctx context.Context, ret graphql.Array, i int,
	marshalElement func(ctx context.Context, i int) graphql.Marshaler) (ok bool) {
	defer func() {
		if r := recover(); r != nil {
			graphql.AddError(ctx, graphql.Recover(ctx, r))
			ok = false
		}
	}()
	ret[i] = marshalElement(ctx, i)
	return true
}

// rawJSON writes JSON that is already the answer (an activity list the database wrote,
// portal.ListJSON) as it is.
func rawJSON(b []byte) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) { w.Write(b) }) //nolint:errcheck // as gqlgen's writers
}

package graph

import (
	"context"
	"sync"

	"github.com/google/uuid"
)

// batch loads values for many keys with one call, without waiting on timers: keys are
// registered as soon as a list of parents is known, and the first get fetches every
// registered key not yet loaded. So a page of 100 parents costs one fetch per field,
// whatever the page size, and the order in which gqlgen resolves fields does not matter.
// No lock is held while fetching, so a fetch may register keys in other batches.
type batch[V any] struct {
	fetch func(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]V, error)

	mu     sync.Mutex
	queued []uuid.UUID
	seen   map[uuid.UUID]*fetchCall // nil: queued, not fetched yet
	values map[uuid.UUID]V
}

// fetchCall is one fetch in progress; done is closed when it ends.
type fetchCall struct {
	done chan struct{}
	err  error
}

func newBatch[V any](fetch func(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]V, error)) *batch[V] {
	return &batch[V]{fetch: fetch, seen: map[uuid.UUID]*fetchCall{}, values: map[uuid.UUID]V{}}
}

// register queues ids for the next fetch.
func (b *batch[V]) register(ids ...uuid.UUID) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, id := range ids {
		if _, ok := b.seen[id]; !ok {
			b.seen[id] = nil
			b.queued = append(b.queued, id)
		}
	}
}

// get returns the value for id (the zero value when the fetch found none), fetching every
// queued key with it when id has not been fetched yet.
func (b *batch[V]) get(ctx context.Context, id uuid.UUID) (V, error) {
	b.mu.Lock()
	call, ok := b.seen[id]
	if !ok {
		b.queued = append(b.queued, id)
	}
	if call == nil { // queued: fetch it and everything queued with it
		call = &fetchCall{done: make(chan struct{})}
		ids := b.queued
		b.queued = nil
		for _, k := range ids {
			b.seen[k] = call
		}
		b.mu.Unlock()
		got, err := b.fetch(ctx, ids)
		b.mu.Lock()
		for k, v := range got {
			b.values[k] = v
		}
		call.err = err
		close(call.done)
	}
	b.mu.Unlock()
	<-call.done
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.values[id], call.err
}

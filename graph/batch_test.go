package graph

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/uuid"
)

// TestBatchFetchesRegisteredKeysOnce: 100 goroutines asking for 100 registered keys cause one
// fetch, and each gets its own value.
func TestBatchFetchesRegisteredKeysOnce(t *testing.T) {
	var calls atomic.Int64
	b := newBatch(func(_ context.Context, ids []uuid.UUID) (map[uuid.UUID]string, error) {
		calls.Add(1)
		m := map[uuid.UUID]string{}
		for _, id := range ids {
			m[id] = id.String()
		}
		return m, nil
	})
	ids := make([]uuid.UUID, 100)
	for i := range ids {
		ids[i] = uuid.New()
	}
	b.register(ids...)
	var wg sync.WaitGroup
	for _, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if v, err := b.get(context.Background(), id); err != nil || v != id.String() {
				t.Errorf("get(%s) = %q, %v", id, v, err)
			}
		}()
	}
	wg.Wait()
	if n := calls.Load(); n != 1 {
		t.Errorf("%d fetches for 100 registered keys, want 1", n)
	}
	// A key nobody registered is fetched on its own; a missing value is the zero value.
	if v, err := b.get(context.Background(), uuid.Nil); err != nil || v != uuid.Nil.String() {
		t.Errorf("unregistered key: %q %v", v, err)
	}
}

func TestBatchReportsFetchErrorsToEveryWaiter(t *testing.T) {
	boom := errors.New("boom")
	b := newBatch(func(context.Context, []uuid.UUID) (map[uuid.UUID]int, error) { return nil, boom })
	ids := []uuid.UUID{uuid.New(), uuid.New(), uuid.New()}
	b.register(ids...)
	var wg sync.WaitGroup
	for _, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := b.get(context.Background(), id); !errors.Is(err, boom) {
				t.Errorf("err = %v", err)
			}
		}()
	}
	wg.Wait()
}

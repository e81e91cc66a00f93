package resident

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
)

// TestItemCacheShares: callers asking for one item at once read it once; a failed read is
// not shared; an expired read is read again.
func TestItemCacheShares(t *testing.T) {
	t.Parallel()
	var c itemCache
	key := itemKey{mid: uuid.New(), id: uuid.New(), chain: "nb"}
	now := time.Now()
	var loads atomic.Int32
	release := make(chan struct{})
	load := func() (*FeedItem, error) {
		loads.Add(1)
		<-release
		return &FeedItem{}, nil
	}
	var wg sync.WaitGroup
	got := make([]*FeedItem, 50)
	started := make(chan struct{})
	wg.Add(1)
	go func() { // the first reader, holding the read open
		defer wg.Done()
		close(started)
		got[0], _ = c.get(context.Background(), key, now, load)
	}()
	<-started
	for loads.Load() == 0 { // until the first read is under way
		time.Sleep(time.Millisecond)
	}
	for i := 1; i < len(got); i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i], _ = c.get(context.Background(), key, now, load)
		}()
	}
	close(release)
	wg.Wait()
	for i, it := range got {
		if it != got[0] || it == nil {
			t.Fatalf("reader %d got another item", i)
		}
	}
	if n := loads.Load(); n != 1 {
		t.Errorf("%d reads, want 1", n)
	}
	if it, _ := c.get(context.Background(), key, now.Add(itemCacheTTL), func() (*FeedItem, error) {
		return nil, nil
	}); it != nil {
		t.Error("an expired read served")
	}
	failed := itemKey{id: uuid.New()}
	boom := errors.New("boom")
	if _, err := c.get(context.Background(), failed, now, func() (*FeedItem, error) { return nil, boom }); err != boom {
		t.Fatal(err)
	}
	if it, err := c.get(context.Background(), failed, now, func() (*FeedItem, error) {
		return &FeedItem{}, nil
	}); err != nil || it == nil {
		t.Errorf("a failed read was shared: %v", err)
	}
}

package resident

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/fritid/fritid/internal/newsletter"
	"github.com/fritid/fritid/internal/platform/i18n"
	"github.com/fritid/fritid/internal/platform/live"
	"github.com/fritid/fritid/internal/tenant"
)

// liveLookBack is how far back an announced activity, event or article may have become
// public and still be told as new: the change feed's dispatcher announces it minutes
// after, at worst hours after an outage.
const liveLookBack = 48 * time.Hour

// FeedTopic returns the live topic of new feed items in municipality mid.
func FeedTopic(mid uuid.UUID) live.Topic {
	return live.Topic{Kind: live.FeedItemNew, MunicipalityID: mid}
}

// AnnounceFeedItem is the announcement that item became public in municipality mid.
func AnnounceFeedItem(mid, item uuid.UUID) live.Event {
	return live.Event{Kind: live.FeedItemNew, MunicipalityID: mid, Ref: item}
}

// WatchForYou returns the topic of the caller's new feed items after checking that the
// caller has a feed, as ForYou. Errors: UNAUTHENTICATED, FORBIDDEN.
func (s *Service) WatchForYou(ctx context.Context) (live.Topic, error) {
	// SECURITY: the caller is a device of this municipality or a resident with an identity
	// number (current), checked again for each item by NewInFeed.
	if _, err := s.current(ctx); err != nil {
		return live.Topic{}, err
	}
	t, err := tenant.Current(ctx)
	if err != nil {
		return live.Topic{}, err
	}
	return FeedTopic(t.ID()), nil
}

// NewInFeed returns item id, in the request's language, when it is in the caller's feed
// "for you" now (ok false otherwise: not public, not new, or not matching what the caller
// keeps). The caller is checked afresh: a device forgotten since is UNAUTHENTICATED. The
// item's public read is shared by every caller asking within itemCacheTTL (they all hear
// of it at once), so a notice withdrawn seconds after it was posted may still be told.
// Errors: UNAUTHENTICATED, FORBIDDEN.
func (s *Service) NewInFeed(ctx context.Context, id uuid.UUID) (*FeedItem, bool, error) {
	o, err := s.current(ctx)
	if err != nil || id == uuid.Nil {
		return nil, false, err
	}
	t, err := tenant.Current(ctx)
	if err != nil {
		return nil, false, err
	}
	th, err := s.things(ctx, o)
	if err != nil {
		return nil, false, err
	}
	now, chain := s.now(), i18n.FromContext(ctx).Chain
	it, err := s.items.get(ctx, itemKey{mid: t.ID(), id: id, chain: strings.Join(chain, ",")}, now,
		func() (*FeedItem, error) { return s.readNew(ctx, t.ID(), id, now, chain) })
	if err != nil || it == nil {
		return nil, false, err
	}
	if it.Kind == KindNotice {
		return it, th.NeighbourhoodID != nil && it.NeighbourhoodIDs[0] == *th.NeighbourhoodID, nil
	}
	return it, len(matching([]*newsletter.NewItem{&it.NewItem}, th)) > 0, nil
}

// readNew reads item id of municipality mid as the public sees it at now, when it became
// public in the last liveLookBack: a notice shown now, or a first publication; nil when
// it is neither.
func (s *Service) readNew(ctx context.Context, mid, id uuid.UUID, now time.Time, chain []string) (*FeedItem, error) {
	since := now.Add(-liveLookBack)
	// SECURITY: only what the public of the request's municipality sees now.
	notes, err := s.notices(ctx, mid, nil, id, since, now, chain)
	if err != nil || len(notes) > 0 {
		return first(notes), err
	}
	items, err := newsletter.NewItems(ctx, s.db, mid, since, now, now, chain, maxFeedItems)
	if err != nil {
		return nil, err
	}
	for _, it := range items {
		if it.ID == id {
			return &FeedItem{NewItem: *it}, nil
		}
	}
	return nil, nil
}

func first(items []*FeedItem) *FeedItem {
	if len(items) == 0 {
		return nil
	}
	return items[0]
}

// itemCacheTTL is how long an announced item's read serves the other subscriptions that
// hear of it: they all hear of it at once, and read it once.
const itemCacheTTL = 5 * time.Second

// itemKey is an announced item as a reader of a language chain reads it.
type itemKey struct {
	mid, id uuid.UUID
	chain   string
}

// itemEntry is a read of an item, done when done is closed.
type itemEntry struct {
	done chan struct{}
	at   time.Time
	item *FeedItem
	err  error
}

// itemCache shares the reads of announced items between subscriptions for itemCacheTTL;
// its zero value is ready. What it holds is public.
type itemCache struct {
	mu sync.Mutex
	m  map[itemKey]*itemEntry
}

// get returns key's item, read by load unless a read of it begun since now-itemCacheTTL
// (waited for) serves; a failed read is not shared. Errors: load's, ctx's.
func (c *itemCache) get(ctx context.Context, key itemKey, now time.Time, load func() (*FeedItem, error)) (*FeedItem,
	error) {
	c.mu.Lock()
	if e, ok := c.m[key]; ok && now.Sub(e.at) < itemCacheTTL {
		c.mu.Unlock()
		select {
		case <-e.done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if e.err == nil {
			return e.item, nil
		}
		return load()
	}
	if c.m == nil {
		c.m = map[itemKey]*itemEntry{}
	}
	for k, old := range c.m {
		if now.Sub(old.at) >= itemCacheTTL {
			delete(c.m, k)
		}
	}
	e := &itemEntry{done: make(chan struct{}), at: now}
	c.m[key] = e
	c.mu.Unlock()
	e.item, e.err = load()
	close(e.done)
	return e.item, e.err
}

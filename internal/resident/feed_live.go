package resident

import (
	"context"
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
// keeps). The caller is checked afresh: a device forgotten since is UNAUTHENTICATED.
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
	since := now.Add(-liveLookBack)
	// SECURITY: only what the public of the request's municipality sees now.
	notes, err := s.notices(ctx, t.ID(), nil, id, since, now, chain)
	if err != nil {
		return nil, false, err
	}
	if len(notes) > 0 {
		n := notes[0]
		ok := th.NeighbourhoodID != nil && n.NeighbourhoodIDs[0] == *th.NeighbourhoodID
		return n, ok, nil
	}
	items, err := newsletter.NewItems(ctx, s.db, t.ID(), since, now, now, chain, maxFeedItems)
	if err != nil {
		return nil, false, err
	}
	for _, it := range items {
		if it.ID == id {
			m := matching([]*newsletter.NewItem{it}, th)
			return &FeedItem{NewItem: *it}, len(m) > 0, nil
		}
	}
	return nil, false, nil
}

package resident

import (
	"context"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/fritid/fritid/internal/newsletter"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/i18n"
	"github.com/fritid/fritid/internal/platform/relay"
	"github.com/fritid/fritid/internal/tenant"
)

// The feed's window: items new in the last DefaultFeedDays days, or since a given time no
// more than MaxFeedDays back; at most maxFeedItems of each kind are looked at.
const (
	DefaultFeedDays = 30
	MaxFeedDays     = 90
	maxFeedItems    = 500
	DefaultFeedPage = 20
)

// FeedItem is an activity, event, news article or neighbourhood notice in the feed "for
// you", with its title and summary in the reader's language (each field falling back
// along the language chain; a notice's summary is the start of its text).
type FeedItem struct {
	newsletter.NewItem
}

// GlobalID returns the item's global ID (an Activity, Event or Article).
func (f *FeedItem) GlobalID() string {
	typ := map[string]string{"activity": "Activity", "event": "Event", "article": "Article",
		KindNotice: "NeighbourhoodNotice"}[f.Kind]
	return relay.GlobalID(typ, f.ID)
}

// FeedEdge is an item of the feed with its cursor.
type FeedEdge struct {
	Cursor string
	Node   *FeedItem
}

// FeedConnection is a page of the feed "for you".
type FeedConnection struct {
	Edges    []*FeedEdge
	PageInfo relay.PageInfo
}

// feedCursor is the position of an item in the feed: newest first, then by ID.
type feedCursor struct {
	At time.Time `json:"t"`
	ID uuid.UUID `json:"i"`
}

// FeedWindow is when the feed starts: Since, or else Days back from now (DefaultFeedDays
// when neither is given).
type FeedWindow struct {
	Since *time.Time
	Days  *int
}

// ForYou returns a page of the caller's feed: activities, events and news articles that
// became public in the window and match what the caller keeps (an item of a favourite
// organisation, a favourite itself, in the chosen neighbourhood, or in a chosen category;
// age groups and languages chosen narrow these), and the notices to the chosen
// neighbourhood shown now that started in the window, newest first, in the request's
// language.
// A caller who keeps nothing gets everything new. Errors: UNAUTHENTICATED, FORBIDDEN;
// BAD_USER_INPUT naming "first", "after", "since" or "days".
func (s *Service) ForYou(ctx context.Context, w FeedWindow, page relay.Page) (*FeedConnection, error) {
	o, err := s.current(ctx)
	if err != nil {
		return nil, err
	}
	t, err := tenant.Current(ctx)
	if err != nil {
		return nil, err
	}
	now := s.now()
	since, err := w.since(now)
	if err != nil {
		return nil, err
	}
	var after *feedCursor
	if page.After != "" {
		after = new(feedCursor)
		if err := relay.DecodeCursor(page.After, "after", after); err != nil {
			return nil, err
		}
	}
	th, err := s.things(ctx, o)
	if err != nil {
		return nil, err
	}
	chain := i18n.FromContext(ctx).Chain
	// SECURITY: only what the public sees now of the request's municipality.
	items, err := newsletter.NewItems(ctx, s.db, t.ID(), since, now, now, chain, maxFeedItems)
	if err != nil {
		return nil, err
	}
	feed := matching(items, th)
	notes, err := s.notices(ctx, t.ID(), th.NeighbourhoodID, uuid.Nil, since, now, chain)
	if err != nil {
		return nil, err
	}
	return feedPage(sortFeed(append(feed, notes...)), after, page.Limit), nil
}

// since returns the window's start at now. Errors: BAD_USER_INPUT naming "since" or "days".
func (w FeedWindow) since(now time.Time) (time.Time, error) {
	oldest := now.Add(-MaxFeedDays * 24 * time.Hour)
	switch {
	case w.Since != nil && w.Days != nil:
		return now, apperr.Invalid("days", "FeedWindowTwice", nil)
	case w.Since != nil:
		if w.Since.Before(oldest) {
			return now, apperr.Invalid("since", "FeedTooFarBack", map[string]any{"Max": MaxFeedDays})
		}
		return *w.Since, nil
	case w.Days != nil:
		if *w.Days < 1 || *w.Days > MaxFeedDays {
			return now, apperr.Invalid("days", "FeedTooFarBack", map[string]any{"Max": MaxFeedDays})
		}
		return now.Add(-time.Duration(*w.Days) * 24 * time.Hour), nil
	}
	return now.Add(-DefaultFeedDays * 24 * time.Hour), nil
}

// matching returns the items th's keeper is shown.
func matching(items []*newsletter.NewItem, th *Things) []*FeedItem {
	orgs, favs := map[uuid.UUID]bool{}, map[uuid.UUID]bool{}
	for _, f := range th.Favourites {
		if f.Kind == FavouriteOrganisation {
			orgs[f.ItemID] = true
		}
		favs[f.ItemID] = true
	}
	everything := len(th.Favourites) == 0 && th.NeighbourhoodID == nil && len(th.CategoryIDs) == 0
	var out []*FeedItem
	for _, it := range items {
		picked := everything || favs[it.ID] || (it.OrganisationID != nil && orgs[*it.OrganisationID]) ||
			(th.NeighbourhoodID != nil && slices.Contains(it.NeighbourhoodIDs, *th.NeighbourhoodID)) ||
			shares(th.CategoryIDs, it.CategoryIDs)
		if picked && narrows(th.AgeGroups, it.AgeGroups) && narrows(th.Languages, it.Languages) {
			out = append(out, &FeedItem{NewItem: *it})
		}
	}
	return out
}

// sortFeed sorts items newest first, then by ID, and returns them.
func sortFeed(out []*FeedItem) []*FeedItem {
	slices.SortFunc(out, func(a, b *FeedItem) int {
		if c := b.PublishedAt.Compare(a.PublishedAt); c != 0 {
			return c
		}
		return slices.Compare(a.ID[:], b.ID[:])
	})
	return out
}

// shares reports whether a and b have an element in common.
func shares[T comparable](a, b []T) bool {
	for _, x := range a {
		if slices.Contains(b, x) {
			return true
		}
	}
	return false
}

// narrows reports whether a choice lets an item through: nothing chosen, the item names
// nothing, or they share one.
func narrows[T comparable](chosen, tagged []T) bool {
	return len(chosen) == 0 || len(tagged) == 0 || shares(chosen, tagged)
}

// feedPage returns the page of items after the cursor, limit long.
func feedPage(items []*FeedItem, after *feedCursor, limit int) *FeedConnection {
	start := 0
	if after != nil {
		start = len(items)
		for i, it := range items {
			if it.PublishedAt.Before(after.At) || (it.PublishedAt.Equal(after.At) &&
				slices.Compare(it.ID[:], after.ID[:]) > 0) {
				start = i
				break
			}
		}
	}
	end := min(start+limit, len(items))
	c := &FeedConnection{Edges: []*FeedEdge{}}
	for _, it := range items[start:end] {
		c.Edges = append(c.Edges, &FeedEdge{Cursor: relay.EncodeCursor(feedCursor{At: it.PublishedAt, ID: it.ID}),
			Node: it})
	}
	c.PageInfo.HasNextPage, c.PageInfo.HasPreviousPage = end < len(items), start > 0
	if len(c.Edges) > 0 {
		c.PageInfo.StartCursor, c.PageInfo.EndCursor = &c.Edges[0].Cursor, &c.Edges[len(c.Edges)-1].Cursor
	}
	return c
}

package events

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/tenant"
)

// FeedCacheSize is how many rendered feeds (languages and filters of any municipality)
// one server keeps.
const FeedCacheSize = 64

// ICalBody is a feed rendered as iCalendar, with what its HTTP answer carries.
type ICalBody struct {
	Body []byte
	// ETag is a strong validator of Body (a hash of it, quoted).
	ETag string
	// Updated is the last change of anything in the feed (Last-Modified).
	Updated time.Time
	// validUntil is when time alone changes the feed: its first event falls out of the
	// FeedPast window (zero: never).
	validUntil time.Time
}

// feedKey names one rendering: the municipality's feed version, the language, the
// filter and the options.
type feedKey struct {
	municipality uuid.UUID
	version      int64
	locale       string
	filter       string
	options      ICalOptions
}

// ICalFeed returns the feed of FeedEvents(locale, f) as iCalendar. A server keeps what
// it rendered by the municipality's feed version, which the database counts up with
// every change to what feeds are made of (migration 0030), so a repeated fetch of an
// unchanged calendar reads one row; a rendering also ends when its first event leaves
// the window. Errors: as FeedEvents.
func (s *Service) ICalFeed(ctx context.Context, locale string, f Filter, o ICalOptions) (*ICalBody, error) {
	t, err := tenant.Current(ctx)
	if err != nil {
		return nil, err
	}
	// The version is read before the events, so a rendering is never older than its key.
	version, err := s.feedVersion(ctx, t.ID())
	if err != nil {
		return nil, err
	}
	f.From, f.To, f.HideSeriesOccurrences = nil, nil, false
	fk, err := json.Marshal(f)
	if err != nil {
		return nil, fmt.Errorf("feed key: %w", err)
	}
	key := feedKey{municipality: t.ID(), version: version, locale: locale, filter: string(fk), options: o}
	if b, ok := s.feeds.Get(key); ok && (b.validUntil.IsZero() || s.now().Before(b.validUntil)) {
		return b, nil
	}
	feed, err := s.FeedEvents(ctx, locale, f)
	if err != nil {
		return nil, err
	}
	body := feed.ICal(o)
	sum := sha256.Sum256(body)
	b := &ICalBody{Body: body, ETag: `"` + hex.EncodeToString(sum[:16]) + `"`, Updated: feed.Updated,
		validUntil: feed.validUntil}
	s.feeds.Add(key, b)
	return b, nil
}

// feedVersion returns municipality mid's feed version (0 before any change).
func (s *Service) feedVersion(ctx context.Context, mid uuid.UUID) (int64, error) {
	// The feeds show the providers it accepted too: the sum of its version (which counts
	// up when it accepts or drops one, migration 0051) and its providers' homes' changes
	// with any of them, as versions only grow.
	var v int64
	err := s.db.NewSelect().TableExpr("event_feed_versions").ColumnExpr("coalesce(sum(version), 0)").
		Where(`municipality_id = ? OR municipality_id IN (SELECT home_municipality_id FROM provider_municipalities
			WHERE municipality_id = ? AND status = 'ACCEPTED')`, mid, mid).Scan(ctx, &v)
	if err != nil {
		return 0, database.MapError(err, "find feed version", "feed")
	}
	return v, nil
}

// newFeedCache returns an empty cache of rendered feeds.
func newFeedCache() *lru.Cache[feedKey, *ICalBody] {
	c, _ := lru.New[feedKey, *ICalBody](FeedCacheSize) // fails only for a size below 1
	return c
}

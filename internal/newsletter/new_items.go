package newsletter

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/portal"
)

// NewItem is an activity, event or article that became public in a period, selected as a
// digest's issue selects them, with its title and summary in a reader's language.
type NewItem struct {
	// Kind is "activity", "event" or "article".
	Kind        string
	ID          uuid.UUID
	Slug        string
	PublishedAt time.Time
	// StartsAt is an event's (its series' next occurrence's) start, else nil.
	StartsAt *time.Time
	// OrganisationID is the item's organisation, nil for the municipality's own.
	OrganisationID *uuid.UUID
	// CategoryIDs include every ancestor of the item's categories.
	CategoryIDs      []uuid.UUID
	NeighbourhoodIDs []uuid.UUID
	AgeGroups        []portal.TargetGroup
	// Languages are the languages an activity is held in (empty: not said).
	Languages []string
	// Title and Summary are each from the first language of the reader's chain that has
	// it, else from any other; Locale is the title's language.
	Title, Summary, Locale string
}

// NewItems returns municipality mid's activities, events and articles that became public in
// (since, until], as the public sees them at now, at most limit of each kind, with texts for
// a reader of chain. It reads what the digests read (first_publications and the articles'
// first public language); it checks no caller, so its callers decide who sees the items.
func NewItems(ctx context.Context, db bun.IDB, mid uuid.UUID, since, until, now time.Time, chain []string,
	limit int,
) ([]*NewItem, error) {
	items, err := newItems(ctx, db, mid, since, until, now, limit)
	if err != nil {
		return nil, err
	}
	out := make([]*NewItem, len(items))
	for i, it := range items {
		x := it.text(chain)
		out[i] = &NewItem{Kind: string(it.Kind), ID: it.ID, Slug: it.Slug, PublishedAt: it.PublishedAt,
			StartsAt: it.StartsAt, OrganisationID: it.OrganisationID, CategoryIDs: it.CategoryIDs,
			NeighbourhoodIDs: it.NeighbourhoodIDs, AgeGroups: it.AgeGroups, Languages: it.Languages,
			Title: x.Title, Summary: x.Summary, Locale: x.Locale}
	}
	return out, nil
}

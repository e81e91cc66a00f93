package graph

import (
	"context"

	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/portal"
)

// attach gives activities their organisation, venue and categories before they are shown:
// one batched statement per kind for the whole request, and no resolver per field, so a
// page of activities costs no goroutine per activity for them. Every resolver that hands
// activities to the executor calls it (or attachFields).
func attach(ctx context.Context, as ...*portal.Activity) error {
	return attachFields(ctx, nil, as...)
}

// attachFields is attach for activities shown with fields (nil: every field): it loads
// only the relations among them, so a list that shows no venue reads no venues.
func attachFields(ctx context.Context, fields portal.Fields, as ...*portal.Activity) error {
	want := parts{org: fields == nil || fields["organisation"], venue: fields == nil || fields["venue"],
		cats: fields == nil || fields["categories"]}
	if want == (parts{}) {
		return nil
	}
	l := loadersFor(ctx)
	for _, a := range as {
		need := l.missing(a, want)
		if need == (parts{}) {
			continue
		}
		var got attached
		if err := got.load(ctx, l, a, need); err != nil {
			return err
		}
		l.attachMu.Lock() // the first to get here attaches each part; later ones only read
		if need.org && a.Org == nil {
			a.Org = got.org
		}
		if need.venue && a.Place == nil {
			a.Place = got.venue
		}
		if need.cats && a.CategoryList == nil {
			a.CategoryList = got.cats
		}
		l.attachMu.Unlock()
	}
	return nil
}

// parts are an activity's relations that attach gives it.
type parts struct{ org, venue, cats bool }

// attached holds the relations loaded for one activity.
type attached struct {
	org   *portal.Organisation
	venue *portal.Venue
	cats  []*portal.Category
}

// missing returns the parts of want that a has not been given yet.
func (l *loaders) missing(a *portal.Activity, want parts) parts {
	l.attachMu.Lock()
	defer l.attachMu.Unlock()
	return parts{org: want.org && a.Org == nil, venue: want.venue && a.VenueID != nil && a.Place == nil,
		cats: want.cats && a.CategoryList == nil}
}

// load reads the parts need of a through the request's batches.
func (got *attached) load(ctx context.Context, l *loaders, a *portal.Activity, need parts) error {
	var err error
	if need.org {
		if got.org, err = l.organisations.get(ctx, a.OrganisationID); err != nil {
			return err
		}
		if got.org == nil {
			return apperr.NotFoundf("organisation")
		}
	}
	if need.venue {
		if got.venue, err = l.venues.get(ctx, *a.VenueID); err != nil {
			return err
		}
	}
	if need.cats {
		ids, err := related(ctx, portal.ActivityCategories, a.ID)
		if err != nil {
			return err
		}
		if got.cats, err = categoriesOf(ctx, ids); err != nil {
			return err
		}
	}
	return nil
}

// attachConn attaches the activities of a connection shown with fields (nil: every field).
func attachConn(ctx context.Context, fields portal.Fields, c *portal.ActivityConnection,
	err error) (*portal.ActivityConnection, error) {
	if err != nil || c == nil {
		return c, err
	}
	return c, attachFields(ctx, fields, activityNodes(c)...)
}

// attachOwn completes an activity an editor just changed: its organisation is set by the
// service (it may not be published yet); venue and categories load as usual.
func attachOwn(ctx context.Context, a *portal.Activity) error {
	if a.Org == nil {
		return apperr.NotFoundf("organisation")
	}
	l := loadersFor(ctx)
	if a.VenueID != nil {
		v, err := l.venues.get(ctx, *a.VenueID)
		if err != nil {
			return err
		}
		a.Place = v
	}
	ids, err := related(ctx, portal.ActivityCategories, a.ID)
	if err != nil {
		return err
	}
	a.CategoryList, err = categoriesOf(ctx, ids)
	return err
}

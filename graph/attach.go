package graph

import (
	"context"

	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/portal"
)

// attach gives activities their organisation, venue and categories before they are shown:
// one batched statement per kind for the whole request, and no resolver per field, so a
// page of activities costs no goroutine per activity for them. Every resolver that hands
// activities to the executor calls it.
func attach(ctx context.Context, as ...*portal.Activity) error {
	l := loadersFor(ctx)
	for _, a := range as {
		if done(l, a) {
			continue
		}
		org, err := l.organisations.get(ctx, a.OrganisationID)
		if err != nil {
			return err
		}
		if org == nil {
			return apperr.NotFoundf("organisation")
		}
		var venue *portal.Venue
		if a.VenueID != nil {
			if venue, err = l.venues.get(ctx, *a.VenueID); err != nil {
				return err
			}
		}
		ids, err := related(ctx, portal.ActivityCategories, a.ID)
		if err != nil {
			return err
		}
		cats, err := categoriesOf(ctx, ids)
		if err != nil {
			return err
		}
		l.attachMu.Lock()
		if a.Org == nil { // the first to get here attaches; later ones only read
			a.Place, a.CategoryList, a.Org = venue, cats, org
		}
		l.attachMu.Unlock()
	}
	return nil
}

func done(l *loaders, a *portal.Activity) bool {
	l.attachMu.Lock()
	defer l.attachMu.Unlock()
	return a.Org != nil
}

// attachConn attaches the activities of a connection.
func attachConn(ctx context.Context, c *portal.ActivityConnection, err error) (*portal.ActivityConnection, error) {
	if err != nil || c == nil {
		return c, err
	}
	return c, attach(ctx, activityNodes(c)...)
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

package graph

import (
	"context"
	"strings"

	"github.com/google/uuid"

	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/jobs"
	"github.com/fritid/fritid/internal/platform/relay"
	"github.com/fritid/fritid/internal/portal"
	"github.com/fritid/fritid/internal/tenant"
)

// fetchNode returns the current municipality's object with global ID gid, or nil when it has
// none: another municipality's ID is as absent as one that never existed.
func (r *queryResolver) fetchNode(ctx context.Context, gid, field string) (relay.Node, error) {
	typ, key, err := relay.ParseGlobalKey(gid, field)
	if err != nil {
		return nil, err
	}
	t, err := tenant.Current(ctx)
	if err != nil {
		return nil, err
	}
	switch typ {
	case "Municipality":
		if key == t.ID().String() {
			return t.Municipality, nil
		}
	case "Locale":
		if mid, code, ok := strings.Cut(key, "/"); ok && mid == t.ID().String() {
			if l := t.Locale(code); l != nil {
				return l, nil
			}
		}
	case "Job":
		return r.job(ctx, gid, field)
	default:
		_, id, err := relay.ParseGlobalID(gid, field)
		if err != nil {
			return nil, err
		}
		switch typ {
		case "AuditEntry":
			return r.auditEntry(ctx, id)
		case "Page", "Article":
			return r.contentNode(ctx, typ, id)
		case "Event", "EventSeries", "Closure":
			return r.eventNode(ctx, typ, id)
		case "NewsletterList":
			return r.Newsletters.FindListByID(ctx, id)
		case "NewsletterCampaign":
			return r.Newsletters.FindCampaignByID(ctx, id)
		case "WebhookEndpoint":
			return r.webhookEndpoint(ctx, id)
		}
		return fetchShownHere(ctx, typ, id)
	}
	return nil, nil
}

// fetchByUUID returns the current municipality's visible object of type typ with id, or nil.
// An activity comes with all its relations (organisation, venue, categories).
func fetchByUUID(ctx context.Context, typ string, id uuid.UUID) (relay.Node, error) {
	return fetchShown(ctx, typ, id, nil)
}

// fetchShownHere is fetchByUUID for a field that returns the object itself (node, nodes,
// a search result): an activity gets only the relations that the field's selection shows,
// so a search showing titles reads no organisations, venues or categories.
func fetchShownHere(ctx context.Context, typ string, id uuid.UUID) (relay.Node, error) {
	var fields portal.Fields
	if typ == "Activity" {
		fields = nodeFields(ctx, activityImplementors)
	}
	return fetchShown(ctx, typ, id, fields)
}

// fetchShown is fetchByUUID with an activity's relations limited to fields (nil: all).
func fetchShown(ctx context.Context, typ string, id uuid.UUID, fields portal.Fields) (relay.Node, error) {
	l := loadersFor(ctx)
	switch typ {
	case "Category":
		tax, err := l.taxonomy(ctx)
		if err != nil {
			return nil, err
		}
		return nodeOrNil(nullIfNotFound(tax.ByID(id)))
	case "Neighbourhood":
		nbs, err := l.neighbourhoods(ctx)
		if err != nil {
			return nil, err
		}
		return nodeOrNil(nullIfNotFound(nbs.ByID(id)))
	case "Organisation":
		return nodeOrNil(l.organisations.get(ctx, id))
	case "Activity":
		a, err := l.activities.get(ctx, id)
		if a == nil || err != nil {
			return nil, err
		}
		return a, attachFields(ctx, fields, a)
	case "Venue":
		return nodeOrNil(l.venues.get(ctx, id))
	case "Image":
		return nodeOrNil(nullIfNotFound(l.portal.FindImageByID(ctx, id)))
	case "CardProgramme":
		return nodeOrNil(nullIfNotFound(l.cards.FindProgrammeByID(ctx, id)))
	case "CardOffer":
		return nodeOrNil(nullIfNotFound(l.cards.FindOfferByID(ctx, id)))
	case "CardApplication":
		a, err := l.cards.FindApplicationByID(ctx, id)
		switch apperr.CodeOf(err) {
		case apperr.NotFound, apperr.Forbidden, apperr.Unauthenticated:
			return nil, nil
		}
		return nodeOrNil(a, err)
	}
	return nil, nil
}

// auditEntry returns the audit entry with id to those who may read the audit log; for
// anyone else it is as absent as an entry that never existed.
func (r *queryResolver) auditEntry(ctx context.Context, id uuid.UUID) (relay.Node, error) {
	e, err := r.Auth.FindAuditEntryByID(ctx, id)
	switch apperr.CodeOf(err) {
	case apperr.NotFound, apperr.Forbidden, apperr.Unauthenticated:
		return nil, nil
	}
	return nodeOrNil(e, err)
}

// job returns the municipality's job with global ID gid, or nil when there is none or the
// caller may not see it.
func (r *queryResolver) job(ctx context.Context, gid, field string) (relay.Node, error) {
	id, err := jobs.ParseID(gid, field)
	if err != nil {
		return nil, err
	}
	j, err := r.Queue.FindJob(ctx, id)
	switch apperr.CodeOf(err) {
	case apperr.NotFound, apperr.Forbidden, apperr.Unauthenticated:
		return nil, nil
	}
	return nodeOrNil(j, err)
}

// webhookEndpoint returns the endpoint for node(id:): null to all but its administrators.
func (r *queryResolver) webhookEndpoint(ctx context.Context, id uuid.UUID) (relay.Node, error) {
	e, err := r.Integration.FindEndpoint(ctx, id)
	switch apperr.CodeOf(err) {
	case apperr.NotFound, apperr.Forbidden, apperr.Unauthenticated:
		return nil, nil
	}
	return nodeOrNil(e, err)
}

// nodeOrNil turns a typed nil pointer into an untyped nil Node.
func nodeOrNil[T any](v *T, err error) (relay.Node, error) {
	if v == nil || err != nil {
		return nil, err
	}
	return v, nil
}

// localeGlobalID returns a locale's global ID: its municipality and code.
func localeGlobalID(l *tenant.Locale) string {
	return relay.GlobalKey("Locale", l.MunicipalityID.String()+"/"+l.Code)
}

// nullIfNotFound turns NOT_FOUND into a null result, as nullable single-object fields
// answer for something that is not there.
func nullIfNotFound[T any](v *T, err error) (*T, error) {
	if apperr.CodeOf(err) == apperr.NotFound {
		return nil, nil
	}
	return v, err
}

package graph

import (
	"context"
	"fmt"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/google/uuid"

	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/card"
	"github.com/fritid/fritid/internal/content"
	"github.com/fritid/fritid/internal/platform/i18n"
	"github.com/fritid/fritid/internal/portal"
)

// loaders are per-operation caches and batches, so a field resolved for many parents costs
// one query, not one per parent: the number of statements follows the query's depth.
type loaders struct {
	portal *portal.Service

	taxOnce sync.Once
	tax     *portal.Taxonomy
	taxErr  error
	nbOnce  sync.Once
	nbs     *portal.Neighbourhoods
	nbErr   error
	nbEds   lazy[map[uuid.UUID][]*auth.User] // committee editors, for administrators

	organisations *batch[*portal.Organisation]
	activities    *batch[*portal.Activity]
	// hitOrganisations and hitActivities, once a search has run, load its hits with the
	// fields its selection shows (seeHits).
	hitOrganisations *batch[*portal.Organisation]
	hitActivities    *batch[*portal.Activity]
	venues           *batch[*portal.Venue]
	venueNames       *batch[string] // venues' names in the request's language, where it is not the default
	media            *batch[*portal.Media]
	imageUses        *batch[[]*portal.ImageUse] // where listed images are shown
	links            *batch[[]*portal.Link]
	memberLists      *batch[*portal.MemberList] // organisations' members and invitations, for their owners
	areas            *batch[[]byte]
	related          map[portal.Relation]*batch[[]uuid.UUID]
	activityTexts    *batch[*portal.Translations[portal.ActivityTranslation]]     // for editors
	orgTexts         *batch[*portal.Translations[portal.OrganisationTranslation]] // for editors
	venueTexts       *batch[*portal.Translations[portal.VenueTranslation]]        // for editors

	attachMu sync.Mutex // guards attaching to activities shared between lists

	cardAccess cardMemo[*card.CardAccess] // anonymous cards opened in this operation
	staffCards cardMemo[bool]             // cards listed by agencyCards, read as staff
	cards      *card.Service
	// bodies of pages and articles read without them (a menu's pages), by type
	contentBodies map[string]*batch[*content.RichText]
	pages         *batch[*content.Page]       // pages shown by ID (search hits)
	articles      *batch[*content.Article]    // articles shown by ID (search hits)
	events        *eventLoaders               // the calendar's batches (graph/events.go)
	tickets       *batch[[]*card.Ticket]      // tickets of cards listed for staff
	claimable     *batch[[]*card.Offer]       // what cards listed for staff may claim
	balances      *batch[*int64]              // the money on cards listed for staff
	waiting       *batch[*card.WaitingCounts] // waiting lists of offers listed, for those who run them
	progOnce      sync.Once
	progs         []*card.Programme
	progErr       error
	agOnce        sync.Once
	agencies      []*card.Agency
	agErr         error

	mu       sync.Mutex
	seen     map[portal.Group][]uuid.UUID
	actsOf   map[nestedKey]*batch[*portal.ActivityConnection]
	actsJSON map[nestedKey]*batch[[]byte] // activity lists the database writes as JSON
	orgsOf   map[nestedKey]*batch[*portal.OrganisationConnection]
}

// nestedKey identifies a nested list by its parent kind and arguments.
type nestedKey struct {
	group    portal.Group
	first    int
	after    string
	statuses string // the status filter, printed
	fields   string // the fields selected on the items (fieldsKey)
}

func newLoaders(p *portal.Service, cs *card.Service) *loaders {
	l := &loaders{portal: p, cards: cs, tickets: newBatch(func(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID][]*card.Ticket, error) {
		return cs.FindTicketsOfCards(ctx, ids)
	}), claimable: newBatch(cs.ClaimableOffersOfCards), waiting: newBatch(cs.WaitingListCountsOfOffers),
		balances: newBatch(func(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]*int64, error) {
			m, err := cs.CardBalancesOfCards(ctx, ids)
			out := make(map[uuid.UUID]*int64, len(m))
			for id, ore := range m {
				out[id] = &ore
			}
			return out, err
		}), seen: map[portal.Group][]uuid.UUID{},
		actsOf:   map[nestedKey]*batch[*portal.ActivityConnection]{},
		actsJSON: map[nestedKey]*batch[[]byte]{}, orgsOf: map[nestedKey]*batch[*portal.OrganisationConnection]{}}
	l.organisations = newBatch(func(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]*portal.Organisation, error) {
		m, err := p.OrganisationsByID(ctx, ids)
		l.seeOrganisations(values(m)...)
		return m, err
	})
	l.activities = newBatch(func(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]*portal.Activity, error) {
		m, err := p.ActivitiesByID(ctx, ids)
		l.seeActivities(values(m)...)
		return m, err
	})
	l.venues = newBatch(func(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]*portal.Venue, error) {
		m, err := p.VenuesByID(ctx, ids)
		l.seeVenues(values(m)...)
		return m, err
	})
	l.venueNames = newBatch(p.VenueNames)
	l.media = newBatch(p.MediaByID)
	l.imageUses = newBatch(func(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID][]*portal.ImageUse, error) {
		m, err := p.ImageUsesOf(ctx, ids)
		for _, uses := range m { // the places of all these images load together
			for _, u := range uses {
				l.organisations.register(u.OrganisationID)
				if u.ActivityID != nil {
					l.activities.register(*u.ActivityID)
				}
			}
		}
		return m, err
	})
	l.links = newBatch(p.Links)
	l.memberLists = newBatch(p.MemberListsOf)
	l.areas = newBatch(p.NeighbourhoodAreas)
	l.activityTexts = newBatch(p.ActivityTranslations)
	l.orgTexts = newBatch(p.OrganisationTranslations)
	l.venueTexts = newBatch(p.VenueTranslations)
	l.related = map[portal.Relation]*batch[[]uuid.UUID]{}
	for _, rel := range []portal.Relation{portal.ActivityCategories, portal.OrganisationCategories, portal.ActivityNeighbourhoods,
		portal.OrganisationNeighbourhoods, portal.VenueNeighbourhoods, portal.ActivityImages} {
		l.related[rel] = newBatch(func(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID][]uuid.UUID, error) {
			m, err := p.Related(ctx, rel, ids)
			if rel == portal.ActivityImages { // the images of all these activities load together
				for _, media := range m {
					l.media.register(media...)
				}
			}
			return m, err
		})
	}
	return l
}

// seeActivities registers activities so their fields load together.
func (l *loaders) seeActivities(as ...*portal.Activity) { l.seeActivitiesFor(nil, as...) }

// seeActivitiesFor registers activities shown with fields (nil: every field) with the
// batches of the relations among them.
func (l *loaders) seeActivitiesFor(fields portal.Fields, as ...*portal.Activity) {
	want := func(names ...string) bool { return wants(fields, names...) }
	ids := make([]uuid.UUID, 0, len(as))
	for _, a := range as {
		ids = append(ids, a.ID)
		if want("organisation") {
			l.organisations.register(a.OrganisationID)
		}
		if a.VenueID != nil && want("venue") {
			l.venues.register(*a.VenueID)
		}
	}
	for rel, field := range map[portal.Relation]string{portal.ActivityCategories: "categories",
		portal.ActivityNeighbourhoods: "neighbourhoods", portal.ActivityImages: "images"} {
		if want(field) {
			l.related[rel].register(ids...)
		}
	}
	if want("translations", "missingLocales") {
		l.activityTexts.register(ids...)
	}
}

// wants reports whether fields (nil: every field) holds any of names.
func wants(fields portal.Fields, names ...string) bool {
	if fields == nil {
		return true
	}
	for _, n := range names {
		if fields[n] {
			return true
		}
	}
	return false
}

// seeOrganisations registers organisations so their fields load together.
func (l *loaders) seeOrganisations(os ...*portal.Organisation) { l.seeOrganisationsFor(nil, os...) }

// seeOrganisationsFor registers organisations shown with fields (nil: every field) with the
// batches of the relations among them, and as parents of nested lists.
func (l *loaders) seeOrganisationsFor(fields portal.Fields, os ...*portal.Organisation) {
	ids := make([]uuid.UUID, 0, len(os))
	for _, o := range os {
		ids = append(ids, o.ID)
		if o.LogoID != nil && wants(fields, "logo") {
			l.media.register(*o.LogoID)
		}
		if o.CoverID != nil && wants(fields, "cover") {
			l.media.register(*o.CoverID)
		}
	}
	if wants(fields, "links") {
		l.links.register(ids...)
	}
	if wants(fields, "members", "invitations") {
		l.memberLists.register(ids...)
	}
	if wants(fields, "translations", "missingLocales") {
		l.orgTexts.register(ids...)
	}
	if wants(fields, "categories") {
		l.related[portal.OrganisationCategories].register(ids...)
	}
	if wants(fields, "neighbourhoods") {
		l.related[portal.OrganisationNeighbourhoods].register(ids...)
	}
	l.seeParents(portal.ByOrganisation, ids...)
}

// seeVenues registers venues so their fields load together.
func (l *loaders) seeVenues(vs ...*portal.Venue) {
	ids := make([]uuid.UUID, 0, len(vs))
	for _, v := range vs {
		ids = append(ids, v.ID)
	}
	l.related[portal.VenueNeighbourhoods].register(ids...)
	l.venueNames.register(ids...)
	l.venueTexts.register(ids...)
	l.seeParents(portal.ByVenue, ids...)
}

// seeParents registers parents of nested lists.
func (l *loaders) seeParents(g portal.Group, ids ...uuid.UUID) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.seen[g] = append(l.seen[g], ids...)
	for k, b := range l.actsOf {
		if k.group == g {
			b.register(ids...)
		}
	}
	for k, b := range l.actsJSON {
		if k.group == g {
			b.register(ids...)
		}
	}
	for k, b := range l.orgsOf {
		if k.group == g {
			b.register(ids...)
		}
	}
}

// activitiesOf returns the nested activity list of parent id.
func (l *loaders) activitiesOf(ctx context.Context, g portal.Group, id uuid.UUID, first *int, after *string, statuses []portal.ActivityStatus) (*portal.ActivityConnection, error) {
	if shape, ok := activityListJSON(ctx); ok && after == nil {
		return l.activitiesOfJSON(ctx, g, id, first, statuses, shape)
	}
	fields := activityListFields(ctx)
	key := nestedKey{group: g, first: deref(first, -1), after: deref(after, ""), statuses: fmt.Sprint(statuses),
		fields: fieldsKey(fields)}
	l.mu.Lock()
	b := l.actsOf[key]
	if b == nil {
		b = newBatch(func(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]*portal.ActivityConnection, error) {
			m, err := l.portal.ActivitiesOf(ctx, g, ids, first, after, statuses, fields)
			for _, c := range m {
				l.seeActivitiesFor(fields, activityNodes(c)...)
			}
			return m, err
		})
		b.register(l.seen[g]...)
		l.actsOf[key] = b
	}
	l.mu.Unlock()
	conn, err := b.get(ctx, id)
	return attachConn(ctx, fields, conn, err)
}

// activitiesOfJSON is activitiesOf for a list the database writes as JSON (shape).
func (l *loaders) activitiesOfJSON(ctx context.Context, g portal.Group, id uuid.UUID, first *int,
	statuses []portal.ActivityStatus, shape portal.ListJSON) (*portal.ActivityConnection, error) {
	key := nestedKey{group: g, first: deref(first, -1), statuses: fmt.Sprint(statuses),
		fields: "json " + shape.String()}
	l.mu.Lock()
	b := l.actsJSON[key]
	if b == nil {
		b = newBatch(func(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID][]byte, error) {
			return l.portal.ActivitiesOfJSON(ctx, g, ids, first, statuses, shape)
		})
		b.register(l.seen[g]...)
		l.actsJSON[key] = b
	}
	l.mu.Unlock()
	raw, err := b.get(ctx, id)
	if err != nil {
		return nil, err
	}
	return &portal.ActivityConnection{JSON: raw}, nil
}

// organisationsOf returns the nested organisation list of parent id.
func (l *loaders) organisationsOf(ctx context.Context, g portal.Group, id uuid.UUID, first *int, after *string) (*portal.OrganisationConnection, error) {
	fields := organisationListFields(ctx)
	key := nestedKey{group: g, first: deref(first, -1), after: deref(after, ""), fields: fieldsKey(fields)}
	l.mu.Lock()
	b := l.orgsOf[key]
	if b == nil {
		b = newBatch(func(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]*portal.OrganisationConnection, error) {
			m, err := l.portal.OrganisationsOf(ctx, g, ids, first, after, fields)
			for _, c := range m {
				l.seeOrganisationsFor(fields, organisationNodes(c)...)
			}
			return m, err
		})
		b.register(l.seen[g]...)
		l.orgsOf[key] = b
	}
	l.mu.Unlock()
	return b.get(ctx, id)
}

// taxonomy returns the tenant's category tree, loaded once per operation.
func (l *loaders) taxonomy(ctx context.Context) (*portal.Taxonomy, error) {
	l.taxOnce.Do(func() {
		if l.tax, l.taxErr = l.portal.FindTaxonomy(ctx); l.taxErr == nil {
			l.tax.Localise(i18n.FromContext(ctx).Chain)
		}
	})
	return l.tax, l.taxErr
}

// cardProgrammes returns the card programmes the caller may see, loaded once per operation.
func (l *loaders) cardProgrammes(ctx context.Context) ([]*card.Programme, error) {
	l.progOnce.Do(func() { l.progs, l.progErr = l.cards.FindProgrammes(ctx) })
	return l.progs, l.progErr
}

// cardAgencies returns the card agencies, loaded once per operation.
func (l *loaders) cardAgencies(ctx context.Context) ([]*card.Agency, error) {
	l.agOnce.Do(func() { l.agencies, l.agErr = l.cards.FindAgencies(ctx) })
	return l.agencies, l.agErr
}

// lazy is a value loaded once per operation, with its error.
type lazy[T any] struct {
	once sync.Once
	v    T
	err  error
}

// get returns the value, loading it with load the first time.
func (l *lazy[T]) get(load func() (T, error)) (T, error) {
	l.once.Do(func() { l.v, l.err = load() })
	return l.v, l.err
}

// neighbourhoodEditors returns the committee editors by neighbourhood, loaded once per
// operation (administrators only).
func (l *loaders) neighbourhoodEditors(ctx context.Context) (map[uuid.UUID][]*auth.User, error) {
	return l.nbEds.get(func() (map[uuid.UUID][]*auth.User, error) { return l.portal.FindNeighbourhoodEditors(ctx) })
}

// neighbourhoods returns the tenant's neighbourhoods, loaded once per operation.
func (l *loaders) neighbourhoods(ctx context.Context) (*portal.Neighbourhoods, error) {
	l.nbOnce.Do(func() {
		l.nbs, l.nbErr = l.portal.FindNeighbourhoods(ctx)
		if l.nbErr == nil {
			ids := make([]uuid.UUID, len(l.nbs.List))
			for i, n := range l.nbs.List {
				ids[i] = n.ID
			}
			l.seeParents(portal.ByNeighbourhood, ids...)
		}
	})
	return l.nbs, l.nbErr
}

func activityNodes(c *portal.ActivityConnection) []*portal.Activity {
	out := make([]*portal.Activity, len(c.Edges))
	for i, e := range c.Edges {
		out[i] = e.Node
	}
	return out
}

func organisationNodes(c *portal.OrganisationConnection) []*portal.Organisation {
	out := make([]*portal.Organisation, len(c.Edges))
	for i, e := range c.Edges {
		out[i] = e.Node
	}
	return out
}

func values[V any](m map[uuid.UUID]V) []V {
	out := make([]V, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

func deref[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}

type loadersKey struct{}

// loaderExtension gives each operation fresh loaders.
type loaderExtension struct{ r *Resolver }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationInterceptor
} = loaderExtension{}

func (loaderExtension) ExtensionName() string                   { return "Loaders" }
func (loaderExtension) Validate(graphql.ExecutableSchema) error { return nil }

func (e loaderExtension) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	return next(context.WithValue(ctx, loadersKey{}, newLoaders(e.r.Portal, e.r.Cards).withContent(e.r.Content).withEvents(e.r.Calendar)))
}

// loadersFor returns the operation's loaders.
func loadersFor(ctx context.Context) *loaders {
	return ctx.Value(loadersKey{}).(*loaders)
}

package portal

import (
	"context"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/media"
	"github.com/fritid/fritid/internal/platform/replica"
	"github.com/fritid/fritid/internal/tenant"
)

// Service is the portal catalogue's domain service.
type Service struct {
	db *bun.DB
	// Replica, when set, is a read replica: catalogue reads of requests that replica.Allowed
	// (anonymous queries) go there, everything else to db.
	Replica *bun.DB

	// Accounts creates owners' accounts on registration; PublicURL starts the links in
	// e-mails.
	Accounts  Accounts
	PublicURL string
	// RevisionsKept is how many revisions are kept per item (default 20).
	RevisionsKept int
	// ContentWriter, when set, says whether the viewer may write the page or article with
	// an ID (NOT_FOUND when there is none): its revisions are kept here too.
	ContentWriter func(ctx context.Context, id uuid.UUID) error
	// Secret keys the hashes of invitation tokens.
	Secret []byte
	// Media stores uploaded images within UploadLimits.
	Media        *media.Store
	UploadLimits media.Limits

	// categories caches each municipality's category rows for a few seconds: every list
	// shows category names, and the taxonomy changes rarely.
	mu         sync.Mutex
	categories map[uuid.UUID]cachedCategories
	now        func() time.Time // the cache's clock
	// homes caches, per municipality, its accepted providers' home municipalities (see
	// withHomes), under mu.
	homes map[uuid.UUID]cachedHomes
}

type cachedCategories struct {
	rows    []*Category
	expires time.Time
}

// categoryTTL is how long a municipality's categories are cached on this instance: a change
// made on another instance shows here within it (docs/scaling.md).
const categoryTTL = 5 * time.Second

// NewService returns a Service over db.
func NewService(db *bun.DB) *Service {
	return &Service{db: db, categories: map[uuid.UUID]cachedCategories{}, now: time.Now}
}

// reader returns the pool for a catalogue read in ctx: the replica when there is one and
// ctx may read it (an anonymous caller's query), else the primary.
func (s *Service) reader(ctx context.Context) *bun.DB {
	if s.Replica != nil && replica.Allowed(ctx) {
		return s.Replica
	}
	return s.db
}

// InvalidateCategories forgets the cached categories, so a change shows at once here.
func (s *Service) InvalidateCategories() {
	s.mu.Lock()
	s.categories = map[uuid.UUID]cachedCategories{}
	s.mu.Unlock()
}

// categoryRows returns the municipality's categories, from the cache when fresh. The rows
// are shared: callers copy before changing them.
func (s *Service) categoryRows(ctx context.Context, mid uuid.UUID) ([]*Category, error) {
	s.mu.Lock()
	c, ok := s.categories[mid]
	s.mu.Unlock()
	if ok && s.now().Before(c.expires) {
		return c.rows, nil
	}
	rows, err := findCategories(ctx, s.db, mid)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.categories[mid] = cachedCategories{rows: rows, expires: s.now().Add(categoryTTL)}
	s.mu.Unlock()
	return rows, nil
}

// FindTaxonomy returns the request tenant's whole category tree. The taxonomy is public.
// Errors: TENANT_NOT_FOUND outside a tenant's request.
func (s *Service) FindTaxonomy(ctx context.Context) (*Taxonomy, error) {
	t, err := tenant.Current(ctx)
	if err != nil {
		return nil, err
	}
	// SECURITY: scoped to the request's municipality; categories are public within it.
	rows, err := s.categoryRows(ctx, t.ID())
	if err != nil {
		return nil, err
	}
	cats := make([]*Category, len(rows))
	for i, r := range rows {
		c := *r // each request gets its own tree to localise
		cats[i] = &c
	}
	return newTaxonomy(cats), nil
}

// SeedCategories is a tenant.Provisioner: it gives a new municipality the ten categories
// (møteplasser) of the portal, named in nb, nn and en.
func SeedCategories(ctx context.Context, tx bun.IDB, m *tenant.Municipality) error {
	for i, seed := range defaultCategories {
		id, err := uuid.NewV7()
		if err != nil {
			return err
		}
		c := &Category{ID: id, MunicipalityID: m.ID, Slug: seed.slug, Icon: seed.icon, SortOrder: (i + 1) * 10}
		for _, loc := range []string{"nb", "nn", "en"} {
			c.Translations = append(c.Translations, &CategoryTranslation{Locale: loc, Name: seed.names[loc]})
		}
		if err := insertCategory(ctx, tx, c); err != nil {
			return err
		}
	}
	return nil
}

type categorySeed struct {
	slug, icon string
	names      map[string]string
}

var defaultCategories = []categorySeed{
	{"kunst-og-kultur", "palette", map[string]string{"nb": "Kunst og kultur", "nn": "Kunst og kultur", "en": "Arts and culture"}},
	{"idrett-og-fysisk-aktivitet", "sports", map[string]string{"nb": "Idrett og fysisk aktivitet", "nn": "Idrett og fysisk aktivitet", "en": "Sports and physical activity"}},
	{"natur-og-friluftsliv", "forest", map[string]string{"nb": "Natur og friluftsliv", "nn": "Natur og friluftsliv", "en": "Nature and outdoor life"}},
	{"tro-og-livssyn", "faith", map[string]string{"nb": "Tro- og livssynsorganisasjoner", "nn": "Tru- og livssynsorganisasjonar", "en": "Faith and belief organisations"}},
	{"interesseorganisasjoner", "groups", map[string]string{"nb": "Interesseorganisasjoner", "nn": "Interesseorganisasjonar", "en": "Interest organisations"}},
	{"humanitaere-og-ideelle", "volunteer", map[string]string{"nb": "Humanitære og ideelle organisasjoner", "nn": "Humanitære og ideelle organisasjonar", "en": "Humanitarian and non-profit organisations"}},
	{"innvandrerorganisasjoner", "globe", map[string]string{"nb": "Innvandrerorganisasjoner", "nn": "Innvandrarorganisasjonar", "en": "Immigrant organisations"}},
	{"rekreasjon-og-sosiale", "social", map[string]string{"nb": "Rekreasjon- og sosiale foreninger", "nn": "Rekreasjons- og sosiale foreiningar", "en": "Recreational and social clubs"}},
	{"frivilligsentraler-og-moteplasser", "meeting-place", map[string]string{"nb": "Frivilligsentraler, velforeninger og åpne møteplasser", "nn": "Frivilligsentralar, velforeiningar og opne møteplassar", "en": "Volunteer centres, residents' associations and open meeting places"}},
	{"private-og-kommunale-aktorer", "building", map[string]string{"nb": "Private og kommunale aktører som har aktivitet", "nn": "Private og kommunale aktørar som har aktivitet", "en": "Private and municipal providers of activities"}},
}

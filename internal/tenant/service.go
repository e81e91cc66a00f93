package tenant

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
)

// Provisioner fills a new municipality's starting data (the category taxonomy, say) inside
// the transaction that creates it.
type Provisioner func(ctx context.Context, tx bun.IDB, m *Municipality) error

// Service resolves and creates municipalities. Resolved tenants are cached for a few
// seconds, so a request costs no query for its tenant.
type Service struct {
	// RequireAdmin answers whether the request's viewer administers its municipality; set by
	// the application (identity lives in another package).
	RequireAdmin func(ctx context.Context) (actorID uuid.UUID, err error)

	db           *bun.DB
	provisioners []Provisioner
	ttl          time.Duration
	now          func() time.Time

	mu    sync.Mutex
	cache map[string]cacheEntry
}

type cacheEntry struct {
	t       *Tenant
	err     error
	expires time.Time
}

const maxCacheEntries = 10_000

// NewService returns a Service over db that runs provisioners for every new municipality.
func NewService(db *bun.DB, provisioners ...Provisioner) *Service {
	return &Service{db: db, provisioners: provisioners, ttl: 5 * time.Second, now: time.Now, cache: map[string]cacheEntry{}}
}

// Resolve returns the tenant for a request: by the X-Municipality header's slug when given,
// else by host name, else the only municipality when there is just one. It returns
// TENANT_NOT_FOUND when none matches.
func (s *Service) Resolve(ctx context.Context, host, slug string) (*Tenant, error) {
	key := "host:" + NormaliseHost(host)
	if slug != "" {
		key = "slug:" + strings.ToLower(strings.TrimSpace(slug))
	}
	if e, ok := s.cached(key); ok {
		return e.t, e.err
	}
	t, err := s.resolve(ctx, key)
	if err == nil || apperr.CodeOf(err) == apperr.TenantNotFound {
		s.store(key, cacheEntry{t: t, err: err, expires: s.now().Add(s.ttl)})
	}
	return t, err
}

func (s *Service) resolve(ctx context.Context, key string) (*Tenant, error) {
	kind, value, _ := strings.Cut(key, ":")
	var m *Municipality
	var err error
	if kind == "slug" {
		m, err = findMunicipalityBySlug(ctx, s.db, value)
	} else {
		m, err = findMunicipalityByHost(ctx, s.db, value)
		if apperr.CodeOf(err) == apperr.NotFound {
			m, err = findOnlyMunicipality(ctx, s.db)
			if err == nil && m == nil {
				err = apperr.New(apperr.NotFound, "")
			}
		}
	}
	if apperr.CodeOf(err) == apperr.NotFound {
		return nil, apperr.New(apperr.TenantNotFound, "")
	} else if err != nil {
		return nil, err
	}
	return s.load(ctx, m)
}

func (s *Service) load(ctx context.Context, m *Municipality) (*Tenant, error) {
	ls, err := findLocales(ctx, s.db, m.ID)
	if err != nil {
		return nil, err
	}
	return &Tenant{Municipality: m, Locales: ls}, nil
}

func (s *Service) cached(key string) (cacheEntry, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.cache[key]
	if !ok || s.now().After(e.expires) {
		return cacheEntry{}, false
	}
	return e, true
}

func (s *Service) store(key string, e cacheEntry) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.cache) >= maxCacheEntries {
		s.cache = map[string]cacheEntry{}
	}
	s.cache[key] = e
}

// Invalidate forgets every cached tenant, so a change shows at once on this instance.
func (s *Service) Invalidate() {
	s.mu.Lock()
	s.cache = map[string]cacheEntry{}
	s.mu.Unlock()
}

// NormaliseHost returns host in lower case without port or trailing dot.
func NormaliseHost(host string) string {
	host = strings.ToLower(strings.TrimSpace(host))
	if strings.HasPrefix(host, "[") { // [::1]:8080
		if i := strings.Index(host, "]"); i > 0 {
			return host[1:i]
		}
	}
	if i := strings.LastIndexByte(host, ':'); i >= 0 && strings.Count(host, ":") == 1 {
		host = host[:i]
	}
	return strings.TrimSuffix(host, ".")
}

// CreateMunicipalityInput describes a new municipality.
type CreateMunicipalityInput struct {
	Slug     string
	Name     string
	TimeZone string   // default Europe/Oslo
	Domains  []string // host names it is served at
}

var (
	slugRE     = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$`)
	localeCode = regexp.MustCompile(`^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$`)
)

// CreateMunicipality creates a municipality with the locales nb (default), nn (falls back to
// nb) and en, its domains, and whatever the provisioners seed, in one transaction. Errors:
// BAD_USER_INPUT naming the field, CONFLICT when the slug or a domain is taken.
// extra provisioners run after the configured ones, in the same transaction.
func (s *Service) CreateMunicipality(ctx context.Context, in CreateMunicipalityInput, extra ...Provisioner) (*Tenant, error) {
	// SECURITY: no viewer check here: only the operator's command line (`fritid admin
	// create-municipality`) and start-up call this; no API reaches it.
	m, err := validateNew(in)
	if err != nil {
		return nil, err
	}
	locales := defaultLocales()
	err = database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		if err := insertMunicipality(ctx, tx, m, locales); err != nil {
			return conflictField(err, "slug")
		}
		for _, h := range in.Domains {
			if err := insertDomain(ctx, tx, &Domain{Host: NormaliseHost(h), MunicipalityID: m.ID}); err != nil {
				return conflictField(err, "domains")
			}
		}
		for _, p := range append(s.provisioners[:len(s.provisioners):len(s.provisioners)], extra...) {
			if err := p(ctx, tx, m); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.Invalidate()
	return &Tenant{Municipality: m, Locales: locales}, nil
}

func validateNew(in CreateMunicipalityInput) (*Municipality, error) {
	if !slugRE.MatchString(in.Slug) {
		return nil, apperr.Invalid("slug", "SlugInvalid", nil)
	}
	if name := strings.TrimSpace(in.Name); name == "" || len(name) > 200 {
		return nil, apperr.Invalid("name", "NameRequired", nil)
	}
	tz := in.TimeZone
	if tz == "" {
		tz = "Europe/Oslo"
	}
	if _, err := time.LoadLocation(tz); err != nil || tz == "Local" {
		return nil, apperr.Invalid("timeZone", "TimeZoneInvalid", nil)
	}
	for _, h := range in.Domains {
		if h = NormaliseHost(h); h == "" || strings.ContainsAny(h, "/ :") {
			return nil, apperr.Invalid("domains", "BAD_USER_INPUT", nil)
		}
	}
	id, err := uuid.NewV7()
	if err != nil {
		return nil, err
	}
	return &Municipality{ID: id, Slug: in.Slug, Name: strings.TrimSpace(in.Name), TimeZone: tz, DefaultLocale: "nb", Settings: map[string]any{}}, nil
}

func conflictField(err error, field string) error {
	if e := apperr.As(err); e != nil && e.Code == apperr.Conflict {
		c := *e
		c.Field = field
		if field == "slug" {
			c.MessageID = "SlugTaken"
		}
		return &c
	}
	return err
}

func defaultLocales() []*Locale {
	nb := "nb"
	return []*Locale{
		{Code: "nb", EnglishName: "Norwegian Bokmål", NativeName: "norsk bokmål", Direction: LTR, Enabled: true, SortOrder: 1},
		{Code: "nn", EnglishName: "Norwegian Nynorsk", NativeName: "norsk nynorsk", Direction: LTR, FallbackCode: &nb, Enabled: true, SortOrder: 2},
		{Code: "en", EnglishName: "English", NativeName: "English", Direction: LTR, Enabled: true, SortOrder: 3},
	}
}

// CountMunicipalities returns how many municipalities there are.
func (s *Service) CountMunicipalities(ctx context.Context) (int, error) {
	n, err := countMunicipalities(ctx, s.db)
	return int(n), err
}

// FindMunicipalityBySlug returns the municipality with slug, with its locales. Errors:
// TENANT_NOT_FOUND.
func (s *Service) FindMunicipalityBySlug(ctx context.Context, slug string) (*Tenant, error) {
	return s.Resolve(ctx, "", slug)
}

var errNoTenant = errors.New("no tenant in context")

// Current returns the request's tenant, or TENANT_NOT_FOUND outside one.
func Current(ctx context.Context) (*Tenant, error) {
	if t := FromContext(ctx); t != nil {
		return t, nil
	}
	return nil, apperr.Wrap(apperr.TenantNotFound, "", errNoTenant)
}

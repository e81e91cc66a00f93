// Package tenant holds municipalities (the tenants), the host names they are served at and
// their languages, and resolves each request's tenant and locale.
package tenant

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/platform/apperr"
)

// Municipality is a tenant: one kommune served by fritid.
type Municipality struct {
	bun.BaseModel `bun:"table:municipalities"`

	ID            uuid.UUID      `bun:"id,pk,type:uuid"`
	Slug          string         `bun:"slug"`
	Name          string         `bun:"name"`
	TimeZone      string         `bun:"time_zone"`
	DefaultLocale string         `bun:"default_locale"`
	Settings      map[string]any `bun:"settings,type:jsonb"`
	// LixTarget is the readability index Norwegian pages and articles should stay at or
	// below (20 to 80; 40 unless set).
	LixTarget int `bun:"lix_target,nullzero,notnull,default:40"`
	// ContentCheckErrors are the codes of content checks that block publishing; the
	// other findings are warnings.
	ContentCheckErrors []string `bun:"content_check_errors,array,nullzero,notnull,default:'{}'"`
	// ApproveOrganisationArticles holds an organisation's own publishing of its articles
	// until the municipality's ADMIN or EDITOR publishes them.
	ApproveOrganisationArticles bool `bun:"approve_organisation_articles,notnull"`
	// QuestionsEnabled lets residents ask questions on activities and events (off unless
	// set); QuestionHoldReports is how many reports hold a question for moderation.
	QuestionsEnabled    bool      `bun:"questions_enabled,notnull"`
	QuestionHoldReports int       `bun:"question_hold_reports,nullzero,notnull,default:3"`
	CreatedAt           time.Time `bun:"created_at,nullzero,notnull,default:current_timestamp"`
	UpdatedAt           time.Time `bun:"updated_at,nullzero,notnull,default:current_timestamp"`
}

// Direction is a script's writing direction.
type Direction string

// The directions.
const (
	LTR Direction = "ltr"
	RTL Direction = "rtl"
)

// Locale is a language a municipality publishes in.
type Locale struct {
	bun.BaseModel `bun:"table:locales"`

	MunicipalityID uuid.UUID `bun:"municipality_id,pk,type:uuid"`
	Code           string    `bun:"code,pk"`
	EnglishName    string    `bun:"english_name"`
	NativeName     string    `bun:"native_name"`
	Direction      Direction `bun:"direction"`
	FallbackCode   *string   `bun:"fallback_code"`
	Enabled        bool      `bun:"enabled"`
	SortOrder      int       `bun:"sort_order"`
}

// Domain is a host name a municipality is served at.
type Domain struct {
	bun.BaseModel `bun:"table:municipality_domains"`

	Host           string    `bun:"host,pk"`
	MunicipalityID uuid.UUID `bun:"municipality_id,type:uuid"`
	CreatedAt      time.Time `bun:"created_at,nullzero,notnull,default:current_timestamp"`
}

// Tenant is a municipality with its locales, as resolved for a request.
type Tenant struct {
	Municipality *Municipality
	// Locales are all the municipality's locales, enabled or not, in display order.
	Locales []*Locale
}

// ID returns the municipality's ID.
func (t *Tenant) ID() uuid.UUID { return t.Municipality.ID }

// Locale returns the locale with code, or nil.
func (t *Tenant) Locale(code string) *Locale {
	for _, l := range t.Locales {
		if l.Code == code {
			return l
		}
	}
	return nil
}

// CheckEnabled returns BAD_USER_INPUT naming field unless code is a locale the
// municipality has enabled: texts are written only in languages it publishes in.
func (t *Tenant) CheckEnabled(code, field string) error {
	if l := t.Locale(code); l == nil || !l.Enabled {
		return apperr.Invalid(field, "LocaleNotEnabled", map[string]any{"Locale": code})
	}
	return nil
}

// EnabledCodes returns the codes of the enabled locales.
func (t *Tenant) EnabledCodes() []string {
	var codes []string
	for _, l := range t.Locales {
		if l.Enabled {
			codes = append(codes, l.Code)
		}
	}
	return codes
}

// FallbackOf returns the fallback locale code of code, or "".
func (t *Tenant) FallbackOf(code string) string {
	if l := t.Locale(code); l != nil && l.FallbackCode != nil {
		return *l.FallbackCode
	}
	return ""
}

type ctxKey struct{}

// WithTenant returns ctx carrying t.
func WithTenant(ctx context.Context, t *Tenant) context.Context {
	return context.WithValue(ctx, ctxKey{}, t)
}

// FromContext returns the request's tenant, or nil outside a tenant's request.
func FromContext(ctx context.Context) *Tenant {
	t, _ := ctx.Value(ctxKey{}).(*Tenant)
	return t
}

// MarshalGQL writes the direction as the GraphQL enum value LTR or RTL.
func (d Direction) MarshalGQL(w io.Writer) {
	io.WriteString(w, strconv.Quote(strings.ToUpper(string(d)))) //nolint:errcheck // gqlgen's writer
}

// UnmarshalGQL reads the GraphQL enum value LTR or RTL.
func (d *Direction) UnmarshalGQL(v any) error {
	s, _ := v.(string)
	switch dir := Direction(strings.ToLower(s)); dir {
	case LTR, RTL:
		*d = dir
		return nil
	}
	return fmt.Errorf("%v is not a valid TextDirection", v)
}

package tenant

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/audit"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
)

// LocaleInput describes a language to add or change. Nil fields stay as they are.
type LocaleInput struct {
	Code        string
	EnglishName *string
	NativeName  *string
	Direction   *Direction
	Fallback    *string // "" removes the fallback
	Enabled     *bool
	IsDefault   bool
}

// SaveLocale adds a language to the municipality or changes one; a municipality adds
// languages at run time. Errors: UNAUTHENTICATED, FORBIDDEN (administrators only),
// BAD_USER_INPUT naming the field (a bad code, a missing name, a fallback that is
// not a language of the municipality or points back to itself, disabling or not enabling
// the default).
func (s *Service) SaveLocale(ctx context.Context, in LocaleInput) (*Locale, error) {
	// SECURITY: only an administrator of the request's municipality changes its languages.
	t, actor, err := s.requireAdmin(ctx)
	if err != nil {
		return nil, err
	}
	l := t.Locale(in.Code)
	isNew := l == nil
	if isNew {
		if !localeCode.MatchString(in.Code) {
			return nil, apperr.Invalid("code", "LocaleInvalid", nil)
		}
		l = &Locale{MunicipalityID: t.ID(), Code: in.Code, Direction: LTR, Enabled: true, SortOrder: len(t.Locales) + 1}
	} else {
		c := *l
		l = &c
	}
	if err := applyLocale(t, l, in); err != nil {
		return nil, err
	}
	err = database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		q := tx.NewInsert().Model(l).On("CONFLICT (municipality_id, code) DO UPDATE").
			Set("english_name = EXCLUDED.english_name, native_name = EXCLUDED.native_name, direction = EXCLUDED.direction").
			Set("fallback_code = EXCLUDED.fallback_code, enabled = EXCLUDED.enabled")
		if _, err := q.Exec(ctx); err != nil {
			return database.MapError(err, "save locale", "locale")
		}
		if err := audit.Append(ctx, tx, &audit.Entry{MunicipalityID: t.ID(), ActorID: &actor, Action: "save_locale", ItemType: "Locale", Fields: localeFields(in)}); err != nil {
			return err
		}
		if in.IsDefault {
			if _, err := tx.NewUpdate().Model(t.Municipality).Set("default_locale = ?, updated_at = now()", l.Code).WherePK().Exec(ctx); err != nil {
				return database.MapError(err, "set default locale", "locale")
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.Invalidate()
	return l, nil
}

func applyLocale(t *Tenant, l *Locale, in LocaleInput) error {
	for _, f := range []struct {
		v   *string
		dst *string
		n   string
	}{{in.EnglishName, &l.EnglishName, "englishName"}, {in.NativeName, &l.NativeName, "nativeName"}} {
		if f.v != nil {
			*f.dst = strings.TrimSpace(*f.v)
		}
		if *f.dst == "" || len(*f.dst) > 100 {
			return apperr.Invalid(f.n, "NameRequired", nil)
		}
	}
	if in.Direction != nil {
		l.Direction = *in.Direction
	}
	if in.Enabled != nil {
		l.Enabled = *in.Enabled
	}
	if in.Fallback != nil {
		l.FallbackCode = nil
		if fb := *in.Fallback; fb != "" {
			if fb == l.Code || t.Locale(fb) == nil || t.FallbackOf(fb) == l.Code {
				return apperr.Invalid("fallback", "FallbackInvalid", nil)
			}
			l.FallbackCode = &fb
		}
	}
	isDefault := in.IsDefault || t.Municipality.DefaultLocale == l.Code
	if isDefault && !l.Enabled {
		return apperr.Invalid("enabled", "DefaultMustBeEnabled", nil)
	}
	return nil
}

// MunicipalityChanges are changes to a municipality's own settings. Nil fields stay as
// they are.
type MunicipalityChanges struct {
	Name     *string
	TimeZone *string
	// Settings replaces the public settings object (branding, contact details, links the
	// portal shows); it must be a JSON object of at most maxSettingsBytes.
	Settings []byte
	// LixTarget is the readability target of Norwegian pages and articles, 20 to 80.
	LixTarget *int
	// ContentCheckErrors replaces the codes of content checks that block publishing.
	ContentCheckErrors []string
	// ApproveOrganisationArticles turns municipal approval of organisations' articles on
	// or off.
	ApproveOrganisationArticles *bool
	// QuestionsEnabled turns residents' questions on activities and events on or off.
	QuestionsEnabled *bool
	// QuestionHoldReports is how many reports hold a question for moderation, 1 to 100.
	QuestionHoldReports *int
}

// ContentCheckCodes are the codes of the content checks a municipality may make errors.
var ContentCheckCodes = []string{"HEADING_SKIPPED", "IMAGE_WITHOUT_ALT", "VAGUE_LINK_TEXT", "LIX_TOO_HIGH"}

const maxSettingsBytes = 16 << 10

// UpdateMunicipality changes the request's municipality: its display name, time zone and
// public settings. Errors: UNAUTHENTICATED, FORBIDDEN (administrators only),
// BAD_USER_INPUT naming the field (an empty or long name, an unknown IANA time zone,
// settings that are not a JSON object or are too large).
func (s *Service) UpdateMunicipality(ctx context.Context, in MunicipalityChanges) (*Municipality, error) {
	// SECURITY: only an administrator of the request's municipality changes its settings,
	// and only that municipality's row is written.
	t, actor, err := s.requireAdmin(ctx)
	if err != nil {
		return nil, err
	}
	m := *t.Municipality
	if in.Name != nil {
		m.Name = strings.TrimSpace(*in.Name)
		if m.Name == "" || utf8.RuneCountInString(m.Name) > 200 {
			return nil, apperr.Invalid("input.name", "NameRequired", nil)
		}
	}
	if in.TimeZone != nil {
		if _, err := time.LoadLocation(*in.TimeZone); err != nil || *in.TimeZone == "" || *in.TimeZone == "Local" {
			return nil, apperr.Invalid("input.timeZone", "TimeZoneInvalid", nil)
		}
		m.TimeZone = *in.TimeZone
	}
	if in.Settings != nil {
		var obj map[string]any
		if len(in.Settings) > maxSettingsBytes {
			return nil, apperr.Invalid("input.settings", "SettingsTooLarge", map[string]any{"Max": maxSettingsBytes})
		}
		if err := json.Unmarshal(in.Settings, &obj); err != nil || obj == nil {
			return nil, apperr.Invalid("input.settings", "SettingsNotObject", nil)
		}
		m.Settings = obj
	}
	if in.LixTarget != nil {
		if *in.LixTarget < 20 || *in.LixTarget > 80 {
			return nil, apperr.Invalid("input.lixTarget", "LixTargetRange", map[string]any{"Min": 20, "Max": 80})
		}
		m.LixTarget = *in.LixTarget
	}
	if in.ContentCheckErrors != nil {
		codes := []string{}
		for i, c := range in.ContentCheckErrors {
			if !slices.Contains(ContentCheckCodes, c) {
				return nil, apperr.Invalid(fmt.Sprintf("input.contentCheckErrors[%d]", i), "ContentCheckUnknown", nil)
			}
			if !slices.Contains(codes, c) {
				codes = append(codes, c)
			}
		}
		m.ContentCheckErrors = codes
	}
	if in.ApproveOrganisationArticles != nil {
		m.ApproveOrganisationArticles = *in.ApproveOrganisationArticles
	}
	if err := questionChanges(&m, in); err != nil {
		return nil, err
	}
	err = database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.NewUpdate().Model(&m).
			Column("name", "time_zone", "settings", "lix_target", "content_check_errors",
				"approve_organisation_articles", "questions_enabled", "question_hold_reports").
			Set("updated_at = now()").
			WherePK().Returning("updated_at").Exec(ctx)
		if err != nil {
			return database.MapError(err, "update municipality", "municipality")
		}
		return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: m.ID, ActorID: &actor, Action: "update_municipality",
			ItemType: "Municipality", ItemID: &m.ID, Fields: changed(map[string]bool{
				"name": in.Name != nil, "timeZone": in.TimeZone != nil, "settings": in.Settings != nil,
				"lixTarget": in.LixTarget != nil, "contentCheckErrors": in.ContentCheckErrors != nil,
				"approveOrganisationArticles": in.ApproveOrganisationArticles != nil,
				"questionsEnabled":            in.QuestionsEnabled != nil,
				"questionHoldReports":         in.QuestionHoldReports != nil})})
	})
	if err != nil {
		return nil, err
	}
	s.Invalidate()
	return &m, nil
}

// questionChanges applies in's question settings to m. Errors: BAD_USER_INPUT naming
// "input.questionHoldReports".
func questionChanges(m *Municipality, in MunicipalityChanges) error {
	if in.QuestionsEnabled != nil {
		m.QuestionsEnabled = *in.QuestionsEnabled
	}
	if in.QuestionHoldReports != nil {
		if n := *in.QuestionHoldReports; n < 1 || n > 100 {
			return apperr.Invalid("input.questionHoldReports", "QuestionHoldReportsRange",
				map[string]any{"Min": 1, "Max": 100})
		}
		m.QuestionHoldReports = *in.QuestionHoldReports
	}
	return nil
}

func localeFields(in LocaleInput) []string {
	return changed(map[string]bool{"englishName": in.EnglishName != nil, "nativeName": in.NativeName != nil,
		"direction": in.Direction != nil, "fallback": in.Fallback != nil, "enabled": in.Enabled != nil, "isDefault": in.IsDefault})
}

// changed returns the names set in m, sorted.
func changed(m map[string]bool) []string {
	var out []string
	for k, set := range m {
		if set {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// requireAdmin returns the request's tenant and the acting administrator's user ID.
// Errors: TENANT_NOT_FOUND, UNAUTHENTICATED, FORBIDDEN.
func (s *Service) requireAdmin(ctx context.Context) (*Tenant, uuid.UUID, error) {
	t, err := Current(ctx)
	if err != nil {
		return nil, uuid.Nil, err
	}
	// SECURITY: the application sets the check; without it nobody administers anything.
	if s.RequireAdmin == nil {
		return nil, uuid.Nil, apperr.New(apperr.Forbidden, "")
	}
	actor, err := s.RequireAdmin(ctx)
	return t, actor, err
}

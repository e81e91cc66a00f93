package tenant

import (
	"context"
	"strings"

	"github.com/uptrace/bun"

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
	t, err := Current(ctx)
	if err != nil {
		return nil, err
	}
	// SECURITY: only an administrator of the request's municipality changes its languages.
	if s.RequireAdmin == nil {
		return nil, apperr.New(apperr.Forbidden, "")
	}
	if err := s.RequireAdmin(ctx); err != nil {
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

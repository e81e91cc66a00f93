package portal

import (
	"context"
	"fmt"
	"io"

	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/audit"
	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/media"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/i18n"
	"github.com/fritid/fritid/internal/tenant"
)

// UploadImage stores an uploaded image in its fixed widths and returns it, to be attached
// as a logo, cover or activity image. alt describes it in the request's language. Errors:
// UNAUTHENTICATED (sign in first), BAD_USER_INPUT naming "file" (not a JPEG, PNG or WebP,
// too large, too many pixels) or "alt".
func (s *Service) UploadImage(ctx context.Context, file io.Reader, alt string) (*Media, error) {
	t, err := tenant.Current(ctx)
	if err != nil {
		return nil, err
	}
	v := auth.ViewerFrom(ctx)
	// SECURITY: only signed-in users and catalogue:write keys upload.
	if v == nil || (v.User == nil && !v.HasScope(auth.ScopeCatalogueWrite)) {
		return nil, apperr.New(apperr.Unauthenticated, "")
	}
	if alt, err = CheckText(alt, 500, "alt"); err != nil {
		return nil, err
	}
	variants, bodies, err := media.Process(file, s.UploadLimits, "file")
	if err != nil {
		return nil, err
	}
	m := &Media{ID: newID(), MunicipalityID: t.ID()}
	for i, vr := range variants {
		key := fmt.Sprintf("%s/%s/%s", t.ID(), m.ID, vr.Key)
		if err := s.Media.Put(ctx, key, vr.ContentType, bodies[i]); err != nil {
			return nil, fmt.Errorf("store image: %w", err)
		}
		m.URL, m.Width, m.Height = s.PublicURL+"/media/"+key, vr.Width, vr.Height // the widest
	}
	if alt != "" {
		m.Translations = []*MediaTranslation{{MediaID: m.ID, MunicipalityID: t.ID(), Locale: i18n.FromContext(ctx).Code, Alt: alt}}
	}
	err = database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewInsert().Model(m).Returning("created_at").Exec(ctx); err != nil {
			return database.MapError(err, "insert media", "media")
		}
		if len(m.Translations) > 0 {
			if _, err := tx.NewInsert().Model(&m.Translations).Exec(ctx); err != nil {
				return database.MapError(err, "insert alt text", "media")
			}
		}
		return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: t.ID(), ActorID: actor(v), Action: "upload_image", ItemType: "Media", ItemID: &m.ID})
	})
	return m, err
}

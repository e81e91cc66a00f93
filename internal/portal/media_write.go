package portal

import (
	"context"
	"fmt"
	"io"
	"log/slog"

	"github.com/google/uuid"
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
// as a logo, cover or activity image (as many places as wanted). alt describes it in the
// request's language. With organisationID the image joins that organisation's library;
// without, the municipality's, and the first organisation to use it keeps it. Errors:
// UNAUTHENTICATED (sign in first), FORBIDDEN (an organisation the caller does not edit),
// NOT_FOUND naming "organisationId" (no such organisation), BAD_USER_INPUT naming "file" (not a JPEG, PNG or WebP,
// too large, too many pixels) or "alt".
func (s *Service) UploadImage(ctx context.Context, file io.Reader, alt string,
	organisationID *uuid.UUID) (*Media, error) {
	t, err := tenant.Current(ctx)
	if err != nil {
		return nil, err
	}
	v := auth.ViewerFrom(ctx)
	// SECURITY: only signed-in users and catalogue:write keys upload.
	if v == nil || (v.User == nil && !v.HasScope(auth.ScopeCatalogueWrite)) {
		return nil, apperr.New(apperr.Unauthenticated, "")
	}
	if organisationID != nil {
		// SECURITY: an organisation's library is filled by those who edit the organisation.
		if err := s.mayEditLibraryOf(ctx, v, t, organisationID); err != nil {
			return nil, withField(err, "organisationId")
		}
	}
	if alt, err = CheckText(alt, 500, "alt"); err != nil {
		return nil, err
	}
	m := &Media{ID: newID(), MunicipalityID: t.ID(), OrganisationID: organisationID}
	if _, err := s.storeFile(ctx, m, file); err != nil {
		return nil, err
	}
	if alt != "" {
		locale := i18n.FromContext(ctx).Code
		m.Translations = []*MediaTranslation{{MediaID: m.ID, MunicipalityID: t.ID(), Locale: locale, Alt: alt}}
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
		return s.auditImage(ctx, tx, v, m, "upload_image")
	})
	return m, err
}

// storeFile processes an upload and writes its variants in a folder of their own under the
// image's, so that a replaced file never overwrites what caches keep; m's URL and size
// become the widest variant's. It returns the folder. Errors: BAD_USER_INPUT naming "file".
func (s *Service) storeFile(ctx context.Context, m *Media, file io.Reader) (string, error) {
	variants, bodies, err := media.Process(file, s.UploadLimits, "file")
	if err != nil {
		return "", err
	}
	folder := fmt.Sprintf("%s%s/", imageFolder(m), newID())
	for i, vr := range variants {
		if !vr.Deferred { // made on its first request
			if err := s.Media.Put(ctx, folder+vr.Key, vr.ContentType, bodies[i]); err != nil {
				return "", fmt.Errorf("store image: %w", err)
			}
		}
		m.URL, m.Width, m.Height = s.PublicURL+"/media/"+folder+vr.Key, vr.Width, vr.Height // the widest
	}
	return folder, nil
}

// imageFolder is where an image's files are kept in the bucket.
func imageFolder(m *Media) string { return fmt.Sprintf("%s/%s/", m.MunicipalityID, m.ID) }

// mayEditLibraryOf returns nil when v may add to or change the images of organisation id
// (nil: the municipality's own images). Errors: FORBIDDEN, NOT_FOUND.
func (s *Service) mayEditLibraryOf(ctx context.Context, v *auth.Viewer, t *tenant.Tenant, id *uuid.UUID) error {
	if id != nil {
		ok, err := s.db.NewSelect().Table("organisations").
			Where("id = ? AND municipality_id = ?", *id, t.ID()).
			Exists(ctx)
		if err != nil {
			return database.MapError(err, "find organisation", "organisation")
		}
		if !ok {
			return apperr.NotFoundf("organisation")
		}
	}
	// SECURITY: administrators, municipal editors and catalogue:write keys change every
	// image; an organisation's OWNER and EDITORs its own; the municipality's own images
	// nobody else.
	if libraryWide(v) {
		return nil
	}
	if id == nil || v.User == nil {
		return apperr.New(apperr.Forbidden, "")
	}
	return s.requireOrganisationEditor(ctx, v, *id)
}

// editableImage finds the image id of the request's municipality, locked for the
// transaction, and checks that the caller may change it. Errors: UNAUTHENTICATED,
// NOT_FOUND (naming "id"), FORBIDDEN.
func (s *Service) editableImage(ctx context.Context, tx bun.IDB, id uuid.UUID) (*Media, *auth.Viewer, error) {
	t, err := tenant.Current(ctx)
	if err != nil {
		return nil, nil, err
	}
	v := auth.ViewerFrom(ctx)
	if v == nil || (v.User == nil && v.APIKey == nil) {
		return nil, nil, apperr.New(apperr.Unauthenticated, "")
	}
	m := new(Media)
	// SECURITY: the request's municipality only; another's image is NOT_FOUND.
	err = tx.NewSelect().Model(m).Relation("Translations").
		Where("media.id = ? AND media.municipality_id = ?", id, t.ID()).For("UPDATE OF media").Scan(ctx)
	if err != nil {
		return nil, nil, withField(database.MapError(err, "find image", "image"), "id")
	}
	if err := s.mayEditLibraryOf(ctx, v, t, m.OrganisationID); err != nil {
		return nil, nil, err
	}
	return m, v, nil
}

// adoptUsedImages puts each of ms that belongs to no organisation and is used by exactly
// one in that organisation's library.
func adoptUsedImages(ctx context.Context, db bun.IDB, ms []*Media) error {
	ids := make([]uuid.UUID, len(ms))
	for i, m := range ms {
		ids[i] = m.ID
	}
	for start := 0; start < len(ids); start += chunk {
		part := ids[start:min(start+chunk, len(ids))]
		_, err := db.NewRaw(`UPDATE media m SET organisation_id = s.organisation_id
			FROM (SELECT u.media_id, (array_agg(u.organisation_id))[1] AS organisation_id FROM `+usesSQL+`
				WHERE u.media_id IN (?) GROUP BY u.media_id HAVING count(DISTINCT u.organisation_id) = 1) AS s
			WHERE m.id = s.media_id AND m.organisation_id IS NULL`, bun.In(part)).Exec(ctx)
		if err != nil {
			return database.MapError(err, "adopt images", "image")
		}
	}
	return nil
}

// withField names field on an application error without one.
func withField(err error, field string) error {
	if e := apperr.As(err); e != nil && e.Field == "" {
		return e.WithField(field)
	}
	return err
}

// ReplaceImage puts a new file in place of image id's, keeping its ID, alt texts and every
// place it is used; the old file's variants are removed. Errors: UNAUTHENTICATED,
// NOT_FOUND on "id", FORBIDDEN, BAD_USER_INPUT naming "file".
func (s *Service) ReplaceImage(ctx context.Context, id uuid.UUID, file io.Reader) (*Media, error) {
	var out *Media
	var folder string
	err := database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		m, v, err := s.editableImage(ctx, tx, id)
		if err != nil {
			return err
		}
		if folder, err = s.storeFile(ctx, m, file); err != nil {
			return err
		}
		if _, err := tx.NewUpdate().Model(m).Column("url", "width", "height").WherePK().Exec(ctx); err != nil {
			return database.MapError(err, "replace image", "image")
		}
		out = m
		return s.auditImage(ctx, tx, v, m, "replace_image", "file")
	})
	if err != nil {
		if folder != "" { // stored, but the image did not change: the new files go
			s.removeFolder(ctx, id, folder)
		}
		return nil, err
	}
	s.removeFiles(ctx, out, folder)
	return out, nil
}

// removeFiles deletes image m's stored variants except those in folder keep ("": all). A
// failure leaves unreachable files behind, which is logged, not the caller's error.
func (s *Service) removeFiles(ctx context.Context, m *Media, keep string) {
	if err := s.Media.DeleteAll(context.WithoutCancel(ctx), imageFolder(m), keep); err != nil {
		slog.WarnContext(ctx, "old image files not removed", "image", m.ID, "err", err)
	}
}

// removeFolder deletes the files in folder of image id, logging a failure.
func (s *Service) removeFolder(ctx context.Context, id uuid.UUID, folder string) {
	if err := s.Media.DeleteAll(context.WithoutCancel(ctx), folder, ""); err != nil {
		slog.WarnContext(ctx, "unused image files not removed", "image", id, "err", err)
	}
}

// DeleteImage deletes image id with its files, unless it is still used. Errors:
// UNAUTHENTICATED, NOT_FOUND on "id", FORBIDDEN, CONFLICT on "id" while the image is used
// (the places come with the error: UsesOf).
func (s *Service) DeleteImage(ctx context.Context, id uuid.UUID) error {
	var m *Media
	err := database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		var v *auth.Viewer
		var err error
		if m, v, err = s.editableImage(ctx, tx, id); err != nil {
			return err
		}
		var uses []*ImageUse
		err = tx.NewSelect().TableExpr(usesSQL).ColumnExpr("u.kind, u.media_id, u.organisation_id, u.activity_id").
			Where("u.media_id = ?", id).OrderExpr("u.kind DESC, u.organisation_id, u.activity_id").Scan(ctx, &uses)
		if err != nil {
			return database.MapError(err, "find image uses", "image")
		}
		if len(uses) > 0 {
			return &apperr.Error{Code: apperr.Conflict, MessageID: "ImageInUse", Field: "id",
				Data: map[string]any{"Count": len(uses), usesKey: uses}}
		}
		if _, err := tx.NewDelete().Model(m).WherePK().Exec(ctx); err != nil {
			return database.MapError(err, "delete image", "image")
		}
		return s.auditImage(ctx, tx, v, m, "delete_image")
	})
	if err == nil {
		s.removeFiles(ctx, m, "")
	}
	return err
}

// usesKey is where a refused DeleteImage keeps the places in the error's data.
const usesKey = "uses"

// UsesOf returns the places a refused DeleteImage found the image in, for the API layer to
// show beside the error, or nil.
func UsesOf(err error) []*ImageUse {
	if e := apperr.As(err); e != nil {
		u, _ := e.Data[usesKey].([]*ImageUse)
		return u
	}
	return nil
}

// SetImageAlt writes image id's alt text in locale, one the municipality publishes; an
// empty alt removes that language's text (reads then fall back along the locale chain).
// Errors: UNAUTHENTICATED, NOT_FOUND on "id", FORBIDDEN, BAD_USER_INPUT naming "locale"
// or "alt".
func (s *Service) SetImageAlt(ctx context.Context, id uuid.UUID, locale, alt string) (*Media, error) {
	t, err := tenant.Current(ctx)
	if err != nil {
		return nil, err
	}
	var out *Media
	err = database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		m, v, err := s.editableImage(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := t.CheckEnabled(locale, "locale"); err != nil {
			return err
		}
		if alt, err = CheckText(alt, 500, "alt"); err != nil {
			return err
		}
		if err := writeAlt(ctx, tx, m, locale, alt); err != nil {
			return err
		}
		out = m
		return s.auditImage(ctx, tx, v, m, "set_image_alt", "alt."+locale)
	})
	return out, err
}

// writeAlt upserts (or, for "", deletes) m's alt text in locale, in the row and in m.
func writeAlt(ctx context.Context, tx bun.IDB, m *Media, locale, alt string) error {
	kept := m.Translations[:0]
	for _, tr := range m.Translations {
		if tr.Locale != locale {
			kept = append(kept, tr)
		}
	}
	m.Translations = kept
	if alt == "" {
		_, err := tx.NewDelete().Model((*MediaTranslation)(nil)).
			Where("media_id = ? AND locale = ?", m.ID, locale).
			Exec(ctx)
		return database.MapError(err, "delete alt text", "image")
	}
	tr := &MediaTranslation{MediaID: m.ID, MunicipalityID: m.MunicipalityID, Locale: locale, Alt: alt}
	m.Translations = append(m.Translations, tr)
	_, err := tx.NewInsert().Model(tr).On("CONFLICT (media_id, locale) DO UPDATE").Set("alt = EXCLUDED.alt").Exec(ctx)
	return database.MapError(err, "write alt text", "image")
}

// auditImage appends an audit entry for an action on image m.
func (s *Service) auditImage(ctx context.Context, tx bun.IDB, v *auth.Viewer, m *Media, action string,
	fields ...string) error {
	return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: m.MunicipalityID, ActorID: actor(v), Action: action,
		ItemType: "Media", ItemID: &m.ID, Fields: fields})
}

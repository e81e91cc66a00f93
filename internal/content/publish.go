package content

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/audit"
	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/relay"
	"github.com/fritid/fritid/internal/tenant"
)

// SetStatusInput sets where one language of a page or article stands:
//
//   - DRAFT: not public (publishAt and unpublishAt cleared);
//   - PUBLISHED: public from now (or from when it already was) until UnpublishAt, if given;
//   - SCHEDULED: public from PublishAt (in the future) until UnpublishAt, if given;
//   - ARCHIVED: no longer public from UnpublishAt (now if not given).
type SetStatusInput struct {
	ID          string
	Locale      string
	Status      Status
	PublishAt   *time.Time
	UnpublishAt *time.Time
}

// SetStatus sets the publication of one language of a page or article (by its global ID)
// and returns the item's type and ID. The municipality's default language is published
// first: another language cannot be public, or scheduled, before it. Errors:
// UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, BAD_USER_INPUT naming the field (a language
// without a title, publishAt in the past or not before unpublishAt, a language before the
// default one, and "input.locale" when the checks find an ERROR in the language's body,
// the findings carried along: see FindingsOf). Publishing or scheduling returns the
// checks' warnings.
func (s *Service) SetStatus(ctx context.Context, in SetStatusInput) (string, uuid.UUID, []*Finding, error) {
	t, err := tenant.Current(ctx)
	if err != nil {
		return "", uuid.Nil, nil, err
	}
	v, err := auth.RequirePerson(ctx)
	if err != nil {
		return "", uuid.Nil, nil, err
	}
	typ, id, err := relay.ParseGlobalID(in.ID, "input.id")
	if err != nil {
		return "", uuid.Nil, nil, err
	}
	k := pageKind
	switch typ {
	case "Page":
	case "Article":
		k = articleKind
	default:
		return "", uuid.Nil, nil, apperr.Invalid("input.id", "InvalidID", nil)
	}
	if err := t.CheckEnabled(in.Locale, "input.locale"); err != nil {
		return "", uuid.Nil, nil, err
	}
	now := s.now()
	pub, unpub, err := publicationOf(in, now)
	if err != nil {
		return "", uuid.Nil, nil, err
	}
	warnings := []*Finding{}
	err = database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		if err := s.mayWrite(ctx, tx, v, t.ID(), k, id); err != nil {
			return err
		}
		cur, err := currentPublication(ctx, tx, k, id, in.Locale)
		if err != nil {
			return err
		}
		if in.Status == StatusPublished || in.Status == StatusScheduled {
			fs, err := checkTexts(ctx, tx, t, k, id, in.Locale, cur.BodyJSON, cur.HeroAlt)
			if err != nil {
				return err
			}
			if err := refuseErrors(in.Locale, fs); err != nil {
				return err
			}
			warnings = pointers(fs)
		}
		held, err := s.heldForApproval(ctx, tx, t, v, k, id, in.Status)
		if err != nil {
			return err
		}
		if held {
			_, err = tx.ExecContext(ctx, "UPDATE article_translations SET review_requested_at = now(), updated_at = now() "+
				"WHERE article_id = ? AND locale = ?", id, in.Locale)
			if err != nil {
				return database.MapError(err, "request approval", "text")
			}
			return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: t.ID(), ActorID: &v.User.ID,
				Action: "request_article_approval", ItemType: k.name, ItemID: &id,
				Fields: []string{"status." + in.Locale + "." + string(in.Status)}})
		}
		if in.Status == StatusPublished && cur.PublishAt != nil && !cur.PublishAt.After(now) &&
			statusAt(cur.PublishAt, cur.UnpublishAt, now) == StatusPublished {
			pub = cur.PublishAt // already public: it keeps its publication time
		}
		if in.Status == StatusArchived {
			pub = cur.PublishAt
			if pub != nil && !unpub.After(*pub) {
				pub = nil // archived before it went out: it never will
			}
		}
		if pub != nil && in.Locale != t.Municipality.DefaultLocale {
			if err := defaultFirst(ctx, tx, k, id, t.Municipality.DefaultLocale, *pub, now); err != nil {
				return err
			}
		}
		set := "publish_at = ?, unpublish_at = ?, updated_at = now()"
		if k == articleKind {
			set += ", review_requested_at = NULL" // decided: approved, withdrawn or ended
		}
		_, err = tx.ExecContext(ctx, "UPDATE "+k.texts+" SET "+set+" WHERE "+
			k.key+" = ? AND locale = ?", pub, unpub, id, in.Locale)
		if err != nil {
			return database.MapError(err, "set status", "text")
		}
		if err := s.saveRevision(ctx, tx, k, t.ID(), id, &v.User.ID); err != nil {
			return err
		}
		return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: t.ID(), ActorID: &v.User.ID,
			Action: "set_" + k.table[:len(k.table)-1] + "_status", ItemType: k.name, ItemID: &id,
			Fields: []string{"status." + in.Locale + "." + string(in.Status)}})
	})
	if err != nil {
		return "", uuid.Nil, nil, err
	}
	return k.name, id, warnings, nil
}

// heldForApproval reports whether v's publishing or scheduling of an article only asks
// for it: the municipality approves organisations' articles, the article is an
// organisation's and v is not the municipality's ADMIN or EDITOR (mayWrite has let v write
// it, so v is one of the organisation's OWNER and EDITOR members).
func (s *Service) heldForApproval(ctx context.Context, tx bun.IDB, t *tenant.Tenant, v *auth.Viewer, k kind,
	id uuid.UUID, st Status,
) (bool, error) {
	if k != articleKind || !t.Municipality.ApproveOrganisationArticles || (st != StatusPublished && st != StatusScheduled) {
		return false, nil
	}
	// SECURITY: with municipal approval on, only the municipality's ADMIN and EDITOR put an
	// organisation's article out; its OWNER and EDITOR members ask for it.
	if v.MunicipalEditor() {
		return false, nil
	}
	a, err := findArticleForUpdate(ctx, tx, t.ID(), id)
	if err != nil {
		return false, err
	}
	return a.owner().organisationID != nil, nil
}

// publicationOf checks in's times and returns the publish_at and unpublish_at it asks for.
func publicationOf(in SetStatusInput, now time.Time) (pub, unpub *time.Time, err error) {
	switch in.Status {
	case StatusDraft:
		return nil, nil, nil
	case StatusPublished:
		pub = &now
	case StatusScheduled:
		if in.PublishAt == nil {
			return nil, nil, apperr.Invalid("input.publishAt", "PublishAtRequired", nil)
		}
		if !in.PublishAt.After(now) {
			return nil, nil, apperr.Invalid("input.publishAt", "PublishAtInPast", nil)
		}
		pub = in.PublishAt
	case StatusArchived:
		at := now
		if in.UnpublishAt != nil {
			at = *in.UnpublishAt
		}
		return nil, &at, nil
	default:
		return nil, nil, apperr.Invalid("input.status", "InvalidStatus", nil)
	}
	if in.UnpublishAt != nil && !in.UnpublishAt.After(*pub) {
		return nil, nil, apperr.Invalid("input.unpublishAt", "UnpublishBeforePublish", nil)
	}
	return pub, in.UnpublishAt, nil
}

// currentPublication returns a language's texts' publication. Errors: BAD_USER_INPUT
// naming "input.locale" when the language has no title (nothing to publish).
func currentPublication(ctx context.Context, tx bun.IDB, k kind, id uuid.UUID, locale string) (*Translation, error) {
	cur := new(Translation)
	err := tx.NewSelect().TableExpr(k.texts).Column("title", "body", "hero_alt", "publish_at", "unpublish_at").
		Where(k.key+" = ? AND locale = ?", id, locale).For("UPDATE").Scan(ctx, cur)
	if apperr.CodeOf(database.MapError(err, "", "")) == apperr.NotFound || (err == nil && cur.Title == "") {
		return nil, apperr.Invalid("input.locale", "NoTextsInLocale", map[string]any{"Locale": locale})
	}
	return cur, database.MapError(err, "find texts", "text")
}

// defaultFirst returns BAD_USER_INPUT naming "input.locale" unless the default language is
// public, or scheduled, no later than pub.
func defaultFirst(ctx context.Context, tx bun.IDB, k kind, id uuid.UUID, def string, pub, now time.Time) error {
	d := new(Translation)
	err := tx.NewSelect().TableExpr(k.texts).Column("publish_at", "unpublish_at").
		Where(k.key+" = ? AND locale = ?", id, def).Scan(ctx, d)
	if err != nil && apperr.CodeOf(database.MapError(err, "", "")) != apperr.NotFound {
		return database.MapError(err, "find texts", "text")
	}
	st := statusAt(d.PublishAt, d.UnpublishAt, now)
	if err != nil || (st != StatusPublished && st != StatusScheduled) || d.PublishAt.After(pub) {
		return apperr.Invalid("input.locale", "DefaultLocaleFirst", map[string]any{"Locale": def})
	}
	return nil
}

// Translations returns every language's texts of a page or article with their status, to
// those who may write it; nil to anyone else.
func (s *Service) Translations(ctx context.Context, typ string, id uuid.UUID) ([]*Translation, error) {
	t, err := tenant.Current(ctx)
	if err != nil {
		return nil, err
	}
	v, err := auth.RequirePerson(ctx)
	if err != nil {
		return []*Translation{}, nil
	}
	k := pageKind
	if typ == "Article" {
		k = articleKind
	}
	// SECURITY: drafts and every language are for those who may write the item.
	if err := s.mayWrite(ctx, s.db, v, t.ID(), k, id); err != nil {
		if c := apperr.CodeOf(err); c == apperr.Forbidden || c == apperr.NotFound {
			return []*Translation{}, nil
		}
		return nil, err
	}
	texts, err := loadTexts(ctx, s.db, k, t.ID(), []uuid.UUID{id}, true, s.now())
	if err != nil {
		return nil, err
	}
	return texts[id], markStale(ctx, t, texts[id])
}

// CreatePreviewToken returns a token that shows one language of a page or article (by its
// global ID) as it will look, for PreviewTTL, to whoever holds it. Errors:
// UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, BAD_USER_INPUT naming "locale" or "id".
func (s *Service) CreatePreviewToken(ctx context.Context, gid, locale string) (*PreviewToken, error) {
	t, err := tenant.Current(ctx)
	if err != nil {
		return nil, err
	}
	v, err := auth.RequirePerson(ctx)
	if err != nil {
		return nil, err
	}
	typ, id, err := relay.ParseGlobalID(gid, "id")
	if err != nil {
		return nil, err
	}
	k := pageKind
	switch typ {
	case "Page":
	case "Article":
		k = articleKind
	default:
		return nil, apperr.Invalid("id", "InvalidID", nil)
	}
	if err := t.CheckEnabled(locale, "locale"); err != nil {
		return nil, err
	}
	// SECURITY: only those who may write the item may show its drafts to others.
	if err := s.mayWrite(ctx, s.db, v, t.ID(), k, id); err != nil {
		return nil, err
	}
	exp := s.now().Add(s.ttl()).Truncate(time.Second)
	return &PreviewToken{Token: s.sign(previewGrant{typ: k.name, id: id, mid: t.ID(), locale: locale}, exp), ExpiresAt: exp}, nil
}

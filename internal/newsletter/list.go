package newsletter

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/audit"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/i18n"
	"github.com/fritid/fritid/internal/platform/relay"
	"github.com/fritid/fritid/internal/portal"
	"github.com/fritid/fritid/internal/tenant"
)

// List is a newsletter list of the municipality, with its texts as the reader sees them.
type List struct {
	bun.BaseModel `bun:"table:newsletter_lists,alias:l"`

	ID             uuid.UUID `bun:"id,pk,type:uuid"`
	MunicipalityID uuid.UUID `bun:"municipality_id,type:uuid"`
	Audience       Audience  `bun:"audience"`
	Interests
	// KeptFrom is where a PROVIDERS list keeps itself from; empty: kept by hand.
	KeptFrom []ListSource `bun:"kept_from,array"`
	DigestSchedule
	CreatedAt time.Time `bun:"created_at,nullzero,notnull,default:current_timestamp"`
	UpdatedAt time.Time `bun:"updated_at,nullzero,notnull,default:current_timestamp"`

	// Texts are every language's name and description.
	Texts []*ListText `bun:"-"`
	// Name and Description are in the request's language (with fallback).
	Name, Description string `bun:"-"`
	// ConsentText is the newest consent text in the request's language (with fallback).
	ConsentText *ConsentText `bun:"-"`
}

// GlobalID returns the list's global ID.
func (l *List) GlobalID() string { return relay.GlobalID("NewsletterList", l.ID) }

// IsNode marks List as a Node.
func (*List) IsNode() {}

// AvailableInterests returns what a subscriber may pick.
func (l *List) AvailableInterests() Interests { return l.Interests }

// ListText is one language's name and description of a list.
type ListText struct {
	ListID         uuid.UUID `bun:"list_id,type:uuid"`
	MunicipalityID uuid.UUID `bun:"municipality_id,type:uuid"`
	Locale         string    `bun:"locale"`
	Name           string    `bun:"name"`
	Description    string    `bun:"description"`
}

// ConsentText is one version of a list's consent text in one language.
type ConsentText struct {
	bun.BaseModel `bun:"table:newsletter_consent_texts,alias:ct"`

	ID             uuid.UUID `bun:"id,pk,type:uuid"`
	MunicipalityID uuid.UUID `bun:"municipality_id,type:uuid"`
	ListID         uuid.UUID `bun:"list_id,type:uuid"`
	Locale         string    `bun:"locale"`
	Version        int       `bun:"version"`
	Body           string    `bun:"body"`
	CreatedAt      time.Time `bun:"created_at,nullzero,notnull,default:current_timestamp"`
}

// GlobalID returns the consent text's global ID.
func (c *ConsentText) GlobalID() string { return relay.GlobalID("NewsletterConsentText", c.ID) }

// ListInput is a list to create, or the fields to change (nil: unchanged).
type ListInput struct {
	ID        string
	Audience  *Audience
	Interests *InterestsInput
	// Texts replace the languages given; the others stay.
	Texts []*ListText
	// KeptFrom, when not nil, replaces where a PROVIDERS list keeps itself from (empty:
	// by hand).
	KeptFrom []ListSource
	// Digest, when set, makes a RESIDENTS list a digest (nil Value: no longer one).
	Digest portal.Patch[*DigestInput]
}

// FindLists returns the municipality's lists, oldest first, with their texts in the
// request's language. Everyone may read them: a form shows them.
func (s *Service) FindLists(ctx context.Context) ([]*List, error) {
	t, err := tenant.Current(ctx)
	if err != nil {
		return nil, err
	}
	var ls []*List
	err = s.db.NewSelect().Model(&ls).Where("l.municipality_id = ?", t.ID()).Order("l.id").Scan(ctx)
	if err != nil {
		return nil, database.MapError(err, "find newsletter lists", "list")
	}
	return ls, s.withTexts(ctx, s.db, t, ls)
}

// FindListByID returns list id. Errors: NOT_FOUND.
func (s *Service) FindListByID(ctx context.Context, id uuid.UUID) (*List, error) {
	t, err := tenant.Current(ctx)
	if err != nil {
		return nil, err
	}
	l, err := findList(ctx, s.db, t.ID(), id, "id")
	if err != nil {
		return nil, err
	}
	return l, s.withTexts(ctx, s.db, t, []*List{l})
}

// findList returns list id of municipality mid. Errors: NOT_FOUND naming field.
func findList(ctx context.Context, db bun.IDB, mid, id uuid.UUID, field string) (*List, error) {
	l := new(List)
	err := db.NewSelect().Model(l).Where("l.municipality_id = ? AND l.id = ?", mid, id).Scan(ctx)
	if err != nil {
		return nil, database.MapError(err, "find newsletter list", field)
	}
	return l, nil
}

// withTexts sets the lists' texts and newest consent texts for the request's language.
func (s *Service) withTexts(ctx context.Context, db bun.IDB, t *tenant.Tenant, ls []*List) error {
	if len(ls) == 0 {
		return nil
	}
	ids := make([]uuid.UUID, len(ls))
	for i, l := range ls {
		ids[i] = l.ID
	}
	var texts []*ListText
	err := db.NewSelect().TableExpr("newsletter_list_translations").
		Column("list_id", "municipality_id", "locale", "name", "description").
		Where("municipality_id = ? AND list_id IN (?)", t.ID(), bun.In(ids)).Order("locale").Scan(ctx, &texts)
	if err != nil {
		return database.MapError(err, "find newsletter list texts", "list")
	}
	var consents []*ConsentText
	err = db.NewSelect().Model(&consents).DistinctOn("ct.list_id, ct.locale").
		Where("ct.municipality_id = ? AND ct.list_id IN (?)", t.ID(), bun.In(ids)).
		OrderExpr("ct.list_id, ct.locale, ct.version DESC").Scan(ctx)
	if err != nil {
		return database.MapError(err, "find consent texts", "list")
	}
	chain := i18n.FromContext(ctx).Chain
	for _, l := range ls {
		names, descs, cs := map[string]string{}, map[string]string{}, map[string]*ConsentText{}
		for _, x := range texts {
			if x.ListID == l.ID {
				l.Texts = append(l.Texts, x)
				names[x.Locale], descs[x.Locale] = x.Name, x.Description
			}
		}
		for _, c := range consents {
			if c.ListID == l.ID {
				cs[c.Locale] = c
			}
		}
		l.Name, _, _ = i18n.Pick(chain, names)
		l.Description, _, _ = i18n.Pick(chain, descs)
		l.ConsentText, _, _ = i18n.Pick(chain, cs)
	}
	return nil
}

// CreateList makes a list (ADMIN, EDITOR). Errors: UNAUTHENTICATED, FORBIDDEN,
// BAD_USER_INPUT naming the field.
func (s *Service) CreateList(ctx context.Context, in ListInput) (*List, error) {
	t, v, err := requireEditor(ctx)
	if err != nil {
		return nil, err
	}
	if in.Audience == nil || (*in.Audience != Residents && *in.Audience != Providers) {
		return nil, apperr.Invalid("input.audience", "NewsletterAudienceRequired", nil)
	}
	if len(in.Texts) == 0 {
		return nil, apperr.Invalid("input.texts", "NewsletterTextsRequired", nil)
	}
	l := &List{ID: uuid.Must(uuid.NewV7()), MunicipalityID: t.ID(), Audience: *in.Audience, KeptFrom: []ListSource{}}
	if l.Interests, err = in.Interests.parse("input.interests"); err != nil {
		return nil, err
	}
	if err := s.applyKeeping(t, l, in); err != nil {
		return nil, err
	}
	err = database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewInsert().Model(l).ExcludeColumn("created_at", "updated_at").Exec(ctx); err != nil {
			return database.MapError(err, "create newsletter list", "input")
		}
		if err := saveListTexts(ctx, tx, t, l.ID, in.Texts); err != nil {
			return err
		}
		if err := s.syncKept(ctx, tx, l.MunicipalityID, l.ID); err != nil {
			return err
		}
		return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: t.ID(), ActorID: &v.User.ID,
			Action: "create_newsletter_list", ItemType: "NewsletterList", ItemID: &l.ID})
	})
	if err != nil {
		return nil, err
	}
	return s.FindListByID(ctx, l.ID)
}

// UpdateList changes a list (ADMIN, EDITOR). Errors: UNAUTHENTICATED, FORBIDDEN,
// NOT_FOUND, BAD_USER_INPUT naming the field.
func (s *Service) UpdateList(ctx context.Context, in ListInput) (*List, error) {
	t, v, err := requireEditor(ctx)
	if err != nil {
		return nil, err
	}
	id, err := relay.ParseTypedID(in.ID, "NewsletterList", "input.id")
	if err != nil {
		return nil, err
	}
	err = database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		l, err := findList(ctx, tx, t.ID(), id, "input.id")
		if err != nil {
			return err
		}
		if in.Audience != nil {
			if *in.Audience != Residents && *in.Audience != Providers {
				return apperr.Invalid("input.audience", "NewsletterAudienceRequired", nil)
			}
			l.Audience = *in.Audience
		}
		if in.Interests != nil {
			if l.Interests, err = in.Interests.parse("input.interests"); err != nil {
				return err
			}
		}
		if err := s.applyKeeping(t, l, in); err != nil {
			return err
		}
		_, err = tx.NewUpdate().Model(l).Column("audience", "category_ids", "neighbourhood_ids", "age_groups").
			Column("kept_from", "digest_cadence", "digest_next_at").
			Set("updated_at = now()").WherePK().Exec(ctx)
		if err != nil {
			return database.MapError(err, "update newsletter list", "input")
		}
		if err := saveListTexts(ctx, tx, t, l.ID, in.Texts); err != nil {
			return err
		}
		if err := s.syncKept(ctx, tx, l.MunicipalityID, l.ID); err != nil {
			return err
		}
		return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: t.ID(), ActorID: &v.User.ID,
			Action: "update_newsletter_list", ItemType: "NewsletterList", ItemID: &l.ID})
	})
	if err != nil {
		return nil, err
	}
	return s.FindListByID(ctx, id)
}

// saveListTexts writes the languages given of list id.
func saveListTexts(ctx context.Context, tx bun.IDB, t *tenant.Tenant, id uuid.UUID, texts []*ListText) error {
	for i, x := range texts {
		if err := t.CheckEnabled(x.Locale, "input.texts"); err != nil {
			return err
		}
		x.Name, x.Description = strings.TrimSpace(x.Name), strings.TrimSpace(x.Description)
		if x.Name == "" || len(x.Name) > 200 {
			return apperr.Invalid("input.texts", "NewsletterListNameInvalid", nil)
		}
		sameLocale := func(o *ListText) bool { return o.Locale == x.Locale }
		if len(x.Description) > 4000 || slices.ContainsFunc(texts[:i], sameLocale) {
			return apperr.Invalid("input.texts", "NewsletterListTextInvalid", nil)
		}
		x.ListID, x.MunicipalityID = id, t.ID()
		_, err := tx.NewInsert().Model(x).ModelTableExpr("newsletter_list_translations").
			On("CONFLICT (list_id, locale) DO UPDATE").Set("name = EXCLUDED.name, description = EXCLUDED.description").
			Exec(ctx)
		if err != nil {
			return database.MapError(err, "save newsletter list text", "input.texts")
		}
	}
	return nil
}

// SetConsentText adds a new version of a list's consent text in locale (ADMIN, EDITOR);
// the versions before it stay, so every consent keeps pointing at the text shown.
// Errors: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, BAD_USER_INPUT naming the field.
func (s *Service) SetConsentText(ctx context.Context, listGID, locale, body string) (*ConsentText, error) {
	t, v, err := requireEditor(ctx)
	if err != nil {
		return nil, err
	}
	id, err := relay.ParseTypedID(listGID, "NewsletterList", "listId")
	if err != nil {
		return nil, err
	}
	if err := t.CheckEnabled(locale, "locale"); err != nil {
		return nil, err
	}
	body = strings.TrimSpace(body)
	if body == "" || len(body) > 8000 {
		return nil, apperr.Invalid("text", "NewsletterConsentTextInvalid", nil)
	}
	c := &ConsentText{ID: uuid.Must(uuid.NewV7()), MunicipalityID: t.ID(), ListID: id, Locale: locale, Body: body}
	err = database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		// Two versions made at once: one of them is a CONFLICT (unique version).
		if _, err := findList(ctx, tx, t.ID(), id, "listId"); err != nil {
			return err
		}
		err := tx.NewSelect().Model((*ConsentText)(nil)).ColumnExpr("coalesce(max(version), 0) + 1").
			Where("list_id = ? AND locale = ?", id, locale).Scan(ctx, &c.Version)
		if err != nil {
			return database.MapError(err, "number consent text", "listId")
		}
		if _, err := tx.NewInsert().Model(c).Returning("created_at").Exec(ctx); err != nil {
			return database.MapError(err, "save consent text", "text")
		}
		return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: t.ID(), ActorID: &v.User.ID,
			Action: "set_newsletter_consent_text", ItemType: "NewsletterList", ItemID: &id})
	})
	return c, err
}

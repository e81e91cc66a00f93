package talk

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/audit"
	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/i18n"
	"github.com/fritid/fritid/internal/platform/live"
	"github.com/fritid/fritid/internal/platform/relay"
	"github.com/fritid/fritid/internal/portal"
	"github.com/fritid/fritid/internal/resident"
	"github.com/fritid/fritid/internal/tenant"
)

// Limits of a notice.
const (
	MaxNoticeTitle = 200
	MaxNoticeText  = 5000
	// MaxNoticeDays is the longest validity window.
	MaxNoticeDays = 366
	// maxNotices bounds one neighbourhood's list.
	maxNotices = 200
)

// Poster is who posted a notice, as the public sees it.
type Poster string

// The posters.
const (
	PostedByCommittee    Poster = "COMMITTEE"
	PostedByMunicipality Poster = "MUNICIPALITY"
)

// Notice is a notice to a neighbourhood, shown from ValidFrom until ValidUntil unless
// withdrawn, with its texts in one or more languages.
type Notice struct {
	bun.BaseModel `bun:"table:neighbourhood_notices,alias:n"`

	ID              uuid.UUID  `bun:"id,pk,type:uuid"`
	MunicipalityID  uuid.UUID  `bun:"municipality_id,type:uuid"`
	NeighbourhoodID uuid.UUID  `bun:"neighbourhood_id,type:uuid"`
	PostedAs        Poster     `bun:"posted_as"`
	AuthorID        *uuid.UUID `bun:"author_id,type:uuid"`
	ValidFrom       time.Time  `bun:"valid_from"`
	ValidUntil      time.Time  `bun:"valid_until"`
	WithdrawnAt     *time.Time `bun:"withdrawn_at"`
	CreatedAt       time.Time  `bun:"created_at,nullzero,notnull,default:current_timestamp"`
	UpdatedAt       time.Time  `bun:"updated_at,nullzero,notnull,default:current_timestamp"`

	// Texts are every language's; Text is the one for the request's language chain.
	Texts []*NoticeText `bun:"-"`
	Text  *NoticeText   `bun:"-"`
}

// GlobalID returns the notice's global ID.
func (n *Notice) GlobalID() string { return relay.GlobalID("NeighbourhoodNotice", n.ID) }

// NeighbourhoodGlobalID returns the neighbourhood's global ID.
func (n *Notice) NeighbourhoodGlobalID() string {
	return relay.GlobalID("Neighbourhood", n.NeighbourhoodID)
}

// Active reports whether the public sees the notice at now.
func (n *Notice) Active(now time.Time) bool {
	return n.WithdrawnAt == nil && !now.Before(n.ValidFrom) && now.Before(n.ValidUntil)
}

// NoticeText is a notice's title and text (plain or Markdown, never HTML) in one language.
type NoticeText struct {
	bun.BaseModel `bun:"table:neighbourhood_notice_texts,alias:t"`

	NoticeID       uuid.UUID `bun:"notice_id,pk,type:uuid"`
	MunicipalityID uuid.UUID `bun:"municipality_id,type:uuid"`
	Locale         string    `bun:"locale,pk"`
	Title          string    `bun:"title"`
	Body           string    `bun:"body"`
}

// NoticeInput is a notice as it is to be. On a change, Texts nil keeps the texts and a nil
// time keeps that time; on a new notice Texts are required, ValidFrom defaults to now and
// ValidUntil is required.
type NoticeInput struct {
	Texts      []*NoticeTextInput
	ValidFrom  *time.Time
	ValidUntil *time.Time
}

// NoticeTextInput is a notice's text in one language.
type NoticeTextInput struct {
	Locale, Title, Text string
}

// mayKeep returns how the viewer posts to or keeps the notices of neighbourhood nb: as the
// municipality (ADMIN, EDITOR) or as its committee (a committee editor of nb). Errors:
// UNAUTHENTICATED, FORBIDDEN.
func mayKeep(ctx context.Context, db bun.IDB, mid, nb uuid.UUID) (*auth.Viewer, Poster, error) {
	v, err := auth.RequirePerson(ctx)
	if err != nil {
		return nil, "", err
	}
	// SECURITY: the municipality's ADMIN and EDITOR keep every neighbourhood's notices.
	if v.MunicipalEditor() {
		return v, PostedByMunicipality, nil
	}
	// SECURITY: a committee editor keeps their own neighbourhood's committee notices only.
	ok, err := db.NewSelect().Table("neighbourhood_editors").
		Where("municipality_id = ? AND neighbourhood_id = ? AND user_id = ?", mid, nb, v.User.ID).
		Exists(ctx)
	if err != nil {
		return nil, "", database.MapError(err, "check committee", "neighbourhood")
	}
	if !ok {
		return nil, "", apperr.New(apperr.Forbidden, "")
	}
	return v, PostedByCommittee, nil
}

// PostNotice posts a notice to a neighbourhood of the request's municipality, as the
// municipality (ADMIN, EDITOR) or as the neighbourhood's committee (its committee
// editors); a notice shown at once enters its residents' feeds and is announced to their
// live feeds. Errors: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND naming "input.neighbourhoodId",
// BAD_USER_INPUT naming the field.
func (s *Service) PostNotice(ctx context.Context, neighbourhoodID string, in NoticeInput) (*Notice, error) {
	t, err := tenant.Current(ctx)
	if err != nil {
		return nil, err
	}
	nb, err := relay.ParseTypedID(neighbourhoodID, "Neighbourhood", "input.neighbourhoodId")
	if err != nil {
		return nil, err
	}
	now := s.now()
	n := &Notice{ID: uuid.Must(uuid.NewV7()), MunicipalityID: t.ID(), NeighbourhoodID: nb, ValidFrom: now}
	if err := n.apply(t, in, now, true); err != nil {
		return nil, err
	}
	err = database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		// SECURITY: a neighbourhood of the request's municipality only.
		exists, err := tx.NewSelect().Table("neighbourhoods").
			Where("id = ? AND municipality_id = ?", nb, t.ID()).
			Exists(ctx)
		if err != nil {
			return database.MapError(err, "find neighbourhood", "neighbourhood")
		}
		if !exists {
			return apperr.NotFoundf("neighbourhood").WithField("input.neighbourhoodId")
		}
		v, as, err := mayKeep(ctx, tx, t.ID(), nb)
		if err != nil {
			return err
		}
		n.PostedAs, n.AuthorID = as, &v.User.ID
		if _, err := tx.NewInsert().Model(n).Exec(ctx); err != nil {
			return database.MapError(err, "post notice", "notice")
		}
		if err := writeTexts(ctx, tx, n); err != nil {
			return err
		}
		if err := s.announce(ctx, tx, n, now); err != nil {
			return err
		}
		return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: t.ID(), ActorID: &v.User.ID,
			Action: "post_neighbourhood_notice", ItemType: "NeighbourhoodNotice", ItemID: &n.ID})
	})
	if err != nil {
		return nil, err
	}
	n.pickText(i18n.FromContext(ctx).Chain)
	return n, nil
}

// UpdateNotice changes a notice's texts or window; its author's committee (for a
// committee's notice) or the municipality's editors may. Errors: UNAUTHENTICATED,
// FORBIDDEN, NOT_FOUND, BAD_USER_INPUT naming the field.
func (s *Service) UpdateNotice(ctx context.Context, id string, in NoticeInput) (*Notice, error) {
	return s.change(ctx, id, "update_neighbourhood_notice", func(t *tenant.Tenant, n *Notice, now time.Time) error {
		return n.apply(t, in, now, false)
	})
}

// WithdrawNotice withdraws a notice: the public sees it no more (its keepers still do).
// Withdrawing twice is withdrawing once. Who may and errors as UpdateNotice.
func (s *Service) WithdrawNotice(ctx context.Context, id string) (*Notice, error) {
	return s.change(ctx, id, "withdraw_neighbourhood_notice", func(_ *tenant.Tenant, n *Notice, now time.Time) error {
		if n.WithdrawnAt == nil {
			n.WithdrawnAt = &now
		}
		return nil
	})
}

// change locks notice id, checks the caller keeps it, applies edit and writes it.
func (s *Service) change(ctx context.Context, id, action string,
	edit func(*tenant.Tenant, *Notice, time.Time) error) (*Notice, error) {
	t, err := tenant.Current(ctx)
	if err != nil {
		return nil, err
	}
	nid, err := relay.ParseTypedID(id, "NeighbourhoodNotice", "id")
	if err != nil {
		return nil, err
	}
	now := s.now()
	var n *Notice
	err = database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		n = new(Notice)
		// SECURITY: a notice of the request's municipality only; another's is NOT_FOUND.
		err := tx.NewSelect().Model(n).Where("n.id = ? AND n.municipality_id = ?", nid, t.ID()).For("UPDATE").Scan(ctx)
		if err != nil {
			return database.MapError(err, "find notice", "notice")
		}
		v, as, err := mayKeep(ctx, tx, t.ID(), n.NeighbourhoodID)
		if err != nil {
			return err
		}
		// SECURITY: a committee editor does not change the municipality's notices.
		if as == PostedByCommittee && n.PostedAs != PostedByCommittee {
			return apperr.New(apperr.Forbidden, "")
		}
		if err := s.loadTexts(ctx, tx, []*Notice{n}); err != nil {
			return err
		}
		wasActive := n.Active(now)
		if err := edit(t, n, now); err != nil {
			return err
		}
		_, err = tx.NewUpdate().Model(n).
			Column("valid_from", "valid_until", "withdrawn_at").
			Set("updated_at = ?", now).
			WherePK().
			Exec(ctx)
		if err != nil {
			return database.MapError(err, "change notice", "notice")
		}
		if err := writeTexts(ctx, tx, n); err != nil {
			return err
		}
		if !wasActive {
			if err := s.announce(ctx, tx, n, now); err != nil {
				return err
			}
		}
		return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: t.ID(), ActorID: &v.User.ID,
			Action: action, ItemType: "NeighbourhoodNotice", ItemID: &n.ID})
	})
	if err != nil {
		return nil, err
	}
	n.pickText(i18n.FromContext(ctx).Chain)
	return n, nil
}

// announce tells the live feeds of n when it is shown at now.
func (s *Service) announce(ctx context.Context, tx bun.IDB, n *Notice, now time.Time) error {
	if !n.Active(now) {
		return nil
	}
	return live.Notify(ctx, tx, resident.AnnounceFeedItem(n.MunicipalityID, n.ID))
}

// apply checks in and applies it to n (a new notice when create). Errors: BAD_USER_INPUT
// naming "input.texts[i].title", "input.validUntil", ...
func (n *Notice) apply(t *tenant.Tenant, in NoticeInput, now time.Time, create bool) error {
	if create && len(in.Texts) == 0 {
		return apperr.Invalid("input.texts", "NoticeTextRequired", nil).WithReason("REQUIRED")
	}
	if in.Texts != nil {
		texts, err := checkTexts(t, n, in.Texts)
		if err != nil {
			return err
		}
		n.Texts = texts
	}
	if in.ValidFrom != nil {
		n.ValidFrom = *in.ValidFrom
	}
	if in.ValidUntil != nil {
		n.ValidUntil = *in.ValidUntil
	} else if create {
		return apperr.Invalid("input.validUntil", "NoticeValidUntilRequired", nil).WithReason("REQUIRED")
	}
	switch {
	case !n.ValidUntil.After(n.ValidFrom):
		return apperr.Invalid("input.validUntil", "NoticeWindowInvalid", nil).WithReason("BEFORE_START")
	case n.ValidUntil.Sub(n.ValidFrom) > MaxNoticeDays*24*time.Hour:
		return apperr.Invalid("input.validUntil", "NoticeWindowTooLong", map[string]any{"Max": MaxNoticeDays}).
			WithReason("TOO_LONG")
	case in.ValidUntil != nil && !n.ValidUntil.After(now):
		return apperr.Invalid("input.validUntil", "NoticeWindowInvalid", nil).WithReason("PAST")
	}
	return nil
}

// checkTexts validates a notice's texts: each in an enabled language, once, with a title.
func checkTexts(t *tenant.Tenant, n *Notice, in []*NoticeTextInput) ([]*NoticeText, error) {
	if len(in) == 0 {
		return nil, apperr.Invalid("input.texts", "NoticeTextRequired", nil).WithReason("REQUIRED")
	}
	var out []*NoticeText
	for i, x := range in {
		f := fmt.Sprintf("input.texts[%d]", i)
		if err := t.CheckEnabled(x.Locale, f+".locale"); err != nil {
			return nil, err
		}
		if slices.ContainsFunc(out, func(o *NoticeText) bool { return o.Locale == x.Locale }) {
			return nil, apperr.Invalid(f+".locale", "NoticeLocaleTwice", nil).WithReason("DUPLICATE")
		}
		title, err := portal.CheckText(x.Title, MaxNoticeTitle, f+".title")
		if err != nil {
			return nil, err
		}
		if title == "" {
			return nil, apperr.Invalid(f+".title", "NoticeTitleRequired", nil).WithReason("REQUIRED")
		}
		body, err := portal.CheckText(x.Text, MaxNoticeText, f+".text")
		if err != nil {
			return nil, err
		}
		out = append(out, &NoticeText{NoticeID: n.ID, MunicipalityID: n.MunicipalityID, Locale: x.Locale,
			Title: title, Body: body})
	}
	return out, nil
}

// writeTexts replaces n's texts with n.Texts.
func writeTexts(ctx context.Context, tx bun.IDB, n *Notice) error {
	if _, err := tx.NewDelete().Model((*NoticeText)(nil)).Where("notice_id = ?", n.ID).Exec(ctx); err != nil {
		return database.MapError(err, "write notice texts", "notice")
	}
	if _, err := tx.NewInsert().Model(&n.Texts).Exec(ctx); err != nil {
		return database.MapError(err, "write notice texts", "notice")
	}
	return nil
}

// loadTexts reads the texts of ns.
func (s *Service) loadTexts(ctx context.Context, db bun.IDB, ns []*Notice) error {
	if len(ns) == 0 {
		return nil
	}
	byID := map[uuid.UUID]*Notice{}
	ids := make([]uuid.UUID, len(ns))
	for i, n := range ns {
		byID[n.ID], ids[i], n.Texts = n, n.ID, nil
	}
	var texts []*NoticeText
	err := db.NewSelect().Model(&texts).
		Where("notice_id IN (?)", bun.In(ids)).
		Order("locale").
		Scan(ctx)
	if err != nil {
		return database.MapError(err, "find notice texts", "notice")
	}
	for _, x := range texts {
		byID[x.NoticeID].Texts = append(byID[x.NoticeID].Texts, x)
	}
	return nil
}

// pickText sets n.Text to the first language of chain n has, else its first.
func (n *Notice) pickText(chain []string) {
	for _, c := range chain {
		for _, x := range n.Texts {
			if x.Locale == c {
				n.Text = x
				return
			}
		}
	}
	if len(n.Texts) > 0 {
		n.Text = n.Texts[0]
	}
}

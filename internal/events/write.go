package events

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/content"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/relay"
	"github.com/fritid/fritid/internal/portal"
	"github.com/fritid/fritid/internal/tenant"
)

// EventInput is an event or series to create, or the fields of one to change: a field
// left out (nil) stays, an empty ID clears a link, a list given replaces the event's.
// Rule, the pause flags and Signup are a series' only.
type EventInput struct {
	ID               *string
	Scope            *Scope
	OrganisationID   *string
	Slug             *string
	ParentID         *string
	HolidayProgramme *bool
	VenueID          *string
	Place            *string
	StartsAt         *time.Time
	EndsAt           *time.Time
	AllDay           *bool
	TimeZone         *string
	Status           *Status
	Publication      *Publication
	CategoryIDs      []string
	ImageIDs         []string
	TargetGroups     []portal.TargetGroup
	AgeMin           *int
	AgeMax           *int
	Accessibility    []portal.AccessibilityFeature
	PriceOre         *int
	CardOfferID      *string
	Texts            []*TextsInput

	Rule                   *RuleInput
	PausesInSchoolHolidays *bool
	PausesOnPublicHolidays *bool
	// Signup sets the sign-up of every occurrence of a series (its places nil: ends it).
	Signup *SeriesSignupInput
}

// RuleInput is a series' recurrence: an RRULE value, extra and excluded starts.
type RuleInput struct {
	RRule   *string
	RDates  []time.Time
	ExDates []time.Time
}

// TextsInput is one language's texts; a field left out keeps its value. At most one of
// Description, DescriptionHTML and DescriptionMarkdown is given.
type TextsInput struct {
	Locale              string
	Title               *string
	Summary             *string
	Description         portal.RawJSON
	DescriptionHTML     *string
	DescriptionMarkdown *string
}

// preparedText is a TextsInput checked, with its description rendered.
type preparedText struct {
	in   *TextsInput
	body *content.Rendered
}

var slugRE = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// applyAttrs sets in's plain fields on a. Errors: BAD_USER_INPUT naming the field.
func applyAttrs(a *Attrs, in *EventInput) error {
	var err error
	for _, f := range []struct {
		in    *string
		dst   **uuid.UUID
		typ   string
		field string
	}{{in.ParentID, &a.ParentID, "Event", "input.parentId"}, {in.VenueID, &a.VenueID, "Venue", "input.venueId"},
		{in.CardOfferID, &a.CardOfferID, "CardOffer", "input.cardOfferId"}} {
		if f.in != nil {
			if *f.dst, err = optionalID(f.in, f.typ, f.field); err != nil {
				return err
			}
		}
	}
	if in.Place != nil {
		if err := checkText(*in.Place, 300, "input.place"); err != nil {
			return err
		}
		a.Place = strings.TrimSpace(*in.Place)
	}
	setIf(&a.HolidayProgramme, in.HolidayProgramme)
	setIf(&a.AllDay, in.AllDay)
	if in.Status != nil {
		switch *in.Status {
		case StatusScheduled, StatusCancelled, StatusPostponed, StatusRescheduled:
			a.Status = *in.Status
		default:
			return apperr.Invalid("input.status", "InvalidStatus", nil)
		}
	}
	if in.Publication != nil {
		if *in.Publication != Draft && *in.Publication != Published {
			return apperr.Invalid("input.publication", "InvalidStatus", nil)
		}
		a.Publication = *in.Publication
	}
	if in.TimeZone != nil {
		if _, err := loadZone(*in.TimeZone, "input.timeZone"); err != nil {
			return err
		}
		a.TimeZone = *in.TimeZone
	}
	if in.CategoryIDs != nil {
		if a.CategoryIDs, err = parseIDs(in.CategoryIDs, "Category", "input.categoryIds"); err != nil {
			return err
		}
	}
	if in.ImageIDs != nil {
		if len(in.ImageIDs) > MaxImages {
			return apperr.Invalid("input.imageIds", "TooManyImages", map[string]any{"Max": MaxImages})
		}
		if a.ImageIDs, err = parseIDs(in.ImageIDs, "Image", "input.imageIds"); err != nil {
			return err
		}
	}
	if in.TargetGroups != nil {
		a.TargetGroups = in.TargetGroups
	}
	if in.Accessibility != nil {
		a.Accessibility = in.Accessibility
	}
	return applyNumbers(a, in)
}

func applyNumbers(a *Attrs, in *EventInput) error {
	for _, f := range []struct {
		v     *int
		dst   **int
		field string
	}{{in.AgeMin, &a.AgeMin, "input.ageMin"}, {in.AgeMax, &a.AgeMax, "input.ageMax"}} {
		if f.v != nil {
			if *f.v < 0 || *f.v > 120 {
				return apperr.Invalid(f.field, "AgeRange", nil)
			}
			v := *f.v
			*f.dst = &v
		}
	}
	if a.AgeMin != nil && a.AgeMax != nil && *a.AgeMin > *a.AgeMax {
		return apperr.Invalid("input.ageMax", "AgeRange", nil)
	}
	if in.PriceOre != nil {
		if *in.PriceOre < 0 || *in.PriceOre > 100_000_000 {
			return apperr.Invalid("input.priceOre", "PriceRange", nil)
		}
		a.PriceOre = *in.PriceOre
	}
	return nil
}

func setIf[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

func checkText(s string, max int, field string) error {
	if utf8.RuneCountInString(s) > max || !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
		return apperr.Invalid(field, "TextTooLong", map[string]any{"Max": max})
	}
	return nil
}

func checkSlug(s string, max int) error {
	if !slugRE.MatchString(s) || len(s) > max {
		return apperr.Invalid("input.slug", "SlugInvalid", nil)
	}
	return nil
}

// optionalID parses a global ID of type typ; an empty one is nil.
func optionalID(gid *string, typ, field string) (*uuid.UUID, error) {
	if gid == nil || *gid == "" {
		return nil, nil
	}
	id, err := relay.ParseTypedID(*gid, typ, field)
	if err != nil {
		return nil, err
	}
	return &id, nil
}

func parseIDs(gids []string, typ, field string) ([]uuid.UUID, error) {
	out := make([]uuid.UUID, 0, len(gids))
	seen := map[uuid.UUID]bool{}
	for i, g := range gids {
		id, err := relay.ParseTypedID(g, typ, fmt.Sprintf("%s[%d]", field, i))
		if err != nil {
			return nil, err
		}
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out, nil
}

// applyTimes sets the start and end given on *start and *end. Errors: BAD_USER_INPUT
// naming input.endsAt when the event would end before it starts.
func applyTimes(start, end *time.Time, in *EventInput) error {
	if in.StartsAt != nil {
		d := end.Sub(*start)
		*start = in.StartsAt.Truncate(time.Second)
		if in.EndsAt == nil { // moved: it keeps its length
			*end = start.Add(d)
		}
	}
	if in.EndsAt != nil {
		*end = in.EndsAt.Truncate(time.Second)
	}
	if end.Before(*start) {
		return apperr.Invalid("input.endsAt", "EndBeforeStart", nil)
	}
	return nil
}

// checkRefs returns BAD_USER_INPUT naming the field of an organisation, venue, parent,
// card offer, image or category that the municipality does not have, and of a parent that is
// itself part of an umbrella (umbrellas do not nest) or is the event itself.
func checkRefs(ctx context.Context, tx bun.IDB, mid uuid.UUID, a *Attrs, self uuid.UUID) error {
	one := []struct {
		id           *uuid.UUID
		table, field string
	}{{a.OrganisationID, "organisations", "input.organisationId"}, {a.VenueID, "venues", "input.venueId"},
		{a.CardOfferID, "card_offers", "input.cardOfferId"}}
	for _, r := range one {
		if r.id != nil {
			if err := exists(ctx, tx, r.table, mid, []uuid.UUID{*r.id}, r.field, ""); err != nil {
				return err
			}
		}
	}
	if a.ParentID != nil {
		if *a.ParentID == self {
			return apperr.Invalid("input.parentId", "ParentInvalid", nil)
		}
		err := exists(ctx, tx, "events", mid, []uuid.UUID{*a.ParentID}, "input.parentId", "parent_id IS NULL")
		if err != nil {
			return err
		}
	}
	// SECURITY: only images of the event's own municipality can be shown with it.
	if err := exists(ctx, tx, "media", mid, a.ImageIDs, "input.imageIds", ""); err != nil {
		return err
	}
	return exists(ctx, tx, "categories", mid, a.CategoryIDs, "input.categoryIds", "")
}

// MaxImages is how many images an event shows at most.
const MaxImages = 20

func exists(ctx context.Context, tx bun.IDB, table string, mid uuid.UUID, ids []uuid.UUID, field, cond string) error {
	if len(ids) == 0 {
		return nil
	}
	q := tx.NewSelect().TableExpr(table).Where("municipality_id = ? AND id IN (?)", mid, bun.In(ids))
	if cond != "" {
		q = q.Where(cond)
	}
	n, err := q.Count(ctx)
	if err != nil {
		return database.MapError(err, "find "+table, table)
	}
	if int(n) != len(ids) {
		return apperr.Invalid(field, "ReferenceNotFound", map[string]any{"Type": table})
	}
	return nil
}

// prepareTexts checks every language's texts before anything is written. Errors:
// BAD_USER_INPUT naming the field.
func prepareTexts(ctx context.Context, db bun.IDB, t *tenant.Tenant, ins []*TextsInput) ([]*preparedText, error) {
	seen := map[string]bool{}
	out := make([]*preparedText, 0, len(ins))
	for i, in := range ins {
		f := fmt.Sprintf("input.texts[%d]", i)
		if err := t.CheckEnabled(in.Locale, f+".locale"); err != nil {
			return nil, err
		}
		if seen[in.Locale] {
			return nil, apperr.Invalid(f+".locale", "LocaleRepeated", map[string]any{"Locale": in.Locale})
		}
		seen[in.Locale] = true
		for _, c := range []struct {
			v    *string
			name string
			max  int
		}{{in.Title, "title", 200}, {in.Summary, "summary", 1000}} {
			if c.v != nil {
				if err := checkText(*c.v, c.max, f+"."+c.name); err != nil {
					return nil, err
				}
			}
		}
		body, err := content.PrepareBody(ctx, db, t.ID(), content.BodyInput{JSON: in.Description,
			HTML: in.DescriptionHTML, Markdown: in.DescriptionMarkdown, JSONField: f + ".description",
			HTMLField: f + ".descriptionHtml", MarkdownField: f + ".descriptionMarkdown"})
		if err != nil {
			return nil, err
		}
		out = append(out, &preparedText{in: in, body: body})
	}
	return out, nil
}

// mergeTexts returns ts with the prepared texts merged in, language by language.
func mergeTexts(ts []*Translation, ps []*preparedText) []*Translation {
	by := map[string]*Translation{}
	out := make([]*Translation, 0, len(ts)+len(ps))
	for _, t := range ts {
		c := *t
		by[t.Locale] = &c
		out = append(out, &c)
	}
	for _, p := range ps {
		cur := by[p.in.Locale]
		if cur == nil {
			cur = &Translation{Locale: p.in.Locale, DescriptionJSON: []byte(`{"blocks":[]}`)}
			by[p.in.Locale] = cur
			out = append(out, cur)
		}
		if p.in.Title != nil {
			cur.Title = strings.TrimSpace(*p.in.Title)
		}
		if p.in.Summary != nil {
			cur.Summary = strings.TrimSpace(*p.in.Summary)
		}
		if p.body != nil {
			cur.DescriptionJSON, cur.DescriptionHTML, cur.DescriptionText = p.body.JSON, p.body.HTML, p.body.PlainText
		}
	}
	return out
}

// requireTitle returns BAD_USER_INPUT naming input.texts when no language has a title.
func requireTitle(ts []*Translation) error {
	for _, t := range ts {
		if t.Title != "" {
			return nil
		}
	}
	return apperr.Invalid("input.texts", "NameRequired", nil)
}

// writeTexts replaces the texts of events ids with ts.
func writeTexts(ctx context.Context, tx bun.IDB, mid uuid.UUID, ids []uuid.UUID, ts []*Translation) error {
	if len(ids) == 0 {
		return nil
	}
	if _, err := tx.NewDelete().TableExpr("event_translations").Where("event_id IN (?)", bun.In(ids)).
		Exec(ctx); err != nil {
		return database.MapError(err, "save event texts", "text")
	}
	type row struct {
		bun.BaseModel `bun:"table:event_translations"`
		Municipality  uuid.UUID `bun:"municipality_id,type:uuid"`
		Translation
	}
	var rows []*row
	for _, id := range ids {
		for _, t := range ts {
			r := &row{Municipality: mid, Translation: *t}
			r.EventID = id
			if len(r.DescriptionJSON) == 0 {
				r.DescriptionJSON = []byte(`{"blocks":[]}`)
			}
			rows = append(rows, r)
		}
	}
	if len(rows) == 0 {
		return nil
	}
	_, err := tx.NewInsert().Model(&rows).Exec(ctx)
	return database.MapError(err, "save event texts", "text")
}

// writeCategories replaces the categories of events ids with cats.
func writeCategories(ctx context.Context, tx bun.IDB, mid uuid.UUID, ids, cats []uuid.UUID) error {
	if len(ids) == 0 {
		return nil
	}
	if _, err := tx.NewDelete().TableExpr("event_categories").Where("event_id IN (?)", bun.In(ids)).
		Exec(ctx); err != nil {
		return database.MapError(err, "save event categories", "category")
	}
	type row struct {
		bun.BaseModel `bun:"table:event_categories"`
		EventID       uuid.UUID `bun:"event_id,type:uuid"`
		CategoryID    uuid.UUID `bun:"category_id,type:uuid"`
		Municipality  uuid.UUID `bun:"municipality_id,type:uuid"`
	}
	var rows []*row
	for _, id := range ids {
		for _, c := range cats {
			rows = append(rows, &row{EventID: id, CategoryID: c, Municipality: mid})
		}
	}
	if len(rows) == 0 {
		return nil
	}
	_, err := tx.NewInsert().Model(&rows).Exec(ctx)
	return database.MapError(err, "save event categories", "category")
}

func slugError(err error) error {
	if apperr.CodeOf(err) == apperr.Conflict {
		return apperr.New(apperr.Conflict, "SlugTaken").WithField("input.slug")
	}
	return err
}

package content

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/portal"
	"github.com/fritid/fritid/internal/tenant"
)

// TextsInput is one language's texts to write; a field left out keeps its value. At most
// one of Body, BodyHTML and BodyMarkdown is given: HTML and Markdown are converted into
// blocks and never stored as they came.
type TextsInput struct {
	Locale       string
	Title        *string
	Summary      *string
	HeroAlt      *string
	Body         portal.RawJSON
	BodyHTML     *string
	BodyMarkdown *string
}

// preparedText is a TextsInput checked, with its body parsed and rendered.
type preparedText struct {
	in    *TextsInput
	body  *Rendered
	field string
}

// prepareTexts checks every language's texts before anything is written: locales enabled
// and not repeated, lengths, bodies (references included). Errors: BAD_USER_INPUT naming
// the field.
func prepareTexts(ctx context.Context, db bun.IDB, t *tenant.Tenant, ins []*TextsInput, field string) ([]*preparedText, error) {
	seen := map[string]bool{}
	out := make([]*preparedText, 0, len(ins))
	for i, in := range ins {
		f := fmt.Sprintf("%s[%d]", field, i)
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
		}{{in.Title, "title", 200}, {in.Summary, "summary", 1000}, {in.HeroAlt, "heroAlt", 1000}} {
			if c.v != nil && (utf8.RuneCountInString(*c.v) > c.max || !utf8.ValidString(*c.v) || strings.ContainsRune(*c.v, 0)) {
				return nil, apperr.Invalid(f+"."+c.name, "TextTooLong", map[string]any{"Max": c.max})
			}
		}
		body, err := prepareBody(ctx, db, t.ID(), in, f)
		if err != nil {
			return nil, err
		}
		out = append(out, &preparedText{in: in, body: body, field: f})
	}
	return out, nil
}

// prepareBody parses (or converts) a language's body, checks what it refers to and renders
// it; nil when no body is given.
func prepareBody(ctx context.Context, db bun.IDB, mid uuid.UUID, in *TextsInput, f string) (*Rendered, error) {
	return PrepareBody(ctx, db, mid, BodyInput{JSON: in.Body, HTML: in.BodyHTML, Markdown: in.BodyMarkdown,
		JSONField: f + ".body", HTMLField: f + ".bodyHtml", MarkdownField: f + ".bodyMarkdown"})
}

// BodyInput is a rich text body as one of three forms (at most one given), with the field
// paths that errors name for each.
type BodyInput struct {
	JSON                                portal.RawJSON
	HTML, Markdown                      *string
	JSONField, HTMLField, MarkdownField string
}

// PrepareBody parses (or converts) a body into blocks, checks the items it refers to in
// municipality mid and renders it; nil when no form is given. Other domains with rich text
// (events) use it so that every body is the same block tree. Errors: BAD_USER_INPUT naming
// the field.
func PrepareBody(ctx context.Context, db bun.IDB, mid uuid.UUID, in BodyInput) (*Rendered, error) {
	given := 0
	for _, g := range []bool{in.JSON != nil, in.HTML != nil, in.Markdown != nil} {
		if g {
			given++
		}
	}
	if given > 1 {
		return nil, apperr.Invalid(in.JSONField, "BodyFormats", nil)
	}
	var doc *Doc
	var refs []Ref
	var err error
	switch {
	case in.JSON != nil:
		doc, refs, err = ParseDoc(in.JSON, in.JSONField)
	case in.HTML != nil:
		doc, err = FromHTML(*in.HTML, in.HTMLField)
	case in.Markdown != nil:
		doc, err = FromMarkdown(*in.Markdown, in.MarkdownField)
	default:
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	images, err := checkRefs(ctx, db, mid, refs)
	if err != nil {
		return nil, err
	}
	raw, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("encode body: %w", err)
	}
	return &Rendered{JSON: raw, HTML: doc.RenderHTML(images), PlainText: doc.PlainText()}, nil
}

// refTables are the tables of the items a body may refer to.
var refTables = map[string]string{"Image": "media", "Organisation": "organisations", "Activity": "activities",
	"CardOffer": "card_offers"}

// checkRefs returns BAD_USER_INPUT naming the first reference to an item the municipality
// does not have, and the images referred to.
func checkRefs(ctx context.Context, db bun.IDB, mid uuid.UUID, refs []Ref) (map[uuid.UUID]Image, error) {
	images := map[uuid.UUID]Image{}
	for _, r := range refs {
		if r.Type == "Image" {
			var img struct {
				URL           string `bun:"url"`
				Width, Height int
			}
			err := db.NewSelect().TableExpr("media").Column("url", "width", "height").
				Where("municipality_id = ? AND id = ?", mid, r.ID).Scan(ctx, &img)
			if apperr.CodeOf(database.MapError(err, "find image", "image")) == apperr.NotFound {
				return nil, apperr.Invalid(r.Field, "ReferenceNotFound", map[string]any{"Type": r.Type})
			} else if err != nil {
				return nil, database.MapError(err, "find image", "image")
			}
			images[r.ID] = Image{URL: img.URL, Width: img.Width, Height: img.Height}
			continue
		}
		ok, err := db.NewSelect().
			TableExpr(refTables[r.Type]).
			Where("municipality_id = ? AND id = ?", mid, r.ID).
			Exists(ctx)
		if err != nil {
			return nil, database.MapError(err, "find "+r.Type, "item")
		}
		if !ok {
			return nil, apperr.Invalid(r.Field, "ReferenceNotFound", map[string]any{"Type": r.Type})
		}
	}
	return images, nil
}

// writeTexts writes prepared texts of item id, each language merged into what it has.
func writeTexts(ctx context.Context, tx bun.IDB, k kind, mid, id uuid.UUID, ps []*preparedText) error {
	t, err := tenant.Current(ctx)
	if err != nil {
		return err
	}
	var translated []string // languages other than the default whose body was saved
	for _, p := range ps {
		if p.body != nil && p.in.Locale != t.Municipality.DefaultLocale {
			translated = append(translated, p.in.Locale)
		}
		cur := &Translation{BodyJSON: json.RawMessage(`{"blocks":[]}`)}
		err := tx.NewSelect().TableExpr(k.texts).
			Column("title", "summary", "hero_alt", "body", "body_html", "body_text").
			Where(k.key+" = ? AND locale = ?", id, p.in.Locale).Scan(ctx, cur)
		if err != nil && apperr.CodeOf(database.MapError(err, "", "")) != apperr.NotFound {
			return database.MapError(err, "find texts", "text")
		}
		setIf(&cur.Title, p.in.Title)
		setIf(&cur.Summary, p.in.Summary)
		setIf(&cur.HeroAlt, p.in.HeroAlt)
		if p.body != nil {
			cur.BodyJSON, cur.BodyHTML, cur.BodyText = p.body.JSON, p.body.HTML, p.body.PlainText
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO `+k.texts+` (`+k.key+`, municipality_id, locale, title, summary,
			hero_alt, body, body_html, body_text) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (`+k.key+`, locale) DO UPDATE SET title = excluded.title, summary = excluded.summary,
			hero_alt = excluded.hero_alt, body = excluded.body, body_html = excluded.body_html,
			body_text = excluded.body_text, updated_at = now()`,
			id, mid, p.in.Locale, cur.Title, cur.Summary, cur.HeroAlt, string(cur.BodyJSON), cur.BodyHTML, cur.BodyText)
		if err != nil {
			return database.MapError(err, "save texts", "text")
		}
	}
	return recordSources(ctx, tx, k, id, t.Municipality.DefaultLocale, translated)
}

func setIf(dst *string, v *string) {
	if v != nil {
		*dst = strings.TrimSpace(*v)
	}
}

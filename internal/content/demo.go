package content

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/platform/database"
)

// DemoText is one language's demo texts, the body in Markdown.
type DemoText struct {
	Locale, Title, Summary, Markdown string
}

// DemoPage is a page of the demo data set; Parent is the slug path of the page above.
type DemoPage struct {
	Slug, Parent string
	Texts        []DemoText
}

// DemoArticle is an article of the demo data set, the municipality's unless Organisation
// (a slug) is given; Neighbourhood is a slug too.
type DemoArticle struct {
	Slug, Organisation, Neighbourhood, AuthorLine string
	Texts                                         []DemoText
}

// SeedDemo writes demo pages and articles into municipality mid, every language published
// at publishedAt. It is for the demo data set only: it writes no revisions or audit.
func SeedDemo(ctx context.Context, tx bun.IDB, mid uuid.UUID, pages []DemoPage, articles []DemoArticle, publishedAt time.Time) error {
	for _, p := range pages {
		path := p.Slug
		var parent *uuid.UUID
		if p.Parent != "" {
			path = p.Parent + "/" + p.Slug
			var id uuid.UUID
			if err := tx.NewSelect().TableExpr("pages").Column("id").Where("municipality_id = ? AND path = ?", mid, p.Parent).
				Scan(ctx, &id); err != nil {
				return fmt.Errorf("demo page %s: parent: %w", path, err)
			}
			parent = &id
		}
		pg := &Page{ID: uuid.Must(uuid.NewV7()), MunicipalityID: mid, ParentID: parent, Slug: p.Slug, Path: path}
		if _, err := tx.NewInsert().Model(pg).Exec(ctx); err != nil {
			return fmt.Errorf("demo page %s: %w", path, err)
		}
		if err := seedTexts(ctx, tx, pageKind, mid, pg.ID, p.Texts, publishedAt); err != nil {
			return fmt.Errorf("demo page %s: %w", path, err)
		}
	}
	for _, a := range articles {
		art := &Article{ID: uuid.Must(uuid.NewV7()), MunicipalityID: mid, Slug: a.Slug, AuthorLine: a.AuthorLine}
		if a.Organisation != "" {
			var id uuid.UUID
			if err := tx.NewSelect().TableExpr("organisations").Column("id").
				Where("municipality_id = ? AND slug = ?", mid, a.Organisation).Scan(ctx, &id); err != nil {
				return fmt.Errorf("demo article %s: organisation: %w", a.Slug, err)
			}
			art.OrganisationID = &id
		}
		if _, err := tx.NewInsert().Model(art).Exec(ctx); err != nil {
			return fmt.Errorf("demo article %s: %w", a.Slug, err)
		}
		if a.Neighbourhood != "" {
			_, err := tx.ExecContext(ctx, `INSERT INTO article_neighbourhoods (article_id, neighbourhood_id, municipality_id)
				SELECT ?, id, municipality_id FROM neighbourhoods WHERE municipality_id = ? AND slug = ?`, art.ID, mid, a.Neighbourhood)
			if err != nil {
				return fmt.Errorf("demo article %s: %w", a.Slug, err)
			}
		}
		if err := seedTexts(ctx, tx, articleKind, mid, art.ID, a.Texts, publishedAt); err != nil {
			return fmt.Errorf("demo article %s: %w", a.Slug, err)
		}
	}
	return nil
}

func seedTexts(ctx context.Context, tx bun.IDB, k kind, mid, id uuid.UUID, texts []DemoText, at time.Time) error {
	for _, t := range texts {
		doc, err := FromMarkdown(t.Markdown, "markdown")
		if err != nil {
			return err
		}
		raw, err := json.Marshal(doc)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO `+k.texts+` (`+k.key+`, municipality_id, locale, title, summary, body,
			body_html, body_text, publish_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			id, mid, t.Locale, t.Title, t.Summary, string(raw), doc.RenderHTML(nil), doc.PlainText(), at)
		if err != nil {
			return database.MapError(err, "seed texts", "text")
		}
	}
	return nil
}

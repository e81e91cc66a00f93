package content

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/i18n"
	"github.com/fritid/fritid/internal/platform/relay"
	"github.com/fritid/fritid/internal/tenant"
)

// messages localises findings and stale notes in the request's language.
var messages = sync.OnceValue(i18n.MustNewBundle)

// findingsKey is where a refused publication keeps its findings in apperr.Error.Data.
const findingsKey = "ContentFindings"

// FindingsOf returns the findings a publication refused for ERROR findings carries in err,
// or nil, for the API layer to show beside the error.
func FindingsOf(err error) []Finding {
	if e := apperr.As(err); e != nil {
		f, _ := e.Data[findingsKey].([]Finding)
		return f
	}
	return nil
}

// Message returns the finding's message in the request's language.
func (f Finding) Message(ctx context.Context) string {
	return messages().Localize(i18n.FromContext(ctx).Chain, f.MessageID, f.Data)
}

// checkTexts runs the checks on a language's stored body and hero alt text with the
// municipality's settings: an article's hero image without alt text in the language is an
// IMAGE_WITHOUT_ALT at "heroAlt".
func checkTexts(ctx context.Context, db bun.IDB, t *tenant.Tenant, k kind, id uuid.UUID, locale string,
	body json.RawMessage, heroAlt string,
) ([]Finding, error) {
	doc := new(Doc)
	if len(body) > 0 {
		if err := json.Unmarshal(body, doc); err != nil {
			return nil, fmt.Errorf("decode body: %w", err)
		}
	}
	target := t.Municipality.LixTarget
	if target == 0 {
		target = DefaultLixTarget
	}
	errs := t.Municipality.ContentCheckErrors
	var fs []Finding
	if k.name == "Article" && strings.TrimSpace(heroAlt) == "" {
		hasHero, err := db.NewSelect().TableExpr(k.table).Where("id = ? AND hero_image_id IS NOT NULL", id).Exists(ctx)
		if err != nil {
			return nil, database.MapError(err, "find article", "article")
		}
		if hasHero {
			fs = append(fs, Finding{Code: ImageWithoutAlt, Severity: severityOf(ImageWithoutAlt, errs), Path: "heroAlt",
				MessageID: "CheckHeroWithoutAlt"})
		}
	}
	return append(fs, CheckDoc(doc, locale, target, errs)...), nil
}

// refuseErrors returns BAD_USER_INPUT naming "input.locale" and carrying every finding
// when any is an ERROR; nil otherwise.
func refuseErrors(locale string, fs []Finding) error {
	n := 0
	for _, f := range fs {
		if f.Severity == SeverityError {
			n++
		}
	}
	if n == 0 {
		return nil
	}
	return &apperr.Error{Code: apperr.BadUserInput, MessageID: "ContentChecksFailed", Field: "input.locale",
		Reason: "CONTENT_CHECKS", Data: map[string]any{"Count": n, "Locale": locale, findingsKey: fs}}
}

// Checks returns what the checks find in one language of a page or article (by global ID)
// as it is saved. Errors: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, BAD_USER_INPUT naming
// "id" or "locale".
func (s *Service) Checks(ctx context.Context, gid, locale string) ([]*Finding, error) {
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
	// SECURITY: drafts are for those who may write the item, and so is what is wrong in them.
	if err := s.mayWrite(ctx, s.db, v, t.ID(), k, id); err != nil {
		return nil, err
	}
	var row struct {
		Body    string `bun:"body"`
		HeroAlt string `bun:"hero_alt"`
	}
	err = s.db.NewSelect().TableExpr(k.texts).Column("body", "hero_alt").
		Where(k.key+" = ? AND locale = ? AND municipality_id = ?", id, locale, t.ID()).Scan(ctx, &row)
	if apperr.CodeOf(database.MapError(err, "", "")) == apperr.NotFound {
		return []*Finding{}, nil // no texts in that language: nothing to find
	} else if err != nil {
		return nil, database.MapError(err, "find texts", "text")
	}
	fs, err := checkTexts(ctx, s.db, t, k, id, locale, json.RawMessage(row.Body), row.HeroAlt)
	return pointers(fs), err
}

// pointers returns fs as a list of pointers, never nil.
func pointers(fs []Finding) []*Finding {
	out := make([]*Finding, len(fs))
	for i := range fs {
		out[i] = &fs[i]
	}
	return out
}

// blockHashes returns a fingerprint of each of a body's blocks, by position.
func blockHashes(body json.RawMessage) ([]string, error) {
	doc := new(Doc)
	if len(body) > 0 {
		if err := json.Unmarshal(body, doc); err != nil {
			return nil, fmt.Errorf("decode body: %w", err)
		}
	}
	out := make([]string, len(doc.Blocks))
	for i, b := range doc.Blocks {
		raw, err := json.Marshal(b)
		if err != nil {
			return nil, fmt.Errorf("encode block: %w", err)
		}
		sum := sha256.Sum256(raw)
		out[i] = hex.EncodeToString(sum[:12])
	}
	return out, nil
}

// recordSources stores, for each of locales (other than the default language) whose body
// was just saved, the fingerprints of the default language's blocks as they now are: what
// the translation was made from.
func recordSources(ctx context.Context, tx bun.IDB, k kind, id uuid.UUID, def string, locales []string) error {
	if len(locales) == 0 {
		return nil
	}
	var body string
	err := tx.NewSelect().TableExpr(k.texts).Column("body").Where(k.key+" = ? AND locale = ?", id, def).Scan(ctx, &body)
	if err != nil && apperr.CodeOf(database.MapError(err, "", "")) != apperr.NotFound {
		return database.MapError(err, "find texts", "text")
	}
	hashes, err := blockHashes(json.RawMessage(body))
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, "UPDATE "+k.texts+" SET source_hashes = ? WHERE "+k.key+" = ? AND locale IN (?)",
		pgdialect.Array(hashes), id, bun.In(locales))
	return database.MapError(err, "save texts", "text")
}

// Stale says how far one language's body is behind the default language's.
type Stale struct {
	SourceLocale  string
	ChangedBlocks int
	Blocks        []int
	Total         int
	Message       string
}

// staleOf compares the fingerprints a translation was made from with the default
// language's blocks now, by position: a changed, added or removed block counts, and so does
// each block a reordering moves. Nil when nothing changed or nothing was recorded.
func staleOf(source, current []string) *Stale {
	if source == nil {
		return nil
	}
	st := &Stale{Total: len(current), Blocks: []int{}}
	for i := 0; i < max(len(source), len(current)); i++ {
		if i < len(source) && i < len(current) && source[i] == current[i] {
			continue
		}
		st.ChangedBlocks++
		if i < len(current) {
			st.Blocks = append(st.Blocks, i)
		}
	}
	if st.ChangedBlocks == 0 {
		return nil
	}
	return st
}

// markStale sets each translation's Stale against the default language's body in ts.
func markStale(ctx context.Context, t *tenant.Tenant, ts []*Translation) error {
	def := t.Municipality.DefaultLocale
	var current []string
	found := false
	for _, tr := range ts {
		if tr.Locale == def {
			h, err := blockHashes(tr.BodyJSON)
			if err != nil {
				return err
			}
			current, found = h, true
		}
	}
	if !found {
		return nil
	}
	name := def
	if l := t.Locale(def); l != nil && l.NativeName != "" {
		name = l.NativeName
	}
	for _, tr := range ts {
		if tr.Locale == def {
			continue
		}
		if st := staleOf(tr.SourceHashes, current); st != nil {
			st.SourceLocale = def
			st.Message = messages().Localize(i18n.FromContext(ctx).Chain, "TranslationStale",
				map[string]any{"Count": st.ChangedBlocks, "Total": st.Total, "Source": name})
			tr.Stale = st
		}
	}
	return nil
}

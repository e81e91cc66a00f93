package content

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/relay"
)

// MaxBodyBytes is the largest body accepted, as JSON, HTML or Markdown.
const MaxBodyBytes = 200_000

// maxBlocks bounds a body's blocks, list items and inline runs, each.
const maxBlocks = 2000

// Doc is a rich text body: a flat list of blocks, each of a known type. It is the only
// form a body is stored in; HTML and plain text are rendered from it.
type Doc struct {
	Blocks []Block `json:"blocks"`
}

// Block is one block of a body. Which fields a block has depends on its Type:
//
//   - "paragraph": Content;
//   - "heading": Level (2 to 4) and Content;
//   - "list": Ordered and Items;
//   - "quote": Content and an optional Caption (who is quoted);
//   - "image": ID (an Image of the municipality's media library), Alt and Caption;
//   - "embed": ID (an Organisation, Activity or CardOffer);
//   - "callout": Tone ("info", "warning" or "success") and Content.
type Block struct {
	Type    string   `json:"type"`
	Level   int      `json:"level,omitempty"`
	Ordered bool     `json:"ordered,omitempty"`
	Content []Inline `json:"content,omitempty"`
	Items   []Item   `json:"items,omitempty"`
	ID      string   `json:"id,omitempty"`
	Alt     string   `json:"alt,omitempty"`
	Caption string   `json:"caption,omitempty"`
	Tone    string   `json:"tone,omitempty"`
}

// Item is one item of a list.
type Item struct {
	Content []Inline `json:"content"`
}

// Inline is a run of text with its marks ("bold", "italic", "code") and an optional link.
type Inline struct {
	Text  string   `json:"text"`
	Marks []string `json:"marks,omitempty"`
	Link  string   `json:"link,omitempty"`
}

// Ref is an item a body refers to, to be checked against the database.
type Ref struct {
	Field string    // the field path of the block's id
	Type  string    // Image, Organisation, Activity or CardOffer
	ID    uuid.UUID // the item's UUID
}

// blockFields are the fields each block type may have.
var blockFields = map[string][]string{
	"paragraph": {"type", "content"},
	"heading":   {"type", "level", "content"},
	"list":      {"type", "ordered", "items"},
	"quote":     {"type", "content", "caption"},
	"image":     {"type", "id", "alt", "caption"},
	"embed":     {"type", "id"},
	"callout":   {"type", "tone", "content"},
}

var (
	marks      = []string{"bold", "italic", "code"}
	tones      = []string{"info", "warning", "success"}
	embedTypes = []string{"Organisation", "Activity", "CardOffer"}
)

// ParseDoc reads and validates a body given as JSON. field is the input's field path
// (e.g. "input.texts[0].body"); errors name the path of the offending part below it, as
// BAD_USER_INPUT. It returns the items the body refers to, for the caller to check.
func ParseDoc(raw []byte, field string) (*Doc, []Ref, error) {
	if len(raw) > MaxBodyBytes {
		return nil, nil, apperr.Invalid(field, "BodyTooLarge", map[string]any{"Max": MaxBodyBytes})
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(raw, &top); err != nil {
		return nil, nil, apperr.Invalid(field, "BodyInvalid", nil)
	}
	for k := range top {
		if k != "blocks" {
			return nil, nil, apperr.Invalid(field+"."+k, "BlockFieldUnknown", map[string]any{"Field": k})
		}
	}
	var blocks []json.RawMessage
	if err := json.Unmarshal(top["blocks"], &blocks); err != nil || top["blocks"] == nil {
		return nil, nil, apperr.Invalid(field+".blocks", "BodyInvalid", nil)
	}
	if len(blocks) > maxBlocks {
		return nil, nil, apperr.Invalid(field+".blocks", "BodyTooLarge", map[string]any{"Max": MaxBodyBytes})
	}
	doc := &Doc{Blocks: make([]Block, 0, len(blocks))}
	for i, rb := range blocks {
		path := fmt.Sprintf("%s.blocks[%d]", field, i)
		b, err := parseBlock(rb, path)
		if err != nil {
			return nil, nil, err
		}
		doc.Blocks = append(doc.Blocks, *b)
	}
	refs, err := doc.Validate(field)
	return doc, refs, err
}

// parseBlock decodes one block, refusing unknown types and fields.
func parseBlock(raw json.RawMessage, path string) (*Block, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return nil, apperr.Invalid(path, "BlockInvalid", nil)
	}
	var typ string
	if err := json.Unmarshal(fields["type"], &typ); err != nil {
		return nil, apperr.Invalid(path+".type", "BlockTypeUnknown", map[string]any{"Type": ""})
	}
	allowed, ok := blockFields[typ]
	if !ok {
		return nil, apperr.Invalid(path+".type", "BlockTypeUnknown", map[string]any{"Type": clip(typ, 40)})
	}
	for k := range fields {
		if !slices.Contains(allowed, k) {
			return nil, apperr.Invalid(path+"."+clip(k, 40), "BlockFieldUnknown", map[string]any{"Field": clip(k, 40)})
		}
	}
	b := new(Block)
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(b); err != nil {
		return nil, apperr.Invalid(path, "BlockInvalid", nil)
	}
	return b, nil
}

// Validate checks a body built in code or parsed (field as in ParseDoc) and returns the
// items it refers to. Errors: BAD_USER_INPUT naming the offending part.
func (d *Doc) Validate(field string) ([]Ref, error) {
	var refs []Ref
	if len(d.Blocks) > maxBlocks {
		return nil, apperr.Invalid(field+".blocks", "BodyTooLarge", map[string]any{"Max": MaxBodyBytes})
	}
	for i := range d.Blocks {
		path := fmt.Sprintf("%s.blocks[%d]", field, i)
		ref, err := d.Blocks[i].validate(path)
		if err != nil {
			return nil, err
		}
		if ref != nil {
			refs = append(refs, *ref)
		}
	}
	return refs, nil
}

func (b *Block) validate(path string) (*Ref, error) {
	switch b.Type {
	case "paragraph", "quote":
		return nil, validateInlines(b.Content, path+".content")
	case "heading":
		if b.Level < 2 || b.Level > 4 {
			return nil, apperr.Invalid(path+".level", "HeadingLevel", map[string]any{"Level": b.Level})
		}
		return nil, validateInlines(b.Content, path+".content")
	case "callout":
		if !slices.Contains(tones, b.Tone) {
			return nil, apperr.Invalid(path+".tone", "BlockInvalid", nil)
		}
		return nil, validateInlines(b.Content, path+".content")
	case "list":
		if len(b.Items) == 0 || len(b.Items) > maxBlocks {
			return nil, apperr.Invalid(path+".items", "BlockInvalid", nil)
		}
		for i, it := range b.Items {
			if err := validateInlines(it.Content, fmt.Sprintf("%s.items[%d].content", path, i)); err != nil {
				return nil, err
			}
		}
		return nil, nil
	case "image":
		if !utf8.ValidString(b.Alt) || !utf8.ValidString(b.Caption) || len(b.Alt) > 1000 || len(b.Caption) > 1000 {
			return nil, apperr.Invalid(path+".alt", "BlockInvalid", nil)
		}
		return refOf(b.ID, path+".id", []string{"Image"})
	case "embed":
		return refOf(b.ID, path+".id", embedTypes)
	}
	return nil, apperr.Invalid(path+".type", "BlockTypeUnknown", map[string]any{"Type": clip(b.Type, 40)})
}

// refOf parses a block's global ID of one of types.
func refOf(gid, field string, types []string) (*Ref, error) {
	typ, id, err := relay.ParseGlobalID(gid, field)
	if err != nil || !slices.Contains(types, typ) {
		return nil, apperr.Invalid(field, "BlockReference", nil)
	}
	return &Ref{Field: field, Type: typ, ID: id}, nil
}

func validateInlines(ins []Inline, path string) error {
	if len(ins) > maxBlocks {
		return apperr.Invalid(path, "BodyTooLarge", map[string]any{"Max": MaxBodyBytes})
	}
	for i, in := range ins {
		p := fmt.Sprintf("%s[%d]", path, i)
		if !utf8.ValidString(in.Text) || strings.ContainsRune(in.Text, 0) {
			return apperr.Invalid(p+".text", "BlockInvalid", nil)
		}
		for j, m := range in.Marks {
			if !slices.Contains(marks, m) {
				return apperr.Invalid(fmt.Sprintf("%s.marks[%d]", p, j), "MarkUnknown", map[string]any{"Mark": clip(m, 40)})
			}
		}
		if in.Link != "" && !SafeLink(in.Link) {
			return apperr.Invalid(p+".link", "LinkScheme", nil)
		}
	}
	return nil
}

// SafeLink reports whether href may be a link in a body: an absolute http, https or mailto
// URL, or a path on the portal itself ("/aktivitetskortet"). Never javascript:, data: or
// any other scheme.
func SafeLink(href string) bool {
	if len(href) > 2000 || !utf8.ValidString(href) || strings.ContainsAny(href, " \t\r\n\x00\\") {
		return false
	}
	if strings.HasPrefix(href, "/") && !strings.HasPrefix(href, "//") {
		u, err := url.Parse(href)
		return err == nil && u.Scheme == "" && u.Host == ""
	}
	u, err := url.Parse(href)
	if err != nil {
		return false
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
		return u.Host != "" && u.User == nil
	case "mailto":
		return u.Opaque != "" && strings.Contains(u.Opaque, "@")
	}
	return false
}

// clip shortens s for an error message.
func clip(s string, n int) string {
	if len(s) <= n {
		return strings.ToValidUTF8(s, "")
	}
	return strings.ToValidUTF8(s[:n], "") + "…"
}

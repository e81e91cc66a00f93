package content

import (
	"bytes"
	"slices"
	"strings"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/fritid/fritid/internal/platform/apperr"
)

// sanitiser strips pasted HTML down to what a body can hold before it is walked: no
// scripts, styles, event handlers or unsafe URLs ever reach the converter.
var sanitiser = func() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.AllowElements("p", "br", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "blockquote",
		"strong", "b", "em", "i", "code", "pre", "div", "span", "section", "article")
	p.AllowAttrs("href").OnElements("a")
	p.AllowURLSchemes("http", "https", "mailto")
	p.AllowRelativeURLs(true)
	p.RequireParseableURLs(true)
	return p
}()

// FromHTML converts pasted HTML into a body: paragraphs, headings (h1 becomes level 2,
// h5 and h6 level 4), lists, quotes, bold, italic, code and safe links. Everything else
// (scripts, styles, images from elsewhere, unknown elements) is dropped, its text kept.
// field names the input in errors. Errors: BAD_USER_INPUT.
func FromHTML(src, field string) (*Doc, error) {
	if len(src) > MaxBodyBytes {
		return nil, apperr.Invalid(field, "BodyTooLarge", map[string]any{"Max": MaxBodyBytes})
	}
	clean := sanitiser.Sanitize(src)
	nodes, err := html.ParseFragment(strings.NewReader(clean), &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body})
	if err != nil {
		return nil, apperr.Invalid(field, "BodyInvalid", nil)
	}
	c := &converter{}
	for _, n := range nodes {
		c.block(n)
	}
	c.flush()
	d := &Doc{Blocks: c.blocks}
	if d.Blocks == nil {
		d.Blocks = []Block{}
	}
	if _, err := d.Validate(field); err != nil {
		return nil, err
	}
	return d, nil
}

// FromMarkdown converts Markdown (CommonMark) into a body through its HTML, as FromHTML.
// Raw HTML inside the Markdown is dropped. Errors: BAD_USER_INPUT.
func FromMarkdown(src, field string) (*Doc, error) {
	if len(src) > MaxBodyBytes {
		return nil, apperr.Invalid(field, "BodyTooLarge", map[string]any{"Max": MaxBodyBytes})
	}
	var buf bytes.Buffer
	if err := goldmark.Convert([]byte(src), &buf); err != nil {
		return nil, apperr.Invalid(field, "BodyInvalid", nil)
	}
	return FromHTML(buf.String(), field)
}

// converter collects blocks while walking a sanitised tree; loose inline content gathers
// in pending until a block element ends it.
type converter struct {
	blocks  []Block
	pending []Inline
}

func (c *converter) flush() {
	if ins := trimInlines(c.pending); len(ins) > 0 {
		c.blocks = append(c.blocks, Block{Type: "paragraph", Content: ins})
	}
	c.pending = nil
}

func (c *converter) add(b Block) {
	c.flush()
	if b.Type == "list" || len(b.Content) > 0 {
		c.blocks = append(c.blocks, b)
	}
}

var headingLevel = map[atom.Atom]int{atom.H1: 2, atom.H2: 2, atom.H3: 3, atom.H4: 4, atom.H5: 4, atom.H6: 4}

// block converts n, a node at block level.
func (c *converter) block(n *html.Node) {
	if n.Type != html.ElementNode {
		c.pending = append(c.pending, inlines(n, nil, "")...)
		return
	}
	switch n.DataAtom {
	case atom.P:
		c.add(Block{Type: "paragraph", Content: trimInlines(children(n, nil, ""))})
	case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
		c.add(Block{Type: "heading", Level: headingLevel[n.DataAtom], Content: trimInlines(children(n, nil, ""))})
	case atom.Pre:
		c.add(Block{Type: "paragraph", Content: trimInlines(children(n, []string{"code"}, ""))})
	case atom.Blockquote:
		c.add(Block{Type: "quote", Content: trimInlines(flatText(n))})
	case atom.Ul, atom.Ol:
		c.flush()
		if l := listOf(n); len(l.Items) > 0 {
			c.blocks = append(c.blocks, l)
		}
	case atom.Div, atom.Section, atom.Article:
		c.flush()
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			c.block(ch)
		}
		c.flush()
	default:
		c.pending = append(c.pending, inlines(n, nil, "")...)
	}
}

// listOf converts a list; nested lists become items of their own.
func listOf(n *html.Node) Block {
	l := Block{Type: "list", Ordered: n.DataAtom == atom.Ol}
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			if ch.Type != html.ElementNode {
				continue
			}
			switch ch.DataAtom {
			case atom.Li:
				var own []Inline
				for g := ch.FirstChild; g != nil; g = g.NextSibling {
					if g.Type == html.ElementNode && (g.DataAtom == atom.Ul || g.DataAtom == atom.Ol) {
						continue
					}
					own = append(own, inlines(g, nil, "")...)
				}
				if own = trimInlines(own); len(own) > 0 {
					l.Items = append(l.Items, Item{Content: own})
				}
				for g := ch.FirstChild; g != nil; g = g.NextSibling {
					if g.Type == html.ElementNode && (g.DataAtom == atom.Ul || g.DataAtom == atom.Ol) {
						walk(g)
					}
				}
			case atom.Ul, atom.Ol:
				walk(ch)
			}
		}
	}
	walk(n)
	return l
}

// flatText is the inline content of n with block structure inside it flattened.
func flatText(n *html.Node) []Inline {
	var out []Inline
	for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
		if ch.Type == html.ElementNode && isBlock(ch.DataAtom) && len(out) > 0 {
			out = append(out, Inline{Text: "\n"})
		}
		out = append(out, inlines(ch, nil, "")...)
	}
	return out
}

func isBlock(a atom.Atom) bool {
	switch a {
	case atom.P, atom.Div, atom.Ul, atom.Ol, atom.Li, atom.Blockquote, atom.Pre,
		atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
		return true
	}
	return false
}

func children(n *html.Node, ms []string, link string) []Inline {
	var out []Inline
	for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
		out = append(out, inlines(ch, ms, link)...)
	}
	return out
}

// inlines converts n as inline content under marks ms and link.
func inlines(n *html.Node, ms []string, link string) []Inline {
	switch n.Type {
	case html.TextNode:
		t := collapse(n.Data, slices.Contains(ms, "code"))
		if t == "" {
			return nil
		}
		return []Inline{{Text: t, Marks: slices.Clone(ms), Link: link}}
	case html.ElementNode:
	default:
		return nil
	}
	switch n.DataAtom {
	case atom.Br:
		return []Inline{{Text: "\n", Marks: slices.Clone(ms), Link: link}}
	case atom.Strong, atom.B:
		ms = withMark(ms, "bold")
	case atom.Em, atom.I:
		ms = withMark(ms, "italic")
	case atom.Code:
		ms = withMark(ms, "code")
	case atom.A:
		for _, a := range n.Attr {
			if a.Key == "href" && SafeLink(a.Val) {
				link = a.Val
			}
		}
	}
	out := children(n, ms, link)
	if isBlock(n.DataAtom) && len(out) > 0 {
		out = append(out, Inline{Text: " "})
	}
	return out
}

func withMark(ms []string, m string) []string {
	if slices.Contains(ms, m) {
		return ms
	}
	return append(slices.Clone(ms), m)
}

// collapse folds runs of white space as a browser shows them, except in code.
func collapse(s string, keep bool) string {
	if keep {
		return s
	}
	var b strings.Builder
	space := false
	for _, r := range s {
		if r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\f' {
			if !space {
				b.WriteByte(' ')
			}
			space = true
			continue
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

// trimInlines drops leading and trailing white space and empty runs, and merges runs
// with the same marks and link.
func trimInlines(ins []Inline) []Inline {
	var out []Inline
	for _, in := range ins {
		in.Text = strings.ToValidUTF8(strings.ReplaceAll(in.Text, "\x00", ""), "")
		if in.Text == "" {
			continue
		}
		if k := len(out) - 1; k >= 0 && out[k].Link == in.Link && slices.Equal(out[k].Marks, in.Marks) {
			out[k].Text += in.Text
			continue
		}
		out = append(out, in)
	}
	for len(out) > 0 {
		out[0].Text = strings.TrimLeft(out[0].Text, " \n")
		if out[0].Text != "" {
			break
		}
		out = out[1:]
	}
	for len(out) > 0 {
		k := len(out) - 1
		out[k].Text = strings.TrimRight(out[k].Text, " \n")
		if out[k].Text != "" {
			break
		}
		out = out[:k]
	}
	return out
}

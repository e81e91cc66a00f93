package content

import (
	"html"
	"slices"
	"strconv"
	"strings"

	"github.com/google/uuid"
)

// Rendered is a body in the three forms the API serves.
type Rendered struct {
	JSON      []byte
	HTML      string
	PlainText string
}

// Image is what rendering needs of a media library image.
type Image struct {
	URL           string
	Width, Height int
}

// RenderHTML returns d as HTML. Every text and attribute value is escaped and only the
// elements and attributes written here come out, so the HTML is safe whatever the body
// holds; images missing from images are left out.
func (d *Doc) RenderHTML(images map[uuid.UUID]Image) string {
	var b strings.Builder
	for i := range d.Blocks {
		renderBlock(&b, &d.Blocks[i], images)
	}
	return b.String()
}

func renderBlock(b *strings.Builder, bl *Block, images map[uuid.UUID]Image) {
	switch bl.Type {
	case "paragraph":
		b.WriteString("<p>")
		renderInlines(b, bl.Content)
		b.WriteString("</p>\n")
	case "heading":
		lv := strconv.Itoa(min(max(bl.Level, 2), 4))
		b.WriteString("<h" + lv + ">")
		renderInlines(b, bl.Content)
		b.WriteString("</h" + lv + ">\n")
	case "list":
		tag := "ul"
		if bl.Ordered {
			tag = "ol"
		}
		b.WriteString("<" + tag + ">")
		for _, it := range bl.Items {
			b.WriteString("<li>")
			renderInlines(b, it.Content)
			b.WriteString("</li>")
		}
		b.WriteString("</" + tag + ">\n")
	case "quote":
		b.WriteString("<blockquote><p>")
		renderInlines(b, bl.Content)
		b.WriteString("</p>")
		if bl.Caption != "" {
			b.WriteString("<footer>" + html.EscapeString(bl.Caption) + "</footer>")
		}
		b.WriteString("</blockquote>\n")
	case "image":
		renderImage(b, bl, images)
	case "embed":
		typ, _ := refTypeOf(bl.ID)
		b.WriteString(`<div class="fritid-embed" data-type="` + html.EscapeString(typ) + `" data-id="` +
			html.EscapeString(bl.ID) + `"></div>` + "\n")
	case "callout":
		b.WriteString(`<aside class="callout callout-` + html.EscapeString(bl.Tone) + `"><p>`)
		renderInlines(b, bl.Content)
		b.WriteString("</p></aside>\n")
	}
}

func renderImage(b *strings.Builder, bl *Block, images map[uuid.UUID]Image) {
	_, id := refTypeOf(bl.ID)
	img, ok := images[id]
	if !ok || !SafeLink(img.URL) {
		return
	}
	b.WriteString(`<figure><img src="` + html.EscapeString(img.URL) + `" alt="` + html.EscapeString(bl.Alt) + `"`)
	if img.Width > 0 && img.Height > 0 {
		b.WriteString(` width="` + strconv.Itoa(img.Width) + `" height="` + strconv.Itoa(img.Height) + `"`)
	}
	b.WriteString(">")
	if bl.Caption != "" {
		b.WriteString("<figcaption>" + html.EscapeString(bl.Caption) + "</figcaption>")
	}
	b.WriteString("</figure>\n")
}

// renderInlines writes runs of text with their marks, a link around the marks.
func renderInlines(b *strings.Builder, ins []Inline) {
	for _, in := range ins {
		text := strings.ReplaceAll(html.EscapeString(in.Text), "\n", "<br>")
		for _, m := range marks { // a fixed order: the same body always renders the same
			if slices.Contains(in.Marks, m) {
				text = "<" + markTag[m] + ">" + text + "</" + markTag[m] + ">"
			}
		}
		if in.Link != "" && SafeLink(in.Link) {
			text = `<a href="` + html.EscapeString(in.Link) + `">` + text + "</a>"
		}
		b.WriteString(text)
	}
}

var markTag = map[string]string{"bold": "strong", "italic": "em", "code": "code"}

// refTypeOf returns the type and UUID of a block's global ID, or zero values.
func refTypeOf(gid string) (string, uuid.UUID) {
	r, err := refOf(gid, "", append([]string{"Image"}, embedTypes...))
	if err != nil {
		return "", uuid.Nil
	}
	return r.Type, r.ID
}

// PlainText returns d's text without markup, a blank line between blocks: for search,
// previews and summaries.
func (d *Doc) PlainText() string {
	var parts []string
	for _, bl := range d.Blocks {
		var s string
		switch bl.Type {
		case "list":
			lines := make([]string, len(bl.Items))
			for i, it := range bl.Items {
				lines[i] = "- " + inlineText(it.Content)
			}
			s = strings.Join(lines, "\n")
		case "image":
			s = bl.Caption
		case "embed":
		default:
			s = inlineText(bl.Content)
			if bl.Type == "quote" && bl.Caption != "" {
				s += "\n— " + bl.Caption
			}
		}
		if s = strings.TrimSpace(s); s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, "\n\n")
}

func inlineText(ins []Inline) string {
	var b strings.Builder
	for _, in := range ins {
		b.WriteString(in.Text)
	}
	return b.String()
}

package content

import (
	"strings"
	"testing"

	"github.com/google/uuid"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/relay"
)

func TestParseDocRefusesBadBlocks(t *testing.T) {
	img := relay.GlobalID("Image", uuid.Must(uuid.NewV7()))
	cases := []struct {
		name, body, field, message string
	}{
		{"ErrUnknownBlockType", `{"blocks":[{"type":"paragraph","content":[]},{"type":"script"}]}`,
			"input.body.blocks[1].type", "BlockTypeUnknown"},
		{"ErrHeadingLevel1", `{"blocks":[{"type":"heading","level":1,"content":[{"text":"x"}]}]}`,
			"input.body.blocks[0].level", "HeadingLevel"},
		{"ErrHeadingLevel7", `{"blocks":[{"type":"p","content":[]}]}`, "input.body.blocks[0].type", "BlockTypeUnknown"},
		{"ErrHeadingLevel7Real", `{"blocks":[{"type":"heading","level":7,"content":[]}]}`,
			"input.body.blocks[0].level", "HeadingLevel"},
		{"ErrJavascriptLink", `{"blocks":[{"type":"paragraph","content":[{"text":"a"},{"text":"b","link":"javascript:alert(1)"}]}]}`,
			"input.body.blocks[0].content[1].link", "LinkScheme"},
		{"ErrJavascriptLinkCase", `{"blocks":[{"type":"list","items":[{"content":[{"text":"b","link":" JaVaScRiPt:alert(1)"}]}]}]}`,
			"input.body.blocks[0].items[0].content[0].link", "LinkScheme"},
		{"ErrDataLink", `{"blocks":[{"type":"paragraph","content":[{"text":"b","link":"data:text/html,<script>"}]}]}`,
			"input.body.blocks[0].content[0].link", "LinkScheme"},
		{"ErrUnknownField", `{"blocks":[{"type":"paragraph","content":[],"onclick":"x"}]}`,
			"input.body.blocks[0].onclick", "BlockFieldUnknown"},
		{"ErrUnknownMark", `{"blocks":[{"type":"paragraph","content":[{"text":"x","marks":["blink"]}]}]}`,
			"input.body.blocks[0].content[0].marks[0]", "MarkUnknown"},
		{"ErrImageIDOfOtherType", `{"blocks":[{"type":"image","id":"` + relay.GlobalID("Activity", uuid.Nil) + `"}]}`,
			"input.body.blocks[0].id", "BlockReference"},
		{"ErrEmbedOfImage", `{"blocks":[{"type":"embed","id":"` + img + `"}]}`, "input.body.blocks[0].id", "BlockReference"},
		{"ErrCalloutTone", `{"blocks":[{"type":"callout","tone":"red","content":[]}]}`, "input.body.blocks[0].tone", "BlockInvalid"},
		{"ErrNotJSONObject", `[1,2]`, "input.body", "BodyInvalid"},
		{"ErrNoBlocks", `{}`, "input.body.blocks", "BodyInvalid"},
		{"ErrTopLevelField", `{"blocks":[],"html":"<b>"}`, "input.body.html", "BlockFieldUnknown"},
		{"ErrTooLarge", `{"blocks":[{"type":"paragraph","content":[{"text":"` + strings.Repeat("a", MaxBodyBytes) + `"}]}]}`,
			"input.body", "BodyTooLarge"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := ParseDoc([]byte(c.body), "input.body")
			e := apperr.As(err)
			if e == nil || e.Code != apperr.BadUserInput || e.Field != c.field || e.MessageID != c.message {
				t.Fatalf("got %v, want BAD_USER_INPUT %s on %s", err, c.message, c.field)
			}
		})
	}
}

func TestParseDocAcceptsEveryBlockType(t *testing.T) {
	img, act := uuid.Must(uuid.NewV7()), uuid.Must(uuid.NewV7())
	body := `{"blocks":[
		{"type":"heading","level":2,"content":[{"text":"Om kortet"}]},
		{"type":"paragraph","content":[{"text":"Les "},{"text":"mer","marks":["bold","italic"],"link":"https://larvik.kommune.no/x?a=1&b=2"},
		  {"text":" eller skriv til "},{"text":"oss","link":"mailto:post@larvik.kommune.no"},{"text":", se "},{"text":"siden","link":"/aktivitetskortet"}]},
		{"type":"list","ordered":true,"items":[{"content":[{"text":"én"}]},{"content":[{"text":"to","marks":["code"]}]}]},
		{"type":"quote","content":[{"text":"Alle barn skal få være med."}],"caption":"Ordføreren"},
		{"type":"image","id":"` + relay.GlobalID("Image", img) + `","alt":"Barn på fotballbanen","caption":"Foto: kommunen"},
		{"type":"embed","id":"` + relay.GlobalID("Activity", act) + `"},
		{"type":"callout","tone":"info","content":[{"text":"Søknadsfrist 1. mai"}]}]}`
	doc, refs, err := ParseDoc([]byte(body), "input.body")
	if err != nil {
		t.Fatal(err)
	}
	if len(refs) != 2 || refs[0].Type != "Image" || refs[0].ID != img || refs[1].Type != "Activity" ||
		refs[1].Field != "input.body.blocks[5].id" {
		t.Fatalf("refs = %+v", refs)
	}
	got := doc.RenderHTML(map[uuid.UUID]Image{img: {URL: "https://cdn.example/a.jpg", Width: 40, Height: 30}})
	for _, want := range []string{
		"<h2>Om kortet</h2>",
		`<a href="https://larvik.kommune.no/x?a=1&amp;b=2"><em><strong>mer</strong></em></a>`,
		`<a href="mailto:post@larvik.kommune.no">oss</a>`,
		"<ol><li>én</li><li><code>to</code></li></ol>",
		"<blockquote><p>Alle barn skal få være med.</p><footer>Ordføreren</footer></blockquote>",
		`<figure><img src="https://cdn.example/a.jpg" alt="Barn på fotballbanen" width="40" height="30"><figcaption>Foto: kommunen</figcaption></figure>`,
		`<div class="fritid-embed" data-type="Activity" data-id="` + relay.GlobalID("Activity", act) + `"></div>`,
		`<aside class="callout callout-info"><p>Søknadsfrist 1. mai</p></aside>`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("HTML lacks %s\n%s", want, got)
		}
	}
	text := doc.PlainText()
	for _, want := range []string{"Om kortet\n\nLes mer eller skriv til oss, se siden", "- én\n- to", "— Ordføreren"} {
		if !strings.Contains(text, want) {
			t.Errorf("plain text lacks %q\n%s", want, text)
		}
	}
}

// hostile is HTML that tries every way in that we know of.
var hostile = []string{
	`<script>alert(1)</script><p onclick="alert(1)">hei<img src=x onerror=alert(1)></p>`,
	`<a href="javascript:alert(1)">klikk</a><a href=" javascript:alert(1)">x</a><a href="jav&#x09;ascript:alert(1)">y</a>`,
	`<p><a href="data:text/html;base64,PHNjcmlwdD4=">d</a><iframe src="https://evil.example"></iframe></p>`,
	`<svg><script>alert(1)</script></svg><math><mi xlink:href="javascript:alert(1)">m</mi></math>`,
	`<style>body{background:url(javascript:alert(1))}</style><h1 style="x:expression(alert(1))">T</h1>`,
	`<div><p>"><script>alert(1)</script></p></div><object data="x.swf"></object><form action="javascript:x"><input></form>`,
	`<h7>x</h7><ul><li>a<ul><li>b <b onmouseover="x">c</b></li></ul></li></ul><blockquote>q<p>r</p></blockquote>`,
	`&lt;script&gt;alert(1)&lt;/script&gt;<a href="https://ok.example/?q=&quot;&gt;&lt;script&gt;">ok</a>`,
}

// assertSafeHTML parses out with a real HTML parser and fails on any script, event
// handler, or URL attribute that is not http(s), mailto or a local path.
func assertSafeHTML(t testing.TB, out string) {
	t.Helper()
	nodes, err := html.ParseFragment(strings.NewReader(out), &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body})
	if err != nil {
		t.Fatal(err)
	}
	allowed := map[string]bool{"p": true, "br": true, "h2": true, "h3": true, "h4": true, "ul": true, "ol": true,
		"li": true, "blockquote": true, "footer": true, "strong": true, "em": true, "code": true, "a": true,
		"figure": true, "img": true, "figcaption": true, "div": true, "aside": true}
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			if !allowed[n.Data] {
				t.Errorf("element <%s> in %s", n.Data, out)
			}
			for _, a := range n.Attr {
				k := strings.ToLower(a.Key)
				if strings.HasPrefix(k, "on") || k == "style" {
					t.Errorf("attribute %s in %s", a.Key, out)
				}
				if (k == "href" || k == "src") && !SafeLink(a.Val) {
					t.Errorf("unsafe %s=%q in %s", k, a.Val, out)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	for _, n := range nodes {
		walk(n)
	}
}

func TestFromHTMLIsSafe(t *testing.T) {
	for _, h := range hostile {
		doc, err := FromHTML(h, "input.bodyHtml")
		if err != nil {
			t.Fatalf("%s: %v", h, err)
		}
		out := doc.RenderHTML(nil)
		assertSafeHTML(t, out)
		if strings.Contains(strings.ToLower(out), "javascript") || strings.Contains(out, "<script") {
			t.Errorf("%s became %s", h, out)
		}
	}
}

func TestFromHTMLKeepsStructure(t *testing.T) {
	doc, err := FromHTML(`<h1>Tittel</h1><p>Hei <b>alle</b> <a href="https://fritid.example/">her</a></p>
		<ul><li>en</li><li>to<ol><li>tre</li></ol></li></ul><blockquote>Sitat</blockquote><h6>Liten</h6>`, "f")
	if err != nil {
		t.Fatal(err)
	}
	got := doc.RenderHTML(nil)
	want := `<h2>Tittel</h2>` + "\n" + `<p>Hei <strong>alle</strong> <a href="https://fritid.example/">her</a></p>` + "\n" +
		`<ul><li>en</li><li>to</li><li>tre</li></ul>` + "\n" + `<blockquote><p>Sitat</p></blockquote>` + "\n" + `<h4>Liten</h4>` + "\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestFromMarkdown(t *testing.T) {
	doc, err := FromMarkdown("## Slik søker du\n\nFyll ut **skjemaet** på [nett](https://larvik.kommune.no).\n\n"+
		"- Ett\n- To\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1))\n", "input.bodyMarkdown")
	if err != nil {
		t.Fatal(err)
	}
	out := doc.RenderHTML(nil)
	assertSafeHTML(t, out)
	for _, want := range []string{"<h2>Slik søker du</h2>", "<strong>skjemaet</strong>", `<a href="https://larvik.kommune.no">nett</a>`,
		"<ul><li>Ett</li><li>To</li></ul>"} {
		if !strings.Contains(out, want) {
			t.Errorf("lacks %s: %s", want, out)
		}
	}
	if strings.Contains(out, "script") || strings.Contains(out, "javascript") {
		t.Errorf("hostile markdown came through: %s", out)
	}
}

func FuzzParseDoc(f *testing.F) {
	f.Add(`{"blocks":[{"type":"paragraph","content":[{"text":"<script>","link":"https://x.example"}]}]}`)
	f.Add(`{"blocks":[{"type":"heading","level":3,"content":[{"text":"\"><img onerror=x>","marks":["bold"]}]}]}`)
	f.Add(`{"blocks":[{"type":"quote","content":[{"text":"q"}],"caption":"</footer><script>"}]}`)
	f.Add(`{"blocks":[{"type":"callout","tone":"info","content":[{"text":"x","link":"/a\"onmouseover=\"x"}]}]}`)
	f.Fuzz(func(t *testing.T, s string) {
		doc, _, err := ParseDoc([]byte(s), "b")
		if err != nil {
			if apperr.CodeOf(err) != apperr.BadUserInput {
				t.Fatalf("error %v is not BAD_USER_INPUT", err)
			}
			return
		}
		assertSafeHTML(t, doc.RenderHTML(nil))
	})
}

func FuzzFromHTML(f *testing.F) {
	for _, h := range hostile {
		f.Add(h)
	}
	f.Fuzz(func(t *testing.T, s string) {
		doc, err := FromHTML(s, "b")
		if err != nil {
			if apperr.CodeOf(err) != apperr.BadUserInput {
				t.Fatalf("error %v is not BAD_USER_INPUT", err)
			}
			return
		}
		assertSafeHTML(t, doc.RenderHTML(nil))
	})
}

func FuzzFromMarkdown(f *testing.F) {
	f.Add("# T\n\n*a* [b](javascript:x) <script>x</script>\n\n> q\n\n1. x\n")
	f.Add("[a](<javascript:alert(1)>) ![i](https://x/i.png) `code` <a href=javascript:x>y</a>")
	f.Fuzz(func(t *testing.T, s string) {
		doc, err := FromMarkdown(s, "b")
		if err != nil {
			if apperr.CodeOf(err) != apperr.BadUserInput {
				t.Fatalf("error %v is not BAD_USER_INPUT", err)
			}
			return
		}
		assertSafeHTML(t, doc.RenderHTML(nil))
	})
}

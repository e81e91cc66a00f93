package content

import (
	"fmt"
	"math"
	"strings"
	"unicode"
)

// FindingCode is the stable code of a check's finding.
type FindingCode string

// The checks run on one language of a page or article.
const (
	// HeadingSkipped: a heading is more than one level below the heading before it
	// (h2 then h4); the body's first heading is compared with the title's level 1.
	HeadingSkipped FindingCode = "HEADING_SKIPPED"
	// ImageWithoutAlt: an image block without alt text in the language checked.
	ImageWithoutAlt FindingCode = "IMAGE_WITHOUT_ALT"
	// VagueLinkText: a link whose whole text says nothing of where it leads ("les mer").
	VagueLinkText FindingCode = "VAGUE_LINK_TEXT"
	// LixTooHigh: Norwegian text (nb, nn) harder to read than the municipality's target.
	LixTooHigh FindingCode = "LIX_TOO_HIGH"
)

// Severity is how much a finding weighs: a warning is shown, an error blocks publishing.
type Severity string

// The severities.
const (
	SeverityWarning Severity = "WARNING"
	SeverityError   Severity = "ERROR"
)

// Finding is one thing a check found in a language's body.
type Finding struct {
	Code     FindingCode
	Severity Severity
	// Path is the block's path in the body, e.g. "blocks[3]"; empty for the whole body.
	Path string
	// MessageID and Data make the localised message.
	MessageID string
	Data      map[string]any
}

// DefaultLixTarget is the readability target of a municipality that has not set one.
const DefaultLixTarget = 40

// vagueLinkTexts are link texts that say nothing of the link's target, normalised (see
// normaliseLinkText), per language. Every language is checked against its own list and
// the English one, since English phrases turn up in every language's pages.
var vagueLinkTexts = map[string][]string{
	"nb": {"klikk her", "trykk her", "les mer", "her", "mer", "lenke", "denne lenken", "se her", "mer info",
		"mer informasjon", "klikk", "link"},
	"nn": {"klikk her", "trykk her", "les meir", "les mer", "her", "meir", "lenkje", "lenke", "denne lenkja",
		"sjå her", "meir info", "meir informasjon", "klikk", "link"},
	"en": {"click here", "read more", "more", "here", "this link", "link", "more info", "more information",
		"learn more", "click"},
}

// normaliseLinkText lowers s, drops punctuation and symbols and folds white space, so
// "Les mer …" and "les  mer" compare equal.
func normaliseLinkText(s string) string {
	s = strings.ToLower(s)
	s = strings.Map(func(r rune) rune {
		if unicode.IsPunct(r) || unicode.IsSymbol(r) {
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// isVagueLinkText reports whether text is a vague link text in locale.
func isVagueLinkText(locale, text string) bool {
	t := normaliseLinkText(text)
	if t == "" {
		return false
	}
	for _, l := range []string{locale, "en"} {
		for _, v := range vagueLinkTexts[l] {
			if t == v {
				return true
			}
		}
	}
	return false
}

// CheckDoc runs the checks on one language's body. lixTarget applies to nb and nn;
// errorCodes are the codes the municipality makes errors (others are warnings).
func CheckDoc(d *Doc, locale string, lixTarget int, errorCodes []string) []Finding {
	var out []Finding
	add := func(code FindingCode, path, msg string, data map[string]any) {
		out = append(out, Finding{Code: code, Severity: severityOf(code, errorCodes), Path: path, MessageID: msg, Data: data})
	}
	prev := 1 // the title is the page's h1
	for i := range d.Blocks {
		b := &d.Blocks[i]
		path := fmt.Sprintf("blocks[%d]", i)
		switch b.Type {
		case "heading":
			if b.Level > prev+1 {
				add(HeadingSkipped, path, "CheckHeadingSkipped", map[string]any{"Level": b.Level, "Previous": prev})
			}
			prev = b.Level
		case "image":
			if strings.TrimSpace(b.Alt) == "" {
				add(ImageWithoutAlt, path, "CheckImageWithoutAlt", nil)
			}
		}
		for _, in := range blockLinks(b) {
			if isVagueLinkText(locale, in.Text) {
				add(VagueLinkText, path, "CheckVagueLinkText", map[string]any{"Text": clip(strings.TrimSpace(in.Text), 40)})
			}
		}
	}
	if locale == "nb" || locale == "nn" {
		if text := d.PlainText(); strings.TrimSpace(text) != "" {
			if lix := LIX(text); lix > float64(lixTarget) {
				add(LixTooHigh, "", "CheckLixTooHigh", map[string]any{"Lix": int(math.Round(lix)),
					"Target": lixTarget})
			}
		}
	}
	return out
}

// severityOf returns ERROR when errorCodes lists code, else WARNING.
func severityOf(code FindingCode, errorCodes []string) Severity {
	for _, c := range errorCodes {
		if c == string(code) {
			return SeverityError
		}
	}
	return SeverityWarning
}

// blockLinks returns a block's inline runs that are links, a link split over runs
// (bold part, plain part) joined into one.
func blockLinks(b *Block) []Inline {
	runs := [][]Inline{b.Content}
	for _, it := range b.Items {
		runs = append(runs, it.Content)
	}
	var out []Inline
	for _, ins := range runs {
		for i := 0; i < len(ins); i++ {
			if ins[i].Link == "" {
				continue
			}
			l := Inline{Link: ins[i].Link, Text: ins[i].Text}
			for i+1 < len(ins) && ins[i+1].Link == l.Link {
				i++
				l.Text += ins[i].Text
			}
			out = append(out, l)
		}
	}
	return out
}

// LIX returns the readability index of text (Björnsson's läsbarhetsindex):
// words/sentences + 100*longWords/words, where a long word has more than six letters and
// a sentence ends at '.', '!', '?' or ':' , or at a line break (a heading, a list item).
// A text without words has LIX 0.
func LIX(text string) float64 {
	words, long, sentences := 0, 0, 0
	inSentence := false
	for _, line := range strings.Split(text, "\n") {
		for _, f := range strings.Fields(line) {
			letters := 0
			for _, r := range f {
				if unicode.IsLetter(r) || unicode.IsDigit(r) {
					letters++
				}
			}
			if letters > 0 {
				words++
				inSentence = true
				if letters > 6 {
					long++
				}
			}
			if end := strings.TrimRight(f, "\"'»”)]"); end != "" && strings.ContainsAny(end[len(end)-1:], ".!?:") && inSentence {
				sentences++
				inSentence = false
			}
		}
		if inSentence { // a line that ends without a full stop ends its sentence too
			sentences++
			inSentence = false
		}
	}
	if words == 0 {
		return 0
	}
	return float64(words)/float64(sentences) + 100*float64(long)/float64(words)
}

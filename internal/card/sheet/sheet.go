// Package sheet renders activity cards and tickets as printable HTML pages: a sheet of
// anonymous cards with their numbers and PINs (or of personal cards with their holders'
// given names), cut apart and handed out, and a ticket with its door code and a QR code,
// for families without a phone. Pages are self-contained (no
// scripts, no outside resources) and escape every text.
package sheet

import (
	"bytes"
	"fmt"
	"html/template"
	"strings"

	qrcode "github.com/skip2/go-qrcode"
)

// Labels are the page's fixed texts in the reader's language.
type Labels struct {
	Title, Number, PIN, Holder, ValidTo, Code, Admits, ValidUntil, HowToUse, Footer string
}

// Card is one card on a sheet: an anonymous card with its PIN, or a personal card with
// its holder's given name.
type Card struct {
	Programme, Number, PIN, Holder, ValidTo string
}

// Ticket is a ticket to print.
type Ticket struct {
	Offer, Code, Payload, Admits, ValidUntil, HowToUse string
}

var page = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><title>{{.L.Title}}</title>
<style>
@page { size: A4; margin: 10mm }
body { font: 11pt system-ui, sans-serif; margin: 0 }
.grid { display: grid; grid-template-columns: 1fr 1fr; gap: 0 }
.card { border: 1px dashed #888; padding: 6mm; height: 48mm; box-sizing: border-box; break-inside: avoid }
.card h2 { font-size: 12pt; margin: 0 0 3mm }
.big { font: 600 16pt ui-monospace, monospace; letter-spacing: .05em }
.ticket { border: 2px solid #000; padding: 8mm; max-width: 120mm }
.qr svg { width: 40mm; height: 40mm }
dt { font-size: 9pt; color: #444; margin-top: 2mm }
dd { margin: 0 }
footer { font-size: 8pt; color: #444; margin-top: 4mm }
</style></head><body>
{{if .Cards}}<div class="grid">{{range .Cards}}<section class="card"><h2>{{.Programme}}</h2>
<dl>{{if .Holder}}<dt>{{$.L.Holder}}</dt><dd>{{.Holder}}</dd>{{end}}
<dt>{{$.L.Number}}</dt><dd class="big">{{.Number}}</dd>
{{if .PIN}}<dt>{{$.L.PIN}}</dt><dd class="big">{{.PIN}}</dd>{{end}}
<dt>{{$.L.ValidTo}}</dt><dd>{{.ValidTo}}</dd></dl></section>{{end}}</div>{{end}}
{{with .Ticket}}<section class="ticket"><h2>{{.Offer}}</h2><div class="qr">{{$.QR}}</div>
<dl><dt>{{$.L.Code}}</dt><dd class="big">{{.Code}}</dd><dt>{{$.L.Admits}}</dt><dd>{{.Admits}}</dd>
<dt>{{$.L.ValidUntil}}</dt><dd>{{.ValidUntil}}</dd>{{if .HowToUse}}<dt>{{$.L.HowToUse}}</dt><dd>{{.HowToUse}}</dd>{{end}}</dl></section>{{end}}
<footer>{{.L.Footer}}</footer>
</body></html>
`))

type data struct {
	Lang   string
	L      Labels
	Cards  []Card
	Ticket *Ticket
	QR     template.HTML
}

// Cards renders a sheet of cards, two to a row, to cut apart.
func Cards(lang string, l Labels, cards []Card) (string, error) {
	return render(data{Lang: lang, L: l, Cards: cards})
}

// TicketPage renders one ticket with its QR code, which carries the ticket's payload.
func TicketPage(lang string, l Labels, t Ticket) (string, error) {
	qr, err := svg(t.Payload)
	if err != nil {
		return "", err
	}
	return render(data{Lang: lang, L: l, Ticket: &t, QR: qr})
}

func render(d data) (string, error) {
	var b bytes.Buffer
	if err := page.Execute(&b, d); err != nil {
		return "", fmt.Errorf("render sheet: %w", err)
	}
	return b.String(), nil
}

// svg draws the QR code of text as an SVG of black squares; it holds only what the
// generator computed, so it is safe to embed.
func svg(text string) (template.HTML, error) {
	q, err := qrcode.New(text, qrcode.Medium)
	if err != nil {
		return "", fmt.Errorf("qr code: %w", err)
	}
	bits := q.Bitmap()
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" shape-rendering="crispEdges"><rect width="100%%" height="100%%" fill="#fff"/><path fill="#000" d="`, len(bits), len(bits))
	for y, row := range bits {
		for x, on := range row {
			if on {
				fmt.Fprintf(&b, "M%d %dh1v1h-1z", x, y)
			}
		}
	}
	b.WriteString(`"/></svg>`)
	return template.HTML(b.String()), nil //nolint:gosec // generated markup, no input text in it
}

package wallet

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"strconv"
	"sync"
	"time"
)

// passJSON is pass.json of an event ticket, as Apple's PassKit package format has it.
type passJSON struct {
	FormatVersion       int        `json:"formatVersion"`
	PassTypeIdentifier  string     `json:"passTypeIdentifier"`
	SerialNumber        string     `json:"serialNumber"`
	TeamIdentifier      string     `json:"teamIdentifier"`
	OrganizationName    string     `json:"organizationName"`
	Description         string     `json:"description"`
	WebServiceURL       string     `json:"webServiceURL,omitempty"`
	AuthenticationToken string     `json:"authenticationToken,omitempty"`
	RelevantDate        string     `json:"relevantDate,omitempty"`
	ExpirationDate      string     `json:"expirationDate"`
	Voided              bool       `json:"voided"`
	Barcodes            []barcode  `json:"barcodes"`
	EventTicket         passFields `json:"eventTicket"`
	BackgroundColor     string     `json:"backgroundColor"`
	ForegroundColor     string     `json:"foregroundColor"`
	LabelColor          string     `json:"labelColor"`
}

type barcode struct {
	Format          string `json:"format"`
	Message         string `json:"message"`
	MessageEncoding string `json:"messageEncoding"`
	AltText         string `json:"altText,omitempty"`
}

type passFields struct {
	PrimaryFields   []field `json:"primaryFields"`
	SecondaryFields []field `json:"secondaryFields,omitempty"`
	AuxiliaryFields []field `json:"auxiliaryFields,omitempty"`
	BackFields      []field `json:"backFields,omitempty"`
}

type field struct {
	Key           string `json:"key"`
	Label         string `json:"label,omitempty"`
	Value         any    `json:"value"`
	DateStyle     string `json:"dateStyle,omitempty"`
	TimeStyle     string `json:"timeStyle,omitempty"`
	ChangeMessage string `json:"changeMessage,omitempty"`
}

// passJSON returns pass.json for p: voided once the ticket cannot be used, the door's
// code as a QR code, and no holder.
func (a *Apple) passJSON(p *Pass) *passJSON {
	j := &passJSON{FormatVersion: 1, PassTypeIdentifier: a.PassTypeID, SerialNumber: p.Serial,
		TeamIdentifier: a.TeamID, OrganizationName: p.Organisation, Description: p.Description,
		ExpirationDate: p.Expires.UTC().Format(time.RFC3339), Voided: p.State != Active,
		Barcodes: []barcode{{Format: "PKBarcodeFormatQR", Message: p.Message, MessageEncoding: "iso-8859-1",
			AltText: p.AltText}},
		BackgroundColor: "rgb(0, 84, 122)", ForegroundColor: "rgb(255, 255, 255)", LabelColor: "rgb(200, 225, 240)"}
	if a.WebServiceURL != "" && p.AuthToken != "" {
		j.WebServiceURL, j.AuthenticationToken = a.WebServiceURL, p.AuthToken
	}
	j.EventTicket.PrimaryFields = []field{{Key: "event", Label: p.Labels.Event, Value: p.Title}}
	if p.Start != nil {
		j.RelevantDate = p.Start.UTC().Format(time.RFC3339)
		j.EventTicket.SecondaryFields = append(j.EventTicket.SecondaryFields, field{Key: "time",
			Label: p.Labels.Time, Value: j.RelevantDate, DateStyle: "PKDateStyleMedium", TimeStyle: "PKDateStyleShort"})
	} else {
		j.EventTicket.SecondaryFields = append(j.EventTicket.SecondaryFields, field{Key: "valid",
			Label: p.Labels.Valid, Value: j.ExpirationDate, DateStyle: "PKDateStyleMedium",
			TimeStyle: "PKDateStyleShort"})
	}
	if p.Place != "" {
		j.EventTicket.SecondaryFields = append(j.EventTicket.SecondaryFields,
			field{Key: "place", Label: p.Labels.Place, Value: p.Place})
	}
	j.EventTicket.AuxiliaryFields = []field{
		{Key: "admits", Label: p.Labels.Admits, Value: strconv.Itoa(p.Admits)},
		{Key: "status", Label: p.Labels.Status, Value: p.Labels.state(p.State), ChangeMessage: "%@"},
	}
	return j
}

// state names s for the holder, or s itself when no words are given.
func (l Labels) state(s State) string {
	if w := l.States[s]; w != "" {
		return w
	}
	return string(s)
}

// icons are the icons every pass must carry (29 and 58 points square): a plain tile of the
// pass's colour, drawn on the first pass (not when the program starts: every command would
// pay for them).
var icons = sync.OnceValues(func() ([]byte, []byte) { return drawIcon(29), drawIcon(58) })

func drawIcon(size int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, size, size))
	for y := range size {
		for x := range size {
			img.Set(x, y, color.RGBA{R: 0, G: 84, B: 122, A: 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		panic(err) // encoding an in-memory RGBA image cannot fail
	}
	return buf.Bytes()
}

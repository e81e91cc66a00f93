package wallet

import "time"

// The Google Wallet REST resources a save link carries, with the fields fritid fills (see
// the eventTicketClass and eventTicketObject references). ticketHolderName is left out on
// purpose: a pass never names its holder.

// EventTicketClass is an offer as Google Wallet shows it.
type EventTicketClass struct {
	ID           string         `json:"id"`
	IssuerName   string         `json:"issuerName"`
	ReviewStatus string         `json:"reviewStatus"`
	EventName    LocalizedText  `json:"eventName"`
	Venue        *EventVenue    `json:"venue,omitempty"`
	DateTime     *EventDateTime `json:"dateTime,omitempty"`
	HexColor     string         `json:"hexBackgroundColor,omitempty"`
}

// EventTicketObject is one ticket as Google Wallet shows it.
type EventTicketObject struct {
	ID                string        `json:"id"`
	ClassID           string        `json:"classId"`
	State             string        `json:"state"`
	Barcode           Barcode       `json:"barcode"`
	ValidTimeInterval *TimeInterval `json:"validTimeInterval,omitempty"`
	TicketNumber      string        `json:"ticketNumber,omitempty"`
}

// LocalizedText is a LocalizedString: one text and its language.
type LocalizedText struct {
	DefaultValue TranslatedText `json:"defaultValue"`
}

// TranslatedText is a text in a language (BCP 47).
type TranslatedText struct {
	Language string `json:"language"`
	Value    string `json:"value"`
}

// EventVenue is where the event is.
type EventVenue struct {
	Name LocalizedText `json:"name"`
}

// EventDateTime is when the event starts.
type EventDateTime struct {
	Start string `json:"start,omitempty"`
}

// Barcode is the object's barcode: the door's code as a QR code.
type Barcode struct {
	Type          string `json:"type"`
	Value         string `json:"value"`
	AlternateText string `json:"alternateText,omitempty"`
}

// TimeInterval bounds when the ticket is valid.
type TimeInterval struct {
	Start *DateTime `json:"start,omitempty"`
	End   *DateTime `json:"end,omitempty"`
}

// DateTime is an ISO 8601 date and time.
type DateTime struct {
	Date string `json:"date"`
}

// class returns p's offer as a class with key.
func (g *Google) class(p *Pass, key string) EventTicketClass {
	c := EventTicketClass{ID: g.ClassID(key), IssuerName: p.Organisation, ReviewStatus: "UNDER_REVIEW",
		EventName: text(p.Labels.Language, p.Title), HexColor: "#00547a"}
	if p.Place != "" {
		c.Venue = &EventVenue{Name: text(p.Labels.Language, p.Place)}
	}
	if p.Start != nil {
		c.DateTime = &EventDateTime{Start: p.Start.UTC().Format(time.RFC3339)}
	}
	return c
}

// Object returns p as an event ticket object of the class with classKey.
func (g *Google) Object(p *Pass, classKey string) EventTicketObject {
	return EventTicketObject{ID: g.ObjectID(p.Serial), ClassID: g.ClassID(classKey), State: googleState(p.State),
		Barcode:           Barcode{Type: "QR_CODE", Value: p.Message, AlternateText: p.AltText},
		ValidTimeInterval: &TimeInterval{End: &DateTime{Date: p.Expires.UTC().Format(time.RFC3339)}},
		TicketNumber:      p.AltText}
}

func text(lang, value string) LocalizedText {
	if lang == "" {
		lang = "nb"
	}
	return LocalizedText{DefaultValue: TranslatedText{Language: lang, Value: value}}
}

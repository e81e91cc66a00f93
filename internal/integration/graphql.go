package integration

import (
	"fmt"
	"io"
	"strconv"
	"strings"
)

// ChangeType is a change event type as webhooks name it ("organisation.published"); in
// GraphQL it is the enum value ORGANISATION_PUBLISHED.
type ChangeType string

// EnumName returns t as a GraphQL enum value: card_offer.paused -> CARD_OFFER_PAUSED.
func (t ChangeType) EnumName() string {
	return strings.ToUpper(strings.ReplaceAll(string(t), ".", "_"))
}

// MarshalGQL writes the type as its enum value.
func (t ChangeType) MarshalGQL(w io.Writer) {
	io.WriteString(w, strconv.Quote(t.EnumName())) //nolint:errcheck // gqlgen's writer
}

// UnmarshalGQL reads an enum value.
func (t *ChangeType) UnmarshalGQL(v any) error {
	for _, name := range EventTypes {
		if ChangeType(name).EnumName() == v {
			*t = ChangeType(name)
			return nil
		}
	}
	return fmt.Errorf("%v is not a ChangeType", v)
}

// Payload is what a change event says of its subject: one type per kind of subject, each
// with the same fields as the data of its webhook.
type Payload interface{ isPayload() }

// The payloads of each kind of subject.
type (
	// OrganisationChangePayload is the payload of organisation events.
	OrganisationChangePayload struct{ Data }
	// ActivityChangePayload is the payload of activity events.
	ActivityChangePayload struct{ Data }
	// VenueChangePayload is the payload of venue events.
	VenueChangePayload struct{ Data }
	// EventChangePayload is the payload of event events.
	EventChangePayload struct{ Data }
	// PageChangePayload is the payload of page events.
	PageChangePayload struct{ Data }
	// ArticleChangePayload is the payload of article events.
	ArticleChangePayload struct{ Data }
	// CardOfferChangePayload is the payload of card offer events.
	CardOfferChangePayload struct{ Data }
	// SubscriberChangePayload is the payload of subscriber events: the subscriber's ID alone.
	SubscriberChangePayload struct{ Data }
)

func (*OrganisationChangePayload) isPayload() {}
func (*ActivityChangePayload) isPayload()     {}
func (*VenueChangePayload) isPayload()        {}
func (*EventChangePayload) isPayload()        {}
func (*PageChangePayload) isPayload()         {}
func (*ArticleChangePayload) isPayload()      {}
func (*CardOfferChangePayload) isPayload()    {}
func (*SubscriberChangePayload) isPayload()   {}

// Payload returns the event's payload, of its subject's type.
func (c *Change) Payload() Payload {
	d := c.data()
	switch c.Subject() {
	case "organisation":
		return &OrganisationChangePayload{d}
	case "activity":
		return &ActivityChangePayload{d}
	case "venue":
		return &VenueChangePayload{d}
	case "event":
		return &EventChangePayload{d}
	case "page":
		return &PageChangePayload{d}
	case "article":
		return &ArticleChangePayload{d}
	case "card_offer":
		return &CardOfferChangePayload{d}
	default:
		return &SubscriberChangePayload{d}
	}
}

// Name returns the event's type as webhooks name it (organisation.published).
func (c *Change) Name() string { return c.Type }

// ChangeType returns the event's type.
func (c *Change) ChangeType() ChangeType { return ChangeType(c.Type) }

// Types returns the event types the endpoint is sent; none: all.
func (e *Endpoint) Types() []ChangeType {
	out := make([]ChangeType, len(e.EventTypes))
	for i, t := range e.EventTypes {
		out[i] = ChangeType(t)
	}
	return out
}

// WebhookID returns the webhook-id of the attempt's message.
func (a *Attempt) WebhookID() string { return "msg_" + a.MessageID.String() }

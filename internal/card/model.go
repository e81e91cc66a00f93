package card

import (
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/card/code"
	"github.com/fritid/fritid/internal/platform/relay"
)

// AgencyKind is what sort of agency (instans) issues cards.
type AgencyKind string

// The agency kinds.
const (
	AgencyNAV            AgencyKind = "NAV"
	AgencySchoolHealth   AgencyKind = "SCHOOL_HEALTH"
	AgencySchool         AgencyKind = "SCHOOL"
	AgencyChildWelfare   AgencyKind = "CHILD_WELFARE"
	AgencyRefugeeService AgencyKind = "REFUGEE_SERVICE"
	AgencyOther          AgencyKind = "OTHER"
)

func (k AgencyKind) valid() bool {
	switch k {
	case AgencyNAV, AgencySchoolHealth, AgencySchool, AgencyChildWelfare, AgencyRefugeeService, AgencyOther:
		return true
	}
	return false
}

// Agency is an agency whose caseworkers issue cards: NAV, the school health service ...
type Agency struct {
	bun.BaseModel `bun:"table:card_agencies,alias:ag"`

	ID             uuid.UUID  `bun:"id,pk,type:uuid"`
	MunicipalityID uuid.UUID  `bun:"municipality_id,type:uuid"`
	Name           string     `bun:"name"`
	Kind           AgencyKind `bun:"kind"`
	CreatedAt      time.Time  `bun:"created_at,nullzero,notnull,default:current_timestamp"`
	UpdatedAt      time.Time  `bun:"updated_at,nullzero,notnull,default:current_timestamp"`
}

// GlobalID returns the agency's global ID.
func (a *Agency) GlobalID() string { return relay.GlobalID("CardAgency", a.ID) }

// ProgrammeStatus is where a programme is in its life: cards are issued only while ACTIVE.
type ProgrammeStatus string

// The programme statuses.
const (
	ProgrammeDraft  ProgrammeStatus = "DRAFT"
	ProgrammeActive ProgrammeStatus = "ACTIVE"
	ProgrammeClosed ProgrammeStatus = "CLOSED"
)

func (s ProgrammeStatus) valid() bool {
	return s == ProgrammeDraft || s == ProgrammeActive || s == ProgrammeClosed
}

// Programme is a card programme (ordning), e.g. "Aktivitetskortet 2026". Its texts are in
// the first locale of the request's chain that has them. ValidFrom and ValidTo are dates
// (UTC midnight), both days included.
type Programme struct {
	bun.BaseModel `bun:"table:card_programmes,alias:p"`

	ID               uuid.UUID       `bun:"id,pk,type:uuid"`
	MunicipalityID   uuid.UUID       `bun:"municipality_id,type:uuid"`
	MinAge           int             `bun:"min_age"`
	MaxAge           int             `bun:"max_age"`
	ValidFrom        time.Time       `bun:"valid_from,type:date"`
	ValidTo          time.Time       `bun:"valid_to,type:date"`
	CardsAvailable   int             `bun:"cards_available"`
	CardsIssued      int             `bun:"cards_issued"`
	BudgetOre        int64           `bun:"budget_ore"`
	DefaultAllowance int             `bun:"default_allowance"`
	Status           ProgrammeStatus `bun:"status"`
	CreatedAt        time.Time       `bun:"created_at,nullzero,notnull,default:current_timestamp"`
	UpdatedAt        time.Time       `bun:"updated_at,nullzero,notnull,default:current_timestamp"`

	// The programme's money (see SetProgrammeMoney): GrantOre for each card per
	// GrantPeriod (nil: no grant), usable GrantGraceDays after the period; coordinators
	// are warned once when committed and spent money passes BudgetWarningPercent.
	GrantOre             int64        `bun:"grant_ore"`
	GrantPeriod          *GrantPeriod `bun:"grant_period"`
	GrantGraceDays       int          `bun:"grant_grace_days"`
	BudgetWarningPercent int          `bun:"budget_warning_percent"`
	BudgetWarnedAt       *time.Time   `bun:"budget_warned_at"`

	// How it takes applications (see SetProgrammeApplications): ApplicationMode, and
	// ApplicationsOnly for a fund (no cards, no offers, only applications and a budget).
	ApplicationMode  ApplicationMode `bun:"application_mode"`
	ApplicationsOnly bool            `bun:"applications_only"`

	Locale      string      `bun:"text_locale,scanonly"`
	Name        string      `bun:"name,scanonly"`
	Description string      `bun:"description,scanonly"`
	Eligibility string      `bun:"eligibility,scanonly"`
	AgencyIDs   []uuid.UUID `bun:"agency_ids,array,scanonly"`
}

// GlobalID returns the programme's global ID.
func (p *Programme) GlobalID() string { return relay.GlobalID("CardProgramme", p.ID) }

// CardsLeft returns how many more cards the programme can issue.
func (p *Programme) CardsLeft() int { return max(p.CardsAvailable-p.CardsIssued, 0) }

// OfferStatus is where an offer is in its life: cards claim only PUBLISHED offers.
type OfferStatus string

// The offer statuses; ENDED is final.
const (
	OfferDraft     OfferStatus = "DRAFT"
	OfferPublished OfferStatus = "PUBLISHED"
	OfferPaused    OfferStatus = "PAUSED"
	OfferEnded     OfferStatus = "ENDED"
)

func (s OfferStatus) valid() bool {
	return s == OfferDraft || s == OfferPublished || s == OfferPaused || s == OfferEnded
}

// OfferSource is who pays for an offer's tickets.
type OfferSource string

// The offer sources: a provider's gift, or bought by the municipality.
const (
	SourceDonated   OfferSource = "DONATED"
	SourcePurchased OfferSource = "PURCHASED"
)

func (s OfferSource) valid() bool { return s == SourceDonated || s == SourcePurchased }

// Offer is an offer (tilbud): tickets a provider organisation makes available in
// programmes. Stock is the total, Released what may be claimed so far, Claimed what has
// been: 0 <= Claimed <= Released <= Stock. Its texts are in the first locale of the
// request's chain that has them.
type Offer struct {
	bun.BaseModel `bun:"table:card_offers,alias:o"`

	ID             uuid.UUID `bun:"id,pk,type:uuid"`
	MunicipalityID uuid.UUID `bun:"municipality_id,type:uuid"`
	OrganisationID uuid.UUID `bun:"organisation_id,type:uuid"`
	// OrganisationHomeID is the municipality that keeps the provider: this one, or
	// another for a shared provider's placement (SharedOfferID set).
	OrganisationHomeID uuid.UUID   `bun:"organisation_home_id,type:uuid,nullzero"`
	SharedOfferID      *uuid.UUID  `bun:"shared_offer_id,type:uuid"`
	CategoryID         *uuid.UUID  `bun:"category_id,type:uuid"`
	MinAge             *int        `bun:"min_age"`
	MaxAge             *int        `bun:"max_age"`
	Stock              int         `bun:"stock"`
	Released           int         `bun:"released"`
	Claimed            int         `bun:"claimed,scanonly"` // the sum over its stock slots (offerClaimedColumn)
	PerCardLimit       int         `bun:"per_card_limit"`
	Admits             int         `bun:"admits"`
	ValidFrom          time.Time   `bun:"valid_from"`
	ValidTo            time.Time   `bun:"valid_to"`
	EventAt            *time.Time  `bun:"event_at"`
	ValueOre           int64       `bun:"value_ore"`
	Source             OfferSource `bun:"source"`
	Status             OfferStatus `bun:"status"`
	CreatedBy          *uuid.UUID  `bun:"created_by,type:uuid"`
	CreatedAt          time.Time   `bun:"created_at,nullzero,notnull,default:current_timestamp"`
	UpdatedAt          time.Time   `bun:"updated_at,nullzero,notnull,default:current_timestamp"`

	// ExpireUnusedDaysBefore (nil: never) makes a ticket claimed earlier than that many
	// days before the offer ends expire unused then, so its stock goes back (ticketExpiry).
	ExpireUnusedDaysBefore *int `bun:"expire_unused_days_before"`
	// CancelHoursBefore (nil: none) is the cancelling deadline, in hours before the event,
	// or before ValidTo for an offer without one (see CancellableUntil).
	CancelHoursBefore *int `bun:"cancel_hours_before"`
	// WaitingHoldHours is how long a place from the waiting list is held for the card
	// first in line (less when the offer closes sooner).
	WaitingHoldHours int `bun:"waiting_hold_hours"`
	// AnnouncedAt is when the offer was first published and its news sent to the holders
	// who asked for new offers; nil before.
	AnnouncedAt *time.Time `bun:"announced_at"`

	Locale       string      `bun:"text_locale,scanonly"`
	Title        string      `bun:"title,scanonly"`
	Description  string      `bun:"description,scanonly"`
	HowToUse     string      `bun:"how_to_use,scanonly"`
	ProgrammeIDs []uuid.UUID `bun:"programme_ids,array,scanonly"`
}

// GlobalID returns the offer's global ID.
func (o *Offer) GlobalID() string { return relay.GlobalID("CardOffer", o.ID) }

// homeOrHere returns the municipality that keeps the offer's provider (its own for a new
// offer).
func (o *Offer) homeOrHere() uuid.UUID {
	if o.OrganisationHomeID == uuid.Nil {
		return o.MunicipalityID
	}
	return o.OrganisationHomeID
}

// Left returns how many released tickets are not claimed yet.
func (o *Offer) Left() int { return max(o.Released-o.Claimed, 0) }

// CardKind says whether a card has a holder.
type CardKind string

// The card kinds: PERSONAL cards are issued by a caseworker to a person; ANONYMOUS cards
// carry no personal data, only a number and a PIN.
const (
	CardPersonal  CardKind = "PERSONAL"
	CardAnonymous CardKind = "ANONYMOUS"
)

// CardStatus is whether a card can be used.
type CardStatus string

// The card statuses: only an ACTIVE card claims tickets; REVOKED and EXPIRED are final.
const (
	CardActive    CardStatus = "ACTIVE"
	CardSuspended CardStatus = "SUSPENDED"
	CardRevoked   CardStatus = "REVOKED"
	CardExpired   CardStatus = "EXPIRED"
)

// Card is an activity card. Number is canonical (see FormattedNumber). A PERSONAL card's
// holder is erased with their personal data, after which it is as anonymous as an
// ANONYMOUS one but keeps its age band for statistics. ValidFrom and ValidTo are dates.
type Card struct {
	bun.BaseModel `bun:"table:cards,alias:c"`

	ID             uuid.UUID  `bun:"id,pk,type:uuid"`
	MunicipalityID uuid.UUID  `bun:"municipality_id,type:uuid"`
	ProgrammeID    uuid.UUID  `bun:"programme_id,type:uuid"`
	Kind           CardKind   `bun:"kind"`
	HolderID       *uuid.UUID `bun:"holder_id,type:uuid"`
	Number         string     `bun:"number"`
	PINHash        []byte     `bun:"pin_hash" json:"-"`
	ValidFrom      time.Time  `bun:"valid_from,type:date"`
	ValidTo        time.Time  `bun:"valid_to,type:date"`
	Allowance      int        `bun:"allowance"`
	Status         CardStatus `bun:"status"`
	IssuedBy       *uuid.UUID `bun:"issued_by,type:uuid"`
	AgencyID       *uuid.UUID `bun:"agency_id,type:uuid"`
	IssuedAt       time.Time  `bun:"issued_at,nullzero,notnull,default:current_timestamp"`
	AgeBand        *string    `bun:"age_band"`
	OverrideReason *string    `bun:"override_reason"`
	EndedAt        *time.Time `bun:"ended_at"`

	// Holder is set only where the caller may see the holder (and the read is audited
	// where the rules ask for it).
	Holder *Holder `bun:"-"`
}

// GlobalID returns the card's global ID.
func (c *Card) GlobalID() string { return relay.GlobalID("Card", c.ID) }

// FormattedNumber returns the card number as printed and typed: groups of four.
func (c *Card) FormattedNumber() string { return code.Format(c.Number) }

// Holder is what is kept about a card's holder: a given name and a birth date.
type Holder struct {
	GivenName string
	BirthDate time.Time
}

// cardRow is a card with its holder's fields, when joined.
type cardRow struct {
	Card `bun:",extend"`

	HolderGivenName *string    `bun:"holder_given_name,scanonly"`
	HolderBirthDate *time.Time `bun:"holder_birth_date,scanonly"`
	// SortKey is a page's sort value (see connections.go), when the query selects it.
	SortKey string `bun:"sort_key,scanonly"`
}

// card returns the card, with its holder when the row carries one.
func (r *cardRow) card() *Card {
	c := r.Card
	if r.HolderGivenName != nil && r.HolderBirthDate != nil {
		c.Holder = &Holder{GivenName: *r.HolderGivenName, BirthDate: *r.HolderBirthDate}
	}
	return &c
}

func cards(rows []*cardRow) []*Card {
	out := make([]*Card, len(rows))
	for i, r := range rows {
		out[i] = r.card()
	}
	return out
}

package graph

import (
	"context"
	"strconv"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/fritid/fritid/graph/model"
	"github.com/fritid/fritid/internal/card"
	"github.com/fritid/fritid/internal/card/sheet"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/i18n"
	"github.com/fritid/fritid/internal/platform/relay"
	"github.com/fritid/fritid/internal/tenant"
)

// cardMemo remembers something about cards for one operation: the number and PIN an
// anonymous card was opened with (so its nested fields are read with the same proof), or
// that a card was listed for staff (so its tickets load in one batch).
type cardMemo[V any] struct {
	mu sync.Mutex
	m  map[uuid.UUID]V
}

func (c *cardMemo[V]) put(id uuid.UUID, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[uuid.UUID]V{}
	}
	c.m[id] = v
}

func (c *cardMemo[V]) get(id uuid.UUID) V {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[id]
}

// pinAccess maps the API's number and PIN; nil stays nil.
func pinAccess(in *model.CardPinInput) *card.CardAccess {
	if in == nil {
		return nil
	}
	return &card.CardAccess{Number: in.Number, PIN: in.Pin}
}

// recipientInput maps the API's recipient. Errors: BAD_USER_INPUT naming a bad ID.
func recipientInput(in model.CardRecipientInput) (card.RecipientInput, error) {
	pid, err := relay.ParseTypedID(in.ProgrammeID, "CardProgramme", "input.programmeId")
	if err != nil {
		return card.RecipientInput{}, err
	}
	return card.RecipientInput{ProgrammeID: pid, HolderIdentityNumber: deref(in.HolderIdentityNumber, ""),
		ChildIdentityNumber: deref(in.ChildIdentityNumber, ""), GivenName: in.GivenName, BirthDate: in.BirthDate,
		GuardianIdentityNumbers: in.GuardianIdentityNumbers, OverrideReason: deref(in.OverrideReason, "")}, nil
}

// programmeInput maps the API's programme. Errors: BAD_USER_INPUT naming a bad ID.
func programmeInput(in model.CardProgrammeInput) (card.ProgrammeInput, error) {
	out := card.ProgrammeInput{MinAge: in.MinAge, MaxAge: in.MaxAge, ValidFrom: in.ValidFrom, ValidTo: in.ValidTo,
		CardsAvailable: in.CardsAvailable, BudgetOre: int64(in.BudgetOre), DefaultAllowance: in.DefaultAllowance, Status: in.Status}
	var err error
	if out.ID, err = optionalID(in.ID, "CardProgramme", "input.id"); err != nil {
		return out, err
	}
	if out.AgencyIDs, err = parseIDs(in.AgencyIds, "CardAgency", "input.agencyIds"); err != nil {
		return out, err
	}
	for _, t := range in.Texts {
		out.Texts = append(out.Texts, card.ProgrammeText{Locale: t.Locale, Name: t.Name, Description: deref(t.Description, ""), Eligibility: deref(t.Eligibility, "")})
	}
	return out, nil
}

// offerInput maps the API's offer. Errors: BAD_USER_INPUT naming a bad ID.
func offerInput(in model.CardOfferInput) (card.OfferInput, error) {
	out := card.OfferInput{MinAge: in.MinAge, MaxAge: in.MaxAge, Stock: in.Stock, PerCardLimit: in.PerCardLimit, Admits: in.Admits,
		ValidFrom: in.ValidFrom, ValidTo: in.ValidTo, EventAt: in.EventAt, ValueOre: int64(in.ValueOre), Source: in.Source,
		ExpireUnusedDaysBefore: in.ExpireUnusedDaysBefore, CancelHoursBefore: in.CancelHoursBefore,
		WaitingHoldHours: in.WaitingHoldHours}
	var err error
	if out.ID, err = optionalID(in.ID, "CardOffer", "input.id"); err != nil {
		return out, err
	}
	out.OrganisationID, err = relay.ParseTypedID(in.OrganisationID, "Organisation", "input.organisationId")
	if err != nil {
		return out, err
	}
	if out.CategoryID, err = optionalID(in.CategoryID, "Category", "input.categoryId"); err != nil {
		return out, err
	}
	if out.ProgrammeIDs, err = parseIDs(in.ProgrammeIds, "CardProgramme", "input.programmeIds"); err != nil {
		return out, err
	}
	out.Texts = offerTexts(in.Texts)
	return out, nil
}

// sharedOfferInput maps the API's shared offer. Errors: BAD_USER_INPUT naming a bad ID.
func sharedOfferInput(in model.SharedCardOfferInput) (card.SharedOfferInput, error) {
	out := card.SharedOfferInput{MinAge: in.MinAge, MaxAge: in.MaxAge, Admits: in.Admits, ValidFrom: in.ValidFrom,
		ValidTo: in.ValidTo, EventAt: in.EventAt, ValueOre: int64(in.ValueOre), Source: in.Source, Stock: in.Stock}
	var err error
	if out.ID, err = optionalID(in.ID, "SharedCardOffer", "input.id"); err != nil {
		return out, err
	}
	out.OrganisationID, err = relay.ParseTypedID(in.OrganisationID, "Organisation", "input.organisationId")
	if err != nil {
		return out, err
	}
	out.Texts = offerTexts(in.Texts)
	for _, p := range in.Placements {
		out.Placements = append(out.Placements, card.PlacementInput{Municipality: p.Municipality, Stock: p.Stock})
	}
	return out, nil
}

// offerTexts maps an offer's texts.
func offerTexts(in []*model.CardOfferTextInput) []card.OfferText {
	var out []card.OfferText
	for _, t := range in {
		out = append(out, card.OfferText{Locale: t.Locale, Title: t.Title, Description: deref(t.Description, ""),
			HowToUse: deref(t.HowToUse, "")})
	}
	return out
}

// printDate is how a printed sheet writes a day.
const printDate = "02.01.2006"

// labels localises a printed page's fixed texts, with the page's language.
func (r *Resolver) labels(ctx context.Context, title, footer string) (sheet.Labels, string) {
	loc := i18n.FromContext(ctx)
	t := func(id string) string { return r.Bundle.Localize(loc.Chain, id, nil) }
	return sheet.Labels{Title: t(title), Footer: t(footer), Number: t("SheetNumber"), PIN: t("SheetPIN"),
		Holder: t("SheetHolder"), ValidTo: t("SheetValidTo"),
		Code: t("SheetCode"), Admits: t("SheetAdmits"), ValidUntil: t("SheetValidUntil"), HowToUse: t("SheetHowToUse")}, loc.Code
}

// cardSheet renders anonymous cards just issued in a programme as a printable sheet.
func (r *Resolver) cardSheet(ctx context.Context, programmeID uuid.UUID, cards []*card.AnonymousCard) (string, error) {
	p, err := r.Cards.FindProgrammeByID(ctx, programmeID)
	if err != nil {
		return "", err
	}
	items := make([]sheet.Card, len(cards))
	for i, c := range cards {
		items[i] = sheet.Card{Programme: p.Name, Number: c.Card.FormattedNumber(), PIN: c.PIN, ValidTo: c.Card.ValidTo.Format(printDate)}
	}
	l, lang := r.labels(ctx, "SheetCardsTitle", "SheetCardsFooter")
	return sheet.Cards(lang, l, items)
}

// personalCardSheet renders personal cards just issued in a programme as a printable
// sheet with their holders' given names.
func (r *Resolver) personalCardSheet(ctx context.Context, programmeID uuid.UUID, cards []*card.Card) (string, error) {
	p, err := r.Cards.FindProgrammeByID(ctx, programmeID)
	if err != nil {
		return "", err
	}
	items := make([]sheet.Card, len(cards))
	for i, c := range cards {
		items[i] = sheet.Card{Programme: p.Name, Number: c.FormattedNumber(), ValidTo: c.ValidTo.Format(printDate)}
		if c.Holder != nil {
			items[i].Holder = c.Holder.GivenName
		}
	}
	l, lang := r.labels(ctx, "SheetCardsTitle", "SheetPersonalCardsFooter")
	return sheet.Cards(lang, l, items)
}

// sheetProblem maps what is wrong with a row of a sheet, with its message in the
// request's language; nil stays nil.
func (r *Resolver) sheetProblem(ctx context.Context, e *apperr.Error) *model.CardSheetProblem {
	if e == nil {
		return nil
	}
	msg := localize(r.Bundle, i18n.FromContext(ctx).Chain, e)
	return &model.CardSheetProblem{Field: e.Field, Reason: nonEmpty(e.Reason), Message: msg}
}

// ticketPage renders a ticket as a printable page with its QR code.
func (r *Resolver) ticketPage(ctx context.Context, t *card.Ticket) (string, error) {
	o, err := r.Cards.FindOfferByID(ctx, t.OfferID)
	if err != nil {
		return "", err
	}
	l, lang := r.labels(ctx, "SheetTicketTitle", "SheetTicketFooter")
	until := t.ExpiresAt
	if tn, err := tenant.Current(ctx); err == nil {
		if tz, err := time.LoadLocation(tn.Municipality.TimeZone); err == nil {
			until = until.In(tz)
		}
	}
	return sheet.TicketPage(lang, l, sheet.Ticket{Offer: o.Title, Code: t.FormattedCode(), Payload: t.Payload,
		Admits: strconv.Itoa(t.Admits), ValidUntil: until.Format(printDate + " 15:04"), HowToUse: o.HowToUse})
}

// intOf returns the money in øre as GraphQL's Int, nil for nil.
func intOf(ore *int64) *int {
	if ore == nil {
		return nil
	}
	n := int(*ore)
	return &n
}

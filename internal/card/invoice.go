package card

import (
	"context"
	"regexp"
	"strings"
	"time"
	"unicode"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/audit"
	"github.com/fritid/fritid/internal/card/code"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/relay"
	"github.com/fritid/fritid/internal/portal"
)

// InvoicePurpose is what an invoice to a card is for.
type InvoicePurpose string

// The invoice purposes; OTHER needs a text.
const (
	PurposeMembership    InvoicePurpose = "MEMBERSHIP"
	PurposeParticipation InvoicePurpose = "PARTICIPATION"
	PurposeEquipment     InvoicePurpose = "EQUIPMENT"
	PurposeCup           InvoicePurpose = "CUP"
	PurposeCamp          InvoicePurpose = "CAMP"
	PurposeOther         InvoicePurpose = "OTHER"
)

func (p InvoicePurpose) valid() bool {
	switch p {
	case PurposeMembership, PurposeParticipation, PurposeEquipment, PurposeCup, PurposeCamp, PurposeOther:
		return true
	}
	return false
}

// InvoiceStatus is where an invoice to a card is.
type InvoiceStatus string

// The invoice statuses: POSTED until the holder, a guardian, a caseworker or a coordinator
// accepts it (wholly: ACCEPTED; in part: PARTLY_ACCEPTED, the family pays the rest
// directly) or declines it, or the provider cancels it; a coordinator may reverse an
// accepted one (REVERSED: the money goes back to the card). All but POSTED are final but
// for a reversal.
const (
	InvoicePosted         InvoiceStatus = "POSTED"
	InvoiceAccepted       InvoiceStatus = "ACCEPTED"
	InvoicePartlyAccepted InvoiceStatus = "PARTLY_ACCEPTED"
	InvoiceDeclined       InvoiceStatus = "DECLINED"
	InvoiceCancelled      InvoiceStatus = "CANCELLED"
	InvoiceReversed       InvoiceStatus = "REVERSED"
)

// Invoice is a provider's invoice to a card: a membership fee, a cup, equipment ... The
// provider sees what it posted and what became of it (its status and the amount accepted,
// so it can bill the family the rest), never the card's balance or holder.
type Invoice struct {
	bun.BaseModel `bun:"table:card_invoices,alias:inv"`

	ID             uuid.UUID      `bun:"id,pk,type:uuid"`
	MunicipalityID uuid.UUID      `bun:"municipality_id,type:uuid"`
	CardID         uuid.UUID      `bun:"card_id,type:uuid"`
	ProgrammeID    uuid.UUID      `bun:"programme_id,type:uuid"`
	OrganisationID uuid.UUID      `bun:"organisation_id,type:uuid"`
	AmountOre      int64          `bun:"amount_ore"`
	Purpose        InvoicePurpose `bun:"purpose"`
	PurposeText    string         `bun:"purpose_text"`
	Reference      string         `bun:"reference"`
	ChildFirstName *string        `bun:"child_first_name"`
	Status         InvoiceStatus  `bun:"status"`
	AcceptedOre    *int64         `bun:"accepted_ore"`
	DeclineReason  *string        `bun:"decline_reason"`
	PostedBy       *uuid.UUID     `bun:"posted_by,type:uuid"`
	PostedAt       time.Time      `bun:"posted_at,nullzero,notnull,default:current_timestamp"`
	DecidedBy      *uuid.UUID     `bun:"decided_by,type:uuid"`
	DecidedAt      *time.Time     `bun:"decided_at"`
}

// GlobalID returns the invoice's global ID.
func (i *Invoice) GlobalID() string { return relay.GlobalID("CardInvoice", i.ID) }

// HolderFirstName returns the holder's first name as printed on the invoice, if given: the
// name for any programme, a pensioners' too (ChildFirstName is the old name).
func (i *Invoice) HolderFirstName() *string { return i.ChildFirstName }

// InvoiceInput is an invoice a provider posts to a card, by the card's number. The
// holder's first name comes in HolderFirstName, or in ChildFirstName, the name it had
// before programmes for pensioners; the same name in both is fine.
type InvoiceInput struct {
	OrganisationID  uuid.UUID
	CardNumber      string
	AmountOre       int64
	Purpose         InvoicePurpose
	PurposeText     string
	Reference       string
	HolderFirstName string
	ChildFirstName  string
}

// firstName returns the holder's first name and the field it came in. Errors:
// BAD_USER_INPUT naming "input.childFirstName" when both fields carry different names.
func (in InvoiceInput) firstName() (string, string, error) {
	switch {
	case in.ChildFirstName == "":
		return in.HolderFirstName, "input.holderFirstName", nil
	case in.HolderFirstName == "" || in.HolderFirstName == in.ChildFirstName:
		return in.ChildFirstName, "input.childFirstName", nil
	}
	return "", "", apperr.Invalid("input.childFirstName", "InvoiceFirstNameTwice", nil).WithReason("TWICE")
}

// identityLike finds what looks like a national identity number: eleven digits, perhaps
// split after the birth date. Such a number has no place on an invoice to a card.
var identityLike = regexp.MustCompile(`\d{6}\s?\d{5}`)

// validateInvoice checks in and returns it tidied. Errors: BAD_USER_INPUT naming the field.
func validateInvoice(in InvoiceInput) (InvoiceInput, error) {
	if err := checkAmount(in.AmountOre, "input.amountOre"); err != nil {
		return in, err
	}
	if !in.Purpose.valid() {
		return in, apperr.Invalid("input.purpose", "ChoiceInvalid", nil)
	}
	text, err := portal.CheckText(in.PurposeText, 500, "input.purposeText")
	if err != nil {
		return in, err
	}
	if in.PurposeText = text; in.Purpose == PurposeOther && text == "" {
		return in, apperr.Invalid("input.purposeText", "InvoicePurposeTextRequired", nil).WithReason("REQUIRED")
	}
	ref, err := portal.CheckText(in.Reference, 50, "input.reference")
	if err != nil {
		return in, err
	}
	if in.Reference = ref; ref == "" {
		return in, apperr.Invalid("input.reference", "InvoiceReferenceRequired", nil).WithReason("REQUIRED")
	}
	name, field, err := in.firstName()
	if err != nil {
		return in, err
	}
	if name, err = portal.CheckText(name, 50, field); err != nil {
		return in, err
	}
	in.HolderFirstName, in.ChildFirstName = name, name
	if strings.ContainsFunc(name, unicode.IsDigit) {
		return in, apperr.Invalid(field, "InvoiceFirstNameOnly", nil).WithReason("DIGITS")
	}
	if identityLike.MatchString(text) {
		return in, apperr.Invalid("input.purposeText", "InvoiceNoIdentityNumber", nil).WithReason("IDENTITY_NUMBER")
	}
	return in, nil
}

// PostInvoice posts a provider's invoice to a card, by the card's number (an OWNER or
// EDITOR of the provider organisation, which must be APPROVED for the card's programme).
// The provider learns only that it is posted: not the balance, not the holder. Errors:
// UNAUTHENTICATED, FORBIDDEN (not a member; or, naming "input.organisationId" with reason
// NOT_APPROVED, not approved for the card's programme), NOT_FOUND naming
// "input.cardNumber" (no such card here), CARD_NOT_ACTIVE or CARD_EXPIRED naming
// "input.cardNumber", BAD_USER_INPUT naming "input.cardNumber" (mistyped),
// "input.amountOre" (NOT_POSITIVE, TOO_LARGE), "input.purpose", "input.purposeText"
// (REQUIRED for OTHER, IDENTITY_NUMBER), "input.reference", or "input.holderFirstName" or
// "input.childFirstName" (whichever carried the name; DIGITS; TWICE with two names).
func (s *Service) PostInvoice(ctx context.Context, in InvoiceInput) (*Invoice, error) {
	c, err := signedIn(ctx)
	if err != nil {
		return nil, err
	}
	// SECURITY: a provider's OWNER and EDITOR members post its invoices.
	if err := s.memberOf(ctx, s.db, c, in.OrganisationID, "OWNER", "EDITOR"); err != nil {
		return nil, named(err, "input.organisationId")
	}
	if in, err = validateInvoice(in); err != nil {
		return nil, err
	}
	number, ok := code.Normalise(in.CardNumber)
	if !ok {
		return nil, apperr.Invalid("input.cardNumber", "CardNumberInvalid", nil)
	}
	inv := &Invoice{ID: newID(), MunicipalityID: c.mid(), OrganisationID: in.OrganisationID, AmountOre: in.AmountOre,
		Purpose: in.Purpose, PurposeText: in.PurposeText, Reference: in.Reference, Status: InvoicePosted,
		PostedBy: c.actor(), PostedAt: s.now()}
	if in.HolderFirstName != "" {
		inv.ChildFirstName = &in.HolderFirstName
	}
	err = database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		card := new(Card)
		// SECURITY: only a card of the request's municipality.
		err := tx.NewSelect().Model(card).Where("c.municipality_id = ? AND c.number = ?", c.mid(), number).Scan(ctx)
		if err != nil {
			if apperr.CodeOf(database.MapError(err, "find card", "card")) == apperr.NotFound {
				return &apperr.Error{Code: apperr.NotFound, MessageID: "CardNumberUnknown", Field: "input.cardNumber"}
			}
			return database.MapError(err, "find card", "card")
		}
		// SECURITY: only a provider approved for the card's programme posts to it.
		if err := approvedProvider(ctx, tx, card.ProgrammeID, in.OrganisationID, "input.organisationId"); err != nil {
			return err
		}
		if err := cardUsable(card, s.today(c.t)); err != nil {
			return named(err, "input.cardNumber")
		}
		inv.CardID, inv.ProgrammeID = card.ID, card.ProgrammeID
		if _, err := tx.NewInsert().Model(inv).Exec(ctx); err != nil {
			return database.MapError(err, "post invoice", "invoice")
		}
		return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: c.mid(), ActorID: c.actor(), Action: "post_card_invoice",
			ItemType: "CardInvoice", ItemID: &inv.ID, Fields: []string{"card", "amountOre", "purpose", "reference"}})
	})
	if err != nil {
		return nil, err
	}
	return inv, nil
}

// CancelInvoice cancels a POSTED invoice (an OWNER or EDITOR of the provider that posted
// it). Errors: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, CONFLICT naming "id" with the
// invoice's status as reason (it is no longer POSTED).
func (s *Service) CancelInvoice(ctx context.Context, id uuid.UUID) (*Invoice, error) {
	c, err := signedIn(ctx)
	if err != nil {
		return nil, err
	}
	inv, err := s.findInvoice(ctx, s.db, c, id)
	if err != nil {
		return nil, err
	}
	// SECURITY: the provider that posted it cancels it.
	if err := s.memberOf(ctx, s.db, c, inv.OrganisationID, "OWNER", "EDITOR"); err != nil {
		return nil, err
	}
	err = database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		err := tx.NewUpdate().Model(inv).Set("status = ?, decided_by = ?, decided_at = ?", InvoiceCancelled, c.actor(), s.now()).
			Where("inv.id = ? AND inv.status = ?", id, InvoicePosted).Returning("*").Scan(ctx)
		if err != nil {
			return s.notPosted(ctx, tx, id, err)
		}
		return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: c.mid(), ActorID: c.actor(), Action: "cancel_card_invoice",
			ItemType: "CardInvoice", ItemID: &inv.ID, Fields: []string{"status"}})
	})
	if err != nil {
		return nil, err
	}
	return inv, nil
}

// findInvoice returns an invoice of the municipality. Errors: NOT_FOUND.
func (s *Service) findInvoice(ctx context.Context, db bun.IDB, c caller, id uuid.UUID) (*Invoice, error) {
	inv := new(Invoice)
	// SECURITY: only an invoice of the request's municipality.
	err := db.NewSelect().Model(inv).Where("inv.id = ? AND inv.municipality_id = ?", id, c.mid()).Scan(ctx)
	if err != nil {
		return nil, database.MapError(err, "find invoice", "invoice")
	}
	return inv, nil
}

// notPosted returns why an update of a POSTED invoice found none: err itself when it is
// not "no rows", else CONFLICT naming "id" with the invoice's status as reason.
func (s *Service) notPosted(ctx context.Context, tx bun.IDB, id uuid.UUID, err error) error {
	if apperr.CodeOf(database.MapError(err, "update invoice", "invoice")) != apperr.NotFound {
		return database.MapError(err, "update invoice", "invoice")
	}
	var status InvoiceStatus
	if err := tx.NewSelect().Table("card_invoices").Column("status").Where("id = ?", id).Scan(ctx, &status); err != nil {
		return database.MapError(err, "find invoice", "invoice")
	}
	return &apperr.Error{Code: apperr.Conflict, MessageID: "InvoiceNotPosted", Field: "id", Reason: string(status)}
}

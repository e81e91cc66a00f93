package graph

import (
	"context"

	"github.com/google/uuid"

	"github.com/fritid/fritid/graph/model"
	"github.com/fritid/fritid/internal/card"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/relay"
	"github.com/fritid/fritid/internal/portal"
)

// Helpers that fill mutation payloads with the other objects a change touched, so a
// client's cache can update them from the answer alone.

// rememberAccess lets the rest of the operation read the card of a ticket just changed
// with the number and PIN it was changed with; nil access remembers nothing.
func rememberAccess(ctx context.Context, t *card.Ticket, access *model.CardPinInput) {
	rememberCardAccess(ctx, t.CardID, access)
}

// rememberCardAccess keeps the number and PIN that opened card id for the rest of the
// operation, so the card's fields can be read in the same request.
func rememberCardAccess(ctx context.Context, id uuid.UUID, access *model.CardPinInput) {
	if access != nil {
		loadersFor(ctx).cardAccess.put(id, pinAccess(access))
	}
}

// ticketOffer returns the offer of a ticket just changed, or nil when the caller may no
// longer see it.
func (r *Resolver) ticketOffer(ctx context.Context, t *card.Ticket) (*card.Offer, error) {
	return nullIfNotFound(r.Cards.FindOfferByID(ctx, t.OfferID))
}

// ticketCard returns the card of a ticket just changed, or nil when the caller may not
// see it.
func (r *Resolver) ticketCard(ctx context.Context, t *card.Ticket) (*card.Card, error) {
	c, err := r.Cards.FindCardByID(ctx, t.CardID, loadersFor(ctx).cardAccess.get(t.CardID))
	switch apperr.CodeOf(err) {
	case apperr.NotFound, apperr.Forbidden, apperr.Unauthenticated:
		return nil, nil
	}
	return c, err
}

// agencyByID returns the agency with id, or nil for a nil id.
func agencyByID(ctx context.Context, id *uuid.UUID) (*card.Agency, error) {
	if id == nil {
		return nil, nil
	}
	all, err := loadersFor(ctx).cardAgencies(ctx)
	if err != nil {
		return nil, err
	}
	for _, a := range all {
		if a.ID == *id {
			return a, nil
		}
	}
	return nil, nil
}

// categoryParentID returns the parent's ID of the category with id, or nil for a
// top-level or unknown one (deleting an unknown one reports that itself).
func (r *Resolver) categoryParentID(ctx context.Context, id uuid.UUID) *uuid.UUID {
	tax, err := r.Portal.FindTaxonomy(ctx)
	if err != nil {
		return nil
	}
	c, err := tax.ByID(id)
	if err != nil {
		return nil
	}
	return c.ParentID
}

// freshCategory returns the category with id as it is now, in the request's languages,
// or nil for a nil id or one that is gone.
func (r *Resolver) freshCategory(ctx context.Context, id *uuid.UUID) (*portal.Category, error) {
	if id == nil {
		return nil, nil
	}
	tax, err := r.Portal.FindTaxonomy(ctx)
	if err != nil {
		return nil, err
	}
	tax.Localise(chain(ctx))
	return nullIfNotFound(tax.ByID(*id))
}

// cardOrNil returns a card just changed, or nil when the caller may not see it.
func (r *Resolver) cardOrNil(ctx context.Context, id uuid.UUID) (*card.Card, error) {
	c, err := r.Cards.FindCardByID(ctx, id, loadersFor(ctx).cardAccess.get(id))
	switch apperr.CodeOf(err) {
	case apperr.NotFound, apperr.Forbidden, apperr.Unauthenticated:
		return nil, nil
	}
	return c, err
}

// providerIDs parses the programme's and organisation's global IDs of a provider.
func providerIDs(programmeID, organisationID string) (uuid.UUID, uuid.UUID, error) {
	pid, err := relay.ParseTypedID(programmeID, "CardProgramme", "programmeId")
	if err != nil {
		return uuid.Nil, uuid.Nil, err
	}
	oid, err := relay.ParseTypedID(organisationID, "Organisation", "organisationId")
	return pid, oid, err
}

// applicationPayload wraps an application just changed.
func applicationPayload(a *card.Application, err error) (*model.CardApplicationPayload, error) {
	if err != nil {
		return nil, err
	}
	return &model.CardApplicationPayload{Application: a}, nil
}

// submitInput parses an application to submit.
func submitInput(in model.SubmitCardApplicationInput) (card.ApplicationInput, error) {
	out := card.ApplicationInput{Kind: in.Kind, CardNumber: deref(in.CardNumber, ""), Purpose: in.Purpose,
		HolderIdentityNumber: deref(in.HolderIdentityNumber, ""), GivenName: deref(in.GivenName, ""),
		BirthDate: in.BirthDate, GuardianIdentityNumbers: in.GuardianIdentityNumbers,
		ContactEmail: deref(in.ContactEmail, "")}
	var err error
	if out.ProgrammeID, err = relay.ParseTypedID(in.ProgrammeID, "CardProgramme", "input.programmeId"); err != nil {
		return out, err
	}
	if out.CardID, err = optionalID(in.CardID, "Card", "input.cardId"); err != nil {
		return out, err
	}
	if out.OrganisationID, err = optionalID(in.OrganisationID, "Organisation", "input.organisationId"); err != nil {
		return out, err
	}
	if in.AskedOre != nil {
		n := int64(*in.AskedOre)
		out.AskedOre = &n
	}
	return out, nil
}

package card

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/fritid/fritid/internal/audit"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/portal"
)

// OfferText is an offer's texts in one locale.
type OfferText struct {
	Locale      string
	Title       string
	Description string
	HowToUse    string
}

// OfferInput creates an offer (ID nil; it starts as a DRAFT with nothing released) or
// replaces one's settings. Texts are written for the locales given; those not given keep
// theirs. MinAge and MaxAge are optional bounds. ValidFrom and ValidTo bound when tickets
// can be claimed and used; EventAt is the time of a one-off event, if it is one.
type OfferInput struct {
	ID             *uuid.UUID
	OrganisationID uuid.UUID
	CategoryID     *uuid.UUID
	ProgrammeIDs   []uuid.UUID
	Texts          []OfferText
	MinAge, MaxAge *int
	Stock          int
	PerCardLimit   int
	Admits         int
	ValidFrom      time.Time
	ValidTo        time.Time
	EventAt        *time.Time
	ValueOre       int64
	Source         OfferSource
	// ExpireUnusedDaysBefore, CancelHoursBefore and WaitingHoldHours are the offer's
	// settings of the same names (nil: none, none, and 48 hours).
	ExpireUnusedDaysBefore, CancelHoursBefore, WaitingHoldHours *int
}

// Limits on an offer's numbers.
const (
	maxStock    = 1_000_000
	maxAdmits   = 20
	maxValueOre = 100_000_000 // a million kroner a ticket
)

// SaveOffer creates or changes an offer: card coordinators and administrators for any
// provider, a provider's OWNER or EDITOR for its own. Errors: UNAUTHENTICATED, FORBIDDEN,
// NOT_FOUND (no such offer here), BAD_USER_INPUT naming the field: "input.organisationId",
// "input.categoryId", "input.programmeIds" (none, or not of this municipality),
// "input.texts...", "input.minAge", "input.maxAge", "input.stock" (negative, or below what
// is released), "input.perCardLimit" (below 1), "input.admits", "input.validTo" (not after
// validFrom), "input.eventAt", "input.valueOre", "input.source",
// "input.expireUnusedDaysBefore" (negative, over 365, or so many that the tickets would
// expire before the offer opens), "input.cancelHoursBefore" (negative or over a year),
// "input.waitingHoldHours" (outside 1 to 336). A change of the offer's window or of
// expireUnusedDaysBefore moves the expiry of its claimed tickets with it.
func (s *Service) SaveOffer(ctx context.Context, in OfferInput) (*Offer, error) {
	c, err := signedIn(ctx)
	if err != nil {
		return nil, err
	}
	if err := validateOffer(c, in); err != nil {
		return nil, err
	}
	o := &Offer{ID: newID(), MunicipalityID: c.mid(), OrganisationID: in.OrganisationID, CategoryID: in.CategoryID,
		MinAge: in.MinAge, MaxAge: in.MaxAge, Stock: in.Stock, PerCardLimit: in.PerCardLimit, Admits: in.Admits,
		ValidFrom: in.ValidFrom, ValidTo: in.ValidTo, EventAt: in.EventAt, ValueOre: in.ValueOre, Source: in.Source,
		Status: OfferDraft, CreatedBy: c.actor(), ExpireUnusedDaysBefore: in.ExpireUnusedDaysBefore,
		CancelHoursBefore: in.CancelHoursBefore, WaitingHoldHours: defaultWaitingHoldHrs}
	if in.WaitingHoldHours != nil {
		o.WaitingHoldHours = *in.WaitingHoldHours
	}
	err = database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		action := "create_card_offer"
		if in.ID != nil {
			old, err := s.manageableOffer(ctx, tx, c, *in.ID)
			if err != nil {
				return err
			}
			o.ID, o.Status, o.CreatedBy, action = old.ID, old.Status, old.CreatedBy, "update_card_offer"
			o.OrganisationHomeID, o.SharedOfferID = old.OrganisationHomeID, old.SharedOfferID
			if old.SharedOfferID != nil {
				// A placement: the provider's terms stay the provider's.
				if err := s.checkPlacementEdit(ctx, tx, old, in); err != nil {
					return err
				}
			}
		}
		if err := s.canManageOffersOf(ctx, tx, c, in.OrganisationID, o.homeOrHere(), "input.organisationId"); err != nil {
			return err
		}
		if err := checkOfferLinks(ctx, tx, c, in); err != nil {
			return err
		}
		if err := writeOffer(ctx, tx, o, in.ID == nil); err != nil {
			return err
		}
		if in.ID != nil {
			if err := reexpireTickets(ctx, tx, o); err != nil {
				return err
			}
		}
		if err := writeOfferTexts(ctx, tx, o, in.Texts); err != nil {
			return err
		}
		if err := writeOfferProgrammes(ctx, tx, o, in.ProgrammeIDs); err != nil {
			return err
		}
		return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: c.mid(), ActorID: c.actor(), Action: action, ItemType: "CardOffer", ItemID: &o.ID,
			Fields: []string{"organisation", "category", "programmes", "texts", "ageRange", "stock", "perCardLimit", "admits",
				"validity", "eventAt", "valueOre", "source", "expireUnusedDaysBefore", "cancelHoursBefore", "waitingHoldHours"}})
	})
	if err != nil {
		return nil, err
	}
	return s.findOffer(ctx, s.db, c, o.ID)
}

func validateOffer(c caller, in OfferInput) error {
	if len(in.ProgrammeIDs) == 0 {
		return apperr.Invalid("input.programmeIds", "ProgrammesRequired", nil)
	}
	if err := validateOfferTerms(c, in); err != nil {
		return err
	}
	return firstBad(useChecks(in))
}

// validateOfferTerms checks an offer's texts and terms: what it is, for whom, how many,
// when, and what a ticket is worth.
func validateOfferTerms(c caller, in OfferInput) error {
	if in.ID == nil && len(in.Texts) == 0 {
		return apperr.Invalid("input.texts", "TextsRequired", nil)
	}
	locales := make([]string, len(in.Texts))
	for i, t := range in.Texts {
		locales[i] = t.Locale
	}
	if err := checkLocales(c, locales, "input.texts"); err != nil {
		return err
	}
	for i, t := range in.Texts {
		if strings.TrimSpace(t.Title) == "" {
			return apperr.Invalid(fmt.Sprintf("input.texts[%d].title", i), "NameRequired", nil)
		}
	}
	badAge := func(a *int) bool { return a != nil && (*a < 0 || *a > 120) }
	return firstBad([]inputCheck{
		{badAge(in.MinAge), "input.minAge", "AgeRange", nil},
		{badAge(in.MaxAge), "input.maxAge", "AgeRange", nil},
		{in.MinAge != nil && in.MaxAge != nil && *in.MaxAge < *in.MinAge, "input.maxAge", "AgeRangeInverted", nil},
		{in.Stock < 0, "input.stock", "NotNegative", nil},
		{in.Stock > maxStock, "input.stock", "NumberTooLarge", map[string]any{"Max": maxStock}},
		{in.PerCardLimit < 1, "input.perCardLimit", "AtLeast", map[string]any{"Min": 1}},
		{in.Admits < 1, "input.admits", "AtLeast", map[string]any{"Min": 1}},
		{in.Admits > maxAdmits, "input.admits", "NumberTooLarge", map[string]any{"Max": maxAdmits}},
		{in.ValidFrom.IsZero(), "input.validFrom", "DateRequired", nil},
		{in.ValidTo.IsZero(), "input.validTo", "DateRequired", nil},
		{!in.ValidTo.After(in.ValidFrom), "input.validTo", "ValidityInverted", nil},
		{in.EventAt != nil && in.EventAt.Before(in.ValidFrom), "input.eventAt", "EventBeforeValidity", nil},
		{in.ValueOre < 0, "input.valueOre", "NotNegative", nil},
		{in.ValueOre > maxValueOre, "input.valueOre", "NumberTooLarge", map[string]any{"Max": maxValueOre}},
		{!in.Source.valid(), "input.source", "ChoiceInvalid", nil},
	})
}

// firstBad returns BAD_USER_INPUT for the first check broken, or nil.
func firstBad(checks []inputCheck) error {
	for _, ch := range checks {
		if ch.bad {
			return apperr.Invalid(ch.field, ch.msg, ch.data)
		}
	}
	return nil
}

// canManageOffers returns nil when the caller may manage the offers of organisation orgID
// (named by field in input errors). Errors: FORBIDDEN, BAD_USER_INPUT on field (no such
// organisation here).
func (s *Service) canManageOffers(ctx context.Context, db bun.IDB, c caller, orgID uuid.UUID, field string) error {
	return s.canManageOffersOf(ctx, db, c, orgID, c.mid(), field)
}

// canManageOffersOf is canManageOffers for an offer whose provider is kept in the
// municipality home: another municipality's shared provider, for an accepted placement.
func (s *Service) canManageOffersOf(ctx context.Context, db bun.IDB, c caller, orgID, home uuid.UUID,
	field string,
) error {
	if home != c.mid() {
		// SECURITY: a shared provider's placement is this municipality's offer: its card
		// coordinators and administrators manage it; the provider manages the shared offer
		// at home (its people are users there, not here).
		if c.staff() {
			return nil
		}
		return apperr.New(apperr.Forbidden, "")
	}
	// SECURITY: only a provider of the request's municipality.
	ok, err := db.NewSelect().Table("organisations").Where("id = ? AND municipality_id = ?", orgID, c.mid()).Exists(ctx)
	if err != nil {
		return database.MapError(err, "find organisation", "organisation")
	}
	if !ok {
		return apperr.Invalid(field, "UnknownOrganisation", nil)
	}
	// SECURITY: card coordinators and administrators manage every provider's offers.
	if c.staff() {
		return nil
	}
	// SECURITY: a provider's OWNER and EDITOR manage its own offers.
	ok, err = db.NewSelect().Table("organisation_members").
		Where("organisation_id = ? AND user_id = ? AND role IN ('OWNER', 'EDITOR')", orgID, c.v.User.ID).Exists(ctx)
	if err != nil {
		return database.MapError(err, "check membership", "organisation")
	}
	if !ok {
		return apperr.New(apperr.Forbidden, "")
	}
	return nil
}

// manageableOffer returns the offer of the municipality, locked against other changes to
// it, when the caller may manage it. Errors: NOT_FOUND, FORBIDDEN.
func (s *Service) manageableOffer(ctx context.Context, tx bun.IDB, c caller, id uuid.UUID) (*Offer, error) {
	o := new(Offer)
	// SECURITY: only an offer of the request's municipality.
	// NO KEY UPDATE: claims, whose tickets refer to the offer, go on meanwhile.
	err := tx.NewSelect().Model(o).ColumnExpr("o.*").ColumnExpr(offerClaimedColumn).
		Where("o.id = ? AND o.municipality_id = ?", id, c.mid()).For("NO KEY UPDATE OF o").Scan(ctx)
	if err != nil {
		return nil, database.MapError(err, "find offer", "offer")
	}
	if err := s.canManageOffersOf(ctx, tx, c, o.OrganisationID, o.OrganisationHomeID, "id"); err != nil {
		return nil, err
	}
	return o, nil
}

// checkOfferLinks checks that the category and programmes are the municipality's.
func checkOfferLinks(ctx context.Context, tx bun.IDB, c caller, in OfferInput) error {
	if in.CategoryID != nil {
		if err := allOfMunicipality(ctx, tx, "categories", c.mid(), []uuid.UUID{*in.CategoryID}, "input.categoryId", "UnknownCategory"); err != nil {
			return err
		}
	}
	return allOfMunicipality(ctx, tx, "card_programmes", c.mid(), unique(in.ProgrammeIDs), "input.programmeIds", "UnknownProgramme")
}

func writeOffer(ctx context.Context, tx bun.IDB, o *Offer, insert bool) error {
	var err error
	if insert {
		_, err = tx.NewInsert().Model(o).ExcludeColumn("released").Returning("created_at, updated_at").Exec(ctx)
	} else {
		err = tx.NewUpdate().Model(o).Column("organisation_id", "category_id", "min_age", "max_age", "stock", "per_card_limit", "admits",
			"valid_from", "valid_to", "event_at", "value_ore", "source").
			Column("expire_unused_days_before", "cancel_hours_before", "waiting_hold_hours").Set("updated_at = now()").WherePK().
			Returning("released, " + offerClaimedColumn + ", created_at, updated_at").Scan(ctx)
	}
	if constraintOf(err) == "card_offers_released_within_stock" {
		var released int
		tx.NewSelect().Table("card_offers").Column("released").Where("id = ?", o.ID).Scan(ctx, &released) //nolint:errcheck // only for the message
		return apperr.Invalid("input.stock", "StockBelowReleased", map[string]any{"Released": released})
	}
	return database.MapError(err, "write offer", "offer")
}

func writeOfferTexts(ctx context.Context, tx bun.IDB, o *Offer, texts []OfferText) error {
	return upsertTexts(ctx, tx, texts, `INSERT INTO card_offer_translations
		(offer_id, municipality_id, locale, title, description, how_to_use)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (offer_id, locale) DO UPDATE
		SET title = EXCLUDED.title, description = EXCLUDED.description, how_to_use = EXCLUDED.how_to_use`,
		o.ID, o.MunicipalityID)
}

// upsertTexts checks each of texts as an offer's and writes it with statement upsert,
// whose arguments are key, then the text's locale, title, description and how to use it.
func upsertTexts(ctx context.Context, tx bun.IDB, texts []OfferText, upsert string, key ...any) error {
	for i, t := range texts {
		vals, err := offerTextValues(i, t)
		if err != nil {
			return err
		}
		args := append(append([]any{}, key...), t.Locale, vals[0], vals[1], vals[2])
		if _, err := tx.ExecContext(ctx, upsert, args...); err != nil {
			return database.MapError(err, "write offer texts", "offer")
		}
	}
	return nil
}

// offerTextValues checks the i-th text of an offer and returns its title, description and
// how to use it, cleaned.
func offerTextValues(i int, t OfferText) ([3]string, error) {
	var vals [3]string
	for j, f := range []struct {
		v, name string
		max     int
	}{{t.Title, "title", 200}, {t.Description, "description", 5000}, {t.HowToUse, "howToUse", 2000}} {
		v, err := portal.CheckText(f.v, f.max, fmt.Sprintf("input.texts[%d].%s", i, f.name))
		if err != nil {
			return vals, err
		}
		vals[j] = v
	}
	return vals, nil
}

func writeOfferProgrammes(ctx context.Context, tx bun.IDB, o *Offer, ids []uuid.UUID) error {
	if _, err := tx.ExecContext(ctx, "DELETE FROM card_offer_programmes WHERE offer_id = ?", o.ID); err != nil {
		return database.MapError(err, "clear offer programmes", "offer")
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO card_offer_programmes (offer_id, programme_id, municipality_id)
		SELECT ?, unnest(?::uuid[]), ?`, o.ID, pgdialect.Array(unique(ids)), o.MunicipalityID)
	return database.MapError(err, "write offer programmes", "offer")
}

// ReleaseStock makes amount more of an offer's tickets claimable (card coordinators and
// administrators, or the provider's OWNER or EDITOR); cards in the offer's waiting list
// are offered them first. Errors: UNAUTHENTICATED, FORBIDDEN,
// NOT_FOUND, BAD_USER_INPUT naming "amount": below 1, or (reason EXCEEDS_STOCK) more than
// the stock not yet released.
func (s *Service) ReleaseStock(ctx context.Context, offerID uuid.UUID, amount int) (*Offer, error) {
	c, err := signedIn(ctx)
	if err != nil {
		return nil, err
	}
	if amount < 1 {
		return nil, apperr.Invalid("amount", "AtLeast", map[string]any{"Min": 1})
	}
	err = database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		o, err := s.manageableOffer(ctx, tx, c, offerID)
		if err != nil {
			return err
		}
		if left := o.Stock - o.Released; amount > left {
			return apperr.Invalid("amount", "ReleaseExceedsStock", map[string]any{"Left": left}).WithReason("EXCEEDS_STOCK")
		}
		if _, err := tx.ExecContext(ctx, "UPDATE card_offers SET released = released + ?, updated_at = now() WHERE id = ?", amount, o.ID); err != nil {
			return database.MapError(err, "release stock", "offer")
		}
		if err := releaseIntoSlots(ctx, tx, o, amount); err != nil {
			return err
		}
		// The cards in the offer's waiting list get the new tickets first.
		if err := s.offerReleased(ctx, tx, o, amount); err != nil {
			return err
		}
		if err := announceStock(ctx, tx, c.mid(), o.ID); err != nil {
			return err
		}
		return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: c.mid(), ActorID: c.actor(), Action: "release_card_offer_stock",
			ItemType: "CardOffer", ItemID: &o.ID, Fields: []string{"released"}})
	})
	if err != nil {
		return nil, err
	}
	return s.findOffer(ctx, s.db, c, offerID)
}

// SetOfferStatus publishes, pauses or ends an offer, or returns it to draft (card
// coordinators and administrators, or the provider's OWNER or EDITOR). An ENDED offer
// stays ended. Published the first time, the offer is announced to the holders who asked
// for news of new offers (AnnounceArgs). Errors: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, BAD_USER_INPUT naming
// "status", CONFLICT (the offer has ended).
func (s *Service) SetOfferStatus(ctx context.Context, offerID uuid.UUID, status OfferStatus) (*Offer, error) {
	c, err := signedIn(ctx)
	if err != nil {
		return nil, err
	}
	if !status.valid() {
		return nil, apperr.Invalid("status", "ChoiceInvalid", nil)
	}
	err = database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		o, err := s.manageableOffer(ctx, tx, c, offerID)
		if err != nil {
			return err
		}
		if o.Status == OfferEnded && status != OfferEnded {
			return apperr.New(apperr.Conflict, "OfferEnded")
		}
		if _, err := tx.ExecContext(ctx, "UPDATE card_offers SET status = ?, updated_at = now() WHERE id = ?", status, o.ID); err != nil {
			return database.MapError(err, "set offer status", "offer")
		}
		if status == OfferPublished && o.AnnouncedAt == nil {
			if err := s.announce(ctx, tx, o); err != nil {
				return err
			}
		}
		return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: c.mid(), ActorID: c.actor(), Action: "set_card_offer_status",
			ItemType: "CardOffer", ItemID: &o.ID, Fields: []string{"status"}})
	})
	if err != nil {
		return nil, err
	}
	return s.findOffer(ctx, s.db, c, offerID)
}

// OfferFilter narrows FindOffers; nil fields do not filter.
type OfferFilter struct {
	ProgrammeID    *uuid.UUID
	OrganisationID *uuid.UUID
	Status         *OfferStatus
}

// maxOffers is the most offers one query for a card's claimable offers returns.
const maxOffers = 1000

// FindOfferByID returns an offer the caller may see (see FindOffers). Errors: NOT_FOUND.
func (s *Service) FindOfferByID(ctx context.Context, id uuid.UUID) (*Offer, error) {
	c, err := current(ctx)
	if err != nil {
		return nil, err
	}
	return s.findOffer(ctx, s.db, c, id)
}

func (s *Service) findOffer(ctx context.Context, db bun.IDB, c caller, id uuid.UUID) (*Offer, error) {
	o := new(Offer)
	if err := offerQuery(ctx, db, c).Where("o.id = ?", id).Scan(ctx, o); err != nil {
		return nil, database.MapError(err, "find offer", "offer")
	}
	return o, nil
}

// offerQuery selects the offers of the municipality the caller may see, with their texts
// in the caller's locale chain and their programmes.
func offerQuery(ctx context.Context, db bun.IDB, c caller) *bun.SelectQuery {
	q := db.NewSelect().Model((*Offer)(nil)).ColumnExpr("o.*").ColumnExpr(offerClaimedColumn).
		Join(`LEFT JOIN LATERAL (
			SELECT t.locale AS text_locale, t.title, t.description, t.how_to_use
			FROM card_offer_translations t WHERE t.offer_id = o.id
			ORDER BY array_position(?::text[], t.locale) NULLS LAST, t.locale LIMIT 1) AS tx ON true`, pgdialect.Array(c.chain(ctx))).
		ColumnExpr("tx.text_locale, tx.title, tx.description, tx.how_to_use").
		ColumnExpr("ARRAY(SELECT op.programme_id FROM card_offer_programmes op WHERE op.offer_id = o.id ORDER BY op.programme_id) AS programme_ids").
		// SECURITY: only offers of the request's municipality.
		Where("o.municipality_id = ?", c.mid())
	public := `(o.status = 'PUBLISHED' AND EXISTS (SELECT 1 FROM card_offer_programmes op
		JOIN card_programmes p ON p.id = op.programme_id WHERE op.offer_id = o.id AND p.status = 'ACTIVE'))`
	switch {
	case c.staff():
		// SECURITY: the programme's staff see every offer.
	case c.v != nil && c.v.User != nil:
		// SECURITY: a provider's members see its offers; others only what the public sees.
		q = q.Where("("+public+" OR EXISTS (SELECT 1 FROM organisation_members m WHERE m.organisation_id = o.organisation_id AND m.user_id = ?))", c.v.User.ID)
	default:
		// SECURITY: the public sees the published offers of active programmes.
		q = q.Where(public)
	}
	return q
}

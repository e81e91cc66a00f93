package card

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/fritid/fritid/internal/audit"
	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/relay"
)

// PlacementStatus is where one municipality's share of a shared offer stands.
type PlacementStatus string

// The placement statuses: the provider OFFERS a share; the municipality's card
// coordinator ACCEPTS it (which makes the municipality's own offer) or DECLINES it; the
// provider may WITHDRAW an accepted share (the municipality's offer ends; tickets already
// claimed stay good).
const (
	PlacementOffered   PlacementStatus = "OFFERED"
	PlacementAccepted  PlacementStatus = "ACCEPTED"
	PlacementDeclined  PlacementStatus = "DECLINED"
	PlacementWithdrawn PlacementStatus = "WITHDRAWN"
)

func (s PlacementStatus) valid() bool {
	switch s {
	case PlacementOffered, PlacementAccepted, PlacementDeclined, PlacementWithdrawn:
		return true
	}
	return false
}

// SharedOffer is a shared provider's offer to several municipalities' card programmes,
// kept in the provider's home municipality: one set of texts and terms, and the stock
// split among the municipalities (Placements).
type SharedOffer struct {
	bun.BaseModel `bun:"table:card_shared_offers,alias:so"`

	ID             uuid.UUID   `bun:"id,pk,type:uuid"`
	MunicipalityID uuid.UUID   `bun:"municipality_id,type:uuid"`
	OrganisationID uuid.UUID   `bun:"organisation_id,type:uuid"`
	MinAge         *int        `bun:"min_age"`
	MaxAge         *int        `bun:"max_age"`
	Admits         int         `bun:"admits"`
	ValidFrom      time.Time   `bun:"valid_from"`
	ValidTo        time.Time   `bun:"valid_to"`
	EventAt        *time.Time  `bun:"event_at"`
	ValueOre       int64       `bun:"value_ore"`
	Source         OfferSource `bun:"source"`
	Stock          int         `bun:"stock"`
	CreatedBy      *uuid.UUID  `bun:"created_by,type:uuid"`
	CreatedAt      time.Time   `bun:"created_at,nullzero,notnull,default:current_timestamp"`
	UpdatedAt      time.Time   `bun:"updated_at,nullzero,notnull,default:current_timestamp"`

	Locale      string `bun:"text_locale,scanonly"`
	Title       string `bun:"title,scanonly"`
	Description string `bun:"description,scanonly"`
	HowToUse    string `bun:"how_to_use,scanonly"`

	Placements []*Placement `bun:"-"`
}

// GlobalID returns the shared offer's global ID.
func (o *SharedOffer) GlobalID() string { return relay.GlobalID("SharedCardOffer", o.ID) }

// Placement is one municipality's share of a shared offer and what became of it. For the
// provider it counts what settlement needs: tickets released, claimed and checked in, and
// the value checked in; nothing about cards or holders.
type Placement struct {
	bun.BaseModel `bun:"table:card_shared_offer_placements,alias:pl"`

	SharedOfferID  uuid.UUID       `bun:"shared_offer_id,pk,type:uuid"`
	MunicipalityID uuid.UUID       `bun:"municipality_id,pk,type:uuid"`
	Stock          int             `bun:"stock"`
	Status         PlacementStatus `bun:"status"`
	Reason         *string         `bun:"reason"`
	OfferedAt      time.Time       `bun:"offered_at,nullzero,notnull,default:current_timestamp"`
	DecidedAt      *time.Time      `bun:"decided_at"`

	MunicipalitySlug string     `bun:"municipality_slug,scanonly"`
	MunicipalityName string     `bun:"municipality_name,scanonly"`
	OfferID          *uuid.UUID `bun:"offer_id,scanonly"`
	Released         int        `bun:"released,scanonly"`
	Claimed          int        `bun:"claimed,scanonly"`
	Redeemed         int        `bun:"redeemed,scanonly"`
	RedeemedOre      int64      `bun:"redeemed_ore,scanonly"`
}

// SharedOfferRequest is a shared offer as a municipality it was offered to sees it: the
// provider, the terms, its share and where it stands, and its own offer once accepted.
type SharedOfferRequest struct {
	SharedOfferID    uuid.UUID
	OrganisationName string
	HomeSlug         string
	HomeName         string
	Locale           string
	Title            string
	Description      string
	HowToUse         string
	MinAge, MaxAge   *int
	Admits           int
	ValidFrom        time.Time
	ValidTo          time.Time
	EventAt          *time.Time
	ValueOre         int64
	Source           OfferSource
	Stock            int
	Status           PlacementStatus
	Reason           *string
	OfferedAt        time.Time
	OfferID          *uuid.UUID
}

// GlobalID returns the shared offer's global ID.
func (r *SharedOfferRequest) GlobalID() string {
	return relay.GlobalID("SharedCardOffer", r.SharedOfferID)
}

// PlacementInput is one municipality's share: its slug and the tickets it gets.
type PlacementInput struct {
	Municipality string
	Stock        int
}

// SharedOfferInput creates a shared offer (ID nil) or replaces one's texts, terms and
// split. Placements is the whole split: a municipality left out is no longer offered a
// share (an accepted one is withdrawn).
type SharedOfferInput struct {
	ID             *uuid.UUID
	OrganisationID uuid.UUID
	Texts          []OfferText
	MinAge, MaxAge *int
	Admits         int
	ValidFrom      time.Time
	ValidTo        time.Time
	EventAt        *time.Time
	ValueOre       int64
	Source         OfferSource
	Stock          int
	Placements     []PlacementInput
}

// PlacementAcceptInput is what a municipality sets on the offer it makes of its share:
// the programmes whose cards may claim it, a category, the per-card limit, its own window
// within the shared one (nil: the shared one's bounds), and the ticket-use settings.
type PlacementAcceptInput struct {
	ProgrammeIDs []uuid.UUID
	CategoryID   *uuid.UUID
	PerCardLimit int
	ValidFrom    *time.Time
	ValidTo      *time.Time
	// ExpireUnusedDaysBefore, CancelHoursBefore and WaitingHoldHours as on OfferInput.
	ExpireUnusedDaysBefore, CancelHoursBefore, WaitingHoldHours *int
}

// SaveSharedOffer creates or changes a shared provider's offer to several municipalities'
// card programmes, in the provider's home municipality: the provider's OWNER or EDITOR, or
// the home municipality's card coordinators and administrators. Changes of texts and terms
// reach the offers the municipalities made of their shares at once (their windows narrowed
// into the new one); a share changed is that offer's stock. Errors: UNAUTHENTICATED,
// FORBIDDEN, NOT_FOUND (no such shared offer here), BAD_USER_INPUT naming the field: as
// SaveOffer for the texts and terms, "input.organisationId" (another than before),
// "input.placements[i].municipality" (UnknownMunicipality; reason HOME for the home
// municipality, DUPLICATE, PROVIDER_NOT_ACCEPTED for one that has not accepted the
// provider), "input.placements[i].stock" (negative; below what that municipality has
// released, StockBelowReleased), "input.placements" (reason SPLIT_EXCEEDS_STOCK: the
// shares add up to more than the stock).
func (s *Service) SaveSharedOffer(ctx context.Context, in SharedOfferInput) (*SharedOffer, error) {
	c, err := signedIn(ctx)
	if err != nil {
		return nil, err
	}
	terms := OfferInput{ID: in.ID, Texts: in.Texts, MinAge: in.MinAge, MaxAge: in.MaxAge, Stock: in.Stock, PerCardLimit: 1,
		Admits: in.Admits, ValidFrom: in.ValidFrom, ValidTo: in.ValidTo, EventAt: in.EventAt, ValueOre: in.ValueOre,
		Source: in.Source}
	if err := validateOfferTerms(c, terms); err != nil {
		return nil, err
	}
	if err := checkSplit(in); err != nil {
		return nil, err
	}
	so := &SharedOffer{ID: newID(), MunicipalityID: c.mid(), OrganisationID: in.OrganisationID, MinAge: in.MinAge,
		MaxAge: in.MaxAge, Admits: in.Admits, ValidFrom: in.ValidFrom, ValidTo: in.ValidTo, EventAt: in.EventAt,
		ValueOre: in.ValueOre, Source: in.Source, Stock: in.Stock, CreatedBy: c.actor()}
	err = database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		action := "create_card_shared_offer"
		if in.ID != nil {
			old := new(SharedOffer)
			// SECURITY: only a shared offer kept in the request's municipality.
			err := tx.NewSelect().Model(old).Where("so.id = ? AND so.municipality_id = ?", *in.ID,
				c.mid()).For("UPDATE").Scan(ctx)
			if err != nil {
				return database.MapError(err, "find shared offer", "offer")
			}
			if old.OrganisationID != in.OrganisationID {
				return apperr.Invalid("input.organisationId", "SharedOfferOrganisation", nil)
			}
			so.ID, so.CreatedBy, action = old.ID, old.CreatedBy, "update_card_shared_offer"
		}
		// SECURITY: the provider's OWNER and EDITOR, and the home municipality's card staff.
		if err := s.canManageOffers(ctx, tx, c, in.OrganisationID, "input.organisationId"); err != nil {
			return err
		}
		targets, err := placementTargets(ctx, tx, c, in)
		if err != nil {
			return err
		}
		if err := writeSharedOffer(ctx, tx, so, in.ID == nil); err != nil {
			return err
		}
		if err := writeSharedOfferTexts(ctx, tx, so, in.Texts); err != nil {
			return err
		}
		if err := s.writeSplit(ctx, tx, so, in.Placements, targets); err != nil {
			return err
		}
		if err := s.passOnTerms(ctx, tx, so.ID, nil); err != nil {
			return err
		}
		return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: c.mid(), ActorID: c.actor(), Action: action,
			ItemType: "SharedCardOffer", ItemID: &so.ID, Fields: []string{"texts", "terms", "stock", "placements"}})
	})
	if err != nil {
		return nil, err
	}
	return s.findSharedOffer(ctx, c, so.ID)
}

// checkSplit checks the shares on their own: not negative, each municipality once, and
// together not more than the stock.
func checkSplit(in SharedOfferInput) error {
	seen := map[string]bool{}
	sum := 0
	for i, p := range in.Placements {
		field := fmt.Sprintf("input.placements[%d]", i)
		if seen[p.Municipality] {
			return apperr.Invalid(field+".municipality", "PlacementDuplicate", nil).WithReason("DUPLICATE")
		}
		seen[p.Municipality] = true
		if p.Stock < 0 {
			return apperr.Invalid(field+".stock", "NotNegative", nil)
		}
		sum += p.Stock
	}
	if sum > in.Stock {
		return apperr.Invalid("input.placements", "SplitExceedsStock", map[string]any{"Sum": sum, "Stock": in.Stock}).
			WithReason("SPLIT_EXCEEDS_STOCK")
	}
	return nil
}

// placementTargets returns the municipalities of the split, in order. Each must have
// accepted the provider (migration 0049); the home municipality makes ordinary offers.
func placementTargets(ctx context.Context, tx bun.IDB, c caller, in SharedOfferInput) ([]uuid.UUID, error) {
	out := make([]uuid.UUID, len(in.Placements))
	for i, p := range in.Placements {
		field := fmt.Sprintf("input.placements[%d].municipality", i)
		var row struct {
			ID     uuid.UUID `bun:"id"`
			Status *string   `bun:"status"`
		}
		// SECURITY: only into a municipality that accepted this provider for its portal.
		err := tx.NewSelect().TableExpr("municipalities AS m").ColumnExpr("m.id, pm.status").
			Join("LEFT JOIN provider_municipalities AS pm ON pm.municipality_id = m.id AND pm.organisation_id = ?",
				in.OrganisationID).
			Where("m.slug = ?", p.Municipality).Scan(ctx, &row)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return nil, apperr.Invalid(field, "UnknownMunicipality", nil)
		case err != nil:
			return nil, database.MapError(err, "find municipality", "municipality")
		case row.ID == c.mid():
			return nil, apperr.Invalid(field, "PlacementAtHome", nil).WithReason("HOME")
		case row.Status == nil || *row.Status != "ACCEPTED":
			return nil, apperr.Invalid(field, "PlacementProviderNotAccepted", nil).WithReason("PROVIDER_NOT_ACCEPTED")
		}
		out[i] = row.ID
	}
	return out, nil
}

func writeSharedOffer(ctx context.Context, tx bun.IDB, so *SharedOffer, insert bool) error {
	var err error
	if insert {
		_, err = tx.NewInsert().Model(so).Returning("created_at, updated_at").Exec(ctx)
	} else {
		_, err = tx.NewUpdate().Model(so).Column("min_age", "max_age", "admits", "valid_from", "valid_to", "event_at",
			"value_ore", "source", "stock").Set("updated_at = now()").WherePK().Exec(ctx)
	}
	return database.MapError(err, "write shared offer", "offer")
}

// writeSharedOfferTexts writes the texts given (checked as an offer's); others stay.
func writeSharedOfferTexts(ctx context.Context, tx bun.IDB, so *SharedOffer, texts []OfferText) error {
	return upsertTexts(ctx, tx, texts, `INSERT INTO card_shared_offer_translations
		(shared_offer_id, locale, title, description, how_to_use)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT (shared_offer_id, locale) DO UPDATE
		SET title = EXCLUDED.title, description = EXCLUDED.description, how_to_use = EXCLUDED.how_to_use`,
		so.ID)
}

// writeSplit makes the placements the split: new ones OFFERED (as are ones offered again
// after a decline or withdrawal), shares changed (an accepted one's offer's stock with it),
// and those left out deleted, or WITHDRAWN with their offer ended when accepted.
func (s *Service) writeSplit(ctx context.Context, tx bun.IDB, so *SharedOffer, split []PlacementInput,
	targets []uuid.UUID) error {
	var old []*Placement
	if err := tx.NewSelect().Model(&old).Where("pl.shared_offer_id = ?", so.ID).For("UPDATE").Scan(ctx); err != nil {
		return database.MapError(err, "find placements", "offer")
	}
	kept := map[uuid.UUID]bool{}
	for i, mid := range targets {
		kept[mid] = true
		_, err := tx.ExecContext(ctx, `INSERT INTO card_shared_offer_placements (shared_offer_id, municipality_id, stock)
			VALUES (?, ?, ?) ON CONFLICT (shared_offer_id, municipality_id) DO UPDATE SET stock = EXCLUDED.stock,
			status = CASE WHEN card_shared_offer_placements.status IN ('DECLINED', 'WITHDRAWN') THEN 'OFFERED'
				ELSE card_shared_offer_placements.status END,
			reason = CASE WHEN card_shared_offer_placements.status IN ('DECLINED', 'WITHDRAWN') THEN NULL
				ELSE card_shared_offer_placements.reason END,
			offered_at = CASE WHEN card_shared_offer_placements.status IN ('DECLINED', 'WITHDRAWN') THEN now()
				ELSE card_shared_offer_placements.offered_at END,
			decided_at = CASE WHEN card_shared_offer_placements.status IN ('DECLINED', 'WITHDRAWN') THEN NULL
				ELSE card_shared_offer_placements.decided_at END`, so.ID, mid, split[i].Stock)
		if err != nil {
			return database.MapError(err, "write placement", "offer")
		}
		// An accepted share is that municipality's offer's stock.
		_, err = tx.ExecContext(ctx, `UPDATE card_offers SET stock = ?, updated_at = now()
			WHERE shared_offer_id = ?1 AND municipality_id = ?2 AND status <> 'ENDED' AND stock <> ?0`,
			split[i].Stock, so.ID, mid)
		if constraintOf(err) == "card_offers_released_within_stock" {
			var released int
			//nolint:errcheck // only for the message
			tx.NewSelect().Table("card_offers").Column("released").
				Where("shared_offer_id = ? AND municipality_id = ? AND status <> 'ENDED'", so.ID, mid).Scan(ctx, &released)
			return apperr.Invalid(fmt.Sprintf("input.placements[%d].stock", i), "StockBelowReleased",
				map[string]any{"Released": released})
		}
		if err != nil {
			return database.MapError(err, "write placement stock", "offer")
		}
	}
	for _, p := range old {
		if kept[p.MunicipalityID] {
			continue
		}
		switch p.Status {
		case PlacementAccepted:
			_, err := tx.ExecContext(ctx, `UPDATE card_shared_offer_placements SET status = 'WITHDRAWN', decided_at = now()
				WHERE shared_offer_id = ? AND municipality_id = ?`, so.ID, p.MunicipalityID)
			if err != nil {
				return database.MapError(err, "withdraw placement", "offer")
			}
			_, err = tx.ExecContext(ctx, `UPDATE card_offers SET status = 'ENDED', updated_at = now()
				WHERE shared_offer_id = ? AND municipality_id = ? AND status <> 'ENDED'`, so.ID, p.MunicipalityID)
			if err != nil {
				return database.MapError(err, "end placement offer", "offer")
			}
		case PlacementOffered, PlacementDeclined:
			_, err := tx.ExecContext(ctx,
				"DELETE FROM card_shared_offer_placements WHERE shared_offer_id = ? AND municipality_id = ?",
				so.ID, p.MunicipalityID)
			if err != nil {
				return database.MapError(err, "remove placement", "offer")
			}
		}
	}
	return nil
}

// passOnTerms writes the shared offer's texts and terms into the live offers made of its
// shares (only the one of municipality mid, when given): admits, value, source, event,
// ages, and each one's window narrowed into the shared one; the expiry of their claimed
// tickets moves with the window.
func (s *Service) passOnTerms(ctx context.Context, tx bun.IDB, sharedID uuid.UUID, mid *uuid.UUID) error {
	var offers []*Offer
	q := tx.NewUpdate().Model(&offers).TableExpr("card_shared_offers AS so").
		Set("admits = so.admits, value_ore = so.value_ore, source = so.source, event_at = so.event_at").
		Set("min_age = so.min_age, max_age = so.max_age, updated_at = now()").
		// The offer's window stays its own where it lies in the shared one; a bound outside
		// becomes the shared one's, and it opens no later than the event.
		Set(`valid_from = least(CASE WHEN o.valid_from < so.valid_from OR o.valid_from >= so.valid_to
			THEN so.valid_from ELSE o.valid_from END, coalesce(so.event_at, 'infinity'))`).
		Set(`valid_to = CASE WHEN o.valid_to > so.valid_to OR o.valid_to <= so.valid_from
			THEN so.valid_to ELSE o.valid_to END`).
		Where("so.id = o.shared_offer_id AND o.shared_offer_id = ? AND o.status <> 'ENDED'", sharedID)
	if mid != nil {
		q = q.Where("o.municipality_id = ?", *mid)
	}
	if err := q.Returning("o.*").Scan(ctx); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return database.MapError(err, "pass on shared offer", "offer")
	}
	if len(offers) == 0 {
		return nil
	}
	ids := make([]uuid.UUID, len(offers))
	for i, o := range offers {
		if err := reexpireTickets(ctx, tx, o); err != nil {
			return err
		}
		ids[i] = o.ID
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM card_offer_translations WHERE offer_id IN (?)",
		bun.In(ids)); err != nil {
		return database.MapError(err, "pass on shared offer texts", "offer")
	}
	_, err := tx.ExecContext(ctx,
		`INSERT INTO card_offer_translations (offer_id, municipality_id, locale, title, description, how_to_use)
		SELECT o.id, o.municipality_id, st.locale, st.title, st.description, st.how_to_use
		FROM card_offers o JOIN card_shared_offer_translations st ON st.shared_offer_id = o.shared_offer_id
		WHERE o.id IN (?)`, bun.In(ids))
	return database.MapError(err, "pass on shared offer texts", "offer")
}

// AcceptSharedOffer takes this municipality's share of a shared provider's offer into its
// programmes (card coordinators and administrators): it becomes an offer of this
// municipality, a DRAFT with the share as its stock and nothing released, which they
// release, publish and limit as any other. Its texts and terms stay the provider's.
// Errors: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND naming "id" (no share offered to this
// municipality), CONFLICT naming "id" (accepted already, reason ACCEPTED; the provider
// withdrew it, WITHDRAWN; the municipality no longer shows the provider,
// PROVIDER_NOT_ACCEPTED), BAD_USER_INPUT naming the field as SaveOffer, and
// "input.validFrom"/"input.validTo" outside the shared window (OutsideSharedWindow).
func (s *Service) AcceptSharedOffer(ctx context.Context, sharedID uuid.UUID, in PlacementAcceptInput) (*Offer, error) {
	// SECURITY: a municipality's card staff decide what its programmes offer.
	c, err := requireRole(ctx, auth.RoleCardCoordinator, auth.RoleAdmin)
	if err != nil {
		return nil, err
	}
	o := &Offer{ID: newID(), MunicipalityID: c.mid(), CategoryID: in.CategoryID, PerCardLimit: in.PerCardLimit,
		Status: OfferDraft, CreatedBy: c.actor(), SharedOfferID: &sharedID, ExpireUnusedDaysBefore: in.ExpireUnusedDaysBefore,
		CancelHoursBefore: in.CancelHoursBefore, WaitingHoldHours: defaultWaitingHoldHrs}
	if in.WaitingHoldHours != nil {
		o.WaitingHoldHours = *in.WaitingHoldHours
	}
	err = database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		pl, so, err := s.offeredPlacement(ctx, tx, c, sharedID)
		if err != nil {
			return err
		}
		if pl.Status == PlacementAccepted {
			return &apperr.Error{Code: apperr.Conflict, MessageID: "SharedOfferDecided", Field: "id", Reason: string(pl.Status)}
		}
		o.OrganisationID, o.OrganisationHomeID, o.Stock = so.OrganisationID, so.MunicipalityID, pl.Stock
		o.MinAge, o.MaxAge, o.Admits, o.EventAt, o.ValueOre, o.Source = so.MinAge, so.MaxAge, so.Admits, so.EventAt,
			so.ValueOre, so.Source
		o.ValidFrom, o.ValidTo = so.ValidFrom, so.ValidTo
		if in.ValidFrom != nil {
			o.ValidFrom = *in.ValidFrom
		}
		if in.ValidTo != nil {
			o.ValidTo = *in.ValidTo
		}
		if err := checkPlacementWindow(so, o.ValidFrom, o.ValidTo); err != nil {
			return err
		}
		terms := OfferInput{ProgrammeIDs: in.ProgrammeIDs, CategoryID: in.CategoryID, PerCardLimit: in.PerCardLimit,
			ValidFrom: o.ValidFrom, ValidTo: o.ValidTo, EventAt: o.EventAt, ExpireUnusedDaysBefore: in.ExpireUnusedDaysBefore,
			CancelHoursBefore: in.CancelHoursBefore, WaitingHoldHours: in.WaitingHoldHours}
		if err := validatePlacementSettings(terms); err != nil {
			return err
		}
		if err := checkOfferLinks(ctx, tx, c, terms); err != nil {
			return err
		}
		if _,
			err := tx.NewInsert().Model(o).ExcludeColumn("released").Returning("created_at, updated_at").Exec(ctx); err != nil {
			return database.MapError(err, "write offer", "offer")
		}
		if err := writeOfferProgrammes(ctx, tx, o, in.ProgrammeIDs); err != nil {
			return err
		}
		if err := s.passOnTerms(ctx, tx, sharedID, &o.MunicipalityID); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx,
			`UPDATE card_shared_offer_placements SET status = 'ACCEPTED', reason = NULL, decided_at = now()
			WHERE shared_offer_id = ? AND municipality_id = ?`, sharedID, c.mid())
		if err != nil {
			return database.MapError(err, "accept placement", "offer")
		}
		return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: c.mid(), ActorID: c.actor(),
			Action:   "accept_card_shared_offer",
			ItemType: "CardOffer", ItemID: &o.ID, Fields: []string{"sharedOffer", "programmes", "category", "perCardLimit",
				"validity"}})
	})
	if err != nil {
		return nil, err
	}
	return s.findOffer(ctx, s.db, c, o.ID)
}

// DeclineSharedOffer turns down this municipality's share of a shared offer (card
// coordinators and administrators), with an optional reason the provider sees. Errors:
// UNAUTHENTICATED, FORBIDDEN, NOT_FOUND naming "id", BAD_USER_INPUT naming "reason"
// (TOO_LONG), CONFLICT naming "id" (decided already: reason ACCEPTED — end the offer
// instead — or DECLINED; WITHDRAWN).
func (s *Service) DeclineSharedOffer(ctx context.Context, sharedID uuid.UUID, reason string) (*SharedOfferRequest,
	error) {
	// SECURITY: a municipality's card staff decide what its programmes offer.
	c, err := requireRole(ctx, auth.RoleCardCoordinator, auth.RoleAdmin)
	if err != nil {
		return nil, err
	}
	why, err := checkReason(reason, "reason", false)
	if err != nil {
		return nil, err
	}
	err = database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		pl, _, err := s.offeredPlacement(ctx, tx, c, sharedID)
		if err != nil {
			return err
		}
		if pl.Status != PlacementOffered {
			return &apperr.Error{Code: apperr.Conflict, MessageID: "SharedOfferDecided", Field: "id", Reason: string(pl.Status)}
		}
		_, err = tx.ExecContext(ctx,
			`UPDATE card_shared_offer_placements SET status = 'DECLINED', reason = ?, decided_at = now()
			WHERE shared_offer_id = ? AND municipality_id = ?`, why, sharedID, c.mid())
		if err != nil {
			return database.MapError(err, "decline placement", "offer")
		}
		return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: c.mid(), ActorID: c.actor(),
			Action:   "decline_card_shared_offer",
			ItemType: "SharedCardOffer", ItemID: &sharedID, Fields: []string{"status", "reason"}})
	})
	if err != nil {
		return nil, err
	}
	reqs, err := s.sharedOfferRequests(ctx, c, nil, &sharedID)
	if err != nil {
		return nil, err
	}
	if len(reqs) == 0 {
		return nil, apperr.New(apperr.NotFound, "").WithField("id")
	}
	return reqs[0], nil
}

// offeredPlacement locks this municipality's share of a shared offer, and reads the
// shared offer. Errors: NOT_FOUND naming "id", CONFLICT naming "id" (WITHDRAWN; the
// provider is no longer shown here, PROVIDER_NOT_ACCEPTED).
func (s *Service) offeredPlacement(ctx context.Context, tx bun.IDB, c caller, sharedID uuid.UUID) (*Placement,
	*SharedOffer, error) {
	pl := new(Placement)
	// SECURITY: only a share offered to the request's municipality.
	err := tx.NewSelect().Model(pl).Where("pl.shared_offer_id = ? AND pl.municipality_id = ?", sharedID, c.mid()).
		For("UPDATE").Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, apperr.New(apperr.NotFound, "").WithField("id")
	}
	if err != nil {
		return nil, nil, database.MapError(err, "find placement", "offer")
	}
	if pl.Status == PlacementWithdrawn {
		return nil, nil, &apperr.Error{Code: apperr.Conflict, MessageID: "SharedOfferDecided", Field: "id",
			Reason: string(pl.Status)}
	}
	so := new(SharedOffer)
	if err := tx.NewSelect().Model(so).Where("so.id = ?", sharedID).Scan(ctx); err != nil {
		return nil, nil, database.MapError(err, "find shared offer", "offer")
	}
	// SECURITY: only while this municipality shows the provider at all.
	ok, err := tx.NewSelect().Table("provider_municipalities").
		Where("organisation_id = ? AND municipality_id = ? AND status = 'ACCEPTED'", so.OrganisationID, c.mid()).Exists(ctx)
	if err != nil {
		return nil, nil, database.MapError(err, "find provider", "organisation")
	}
	if !ok {
		return nil, nil, &apperr.Error{Code: apperr.Conflict, MessageID: "SharedOfferProviderDropped", Field: "id",
			Reason: "PROVIDER_NOT_ACCEPTED"}
	}
	return pl, so, nil
}

// checkPlacementWindow refuses a municipality's window outside the shared offer's.
func checkPlacementWindow(so *SharedOffer, from, to time.Time) error {
	return firstBad([]inputCheck{
		{from.Before(so.ValidFrom) || !from.Before(so.ValidTo), "input.validFrom", "OutsideSharedWindow", nil},
		{to.After(so.ValidTo), "input.validTo", "OutsideSharedWindow", nil},
		{!to.After(from), "input.validTo", "ValidityInverted", nil},
		{so.EventAt != nil && so.EventAt.Before(from), "input.validFrom", "EventBeforeValidity", nil},
	})
}

// validatePlacementSettings checks what a municipality sets on its share's offer.
func validatePlacementSettings(in OfferInput) error {
	if len(in.ProgrammeIDs) == 0 {
		return apperr.Invalid("input.programmeIds", "ProgrammesRequired", nil)
	}
	if in.PerCardLimit < 1 {
		return apperr.Invalid("input.perCardLimit", "AtLeast", map[string]any{"Min": 1})
	}
	return firstBad(useChecks(in))
}

// checkPlacementEdit refuses a change by the municipality of what its share's offer takes
// from the provider: organisation, texts, stock (the share), ages, admits, event, value
// and source; and a window outside the shared one. Errors: BAD_USER_INPUT naming the field
// (SharedOfferField, reason SHARED_OFFER; OutsideSharedWindow).
func (s *Service) checkPlacementEdit(ctx context.Context, tx bun.IDB, old *Offer, in OfferInput) error {
	eqInt := func(a, b *int) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }
	eqTime := func(a, b *time.Time) bool { return (a == nil) == (b == nil) && (a == nil || a.Equal(*b)) }
	for _, f := range []struct {
		changed bool
		field   string
	}{
		{in.OrganisationID != old.OrganisationID, "input.organisationId"},
		{len(in.Texts) > 0, "input.texts"},
		{in.Stock != old.Stock, "input.stock"},
		{!eqInt(in.MinAge, old.MinAge), "input.minAge"},
		{!eqInt(in.MaxAge, old.MaxAge), "input.maxAge"},
		{in.Admits != old.Admits, "input.admits"},
		{!eqTime(in.EventAt, old.EventAt), "input.eventAt"},
		{in.ValueOre != old.ValueOre, "input.valueOre"},
		{in.Source != old.Source, "input.source"},
	} {
		if f.changed {
			return apperr.Invalid(f.field, "SharedOfferField", nil).WithReason("SHARED_OFFER")
		}
	}
	so := new(SharedOffer)
	if err := tx.NewSelect().Model(so).Where("so.id = ?", *old.SharedOfferID).Scan(ctx); err != nil {
		return database.MapError(err, "find shared offer", "offer")
	}
	return checkPlacementWindow(so, in.ValidFrom, in.ValidTo)
}

// SharedOffers lists an organisation's shared offers, newest first, with their shares
// and what each municipality's cards did with them (the provider's OWNER and EDITOR, the
// home municipality's card coordinators and administrators). Errors: UNAUTHENTICATED,
// FORBIDDEN, BAD_USER_INPUT naming "organisationId" (no such organisation here).
func (s *Service) SharedOffers(ctx context.Context, organisationID uuid.UUID) ([]*SharedOffer, error) {
	c, err := signedIn(ctx)
	if err != nil {
		return nil, err
	}
	// SECURITY: those who manage the provider's offers at home.
	if err := s.canManageOffers(ctx, s.db, c, organisationID, "organisationId"); err != nil {
		return nil, err
	}
	return s.sharedOffers(ctx, c, "so.organisation_id = ?", organisationID)
}

func (s *Service) findSharedOffer(ctx context.Context, c caller, id uuid.UUID) (*SharedOffer, error) {
	out, err := s.sharedOffers(ctx, c, "so.id = ?", id)
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, apperr.New(apperr.NotFound, "")
	}
	return out[0], nil
}

// sharedOffers reads the shared offers of the municipality matching where, with texts in
// the caller's chain and their placements.
func (s *Service) sharedOffers(ctx context.Context, c caller, where string, arg any) ([]*SharedOffer, error) {
	var out []*SharedOffer
	err := sharedOfferQuery(ctx, s.db, c).
		// SECURITY: only shared offers kept in the request's municipality.
		Where("so.municipality_id = ?", c.mid()).Where(where, arg).
		OrderExpr("so.created_at DESC, so.id DESC").Scan(ctx, &out)
	if err != nil {
		return nil, database.MapError(err, "find shared offers", "offer")
	}
	if len(out) == 0 {
		return out, nil
	}
	ids := make([]uuid.UUID, len(out))
	byID := map[uuid.UUID]*SharedOffer{}
	for i, so := range out {
		ids[i], byID[so.ID] = so.ID, so
		so.Placements = []*Placement{}
	}
	var pls []*Placement
	err = placementQuery(s.db).Where("pl.shared_offer_id IN (?)", bun.In(ids)).
		OrderExpr("m.name, m.slug").Scan(ctx, &pls)
	if err != nil {
		return nil, database.MapError(err, "find placements", "offer")
	}
	for _, p := range pls {
		byID[p.SharedOfferID].Placements = append(byID[p.SharedOfferID].Placements, p)
	}
	return out, nil
}

func sharedOfferQuery(ctx context.Context, db bun.IDB, c caller) *bun.SelectQuery {
	return db.NewSelect().Model((*SharedOffer)(nil)).ColumnExpr("so.*").
		Join(`LEFT JOIN LATERAL (
			SELECT t.locale AS text_locale, t.title, t.description, t.how_to_use
			FROM card_shared_offer_translations t WHERE t.shared_offer_id = so.id
			ORDER BY array_position(?::text[], t.locale) NULLS LAST, t.locale LIMIT 1) AS tx ON true`,
			pgdialect.Array(c.chain(ctx))).
		ColumnExpr("tx.text_locale, tx.title, tx.description, tx.how_to_use")
}

// placementQuery reads placements with their municipality and the counts of the offers
// made of them.
func placementQuery(db bun.IDB) *bun.SelectQuery {
	return db.NewSelect().Model((*Placement)(nil)).ColumnExpr("pl.*").
		ColumnExpr("m.slug AS municipality_slug, m.name AS municipality_name").
		Join("JOIN municipalities AS m ON m.id = pl.municipality_id").
		ColumnExpr(`(SELECT o.id FROM card_offers o WHERE o.shared_offer_id = pl.shared_offer_id
			AND o.municipality_id = pl.municipality_id AND o.status <> 'ENDED') AS offer_id`).
		ColumnExpr("coalesce(n.released, 0) AS released, coalesce(n.claimed, 0) AS claimed").
		ColumnExpr("coalesce(n.redeemed, 0) AS redeemed, coalesce(n.redeemed_ore, 0) AS redeemed_ore").
		Join(`LEFT JOIN LATERAL (
			SELECT (SELECT sum(o.released) FROM card_offers o WHERE o.shared_offer_id = pl.shared_offer_id
					AND o.municipality_id = pl.municipality_id) AS released,
				count(*) FILTER (WHERE t.status <> 'CANCELLED') AS claimed,
				count(*) FILTER (WHERE t.status = 'REDEEMED') AS redeemed,
				sum(t.value_ore) FILTER (WHERE t.status = 'REDEEMED') AS redeemed_ore
			FROM card_tickets t JOIN card_offers o ON o.id = t.offer_id
			WHERE o.shared_offer_id = pl.shared_offer_id AND o.municipality_id = pl.municipality_id) AS n ON true`)
}

// SharedOfferRequests lists the shares of shared providers' offers offered to this
// municipality, those waiting first, then newest (card coordinators and administrators),
// only those in status when given. Errors: UNAUTHENTICATED, FORBIDDEN, BAD_USER_INPUT
// naming "status".
func (s *Service) SharedOfferRequests(ctx context.Context, status *PlacementStatus) ([]*SharedOfferRequest, error) {
	// SECURITY: a municipality's card staff see what is offered to its programmes.
	c, err := requireRole(ctx, auth.RoleCardCoordinator, auth.RoleAdmin)
	if err != nil {
		return nil, err
	}
	if status != nil && !status.valid() {
		return nil, apperr.Invalid("status", "ChoiceInvalid", nil)
	}
	return s.sharedOfferRequests(ctx, c, status, nil)
}

func (s *Service) sharedOfferRequests(ctx context.Context, c caller, status *PlacementStatus,
	sharedID *uuid.UUID) ([]*SharedOfferRequest, error) {
	var pls []*Placement
	// SECURITY: only the shares offered to the request's municipality.
	q := placementQuery(s.db).Where("pl.municipality_id = ?", c.mid()).
		OrderExpr("pl.status = 'OFFERED' DESC, pl.offered_at DESC, pl.shared_offer_id DESC")
	if status != nil {
		q = q.Where("pl.status = ?", *status)
	}
	if sharedID != nil {
		q = q.Where("pl.shared_offer_id = ?", *sharedID)
	}
	if err := q.Scan(ctx, &pls); err != nil {
		return nil, database.MapError(err, "find placements", "offer")
	}
	out := make([]*SharedOfferRequest, 0, len(pls))
	if len(pls) == 0 {
		return out, nil
	}
	ids := make([]uuid.UUID, len(pls))
	for i, p := range pls {
		ids[i] = p.SharedOfferID
	}
	var rows []struct {
		SharedOffer `bun:",extend"`

		OrganisationName string `bun:"organisation_name,scanonly"`
		HomeSlug         string `bun:"home_slug,scanonly"`
		HomeName         string `bun:"home_name,scanonly"`
	}
	err := sharedOfferQuery(ctx, s.db, c).
		ColumnExpr("org.name AS organisation_name, hm.slug AS home_slug, hm.name AS home_name").
		Join("JOIN organisations AS org ON org.id = so.organisation_id").
		Join("JOIN municipalities AS hm ON hm.id = so.municipality_id").
		Where("so.id IN (?)", bun.In(ids)).Scan(ctx, &rows)
	if err != nil {
		return nil, database.MapError(err, "find shared offers", "offer")
	}
	byID := map[uuid.UUID]int{}
	for i := range rows {
		byID[rows[i].ID] = i
	}
	for _, p := range pls {
		r := &rows[byID[p.SharedOfferID]]
		out = append(out, &SharedOfferRequest{SharedOfferID: r.ID, OrganisationName: r.OrganisationName, HomeSlug: r.HomeSlug,
			HomeName: r.HomeName, Locale: r.Locale, Title: r.Title, Description: r.Description, HowToUse: r.HowToUse,
			MinAge: r.MinAge, MaxAge: r.MaxAge, Admits: r.Admits, ValidFrom: r.ValidFrom, ValidTo: r.ValidTo,
			EventAt: r.EventAt, ValueOre: r.ValueOre, Source: r.Source, Stock: p.Stock, Status: p.Status,
			Reason: p.Reason, OfferedAt: p.OfferedAt, OfferID: p.OfferID})
	}
	return out, nil
}

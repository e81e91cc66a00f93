package card

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/audit"
	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
)

// AgencyInput creates an agency (ID nil) or changes one.
type AgencyInput struct {
	ID   *uuid.UUID
	Name string
	Kind AgencyKind
}

// SaveAgency creates or changes an agency (card coordinators and administrators). Errors:
// UNAUTHENTICATED, FORBIDDEN, NOT_FOUND (no such agency here), BAD_USER_INPUT naming
// "input.name" or "input.kind", CONFLICT on "input.name" when another agency has the name.
func (s *Service) SaveAgency(ctx context.Context, in AgencyInput) (*Agency, error) {
	// SECURITY: the programme's staff keep the list of agencies.
	c, err := requireRole(ctx, auth.RoleCardCoordinator, auth.RoleAdmin)
	if err != nil {
		return nil, err
	}
	name := strings.TrimSpace(in.Name)
	if name == "" || utf8.RuneCountInString(name) > 200 {
		return nil, apperr.Invalid("input.name", "NameRequired", nil)
	}
	if !in.Kind.valid() {
		return nil, apperr.Invalid("input.kind", "ChoiceInvalid", nil)
	}
	a := &Agency{ID: newID(), MunicipalityID: c.mid(), Name: name, Kind: in.Kind}
	action := "create_card_agency"
	err = database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		var err error
		if in.ID == nil {
			_, err = tx.NewInsert().Model(a).Returning("created_at, updated_at").Exec(ctx)
		} else {
			a.ID, action = *in.ID, "update_card_agency"
			// SECURITY: only an agency of the request's municipality.
			err = tx.NewUpdate().Model(a).Column("name", "kind").Set("updated_at = now()").
				Where("id = ? AND municipality_id = ?", a.ID, c.mid()).Returning("created_at, updated_at").Scan(ctx)
		}
		if database.IsUniqueViolation(err) {
			return &apperr.Error{Code: apperr.Conflict, MessageID: "AgencyNameTaken", Field: "input.name", Err: err}
		}
		if err != nil {
			return database.MapError(err, "save agency", "agency")
		}
		return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: c.mid(), ActorID: c.actor(), Action: action,
			ItemType: "CardAgency", ItemID: &a.ID, Fields: []string{"name", "kind"}})
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// FindAgencies lists the municipality's agencies by name (card coordinators,
// administrators and caseworkers). Errors: UNAUTHENTICATED, FORBIDDEN.
func (s *Service) FindAgencies(ctx context.Context) ([]*Agency, error) {
	// SECURITY: staff of the card only.
	c, err := requireRole(ctx, auth.RoleCardCoordinator, auth.RoleAdmin, auth.RoleCaseworker)
	if err != nil {
		return nil, err
	}
	var out []*Agency
	err = s.db.NewSelect().Model(&out).Where("ag.municipality_id = ?", c.mid()).OrderExpr("ag.name COLLATE \"nb-x-icu\", ag.id").Scan(ctx)
	return out, database.MapError(err, "find agencies", "agency")
}

// SetCaseworkerAgency registers the agency a caseworker works at, or removes the
// registration when agencyID is nil (administrators only). The user must hold the
// CASEWORKER role. Errors: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND (no such user here),
// BAD_USER_INPUT naming "userId" (not a caseworker) or "agencyId" (no such agency here).
func (s *Service) SetCaseworkerAgency(ctx context.Context, userID uuid.UUID, agencyID *uuid.UUID) error {
	// SECURITY: only an administrator decides who issues cards for which agency.
	c, err := requireRole(ctx, auth.RoleAdmin)
	if err != nil {
		return err
	}
	return database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		// SECURITY: only a user of the request's municipality.
		ok, err := tx.NewSelect().Table("users").Where("id = ? AND municipality_id = ?", userID, c.mid()).Exists(ctx)
		if err != nil {
			return database.MapError(err, "find user", "user")
		}
		if !ok {
			return apperr.NotFoundf("user")
		}
		if agencyID == nil {
			if _, err := tx.ExecContext(ctx, "DELETE FROM card_caseworkers WHERE user_id = ?", userID); err != nil {
				return database.MapError(err, "remove caseworker", "user")
			}
		} else if err := s.registerCaseworker(ctx, tx, c, userID, *agencyID); err != nil {
			return err
		}
		return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: c.mid(), ActorID: c.actor(), Action: "set_caseworker_agency",
			ItemType: "User", ItemID: &userID, Fields: []string{"agency"}})
	})
}

func (s *Service) registerCaseworker(ctx context.Context, tx bun.IDB, c caller, userID, agencyID uuid.UUID) error {
	ok, err := tx.NewSelect().Table("municipal_roles").Where("user_id = ? AND role = ?", userID, auth.RoleCaseworker).Exists(ctx)
	if err != nil {
		return database.MapError(err, "find roles", "user")
	}
	if !ok {
		return apperr.Invalid("userId", "UserNotCaseworker", nil)
	}
	// SECURITY: only an agency of the request's municipality.
	ok, err = tx.NewSelect().Model((*Agency)(nil)).Where("id = ? AND municipality_id = ?", agencyID, c.mid()).Exists(ctx)
	if err != nil {
		return database.MapError(err, "find agency", "agency")
	}
	if !ok {
		return apperr.Invalid("agencyId", "UnknownAgency", nil)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO card_caseworkers (user_id, municipality_id, agency_id) VALUES (?, ?, ?)
		ON CONFLICT (user_id) DO UPDATE SET agency_id = EXCLUDED.agency_id`, userID, c.mid(), agencyID)
	return database.MapError(err, "register caseworker", "user")
}

// caseworkerAgency returns the agency the signed-in caseworker works at. Errors:
// FORBIDDEN when the caller is not a caseworker or is not registered at an agency.
func caseworkerAgency(ctx context.Context, db bun.IDB, c caller) (*Agency, error) {
	// SECURITY: a caseworker acts for the one agency an administrator registered them at.
	if !c.has(auth.RoleCaseworker) {
		return nil, apperr.New(apperr.Forbidden, "")
	}
	a := new(Agency)
	err := db.NewSelect().Model(a).Join("JOIN card_caseworkers cw ON cw.agency_id = ag.id").
		Where("cw.user_id = ? AND ag.municipality_id = ?", c.v.User.ID, c.mid()).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.New(apperr.Forbidden, "CaseworkerWithoutAgency")
	}
	if err != nil {
		return nil, database.MapError(err, "find caseworker agency", "agency")
	}
	return a, nil
}

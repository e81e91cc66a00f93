package portal

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/audit"
	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/tenant"
)

// CommitteeChanges is a neighbourhood committee as it is to be: its contact and its public
// members, in order.
type CommitteeChanges struct {
	Email, Phone, Website string
	Members               []CommitteeMember // Name and Role of each
}

// canKeep locks and returns the neighbourhood of the request's municipality when the viewer
// keeps its description and committee: one who keeps every listing (editsEveryListing), or
// a committee editor of this neighbourhood. Errors: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND.
func (s *Service) canKeep(ctx context.Context, tx bun.IDB, id uuid.UUID) (*Neighbourhood, *auth.Viewer, error) {
	t, err := tenant.Current(ctx)
	if err != nil {
		return nil, nil, err
	}
	v := auth.ViewerFrom(ctx)
	if v == nil || (v.User == nil && v.APIKey == nil) {
		return nil, nil, apperr.New(apperr.Unauthenticated, "")
	}
	n := new(Neighbourhood)
	// SECURITY: the request's municipality only; another's neighbourhood is NOT_FOUND.
	err = tx.NewSelect().Model(n).ExcludeColumn("area").
		Where("n.id = ? AND n.municipality_id = ?", id, t.ID()).
		For("UPDATE").
		Scan(ctx)
	if err != nil {
		return nil, nil, database.MapError(err, "find neighbourhood", "neighbourhood")
	}
	// SECURITY: administrators, municipal editors and catalogue:write keys keep every
	// neighbourhood; a committee editor only the one an administrator made them editor of.
	if editsEveryListing(v) {
		return n, v, nil
	}
	if v.User == nil {
		return nil, nil, apperr.New(apperr.Forbidden, "")
	}
	ok, err := tx.NewSelect().Table("neighbourhood_editors").
		Where("neighbourhood_id = ? AND user_id = ?", id, v.User.ID).
		Exists(ctx)
	if err != nil {
		return nil, nil, database.MapError(err, "check committee editor", "neighbourhood")
	}
	if !ok {
		return nil, nil, apperr.New(apperr.Forbidden, "")
	}
	return n, v, nil
}

// SetNeighbourhoodDescription writes the neighbourhood's description in one enabled locale
// ("" clears it there; left out, nothing changes); its name stays as the administrators
// wrote it, and reads fall back along the locale chain field by field. Errors: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND,
// BAD_USER_INPUT naming "locale" (not enabled) or "input.description".
func (s *Service) SetNeighbourhoodDescription(ctx context.Context, id uuid.UUID, locale string,
	description Patch[string]) (*Neighbourhood, error) {
	t, err := tenant.Current(ctx)
	if err != nil {
		return nil, err
	}
	if err := t.CheckEnabled(locale, "locale"); err != nil {
		return nil, err
	}
	if description.Value, err = CheckText(description.Value, 20000, "input.description"); err != nil {
		return nil, err
	}
	var out *Neighbourhood
	err = database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		// SECURITY: those who keep the neighbourhood (canKeep).
		n, v, err := s.canKeep(ctx, tx, id)
		if err != nil || !description.Set {
			out = n
			return err
		}
		err = execAll(ctx, tx, "write neighbourhood description", "neighbourhood", []stmt{
			{`INSERT INTO neighbourhood_translations (neighbourhood_id, municipality_id, locale, name, description)
				VALUES (?, ?, ?, '', ?)
				ON CONFLICT (neighbourhood_id, locale) DO UPDATE SET description = EXCLUDED.description`,
				[]any{n.ID, n.MunicipalityID, locale, description.Value}},
			{`DELETE FROM neighbourhood_translations
				WHERE neighbourhood_id = ? AND name = '' AND description = ''`, []any{n.ID}},
			{"UPDATE neighbourhoods SET updated_at = now() WHERE id = ?", []any{n.ID}},
		})
		if err != nil {
			return err
		}
		out = n
		return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: n.MunicipalityID, ActorID: actor(v),
			Action: "set_neighbourhood_description", ItemType: "Neighbourhood", ItemID: &n.ID, Fields: []string{"description"}})
	})
	return out, err
}

// SetNeighbourhoodCommittee replaces the committee's contact and public members. Errors:
// UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, BAD_USER_INPUT naming the field
// ("input.email", "input.members[i].name", ...).
func (s *Service) SetNeighbourhoodCommittee(ctx context.Context, id uuid.UUID,
	c CommitteeChanges) (*Neighbourhood, error) {
	if err := checkCommittee(&c, "input."); err != nil {
		return nil, err
	}
	var out *Neighbourhood
	err := database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		// SECURITY: those who keep the neighbourhood (canKeep).
		n, v, err := s.canKeep(ctx, tx, id)
		if err != nil {
			return err
		}
		n.CommitteeEmail, n.CommitteePhone, n.CommitteeWebsite = c.Email, c.Phone, c.Website
		_, err = tx.NewUpdate().Model(n).
			Column("committee_email", "committee_phone", "committee_website").
			Set("updated_at = now()").
			WherePK().
			Exec(ctx)
		if err != nil {
			return database.MapError(err, "write committee", "neighbourhood")
		}
		if err := writeCommitteeMembers(ctx, tx, n, c.Members); err != nil {
			return err
		}
		out = n
		return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: n.MunicipalityID, ActorID: actor(v),
			Action: "set_neighbourhood_committee", ItemType: "Neighbourhood", ItemID: &n.ID, Fields: []string{"committee"}})
	})
	return out, err
}

// checkCommittee validates and normalises c; prefix starts every field name.
func checkCommittee(c *CommitteeChanges, prefix string) error {
	var err error
	if c.Website, err = CheckURL(c.Website, prefix+"website"); err != nil {
		return err
	}
	if c.Phone, err = CheckPhone(c.Phone, prefix+"phone"); err != nil {
		return err
	}
	if c.Email != "" {
		if c.Email, err = auth.NormaliseEmail(c.Email, prefix+"email"); err != nil {
			return err
		}
	}
	for i := range c.Members {
		m := &c.Members[i]
		field := fmt.Sprintf("%smembers[%d].", prefix, i)
		if m.Name, err = CheckText(m.Name, 200, field+"name"); err != nil {
			return err
		}
		if m.Name == "" {
			return apperr.Invalid(field+"name", "NameRequired", nil)
		}
		if m.Role, err = CheckText(m.Role, 200, field+"role"); err != nil {
			return err
		}
	}
	return nil
}

// writeCommitteeMembers replaces the committee's public members with ms, in order.
func writeCommitteeMembers(ctx context.Context, tx bun.IDB, n *Neighbourhood, ms []CommitteeMember) error {
	if _, err := tx.ExecContext(ctx, "DELETE FROM committee_members WHERE neighbourhood_id = ?", n.ID); err != nil {
		return database.MapError(err, "write committee members", "neighbourhood")
	}
	for i, m := range ms {
		cm := &CommitteeMember{ID: newID(), NeighbourhoodID: n.ID, MunicipalityID: n.MunicipalityID,
			Name: m.Name, Role: m.Role, SortOrder: i + 1}
		if _, err := tx.NewInsert().Model(cm).Exec(ctx); err != nil {
			return database.MapError(err, "write committee member", "neighbourhood")
		}
	}
	return nil
}

// SetNeighbourhoodEditor makes a user of the municipality a committee editor of the
// neighbourhood (editor true) or ends it (false); doing what is already so changes nothing.
// Errors: UNAUTHENTICATED, FORBIDDEN (administrators only), NOT_FOUND (a neighbourhood or
// user of another municipality).
func (s *Service) SetNeighbourhoodEditor(ctx context.Context, id, userID uuid.UUID,
	editor bool) (*Neighbourhood, error) {
	// SECURITY: only an administrator of the request's municipality decides who keeps a
	// neighbourhood.
	v, t, err := requireAdmin(ctx)
	if err != nil {
		return nil, err
	}
	n := new(Neighbourhood)
	err = database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		// SECURITY: a neighbourhood and a user of the request's municipality only.
		err := tx.NewSelect().Model(n).ExcludeColumn("area").
			Where("n.id = ? AND n.municipality_id = ?", id, t.ID()).
			Scan(ctx)
		if err != nil {
			return database.MapError(err, "find neighbourhood", "neighbourhood")
		}
		ok, err := tx.NewSelect().Table("users").Where("id = ? AND municipality_id = ?", userID, t.ID()).Exists(ctx)
		if err != nil {
			return database.MapError(err, "find user", "user")
		}
		if !ok {
			return apperr.NotFoundf("user")
		}
		q := `INSERT INTO neighbourhood_editors (municipality_id, neighbourhood_id, user_id) VALUES (?, ?, ?)
			ON CONFLICT DO NOTHING`
		if !editor {
			q = "DELETE FROM neighbourhood_editors WHERE municipality_id = ? AND neighbourhood_id = ? AND user_id = ?"
		}
		if _, err := tx.ExecContext(ctx, q, t.ID(), n.ID, userID); err != nil {
			return database.MapError(err, "set committee editor", "neighbourhood")
		}
		return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: t.ID(), ActorID: &v.User.ID,
			Action: "set_neighbourhood_editor", ItemType: "Neighbourhood", ItemID: &n.ID, Fields: []string{"editors"}})
	})
	if err != nil {
		return nil, err
	}
	return n, nil
}

// KeptNeighbourhoods returns the IDs of the neighbourhoods the signed-in user is a committee
// editor of, in the request's municipality; none for anyone else.
func (s *Service) KeptNeighbourhoods(ctx context.Context) ([]uuid.UUID, error) {
	t, err := tenant.Current(ctx)
	if err != nil {
		return nil, err
	}
	v := auth.ViewerFrom(ctx)
	// SECURITY: one's own committees only.
	if v == nil || v.User == nil {
		return nil, nil
	}
	var ids []uuid.UUID
	err = s.db.NewSelect().Table("neighbourhood_editors").Column("neighbourhood_id").
		Where("user_id = ? AND municipality_id = ?", v.User.ID, t.ID()).
		Scan(ctx, &ids)
	return ids, database.MapError(err, "find kept neighbourhoods", "neighbourhood")
}

// FindNeighbourhoodEditors returns the committee editors of the municipality's
// neighbourhoods, by neighbourhood, each list by name. Errors: UNAUTHENTICATED, FORBIDDEN
// (administrators only).
func (s *Service) FindNeighbourhoodEditors(ctx context.Context) (map[uuid.UUID][]*auth.User, error) {
	// SECURITY: who keeps which neighbourhood is for the administrators who decide it.
	_, t, err := requireAdmin(ctx)
	if err != nil {
		return nil, err
	}
	var rows []struct {
		auth.User       `bun:",extend"`
		NeighbourhoodID uuid.UUID `bun:"neighbourhood_id,type:uuid"`
	}
	err = s.db.NewSelect().Model(&rows).
		ColumnExpr("u.id, u.email, u.display_name, ne.neighbourhood_id").
		Join("JOIN neighbourhood_editors AS ne ON ne.user_id = u.id").
		Where("ne.municipality_id = ?", t.ID()).
		OrderExpr(`u.display_name COLLATE "nb-x-icu", u.email`).
		Scan(ctx)
	if err != nil {
		return nil, database.MapError(err, "find committee editors", "neighbourhood")
	}
	out := map[uuid.UUID][]*auth.User{}
	for i := range rows {
		out[rows[i].NeighbourhoodID] = append(out[rows[i].NeighbourhoodID], &rows[i].User)
	}
	return out, nil
}

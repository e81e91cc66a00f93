package portal

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/audit"
	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/mail"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/i18n"
	"github.com/fritid/fritid/internal/tenant"
)

// Accounts is what registration needs from identity: new accounts inside its transaction.
type Accounts interface {
	NewAccount(ctx context.Context, tx bun.IDB, mid uuid.UUID, email, password, name, fieldPrefix string) (*auth.User, string, error)
}

// RegisterInput is a new organisation and, for a caller who is not signed in, its owner's
// new account.
type RegisterInput struct {
	Name        string
	Kind        OrganisationKind
	OrgNumber   *string
	CategoryIDs []uuid.UUID
	Email       string
	Summary     string
	Owner       *NewOwner
}

// NewOwner is the account to create for the owner of a registered organisation.
type NewOwner struct {
	Email, Password, DisplayName string
}

// RegisterOrganisation creates a PENDING organisation with its OWNER: the signed-in user,
// or a new account whose e-mail is then verified through a link sent by e-mail. The
// municipality's administrators are told by e-mail and approve it before the public sees it. Errors: BAD_USER_INPUT naming the
// field, CONFLICT for a taken owner e-mail, FORBIDDEN for an API key.
func (s *Service) RegisterOrganisation(ctx context.Context, in RegisterInput) (*Organisation, error) {
	t, err := tenant.Current(ctx)
	if err != nil {
		return nil, err
	}
	v := auth.ViewerFrom(ctx)
	// SECURITY: anyone may register an organisation; a machine client may not own one.
	if v != nil && v.APIKey != nil {
		return nil, apperr.New(apperr.Forbidden, "")
	}
	o, err := s.validateRegistration(ctx, t, &in)
	if err != nil {
		return nil, err
	}
	err = database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		ownerID, err := s.owner(ctx, tx, t, v, in.Owner)
		if err != nil {
			return err
		}
		if o.Slug, err = freeSlug(ctx, tx, "organisations", t.ID(), in.Name); err != nil {
			return err
		}
		if err := s.insertRegistration(ctx, tx, o, in, ownerID); err != nil {
			return err
		}
		return s.tellAdmins(ctx, tx, t, o)
	})
	if err != nil {
		return nil, err
	}
	return o, nil
}

func (s *Service) validateRegistration(ctx context.Context, t *tenant.Tenant, in *RegisterInput) (*Organisation, error) {
	in.Name = strings.TrimSpace(in.Name)
	if in.Name == "" || len(in.Name) > 200 {
		return nil, apperr.Invalid("input.name", "NameRequired", nil)
	}
	if in.OrgNumber != nil && !ValidOrgNumber(*in.OrgNumber) {
		return nil, invalidOrgNumber("input.orgNumber")
	}
	if in.Email != "" {
		e, err := auth.NormaliseEmail(in.Email, "input.email")
		if err != nil {
			return nil, err
		}
		in.Email = e
	}
	if len(in.Summary) > 1000 {
		return nil, apperr.Invalid("input.summary", "TextTooLong", map[string]any{"Max": 1000})
	}
	if len(in.CategoryIDs) > 0 {
		tax, err := s.FindTaxonomy(ctx)
		if err != nil {
			return nil, err
		}
		for _, id := range in.CategoryIDs {
			if _, err := tax.ByID(id); err != nil {
				return nil, apperr.Invalid("input.categories", "UnknownCategory", nil)
			}
		}
	}
	return &Organisation{ID: newID(), MunicipalityID: t.ID(), Name: in.Name, Kind: in.Kind, OrgNumber: in.OrgNumber,
		Email: in.Email, Status: OrganisationPending}, nil
}

// owner returns the owner's user ID: the signed-in user, or a new account (with its
// verification e-mail queued).
func (s *Service) owner(ctx context.Context, tx bun.IDB, t *tenant.Tenant, v *auth.Viewer, in *NewOwner) (uuid.UUID, error) {
	if v != nil && v.User != nil {
		return v.User.ID, nil
	}
	if in == nil {
		return uuid.Nil, apperr.Invalid("input.owner", "OwnerRequired", nil)
	}
	u, token, err := s.Accounts.NewAccount(ctx, tx, t.ID(), in.Email, in.Password, in.DisplayName, "input.owner")
	if err != nil {
		return uuid.Nil, err
	}
	return u.ID, mail.Enqueue(ctx, tx, &mail.Message{MunicipalityID: t.ID(), Template: "VerifyEmail", To: u.Email,
		Locale: i18n.FromContext(ctx).Code, Data: map[string]any{"Municipality": t.Municipality.Name, "Link": s.PublicURL + "/verify-email?token=" + token}})
}

func (s *Service) insertRegistration(ctx context.Context, tx bun.IDB, o *Organisation, in RegisterInput, ownerID uuid.UUID) error {
	if _, err := tx.NewInsert().Model(o).Returning("created_at, updated_at").Exec(ctx); err != nil {
		return database.MapError(err, "insert organisation", "organisation")
	}
	if in.Summary != "" {
		tr := &OrganisationTranslation{OrganisationID: o.ID, MunicipalityID: o.MunicipalityID, Locale: i18n.FromContext(ctx).Code, Summary: in.Summary}
		if _, err := tx.NewInsert().Model(tr).Exec(ctx); err != nil {
			return database.MapError(err, "insert organisation text", "organisation")
		}
	}
	for _, c := range in.CategoryIDs {
		if _, err := tx.ExecContext(ctx, "INSERT INTO organisation_categories (organisation_id, category_id, municipality_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING", o.ID, c, o.MunicipalityID); err != nil {
			return database.MapError(err, "insert organisation category", "organisation")
		}
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO organisation_members (municipality_id, organisation_id, user_id, role) VALUES (?, ?, ?, 'OWNER')", o.MunicipalityID, o.ID, ownerID); err != nil {
		return database.MapError(err, "insert owner", "organisation")
	}
	if err := s.saveRevision(ctx, tx, o.MunicipalityID, "Organisation", o.ID, &ownerID); err != nil {
		return err
	}
	return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: o.MunicipalityID, ActorID: &ownerID, Action: "register_organisation",
		ItemType: "Organisation", ItemID: &o.ID, Fields: []string{"name", "kind", "orgNumber", "email", "categories", "summary"}})
}

// freeSlug makes a URL-safe slug from name that no row of table ("organisations" or
// "activities") in the municipality has, adding -2, -3 ... when needed.
func freeSlug(ctx context.Context, db bun.IDB, table string, mid uuid.UUID, name string) (string, error) {
	base := Slugify(name)
	for i := 1; i < 1000; i++ {
		slug := base
		if i > 1 {
			slug = fmt.Sprintf("%s-%d", strings.TrimRight(base[:min(len(base), 58)], "-"), i)
		}
		exists, err := db.NewSelect().Table(table).Where("municipality_id = ? AND slug = ?", mid, slug).Exists(ctx)
		if err != nil {
			return "", database.MapError(err, "check slug", table)
		}
		if !exists {
			return slug, nil
		}
	}
	return "", apperr.New(apperr.Conflict, "SlugTaken")
}

// Slugify turns a name into a slug: lower case a–z, 0–9 and hyphens (æ→ae, ø→o, å→a).
func Slugify(name string) string {
	r := strings.NewReplacer("æ", "ae", "ø", "o", "å", "a", "Æ", "ae", "Ø", "o", "Å", "a", "é", "e", "ü", "u", "ö", "o", "ä", "a")
	var b strings.Builder
	dash := false
	for _, c := range strings.ToLower(r.Replace(name)) {
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
			b.WriteRune(c)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	s := strings.Trim(b.String(), "-")
	if len(s) > 63 {
		s = strings.TrimRight(s[:63], "-")
	}
	if len(s) < 2 {
		s = "lag-" + s
	}
	return strings.TrimRight(s, "-")
}

package portal

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/audit"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/tenant"
)

// A provider with a wider scope (a county's bus company, a national cinema chain) keeps its
// one listing in its home municipality and asks to be shown in others: each of those
// municipalities' administrators accepts or drops it. Once accepted, its published listing
// and activities are read in that municipality's portal as its own are (shared_scope.go),
// and stay read-only there: only the provider's members and its home municipality edit it.

// ProviderScope is the area a provider says it serves.
type ProviderScope string

// The provider scopes.
const (
	ScopeMunicipality ProviderScope = "MUNICIPALITY"
	ScopeRegion       ProviderScope = "REGION"
	ScopeCountry      ProviderScope = "COUNTRY"
)

// ServingStatus is where a provider's request to serve a municipality stands.
type ServingStatus string

// The serving statuses.
const (
	ServingRequested ServingStatus = "REQUESTED"
	ServingAccepted  ServingStatus = "ACCEPTED"
	ServingDropped   ServingStatus = "DROPPED"
)

// MunicipalityRef names a municipality.
type MunicipalityRef struct {
	Slug string
	Name string
}

// ServedMunicipality is a provider's request to be shown in a municipality, and its answer.
type ServedMunicipality struct {
	bun.BaseModel `bun:"table:provider_municipalities,alias:pm"`

	OrganisationID     uuid.UUID     `bun:"organisation_id,pk,type:uuid"`
	HomeMunicipalityID uuid.UUID     `bun:"home_municipality_id,type:uuid"`
	MunicipalityID     uuid.UUID     `bun:"municipality_id,pk,type:uuid"`
	Status             ServingStatus `bun:"status"`
	RequestedAt        time.Time     `bun:"requested_at,nullzero,notnull,default:current_timestamp"`
	DecidedAt          *time.Time    `bun:"decided_at"`

	OrganisationName string        `bun:"organisation_name,scanonly"`
	Scope            ProviderScope `bun:"scope,scanonly"`
	Region           string        `bun:"region,scanonly"`
	HomeSlug         string        `bun:"home_slug,scanonly"`
	HomeName         string        `bun:"home_name,scanonly"`
	Slug             string        `bun:"slug,scanonly"`
	Name             string        `bun:"name,scanonly"`
}

// Home returns the provider's home municipality.
func (m *ServedMunicipality) Home() *MunicipalityRef {
	return &MunicipalityRef{Slug: m.HomeSlug, Name: m.HomeName}
}

// Municipality returns the municipality the provider serves or asks to serve.
func (m *ServedMunicipality) Municipality() *MunicipalityRef {
	return &MunicipalityRef{Slug: m.Slug, Name: m.Name}
}

// servedQuery selects provider_municipalities "pm" with the names ServedMunicipality shows.
func servedQuery(db bun.IDB, rows any) *bun.SelectQuery {
	return db.NewSelect().Model(rows).
		Join("JOIN organisations o ON o.id = pm.organisation_id AND o.municipality_id = pm.home_municipality_id").
		Join("JOIN municipalities hm ON hm.id = pm.home_municipality_id").
		Join("JOIN municipalities m ON m.id = pm.municipality_id").
		ColumnExpr("pm.*, o.name AS organisation_name, o.scope, o.region").
		ColumnExpr("hm.slug AS home_slug, hm.name AS home_name, m.slug, m.name")
}

// findServed reads the row of organisation id in municipality mid, with its names.
func findServed(ctx context.Context, db bun.IDB, id, mid uuid.UUID) (*ServedMunicipality, error) {
	out := new(ServedMunicipality)
	err := servedQuery(db, out).Where("pm.organisation_id = ? AND pm.municipality_id = ?", id, mid).Scan(ctx)
	return out, database.MapError(err, "find served municipality", "organisation")
}

// SetProviderScope sets the area organisation id says it serves: its home municipality
// only, a county (region names it) or the whole country. Only a provider of wider scope may
// ask other municipalities to show it. Errors: UNAUTHENTICATED, FORBIDDEN (not its owner or
// editor, nor one who keeps every listing of its home municipality; a municipality that
// only shows it: FORBIDDEN naming "organisationId"), NOT_FOUND, BAD_USER_INPUT naming
// "region" (needed for REGION, at most 100 characters, empty otherwise), CONFLICT naming
// "scope" when MUNICIPALITY is set while it still serves or asks to serve others.
func (s *Service) SetProviderScope(ctx context.Context, id uuid.UUID, scope ProviderScope, region string) (
	*Organisation, error) {
	region = strings.TrimSpace(region)
	switch {
	case scope != ScopeMunicipality && scope != ScopeRegion && scope != ScopeCountry:
		return nil, apperr.Invalid("scope", "ProviderScopeInvalid", nil)
	case scope == ScopeRegion && (region == "" || len([]rune(region)) > 100):
		return nil, apperr.Invalid("region", "ProviderRegionRequired", nil)
	case scope != ScopeRegion && region != "":
		return nil, apperr.Invalid("region", "ProviderRegionOnlyForRegion", nil)
	}
	var out *Organisation
	err := database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		// SECURITY: the organisation's owners and editors, and those who keep every listing
		// of its home municipality (canEdit); a municipality showing it cannot.
		o, v, err := s.canEdit(ctx, tx, id)
		if err != nil {
			return sharedField(err, "organisationId")
		}
		if scope == ScopeMunicipality {
			busy, err := tx.NewSelect().Table("provider_municipalities").
				Where("organisation_id = ? AND status <> ?", o.ID, ServingDropped).Exists(ctx)
			if err != nil {
				return database.MapError(err, "find served municipalities", "organisation")
			}
			if busy {
				return &apperr.Error{Code: apperr.Conflict, MessageID: "ProviderStillServes", Field: "scope"}
			}
		}
		_, err = tx.NewUpdate().Model(o).Set("scope = ?, region = ?, updated_at = now()", scope, region).
			WherePK().Returning("scope, region, updated_at").Exec(ctx)
		if err != nil {
			return database.MapError(err, "set provider scope", "organisation")
		}
		o.Scope, o.Region, out = scope, region, o
		return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: o.MunicipalityID, ActorID: actor(v),
			Action: "set_provider_scope", ItemType: "Organisation", ItemID: &o.ID, Fields: []string{"scope", "region"}})
	})
	return out, err
}

// RequestMunicipality asks the municipality with slug municipality to show organisation id
// (of the request's municipality, its home) in its portal; its administrators accept or
// drop it. Asking again after being dropped asks anew; asking while waiting or accepted
// changes nothing. Errors: UNAUTHENTICATED, FORBIDDEN (as SetProviderScope), NOT_FOUND
// naming "organisationId" or "municipality", BAD_USER_INPUT naming "organisationId" for a
// provider of MUNICIPALITY scope or "municipality" for its home municipality, CONFLICT
// naming "organisationId" while it is not published.
func (s *Service) RequestMunicipality(ctx context.Context, id uuid.UUID, municipality string) (
	*ServedMunicipality, error) {
	var out *ServedMunicipality
	err := database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		// SECURITY: as SetProviderScope (canEdit, home municipality only).
		o, v, err := s.canEdit(ctx, tx, id)
		if err != nil {
			return sharedField(err, "organisationId")
		}
		if o.Scope == ScopeMunicipality || o.Scope == "" {
			return apperr.Invalid("organisationId", "ProviderScopeLocal", nil)
		}
		if o.Status != OrganisationPublished {
			return &apperr.Error{Code: apperr.Conflict, MessageID: "ProviderNotPublished", Field: "organisationId"}
		}
		mid, err := municipalityIDBySlug(ctx, tx, municipality)
		if err != nil {
			return err
		}
		if mid == o.MunicipalityID {
			return apperr.Invalid("municipality", "ProviderHomeMunicipality", nil)
		}
		res, err := tx.NewRaw(`INSERT INTO provider_municipalities (organisation_id, home_municipality_id, municipality_id)
			VALUES (?, ?, ?) ON CONFLICT (organisation_id, municipality_id) DO UPDATE
			SET status = 'REQUESTED', requested_at = now(), decided_at = NULL
			WHERE provider_municipalities.status = 'DROPPED'`, o.ID, o.MunicipalityID, mid).Exec(ctx)
		if err != nil {
			return database.MapError(err, "request municipality", "municipality")
		}
		if n, _ := res.RowsAffected(); n == 1 {
			// A new request: the municipality's administrators, who answer it, hear of it.
			if err := s.tellOfRequest(ctx, tx, o, mid); err != nil {
				return err
			}
		}
		if out, err = findServed(ctx, tx, o.ID, mid); err != nil {
			return err
		}
		return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: o.MunicipalityID, ActorID: actor(v),
			Action: "request_municipality", ItemType: "Organisation", ItemID: &o.ID,
			Fields: []string{"municipalities"}})
	})
	return out, err
}

// tellOfRequest e-mails the administrators of municipality mid, in its language, that
// provider o of another municipality asks to be shown in its portal.
func (s *Service) tellOfRequest(ctx context.Context, tx bun.IDB, o *Organisation, mid uuid.UUID) error {
	var m struct {
		Name          string `bun:"name"`
		DefaultLocale string `bun:"default_locale"`
		Home          string `bun:"home"`
	}
	err := tx.NewSelect().TableExpr("municipalities AS m").ColumnExpr("m.name, m.default_locale").
		ColumnExpr("(SELECT h.name FROM municipalities h WHERE h.id = ?) AS home", o.MunicipalityID).
		Where("m.id = ?", mid).Scan(ctx, &m)
	if err != nil {
		return database.MapError(err, "find municipality", "municipality")
	}
	return s.mailAdmins(ctx, tx, mid, m.DefaultLocale, "ProviderRequested",
		map[string]any{"Name": o.Name, "Home": m.Home, "Municipality": m.Name, "Link": s.PublicURL})
}

// WithdrawMunicipality stops organisation id (of the request's municipality) being shown in,
// or asking to be shown in, the municipality with slug municipality; its activities' limits
// to it go too. Errors: UNAUTHENTICATED, FORBIDDEN (as SetProviderScope), NOT_FOUND naming
// "organisationId" or "municipality" (also when it neither serves nor asked to serve it).
func (s *Service) WithdrawMunicipality(ctx context.Context, id uuid.UUID, municipality string) error {
	return database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		// SECURITY: as SetProviderScope (canEdit, home municipality only).
		o, v, err := s.canEdit(ctx, tx, id)
		if err != nil {
			return sharedField(err, "organisationId")
		}
		mid, err := municipalityIDBySlug(ctx, tx, municipality)
		if err != nil {
			return err
		}
		res, err := tx.NewDelete().Table("provider_municipalities").
			Where("organisation_id = ? AND municipality_id = ?", o.ID, mid).Exec(ctx)
		if err != nil {
			return database.MapError(err, "withdraw municipality", "municipality")
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.NotFoundf("municipality").WithField("municipality")
		}
		_, err = tx.NewDelete().Table("activity_municipalities").
			Where("home_municipality_id = ? AND municipality_id = ?", o.MunicipalityID, mid).
			Where("activity_id IN (SELECT a.id FROM activities a WHERE a.organisation_id = ?)", o.ID).Exec(ctx)
		if err != nil {
			return database.MapError(err, "withdraw activities", "municipality")
		}
		_, err = tx.NewDelete().Table("event_municipalities").
			Where("home_municipality_id = ? AND municipality_id = ?", o.MunicipalityID, mid).
			Where("event_id IN (SELECT e.id FROM events e WHERE e.organisation_id = ?)", o.ID).Exec(ctx)
		if err != nil {
			return database.MapError(err, "withdraw events", "municipality")
		}
		return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: o.MunicipalityID, ActorID: actor(v),
			Action: "withdraw_municipality", ItemType: "Organisation", ItemID: &o.ID,
			Fields: []string{"municipalities"}})
	})
}

// municipalityIDBySlug returns the ID of the municipality with slug. Errors: NOT_FOUND
// naming "municipality".
func municipalityIDBySlug(ctx context.Context, db bun.IDB, slug string) (uuid.UUID, error) {
	var id uuid.UUID
	err := db.NewSelect().Table("municipalities").Column("id").Where("slug = ?", strings.TrimSpace(slug)).
		Scan(ctx, &id)
	if err != nil {
		err = database.MapError(err, "find municipality", "municipality")
		if e := apperr.As(err); e != nil && e.Code == apperr.NotFound {
			return uuid.Nil, e.WithField("municipality")
		}
	}
	return id, err
}

// ProviderRequests returns the providers of other municipalities that asked to be shown in
// the request's municipality, by status when given (waiting ones first, then by name).
// Errors: UNAUTHENTICATED, FORBIDDEN (not an administrator).
func (s *Service) ProviderRequests(ctx context.Context, status *ServingStatus) ([]*ServedMunicipality, error) {
	// SECURITY: only the request's municipality's administrators, and only its own rows.
	_, t, err := requireAdmin(ctx)
	if err != nil {
		return nil, err
	}
	var out []*ServedMunicipality
	q := servedQuery(s.reader(ctx), &out).Where("pm.municipality_id = ?", t.ID())
	if status != nil {
		q = q.Where("pm.status = ?", *status)
	}
	err = q.OrderExpr(`pm.status = 'REQUESTED' DESC, o.name COLLATE "nb-x-icu", pm.organisation_id`).Scan(ctx)
	return out, database.MapError(err, "find provider requests", "organisation")
}

// AcceptProvider shows organisation id, of another municipality, in the request's
// municipality's portal: its published listing and activities (those not limited to other
// municipalities) in lists, search, filters and the map. Accepting one accepted
// already changes nothing. Errors: UNAUTHENTICATED, FORBIDDEN (not an administrator),
// NOT_FOUND naming "organisationId" when it has not asked to be shown here.
func (s *Service) AcceptProvider(ctx context.Context, id uuid.UUID) (*ServedMunicipality, error) {
	return s.decideProvider(ctx, id, ServingAccepted, "accept_provider")
}

// DropProvider turns down or stops showing organisation id, of another municipality, in the
// request's municipality's portal. Errors as AcceptProvider.
func (s *Service) DropProvider(ctx context.Context, id uuid.UUID) (*ServedMunicipality, error) {
	return s.decideProvider(ctx, id, ServingDropped, "drop_provider")
}

func (s *Service) decideProvider(ctx context.Context, id uuid.UUID, status ServingStatus, action string) (
	*ServedMunicipality, error) {
	// SECURITY: only an administrator of the request's municipality decides, and only on a
	// request made to it.
	v, t, err := requireAdmin(ctx)
	if err != nil {
		return nil, err
	}
	var out *ServedMunicipality
	err = database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewUpdate().Table("provider_municipalities").
			Set("status = ?, decided_at = CASE WHEN status = ? THEN decided_at ELSE now() END", status, status).
			Where("organisation_id = ? AND municipality_id = ?", id, t.ID()).Exec(ctx)
		if err != nil {
			return database.MapError(err, action, "organisation")
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.NotFoundf("organisation").WithField("organisationId")
		}
		if out, err = findServed(ctx, tx, id, t.ID()); err != nil {
			return err
		}
		return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: t.ID(), ActorID: actor(v), Action: action,
			ItemType: "Organisation", ItemID: &id, Fields: []string{"status"}})
	})
	s.forgetHomes(t.ID())
	return out, err
}

// ServedMunicipalities returns, by organisation, the municipalities each of ids serves or
// asked to serve, for those of them the caller edits (their owners and editors, and those
// who keep every listing of the request's municipality, the providers' home); the others
// are absent.
func (s *Service) ServedMunicipalities(ctx context.Context, ids []uuid.UUID) (
	map[uuid.UUID][]*ServedMunicipality, error) {
	sc, err := editorScope(ctx)
	if err != nil {
		return nil, err
	}
	if sc.editor == uuid.Nil && !sc.everyListing {
		return map[uuid.UUID][]*ServedMunicipality{}, nil
	}
	// SECURITY: organisations of the request's municipality only (their home), that the
	// caller keeps: a member who edits, or one who keeps every listing.
	var rows []*ServedMunicipality
	q := servedQuery(s.reader(ctx), &rows).
		Where("pm.organisation_id IN (?) AND pm.home_municipality_id = ?", bun.In(ids), sc.municipalityID)
	if !sc.everyListing {
		q = q.Where("pm.organisation_id IN ("+editedBy+")", sc.editor)
	}
	if err := q.OrderExpr(`m.name COLLATE "nb-x-icu"`).Scan(ctx); err != nil {
		return nil, database.MapError(err, "find served municipalities", "organisation")
	}
	return group(rows, func(r *ServedMunicipality) uuid.UUID { return r.OrganisationID }), nil
}

// EditsOrganisation reports whether the caller may see organisation id's editing details
// (ServedMunicipalities): it is of the request's municipality and the caller keeps it.
func (s *Service) EditsOrganisation(ctx context.Context, o *Organisation) bool {
	sc, err := editorScope(ctx)
	if err != nil || o.MunicipalityID != sc.municipalityID {
		return false
	}
	if sc.everyListing {
		return true
	}
	if sc.editor == uuid.Nil {
		return false
	}
	ok, err := s.reader(ctx).NewSelect().Table("organisation_members").
		Where("organisation_id = ? AND user_id = ? AND role IN ('OWNER', 'EDITOR')", o.ID, sc.editor).Exists(ctx)
	return err == nil && ok
}

// HomeMunicipality returns the municipality organisation o belongs to, where its listing
// is kept.
func (s *Service) HomeMunicipality(ctx context.Context, o *Organisation) (*MunicipalityRef, error) {
	if t := tenant.FromContext(ctx); t != nil && t.ID() == o.MunicipalityID {
		return &MunicipalityRef{Slug: t.Municipality.Slug, Name: t.Municipality.Name}, nil
	}
	out := new(MunicipalityRef)
	err := s.reader(ctx).NewSelect().Table("municipalities").Column("slug", "name").
		Where("id = ?", o.MunicipalityID).Scan(ctx, &out.Slug, &out.Name)
	return out, database.MapError(err, "find home municipality", "municipality")
}

// SetActivityMunicipalities limits activity id, of a provider of the request's
// municipality, to some of the municipalities the provider serves or asked to serve
// (slugs; empty: every one it serves). Its home municipality always shows it. Errors:
// UNAUTHENTICATED, FORBIDDEN (as editing the activity), NOT_FOUND, BAD_USER_INPUT naming
// "municipalities[i]" for one the provider neither serves nor asked to serve.
func (s *Service) SetActivityMunicipalities(ctx context.Context, id uuid.UUID, slugs []string) (*Activity, error) {
	var out *Activity
	err := database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		// SECURITY: editing an activity is editing its organisation (editableActivity).
		a, v, err := s.editableActivity(ctx, tx, id)
		if err != nil {
			return sharedField(err, "activityId")
		}
		mids, err := ServingMunicipalities(ctx, tx, &a.OrganisationID, slugs)
		if err != nil {
			return err
		}
		if _, err := tx.NewDelete().Table("activity_municipalities").Where("activity_id = ?", a.ID).
			Exec(ctx); err != nil {
			return database.MapError(err, "set activity municipalities", "activity")
		}
		for _, mid := range mids {
			_, err := tx.NewRaw(`INSERT INTO activity_municipalities
				(activity_id, home_municipality_id, municipality_id)
				VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, a.ID, a.MunicipalityID, mid).
				Exec(ctx)
			if err != nil {
				return database.MapError(err, "set activity municipalities", "activity")
			}
		}
		out = a
		return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: a.MunicipalityID, ActorID: actor(v),
			Action: "set_activity_municipalities", ItemType: "Activity", ItemID: &a.ID,
			Fields: []string{"municipalities"}})
	})
	return out, err
}

// ServingMunicipalities returns the IDs of the municipalities with slugs that provider
// org serves or asked to serve (not dropped), in order, for limiting one of its activities
// or events to them. Errors: BAD_USER_INPUT naming "municipalities[i]" (ProviderNotServing;
// every slug when org is nil, the municipality's own item).
func ServingMunicipalities(ctx context.Context, db bun.IDB, org *uuid.UUID, slugs []string) ([]uuid.UUID, error) {
	mids := make([]uuid.UUID, 0, len(slugs))
	for i, slug := range slugs {
		var mid []uuid.UUID
		if org != nil {
			err := db.NewSelect().TableExpr("provider_municipalities pm").
				Join("JOIN municipalities m ON m.id = pm.municipality_id").
				ColumnExpr("pm.municipality_id").
				Where("pm.organisation_id = ? AND m.slug = ?", *org, slug).
				Where("pm.status <> ?", ServingDropped).
				Scan(ctx, &mid)
			if err != nil {
				return nil, database.MapError(err, "find served municipality", "municipality")
			}
		}
		if len(mid) == 0 {
			return nil, apperr.Invalid(fmt.Sprintf("municipalities[%d]", i), "ProviderNotServing",
				map[string]any{"Municipality": slug})
		}
		mids = append(mids, mid[0])
	}
	return mids, nil
}

// ActivityMunicipalities returns, by activity, the slugs of the municipalities each of ids
// is limited to outside its home (none: every municipality its provider serves).
func (s *Service) ActivityMunicipalities(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID][]string, error) {
	var rows []struct {
		ActivityID uuid.UUID `bun:"activity_id,type:uuid"`
		Slug       string    `bun:"slug"`
	}
	// The limits are public: they say where the activity is shown.
	err := s.reader(ctx).NewSelect().TableExpr("activity_municipalities am").
		Join("JOIN municipalities m ON m.id = am.municipality_id").
		ColumnExpr("am.activity_id, m.slug").Where("am.activity_id IN (?)", bun.In(ids)).
		OrderExpr("m.slug").Scan(ctx, &rows)
	if err != nil {
		return nil, database.MapError(err, "find activity municipalities", "activity")
	}
	out := make(map[uuid.UUID][]string, len(ids))
	for _, r := range rows {
		out[r.ActivityID] = append(out[r.ActivityID], r.Slug)
	}
	return out, nil
}

// sharedReadOnly returns FORBIDDEN naming field when row id of table (organisations or
// activities) is not the request's municipality's but a provider's it shows, else err: a
// municipality cannot edit a shared provider's texts.
func sharedReadOnly(ctx context.Context, db bun.IDB, table string, id uuid.UUID, field string, err error) error {
	if apperr.CodeOf(err) != apperr.NotFound {
		return err
	}
	t := tenant.FromContext(ctx)
	if t == nil {
		return err
	}
	fn := map[string]string{"organisations": "fritid_served_organisations",
		"activities": "fritid_served_activities"}[table]
	// SECURITY: the answer says only that the item is shown here, which the portal shows too.
	shared, e := db.NewSelect().TableExpr("(SELECT "+fn+"(?) AS id) AS s", t.ID()).Where("s.id = ?", id).Exists(ctx)
	if e != nil || !shared {
		return err
	}
	return apperr.New(apperr.Forbidden, "SharedProviderReadOnly").WithField(field)
}

// sharedField names field on a NOT_FOUND error or a shared provider's FORBIDDEN one.
func sharedField(err error, field string) error {
	if e := apperr.As(err); e != nil && (e.Code == apperr.NotFound || e.MessageID == "SharedProviderReadOnly") {
		return e.WithField(field)
	}
	return err
}

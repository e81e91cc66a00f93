package events

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/audit"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/relay"
	"github.com/fritid/fritid/internal/tenant"
)

// ClosureKind is what kind of days a closure is.
type ClosureKind string

// The kinds of closure.
const (
	SchoolHoliday ClosureKind = "SCHOOL_HOLIDAY"
	PublicHoliday ClosureKind = "PUBLIC_HOLIDAY"
)

// Closure is a named date range of the municipality's closure calendar, both days
// included: a school holiday ("Vinterferie", week 8) or a public holiday ("1. juledag").
type Closure struct {
	bun.BaseModel `bun:"table:closures,alias:cl"`

	ID             uuid.UUID   `bun:"id,pk,type:uuid"`
	MunicipalityID uuid.UUID   `bun:"municipality_id,type:uuid"`
	Name           string      `bun:"name"`
	Kind           ClosureKind `bun:"kind"`
	StartsOn       time.Time   `bun:"starts_on,type:date"`
	EndsOn         time.Time   `bun:"ends_on,type:date"`
	CreatedAt      time.Time   `bun:"created_at,nullzero,notnull,default:current_timestamp"`
	UpdatedAt      time.Time   `bun:"updated_at,nullzero,notnull,default:current_timestamp"`
}

// GlobalID returns the closure's global ID.
func (c *Closure) GlobalID() string { return relay.GlobalID("Closure", c.ID) }

// IsNode marks Closure as a Node.
func (*Closure) IsNode() {}

// ClosureInput is a closure to create, or the fields to change (nil: kept).
type ClosureInput struct {
	ID       *string
	Name     *string
	Kind     *ClosureKind
	StartsOn *time.Time
	EndsOn   *time.Time
}

// FindClosures returns the municipality's closures that touch the days from to to (both
// included), by start. Errors: BAD_USER_INPUT naming "to" for a range longer than
// MaxRangeDays or ending before it starts.
func (s *Service) FindClosures(ctx context.Context, from, to time.Time) ([]*Closure, error) {
	t, err := tenant.Current(ctx)
	if err != nil {
		return nil, err
	}
	if err := checkRange(from, to, "to"); err != nil {
		return nil, err
	}
	return findClosures(ctx, s.db, t.ID(), from, to)
}

func findClosures(ctx context.Context, db bun.IDB, mid uuid.UUID, from, to time.Time) ([]*Closure, error) {
	out := []*Closure{}
	err := db.NewSelect().
		Model(&out).
		Where("cl.municipality_id = ? AND cl.starts_on <= ?::date AND cl.ends_on >= ?::date", mid, day(to), day(from)).
		Order("cl.starts_on", "cl.name").
		Scan(ctx)
	return out, database.MapError(err, "find closures", "closure")
}

// day is t's date as PostgreSQL reads it.
func day(t time.Time) string { return t.Format(time.DateOnly) }

// checkRange returns BAD_USER_INPUT naming field when to is before from or more than
// MaxRangeDays after it.
func checkRange(from, to time.Time, field string) error {
	if to.Before(from) {
		return apperr.Invalid(field, "RangeInvalid", nil)
	}
	if to.Sub(from) > MaxRangeDays*24*time.Hour {
		return apperr.Invalid(field, "RangeTooLong", map[string]any{"Max": MaxRangeDays})
	}
	return nil
}

// CreateClosure adds a closure and re-makes the occurrences of the series pausing in it.
// Errors: UNAUTHENTICATED, FORBIDDEN, BAD_USER_INPUT naming the field (a range that
// overlaps one with the same name included).
func (s *Service) CreateClosure(ctx context.Context, in ClosureInput) (*Closure, error) {
	c := &Closure{ID: uuid.Must(uuid.NewV7())}
	if in.Name == nil || in.Kind == nil || in.StartsOn == nil || in.EndsOn == nil {
		return nil, apperr.Invalid("input", "ValueRequired", nil)
	}
	return c, s.writeClosure(ctx, c, in, "create_closure", true)
}

// UpdateClosure changes a closure. Errors: as CreateClosure, and NOT_FOUND.
func (s *Service) UpdateClosure(ctx context.Context, in ClosureInput) (*Closure, error) {
	if in.ID == nil {
		return nil, apperr.Invalid("input.id", "ValueRequired", nil)
	}
	id, err := relay.ParseTypedID(*in.ID, "Closure", "input.id")
	if err != nil {
		return nil, err
	}
	c := &Closure{ID: id}
	return c, s.writeClosure(ctx, c, in, "update_closure", false)
}

// DeleteClosure removes a closure. Errors: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND.
func (s *Service) DeleteClosure(ctx context.Context, gid string) error {
	t, err := tenant.Current(ctx)
	if err != nil {
		return err
	}
	v, err := requireClosureEditor(ctx)
	if err != nil {
		return err
	}
	id, err := relay.ParseTypedID(gid, "Closure", "id")
	if err != nil {
		return err
	}
	return database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		c := new(Closure)
		err := tx.NewDelete().Model(c).Where("municipality_id = ? AND id = ?", t.ID(), id).Returning("*").Scan(ctx)
		if err != nil {
			return database.MapError(err, "delete closure", "closure")
		}
		if err := s.rematerialiseClosed(ctx, tx, t, c.Kind); err != nil {
			return err
		}
		return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: t.ID(), ActorID: &v.User.ID,
			Action: "delete_closure", ItemType: "Closure", ItemID: &id})
	})
}

func (s *Service) writeClosure(ctx context.Context, c *Closure, in ClosureInput, action string, create bool) error {
	t, err := tenant.Current(ctx)
	if err != nil {
		return err
	}
	v, err := requireClosureEditor(ctx)
	if err != nil {
		return err
	}
	return database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		// One writer of a municipality's closures at a time, so two overlapping ranges
		// with the same name cannot both pass the check.
		if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(hashtextextended(?, 24))",
			"closures/"+t.ID().String()); err != nil {
			return database.MapError(err, "lock closures", "closure")
		}
		oldKind := ClosureKind("")
		if !create {
			err := tx.NewSelect().Model(c).Where("municipality_id = ? AND id = ?", t.ID(), c.ID).For("UPDATE").Scan(ctx)
			if err != nil {
				return database.MapError(err, "find closure", "closure")
			}
			oldKind = c.Kind
		}
		c.MunicipalityID = t.ID()
		fields, err := applyClosure(c, in)
		if err != nil {
			return err
		}
		if err := checkOverlap(ctx, tx, c); err != nil {
			return err
		}
		if create {
			_, err = tx.NewInsert().Model(c).Returning("created_at, updated_at").Exec(ctx)
		} else {
			_, err = tx.NewUpdate().Model(c).Column("name", "kind", "starts_on", "ends_on").
				Set("updated_at = now()").WherePK().Returning("updated_at").Exec(ctx)
		}
		if err != nil {
			return database.MapError(err, "save closure", "closure")
		}
		if err := s.rematerialiseClosed(ctx, tx, t, c.Kind, oldKind); err != nil {
			return err
		}
		return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: t.ID(), ActorID: &v.User.ID, Action: action,
			ItemType: "Closure", ItemID: &c.ID, Fields: fields})
	})
}

// applyClosure sets in's fields on c. Errors: BAD_USER_INPUT naming the field.
func applyClosure(c *Closure, in ClosureInput) ([]string, error) {
	var fields []string
	if in.Name != nil {
		n := strings.TrimSpace(*in.Name)
		if n == "" || utf8.RuneCountInString(n) > 200 || !utf8.ValidString(n) || strings.ContainsRune(n, 0) {
			return nil, apperr.Invalid("input.name", "TextTooLong", map[string]any{"Max": 200})
		}
		c.Name, fields = n, append(fields, "name")
	}
	if in.Kind != nil {
		if *in.Kind != SchoolHoliday && *in.Kind != PublicHoliday {
			return nil, apperr.Invalid("input.kind", "ClosureKindInvalid", nil)
		}
		c.Kind, fields = *in.Kind, append(fields, "kind")
	}
	if in.StartsOn != nil {
		c.StartsOn, fields = dateOf(*in.StartsOn), append(fields, "startsOn")
	}
	if in.EndsOn != nil {
		c.EndsOn, fields = dateOf(*in.EndsOn), append(fields, "endsOn")
	}
	if c.EndsOn.Before(c.StartsOn) {
		return nil, apperr.Invalid("input.endsOn", "EndBeforeStart", nil)
	}
	if c.EndsOn.Sub(c.StartsOn) > MaxRangeDays*24*time.Hour {
		return nil, apperr.Invalid("input.endsOn", "RangeTooLong", map[string]any{"Max": MaxRangeDays})
	}
	return fields, nil
}

func dateOf(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// checkOverlap returns BAD_USER_INPUT naming input.startsOn when another closure with
// c's name overlaps its range.
func checkOverlap(ctx context.Context, tx bun.IDB, c *Closure) error {
	clash, err := tx.NewSelect().
		TableExpr("closures").
		Where("municipality_id = ? AND id <> ? AND lower(name) = lower(?)", c.MunicipalityID, c.ID, c.Name).
		Where("starts_on <= ?::date AND ends_on >= ?::date", day(c.EndsOn), day(c.StartsOn)).
		Exists(ctx)
	if err != nil {
		return database.MapError(err, "check closures", "closure")
	}
	if clash {
		return apperr.Invalid("input.startsOn", "ClosureOverlaps", map[string]any{"Name": c.Name})
	}
	return nil
}

// closedDays returns the days (as "2006-01-02") between from and to on which closures of
// the kinds given fall.
func closedDays(ctx context.Context, db bun.IDB, mid uuid.UUID, from, to time.Time, school, public bool,
) (map[string]bool, error) {
	out := map[string]bool{}
	if !school && !public {
		return out, nil
	}
	var kinds []string
	if school {
		kinds = append(kinds, string(SchoolHoliday))
	}
	if public {
		kinds = append(kinds, string(PublicHoliday))
	}
	var cs []*Closure
	err := db.NewSelect().
		Model(&cs).
		Where("cl.municipality_id = ? AND cl.kind IN (?)", mid, bun.In(kinds)).
		Where("cl.starts_on <= ?::date AND cl.ends_on >= ?::date", day(to), day(from)).
		Scan(ctx)
	if err != nil {
		return nil, database.MapError(err, "find closures", "closure")
	}
	for _, c := range cs {
		for d := c.StartsOn; !d.After(c.EndsOn); d = d.AddDate(0, 0, 1) {
			out[day(d)] = true
		}
	}
	return out, nil
}

// FindClosure returns the municipality's closure with id; nil when there is none.
func (s *Service) FindClosure(ctx context.Context, id uuid.UUID) (*Closure, error) {
	t, err := tenant.Current(ctx)
	if err != nil {
		return nil, err
	}
	var cs []*Closure
	err = s.db.NewSelect().Model(&cs).Where("cl.municipality_id = ? AND cl.id = ?", t.ID(), id).Scan(ctx)
	if err != nil || len(cs) == 0 {
		return nil, database.MapError(err, "find closure", "closure")
	}
	return cs[0], nil
}

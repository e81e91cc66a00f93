package events

import (
	"context"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/audit"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/portal"
)

// SetEventMunicipalities limits an event of a shared provider to some of the
// municipalities the provider serves or asked to serve (as editing the event, in its home
// municipality); an empty list shows it wherever its provider is shown (migration 0051).
// Errors: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND (both naming "eventId"; FORBIDDEN
// SharedProviderReadOnly from a municipality that only shows it), BAD_USER_INPUT naming
// "municipalities[i]" (ProviderNotServing, also for the municipality's own events).
func (s *Service) SetEventMunicipalities(ctx context.Context, id uuid.UUID, slugs []string) (uuid.UUID, error) {
	t, v, err := begin(ctx)
	if err != nil {
		return uuid.Nil, err
	}
	return id, database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		e, err := findEventForUpdate(ctx, tx, t.ID(), id)
		if err != nil {
			if ae := apperr.As(err); ae != nil {
				ae.Field = "eventId"
			}
			return err
		}
		// SECURITY: limiting an event is writing it.
		if err := mayWrite(ctx, tx, v, t.ID(), e.OrganisationID); err != nil {
			return err
		}
		mids, err := portal.ServingMunicipalities(ctx, tx, e.OrganisationID, slugs)
		if err != nil {
			return err
		}
		if _, err := tx.NewDelete().Table("event_municipalities").Where("event_id = ?", e.ID).Exec(ctx); err != nil {
			return database.MapError(err, "set event municipalities", "event")
		}
		for _, mid := range mids {
			_, err := tx.NewRaw(`INSERT INTO event_municipalities (event_id, home_municipality_id, municipality_id)
				VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, e.ID, t.ID(), mid).Exec(ctx)
			if err != nil {
				return database.MapError(err, "set event municipalities", "event")
			}
		}
		return audit.Append(ctx, tx, &audit.Entry{MunicipalityID: t.ID(), ActorID: &v.User.ID,
			Action: "set_event_municipalities", ItemType: "Event", ItemID: &e.ID, Fields: []string{"municipalities"}})
	})
}

// EventMunicipalities returns, by event, the slugs of the municipalities each of ids is
// limited to outside its home (none: every municipality its provider is shown in).
func (s *Service) EventMunicipalities(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID][]string, error) {
	var rows []struct {
		EventID uuid.UUID `bun:"event_id,type:uuid"`
		Slug    string    `bun:"slug"`
	}
	// The limits are public: they say where the event is shown.
	err := s.db.NewSelect().TableExpr("event_municipalities em").
		Join("JOIN municipalities m ON m.id = em.municipality_id").
		ColumnExpr("em.event_id, m.slug").Where("em.event_id IN (?)", bun.In(ids)).
		OrderExpr("m.slug").Scan(ctx, &rows)
	if err != nil {
		return nil, database.MapError(err, "find event municipalities", "event")
	}
	out := make(map[uuid.UUID][]string, len(ids))
	for _, r := range rows {
		out[r.EventID] = append(out[r.EventID], r.Slug)
	}
	return out, nil
}

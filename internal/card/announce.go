package card

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/jobs"
)

// AnnounceArgs is the job that tells the holders who asked for news of new offers about
// an offer just published for the first time (AnnounceOffer).
type AnnounceArgs struct {
	OfferID        uuid.UUID `json:"offer_id"`
	MunicipalityID uuid.UUID `json:"municipality_id"`
}

// Kind names the job.
func (AnnounceArgs) Kind() string { return "card_offer_announce" }

// InsertOpts gives the job its attempts.
func (AnnounceArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: 5} }

// AnnounceWorker runs the announcement jobs.
type AnnounceWorker struct {
	river.WorkerDefaults[AnnounceArgs]
	Cards *Service
}

// Work announces the job's offer.
func (w *AnnounceWorker) Work(ctx context.Context, job *river.Job[AnnounceArgs]) error {
	_, err := w.Cards.AnnounceOffer(ctx, job.Args.MunicipalityID, job.Args.OfferID)
	return err
}

// Timeout bounds one run: a programme of many cards makes many e-mails.
func (w *AnnounceWorker) Timeout(*river.Job[AnnounceArgs]) time.Duration { return 5 * time.Minute }

// announce marks o announced and queues the job that announces it, on tx.
func (s *Service) announce(ctx context.Context, tx bun.Tx, o *Offer) error {
	if _, err := tx.ExecContext(ctx, "UPDATE card_offers SET announced_at = ? WHERE id = ?", s.now(), o.ID); err != nil {
		return database.MapError(err, "announce offer", "offer")
	}
	_, err := jobs.InsertTx(ctx, tx, AnnounceArgs{OfferID: o.ID, MunicipalityID: o.MunicipalityID}, nil)
	return err
}

// AnnounceOffer tells the holders of the ACTIVE cards that may claim a PUBLISHED offer
// (its programmes, the holder's age today) of it: those who asked for news of new offers
// by e-mail, and every such card through Push. It returns how many cards were told. Meant
// for the job AnnounceArgs.
func (s *Service) AnnounceOffer(ctx context.Context, municipalityID, offerID uuid.UUID) (int, error) {
	var cards []uuid.UUID
	err := database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		err := tx.NewRaw(`SELECT c.id FROM card_offers o
			JOIN municipalities m ON m.id = o.municipality_id
			JOIN card_offer_programmes op ON op.offer_id = o.id
			JOIN cards c ON c.programme_id = op.programme_id AND c.status = 'ACTIVE'
			LEFT JOIN card_persons h ON h.id = c.holder_id
			CROSS JOIN LATERAL (SELECT extract(year FROM age((?2::timestamptz AT TIME ZONE m.time_zone)::date,
				h.birth_date))::integer AS age) a
			WHERE o.id = ?1 AND o.municipality_id = ?0 AND o.status = 'PUBLISHED'
			AND (h.birth_date IS NULL OR ((o.min_age IS NULL OR a.age >= o.min_age) AND (o.max_age IS NULL OR a.age <= o.max_age)))
			AND (?3 OR EXISTS (SELECT 1 FROM card_notice_contacts nc WHERE nc.card_id = c.id
				AND nc.confirmed_at IS NOT NULL AND 'NEW_OFFERS' = ANY(nc.notices)))
			ORDER BY c.id`, municipalityID, offerID, s.now(), s.Push != nil).Scan(ctx, &cards)
		if err != nil {
			return database.MapError(err, "find cards to tell", "card")
		}
		for _, id := range cards {
			err := s.notify(ctx, tx, &Notice{Kind: NoticeNewOffers, MunicipalityID: municipalityID, CardID: id,
				OfferID: &offerID})
			if err != nil {
				return err
			}
		}
		return nil
	})
	return len(cards), err
}

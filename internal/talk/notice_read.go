package talk

import (
	"context"

	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/i18n"
	"github.com/fritid/fritid/internal/platform/relay"
	"github.com/fritid/fritid/internal/tenant"
)

// FindNotices returns a neighbourhood's notices, newest first (at most 200), each with
// its text in the request's language: those the public sees now, or, with all, every
// notice including those withdrawn, ended or not yet begun, for those who keep them (see
// PostNotice). Errors: NOT_FOUND naming "neighbourhoodId" (unknown, or of another
// municipality), BAD_USER_INPUT; with all UNAUTHENTICATED, FORBIDDEN.
func (s *Service) FindNotices(ctx context.Context, neighbourhoodID string, all bool) ([]*Notice, error) {
	t, err := tenant.Current(ctx)
	if err != nil {
		return nil, err
	}
	nb, err := relay.ParseTypedID(neighbourhoodID, "Neighbourhood", "neighbourhoodId")
	if err != nil {
		return nil, err
	}
	// SECURITY: a neighbourhood of the request's municipality only.
	exists, err := s.db.NewSelect().Table("neighbourhoods").
		Where("id = ? AND municipality_id = ?", nb, t.ID()).
		Exists(ctx)
	if err != nil {
		return nil, database.MapError(err, "find neighbourhood", "neighbourhood")
	}
	if !exists {
		return nil, apperr.NotFoundf("neighbourhood").WithField("neighbourhoodId")
	}
	now := s.now()
	q := s.db.NewSelect().Model((*Notice)(nil)).
		Where("n.municipality_id = ? AND n.neighbourhood_id = ?", t.ID(), nb).
		OrderExpr("n.valid_from DESC, n.id").
		Limit(maxNotices)
	if all {
		// SECURITY: what the public does not see, only for those who keep the notices.
		if _, _, err := mayKeep(ctx, s.db, t.ID(), nb); err != nil {
			return nil, err
		}
	} else {
		q = q.Where("n.withdrawn_at IS NULL AND n.valid_from <= ? AND n.valid_until > ?", now, now)
	}
	var ns []*Notice
	if err := q.Scan(ctx, &ns); err != nil {
		return nil, database.MapError(err, "find notices", "notice")
	}
	return ns, s.withTexts(ctx, ns)
}

// FindNotice returns a notice the public sees now, or, to those who keep its
// neighbourhood's notices (see FindNotices), one not shown now; nil otherwise (unknown,
// of another municipality, or not shown). Errors: BAD_USER_INPUT naming "id".
func (s *Service) FindNotice(ctx context.Context, id string) (*Notice, error) {
	t, err := tenant.Current(ctx)
	if err != nil {
		return nil, err
	}
	nid, err := relay.ParseTypedID(id, "NeighbourhoodNotice", "id")
	if err != nil {
		return nil, err
	}
	n := new(Notice)
	// SECURITY: a notice of the request's municipality only.
	err = s.db.NewSelect().Model(n).Where("n.id = ? AND n.municipality_id = ?", nid, t.ID()).Scan(ctx)
	if noRows(err) {
		return nil, nil
	} else if err != nil {
		return nil, database.MapError(err, "find notice", "notice")
	}
	if !n.Active(s.now()) {
		// SECURITY: a notice not shown now only for those who keep the neighbourhood's
		// notices, as FindNotices with all.
		if _, _, err := mayKeep(ctx, s.db, t.ID(), n.NeighbourhoodID); err != nil {
			return nil, nil
		}
	}
	return n, s.withTexts(ctx, []*Notice{n})
}

// withTexts loads ns' texts and picks each one's for the request's language.
func (s *Service) withTexts(ctx context.Context, ns []*Notice) error {
	if err := s.loadTexts(ctx, s.db, ns); err != nil {
		return err
	}
	chain := i18n.FromContext(ctx).Chain
	for _, n := range ns {
		n.pickText(chain)
	}
	return nil
}

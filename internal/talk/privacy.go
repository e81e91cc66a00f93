package talk

import (
	"context"

	"github.com/google/uuid"

	"github.com/fritid/fritid/internal/platform/database"
)

// Erasure: a question belongs to the conversation on an activity, and its answer is there
// for every family with the same question, so erasing the asker (forgetDevice, the idle
// erasure, erasePersonalData) keeps it but anonymises it: the link to the device or person
// and the display name are cut in the same statement (resident_questions_anonymise).
// A moderator deletes a question outright where its text itself says who asked.

// PersonalQuestions returns the questions asked by the person with identityNumber as a
// resident signed in with ID-porten (with their display names, statuses and answers), for
// a data-subject access request; empty when none. Administrators only (as
// resident.PersonalData). Errors: UNAUTHENTICATED, FORBIDDEN, BAD_USER_INPUT naming
// "identityNumber".
func (s *Service) PersonalQuestions(ctx context.Context, identityNumber string) ([]*Question, error) {
	// SECURITY: only an administrator answers data-subject requests (PersonOwner).
	owner, err := s.residents.PersonOwner(ctx, identityNumber)
	if err != nil {
		return nil, err
	}
	out := []*Question{}
	if owner == uuid.Nil {
		return out, nil
	}
	err = s.db.NewSelect().Model(&out).
		Where("q.owner_id = ?", owner).
		OrderExpr("q.created_at DESC, q.id").
		Scan(ctx)
	return out, database.MapError(err, "find questions", "question")
}

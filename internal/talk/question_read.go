package talk

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/relay"
	"github.com/fritid/fritid/internal/tenant"
)

// DefaultQuestionPage is the page size of a subject's questions unless asked.
const DefaultQuestionPage = 20

// QuestionConnection is a page of a subject's questions, newest first.
type QuestionConnection struct {
	Edges    []*QuestionEdge
	PageInfo relay.PageInfo
	// Open reports whether residents may ask on the subject now.
	Open bool
}

// QuestionEdge is a question with its cursor.
type QuestionEdge struct {
	Cursor string
	Node   *Question
}

// questionCursor is a question's place: newest first, then by ID.
type questionCursor struct {
	At time.Time `json:"t"`
	ID uuid.UUID `json:"i"`
}

// FindQuestions returns a page of the questions the public sees on a public activity or
// event of the request's municipality (none while questions are off in the
// municipality), newest first, and whether residents may ask there now. Anyone may.
// Errors: BAD_USER_INPUT naming "subjectId" or "after", NOT_FOUND naming "subjectId".
func (s *Service) FindQuestions(ctx context.Context, subjectID string, page relay.Page) (*QuestionConnection,
	error) {
	t, err := tenant.Current(ctx)
	if err != nil {
		return nil, err
	}
	sub, err := findSubject(ctx, s.db, t.ID(), subjectID, "subjectId")
	if err != nil {
		return nil, err
	}
	c := &QuestionConnection{Edges: []*QuestionEdge{}, Open: disabled(t, sub) == nil}
	if !t.Municipality.QuestionsEnabled || page.Limit == 0 {
		return c, nil
	}
	var rows []*Question
	// SECURITY: visible questions of this subject in the request's municipality only.
	q := s.db.NewSelect().Model(&rows).
		Where("q.municipality_id = ? AND q.subject_id = ? AND q.status = 'VISIBLE'", t.ID(), sub.ID).
		OrderExpr("q.created_at DESC, q.id").
		Limit(int64(page.Limit + 1))
	if page.After != "" {
		var after questionCursor
		if err := relay.DecodeCursor(page.After, "after", &after); err != nil {
			return nil, err
		}
		q = q.Where("(q.created_at, q.id) < (?, ?)", after.At, after.ID)
		c.PageInfo.HasPreviousPage = true
	}
	if err := q.Scan(ctx); err != nil {
		return nil, database.MapError(err, "find questions", "question")
	}
	if len(rows) > page.Limit {
		rows, c.PageInfo.HasNextPage = rows[:page.Limit], true
	}
	for _, r := range rows {
		c.Edges = append(c.Edges, &QuestionEdge{Node: r,
			Cursor: relay.EncodeCursor(questionCursor{At: r.CreatedAt, ID: r.ID})})
	}
	if n := len(c.Edges); n > 0 {
		c.PageInfo.StartCursor, c.PageInfo.EndCursor = &c.Edges[0].Cursor, &c.Edges[n-1].Cursor
	}
	return c, nil
}

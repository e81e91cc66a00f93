// Package talk is communication between a municipality and its residents that the
// municipality can moderate: notices to a neighbourhood from its committee or the
// municipality, shown in residents' feeds "for you", and residents' questions on an
// activity or event that its organisation answers publicly, with reporting and moderation
// by the municipality's editors.
package talk

import (
	"database/sql"
	"errors"
	"time"

	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/resident"
)

// The defaults of the service's limits.
const (
	// DefaultMaxQuestions bounds the questions one resident (a device or a person) asks in
	// QuestionWindow.
	DefaultMaxQuestions = 5
	// DefaultMaxReports bounds the reports one reporter makes in QuestionWindow.
	DefaultMaxReports = 30
	// QuestionWindow is the window of the question and report throttles: the login
	// throttle's, whose table keeps the attempts.
	QuestionWindow = 15 * time.Minute
)

// Service keeps notices and questions.
type Service struct {
	db        *bun.DB
	secret    string
	residents *resident.Service
	// Now is the clock; tests set it. Nil: time.Now.
	Now func() time.Time
	// MaxQuestions and MaxReports override the defaults when positive.
	MaxQuestions, MaxReports int
}

// NewService returns the service over db; residents tells who asks, and secret keys the
// throttles' and reporters' hashes.
func NewService(db *bun.DB, secret string, residents *resident.Service) *Service {
	return &Service{db: db, secret: secret, residents: residents}
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// hash returns the keyed hash of parts under purpose.
func (s *Service) hash(purpose string, part []byte) []byte {
	return auth.KeyedHash([]byte(s.secret), purpose, string(part))
}

// noRows reports whether err is a query's "no rows".
func noRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

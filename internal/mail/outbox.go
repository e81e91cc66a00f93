// Package mail sends e-mail through a transactional outbox: a change writes its message
// in its own transaction, and the sender worker delivers it (SMTP when configured, the log
// in development), retrying with back-off, and deletes it once sent.
package mail

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/platform/database"
)

// Message is an e-mail waiting in the outbox. Subject and body come from the go-i18n
// messages "Mail<Template>Subject" and "Mail<Template>Body" in Locale, filled with Data.
type Message struct {
	bun.BaseModel `bun:"table:outbox,alias:m"`

	ID             uuid.UUID      `bun:"id,pk,type:uuid"`
	MunicipalityID uuid.UUID      `bun:"municipality_id,type:uuid"`
	Template       string         `bun:"template"`
	To             string         `bun:"to_address"`
	Locale         string         `bun:"locale"`
	Data           map[string]any `bun:"data,type:jsonb"`
	Attempts       int            `bun:"attempts"`
	NextAttemptAt  time.Time      `bun:"next_attempt_at"`
	LastError      string         `bun:"last_error"`
	CreatedAt      time.Time      `bun:"created_at,nullzero,notnull,default:current_timestamp"`
}

// Enqueue writes m to the outbox on db: pass the transaction of the change that sends it.
func Enqueue(ctx context.Context, db bun.IDB, m *Message) error {
	m.ID = uuid.Must(uuid.NewV7())
	if m.Data == nil {
		m.Data = map[string]any{}
	}
	data, err := json.Marshal(m.Data)
	if err != nil {
		return fmt.Errorf("enqueue mail: %w", err)
	}
	// The data goes in as a text literal cast to jsonb: bun's own jsonb rendering turns a
	// user's literal "\\u0000" (a name typed with a backslash) into a NUL escape that
	// PostgreSQL refuses.
	_, err = db.NewInsert().Model(m).Value("data", "?::jsonb", string(data)).
		ExcludeColumn("next_attempt_at", "last_error", "attempts", "created_at").Exec(ctx)
	return database.MapError(err, "enqueue mail", "mail")
}

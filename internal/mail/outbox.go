// Package mail sends e-mail through a transactional outbox on the job queue: a change
// writes its message, and a mail job naming it, in its own transaction; the job's worker
// delivers the message (SMTP when configured, the log in development), retrying with
// back-off, and deletes it once sent. The job carries the message's id alone, so the
// address stays in the outbox row and goes with it.
package mail

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/jobs"
)

// Message is an e-mail or a text message waiting in the outbox. An e-mail's subject and
// body come from the go-i18n messages "Mail<Template>Subject" and "Mail<Template>Body" in
// Locale, filled with Data; a text message's (Channel SMS, To a phone number in E.164
// form) from "Sms<Template>".
type Message struct {
	bun.BaseModel `bun:"table:outbox,alias:m"`

	ID             uuid.UUID      `bun:"id,pk,type:uuid"`
	MunicipalityID uuid.UUID      `bun:"municipality_id,type:uuid"`
	Channel        string         `bun:"channel,nullzero,default:'EMAIL'"`
	Template       string         `bun:"template"`
	To             string         `bun:"to_address"`
	Locale         string         `bun:"locale"`
	Data           map[string]any `bun:"data,type:jsonb"`
	// ReturnPath is the envelope sender (MAIL FROM) where the message is returned when it
	// cannot be delivered; empty: the From address.
	ReturnPath string `bun:"return_path"`
	// Headers are extra header fields of the message.
	Headers   map[string]string `bun:"headers,type:jsonb"`
	CreatedAt time.Time         `bun:"created_at,nullzero,notnull,default:current_timestamp"`
}

// Kind is the kind of the mail jobs.
const Kind = "mail"

// MaxAttempts failed deliveries give a message up: its job is discarded (an administrator
// may retry it) and the message stays in the outbox until then.
const MaxAttempts = 8

// SendArgs is the job that delivers one message of the outbox.
type SendArgs struct {
	MessageID      uuid.UUID `json:"message_id"`
	MunicipalityID uuid.UUID `json:"municipality_id"`
}

// Kind names the job.
func (SendArgs) Kind() string { return Kind }

// InsertOpts gives mail jobs their attempts.
func (SendArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: MaxAttempts} }

// Enqueue writes m to the outbox with the job that delivers it, on db: pass the
// transaction of the change that sends it (on a *bun.DB it makes one), so the message is
// sent only if that change commits.
func Enqueue(ctx context.Context, db bun.IDB, m *Message) error {
	m.ID = uuid.Must(uuid.NewV7())
	if m.Data == nil {
		m.Data = map[string]any{}
	}
	if m.Headers == nil {
		m.Headers = map[string]string{}
	}
	data, err := json.Marshal(m.Data)
	if err != nil {
		return fmt.Errorf("enqueue mail: %w", err)
	}
	if tx, ok := db.(bun.Tx); ok {
		return enqueueTx(ctx, tx, m, data)
	}
	return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error { return enqueueTx(ctx, tx, m, data) })
}

// enqueueTx writes the message and its job in tx.
func enqueueTx(ctx context.Context, tx bun.Tx, m *Message, data []byte) error {
	// The data goes in as a text literal cast to jsonb: bun's own jsonb rendering turns a
	// user's literal "\\u0000" (a name typed with a backslash) into a NUL escape that
	// PostgreSQL refuses.
	_, err := tx.NewInsert().Model(m).Value("data", "?::jsonb", string(data)).
		ExcludeColumn("created_at").Exec(ctx)
	if err != nil {
		return database.MapError(err, "enqueue mail", "mail")
	}
	_, err = jobs.InsertTx(ctx, tx, SendArgs{MessageID: m.ID, MunicipalityID: m.MunicipalityID}, nil)
	return err
}

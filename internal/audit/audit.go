// Package audit writes the append-only audit log: who did what to which item, when, in
// which request, and which fields changed (never the values of personal fields). Entries
// are written in the same transaction as the change they describe.
package audit

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/httpserver"
)

// Entry is one line of the audit log.
type Entry struct {
	bun.BaseModel `bun:"table:audit_log"`

	ID             uuid.UUID  `bun:"id,pk,type:uuid"`
	MunicipalityID uuid.UUID  `bun:"municipality_id,type:uuid"`
	ActorID        *uuid.UUID `bun:"actor_id,type:uuid"`
	Action         string     `bun:"action"`
	ItemType       string     `bun:"item_type"`
	ItemID         *uuid.UUID `bun:"item_id,type:uuid"`
	Fields         []string   `bun:"fields,array"`
	RequestID      string     `bun:"request_id"`
	CreatedAt      time.Time  `bun:"created_at"`
}

// Append writes e on db (a transaction, normally), filling its ID and the request ID.
func Append(ctx context.Context, db bun.IDB, e *Entry) error {
	e.ID = uuid.Must(uuid.NewV7())
	e.RequestID = httpserver.RequestIDFromContext(ctx)
	if e.Fields == nil {
		e.Fields = []string{}
	}
	_, err := db.NewInsert().Model(e).Returning("created_at").Exec(ctx)
	return database.MapError(err, "append audit entry", "audit entry")
}

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
	"github.com/fritid/fritid/internal/platform/relay"
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
	// Note is a written reason the action needed (an override of a stopper warning). It
	// may be personal data: it is cleared when the person it concerns is erased.
	Note      *string   `bun:"note"`
	RequestID string    `bun:"request_id"`
	CreatedAt time.Time `bun:"created_at,nullzero,notnull,default:current_timestamp"`
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

// Filter narrows the audit log; empty fields do not filter.
type Filter struct {
	Action  string
	ItemID  *uuid.UUID
	ActorID *uuid.UUID
	Since   *time.Time
	Until   *time.Time
}

type cursor struct {
	T  time.Time `json:"t"`
	ID uuid.UUID `json:"i"`
}

// Find returns a page of the municipality's audit log, newest first, and whether more
// follow. The caller has checked that the viewer may read it. Errors: BAD_USER_INPUT for a
// bad cursor.
func Find(ctx context.Context, db bun.IDB, mid uuid.UUID, f Filter, limit int, after string) ([]*Entry, bool, error) {
	q := db.NewSelect().Model((*Entry)(nil)).Where("municipality_id = ?", mid)
	if f.Action != "" {
		q = q.Where("action = ?", f.Action)
	}
	if f.ItemID != nil {
		q = q.Where("item_id = ?", *f.ItemID)
	}
	if f.ActorID != nil {
		q = q.Where("actor_id = ?", *f.ActorID)
	}
	if f.Since != nil {
		q = q.Where("created_at >= ?", *f.Since)
	}
	if f.Until != nil {
		q = q.Where("created_at < ?", *f.Until)
	}
	if after != "" {
		var c cursor
		if err := relay.DecodeCursor(after, "after", &c); err != nil {
			return nil, false, err
		}
		q = q.Where("(created_at, id) < (?, ?)", c.T, c.ID)
	}
	var out []*Entry
	if err := q.OrderExpr("created_at DESC, id DESC").Limit(int64(limit+1)).Scan(ctx, &out); err != nil {
		return nil, false, database.MapError(err, "find audit entries", "audit entry")
	}
	more := len(out) > limit
	if more {
		out = out[:limit]
	}
	return out, more, nil
}

// Cursor returns the cursor of an entry, for Find's after.
func (e *Entry) Cursor() string { return relay.EncodeCursor(cursor{T: e.CreatedAt, ID: e.ID}) }

// GlobalID returns the entry's global ID.
func (e *Entry) GlobalID() string { return relay.GlobalID("AuditEntry", e.ID) }

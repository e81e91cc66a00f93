package auth

import (
	"context"

	"github.com/google/uuid"

	"github.com/fritid/fritid/internal/audit"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/relay"
	"github.com/fritid/fritid/internal/tenant"
)

// AuditLog returns a page of the request's municipality's audit log, newest first.
// Errors: UNAUTHENTICATED, FORBIDDEN (not an administrator), BAD_USER_INPUT naming "after"
// or "before" for a bad cursor.
func (s *Service) AuditLog(ctx context.Context, f audit.Filter, page relay.Page) (*audit.Connection, error) {
	mid, err := auditReader(ctx)
	if err != nil {
		return nil, err
	}
	return audit.Find(ctx, s.db, mid, f, page)
}

// FindAuditEntryByID returns one entry of the request's municipality's audit log, to those
// who may read the log. Errors: UNAUTHENTICATED, FORBIDDEN (not an administrator),
// NOT_FOUND.
func (s *Service) FindAuditEntryByID(ctx context.Context, id uuid.UUID) (*audit.Entry, error) {
	mid, err := auditReader(ctx)
	if err != nil {
		return nil, err
	}
	return audit.FindByID(ctx, s.db, mid, id)
}

// auditReader returns the municipality whose audit log the caller may read. Errors:
// UNAUTHENTICATED, FORBIDDEN.
func auditReader(ctx context.Context) (uuid.UUID, error) {
	// SECURITY: only an administrator reads the audit log, and only their municipality's,
	// in a request to that municipality.
	v, err := requireAdmin(ctx)
	if err != nil {
		return uuid.Nil, err
	}
	t, err := tenant.Current(ctx)
	if err != nil {
		return uuid.Nil, err
	}
	if v.User.MunicipalityID != t.ID() {
		return uuid.Nil, apperr.New(apperr.Forbidden, "")
	}
	return t.ID(), nil
}

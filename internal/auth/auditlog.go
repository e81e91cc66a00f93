package auth

import (
	"context"

	"github.com/fritid/fritid/internal/audit"
	"github.com/fritid/fritid/internal/platform/relay"
)

// AuditPage is a page of the audit log.
type AuditPage struct {
	Entries  []*audit.Entry
	PageInfo *relay.PageInfo
}

// AuditLog returns a page of the request's municipality's audit log, newest first.
// Errors: UNAUTHENTICATED, FORBIDDEN (not an administrator), BAD_USER_INPUT for paging.
func (s *Service) AuditLog(ctx context.Context, f audit.Filter, first *int, after *string) (*AuditPage, error) {
	// SECURITY: only an administrator reads the audit log, and only their municipality's.
	v, err := requireAdmin(ctx)
	if err != nil {
		return nil, err
	}
	page, err := relay.NewPage(first, nil, after, nil, 50)
	if err != nil {
		return nil, err
	}
	entries, more, err := audit.Find(ctx, s.db, v.User.MunicipalityID, f, page.Limit, page.After)
	if err != nil {
		return nil, err
	}
	info := &relay.PageInfo{HasNextPage: more, HasPreviousPage: page.After != ""}
	if len(entries) > 0 {
		start, end := entries[0].Cursor(), entries[len(entries)-1].Cursor()
		info.StartCursor, info.EndCursor = &start, &end
	}
	return &AuditPage{Entries: entries, PageInfo: info}, nil
}

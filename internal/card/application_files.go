package card

import (
	"context"
	"errors"
	"io"
	"net/http"
	"path"
	"strings"
	"time"
	"unicode"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/relay"
)

// FileStore keeps private files: the media store's private keys, never served publicly.
type FileStore interface {
	PutPrivate(ctx context.Context, key, contentType string, body []byte) error
	ReadPrivate(ctx context.Context, key string) ([]byte, error)
	DeletePrivate(ctx context.Context, key string) error
}

// Limits on an application's attachments.
const (
	// MaxAttachmentBytes is the largest file attached to an application: 5 MiB.
	MaxAttachmentBytes = 5 << 20
	// maxAttachments is the most files one application has.
	maxAttachments = 10
)

// attachmentTypes are the files an application takes, by their sniffed content type.
var attachmentTypes = map[string]bool{"application/pdf": true, "image/jpeg": true, "image/png": true}

// Attachment is a file attached to an application: a receipt, an invoice. Its content is
// read only through ReadAttachment.
type Attachment struct {
	bun.BaseModel `bun:"table:card_application_attachments,alias:att"`

	ID             uuid.UUID `bun:"id,pk,type:uuid"`
	MunicipalityID uuid.UUID `bun:"municipality_id,type:uuid"`
	ApplicationID  uuid.UUID `bun:"application_id,type:uuid"`
	FileKey        string    `bun:"file_key"`
	FileName       string    `bun:"file_name"`
	ContentType    string    `bun:"content_type"`
	SizeBytes      int       `bun:"size_bytes"`
	CreatedAt      time.Time `bun:"created_at,nullzero,notnull,default:current_timestamp"`
}

// GlobalID returns the attachment's global ID.
func (a *Attachment) GlobalID() string { return relay.GlobalID("CardApplicationAttachment", a.ID) }

// readAttachment reads an uploaded file and returns its bytes and sniffed content type.
// Errors: BAD_USER_INPUT naming "file" with reason REQUIRED (empty), TOO_LARGE or TYPE.
func readAttachment(r io.Reader) ([]byte, string, error) {
	body, err := io.ReadAll(io.LimitReader(r, MaxAttachmentBytes+1))
	if err != nil {
		return nil, "", apperr.Invalid("file", "AttachmentUnreadable", nil).WithReason("UNREADABLE")
	}
	switch {
	case len(body) == 0:
		return nil, "", apperr.Invalid("file", "AttachmentRequired", nil).WithReason("REQUIRED")
	case len(body) > MaxAttachmentBytes:
		return nil, "", apperr.Invalid("file", "AttachmentTooLarge", map[string]any{"MaxMB": MaxAttachmentBytes >> 20}).
			WithReason("TOO_LARGE")
	}
	kind := http.DetectContentType(body)
	if i := strings.IndexByte(kind, ';'); i >= 0 {
		kind = kind[:i]
	}
	if !attachmentTypes[kind] {
		return nil, "", apperr.Invalid("file", "AttachmentType", nil).WithReason("TYPE")
	}
	return body, kind, nil
}

// cleanFileName returns the base of name, printable and at most 200 characters, or
// "vedlegg" when nothing is left.
func cleanFileName(name string) string {
	name = path.Base(strings.ReplaceAll(name, `\`, "/"))
	name = strings.Map(func(r rune) rune {
		if !unicode.IsPrint(r) {
			return -1
		}
		return r
	}, name)
	if r := []rune(strings.TrimSpace(name)); len(r) > 200 {
		name = string(r[:200])
	}
	if name = strings.TrimSpace(name); name == "" || name == "." || name == "/" {
		return "vedlegg"
	}
	return name
}

// AttachToApplication attaches a file (PDF, JPEG or PNG, at most 5 MiB) to an undecided
// application or one under appeal (its applicant), stored privately in the media store.
// Errors: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, CONFLICT naming "id" (decided or
// withdrawn), BAD_USER_INPUT naming "file" (REQUIRED, TOO_LARGE, TYPE, TOO_MANY).
func (s *Service) AttachToApplication(ctx context.Context, id uuid.UUID, fileName string, file io.Reader) (
	*Attachment, error,
) {
	c, err := current(ctx)
	if err != nil {
		return nil, err
	}
	if s.Files == nil {
		return nil, errors.New("attach to application: no file store")
	}
	body, kind, err := readAttachment(file)
	if err != nil {
		return nil, err
	}
	att := &Attachment{ID: newID(), MunicipalityID: c.mid(), ApplicationID: id, FileName: cleanFileName(fileName),
		ContentType: kind, SizeBytes: len(body), CreatedAt: s.now()}
	att.FileKey = c.mid().String() + "/applications/" + id.String() + "/" + att.ID.String()
	_, err = s.changeApplication(ctx, c, id, nil, "attach_card_application_file", func(tx bun.Tx, a *Application) error {
		if !a.undecided() {
			return conflict(a, "id")
		}
		n, err := tx.NewSelect().Model((*Attachment)(nil)).Where("att.application_id = ?", id).Count(ctx)
		if err != nil {
			return database.MapError(err, "count attachments", "application")
		}
		if n >= maxAttachments {
			return apperr.Invalid("file", "AttachmentTooMany", map[string]any{"Max": maxAttachments}).WithReason("TOO_MANY")
		}
		if _, err := tx.NewInsert().Model(att).Exec(ctx); err != nil {
			return database.MapError(err, "attach file", "application")
		}
		return s.Files.PutPrivate(ctx, att.FileKey, kind, body)
	}, "status")
	if err != nil {
		return nil, err
	}
	return att, nil
}

// FindAttachments returns the attachments of an application the caller may see (as
// FindApplicationByID), oldest first. Errors: as FindApplicationByID.
func (s *Service) FindAttachments(ctx context.Context, applicationID uuid.UUID) ([]*Attachment, error) {
	if _, err := s.FindApplicationByID(ctx, applicationID); err != nil {
		return nil, err
	}
	out := []*Attachment{}
	err := s.db.NewSelect().Model(&out).Where("att.application_id = ?", applicationID).OrderExpr("att.created_at, att.id").
		Scan(ctx)
	return out, database.MapError(err, "find attachments", "application")
}

// ReadAttachment returns an attachment's file to whoever may see its application (as
// FindApplicationByID); it is never served at a public address. Errors: as
// FindApplicationByID, NOT_FOUND for an attachment not there.
func (s *Service) ReadAttachment(ctx context.Context, id uuid.UUID) (*Attachment, []byte, error) {
	c, err := current(ctx)
	if err != nil {
		return nil, nil, err
	}
	att := new(Attachment)
	// SECURITY: only an attachment of the request's municipality ...
	err = s.db.NewSelect().Model(att).Where("att.id = ? AND att.municipality_id = ?", id, c.mid()).Scan(ctx)
	if err != nil {
		return nil, nil, database.MapError(err, "find attachment", "attachment")
	}
	// SECURITY: ... of an application the caller may see.
	if _, err := s.FindApplicationByID(ctx, att.ApplicationID); err != nil {
		return nil, nil, err
	}
	body, err := s.Files.ReadPrivate(ctx, att.FileKey)
	if err != nil {
		return nil, nil, err
	}
	return att, body, nil
}

// RemoveDeletedFiles removes from the media store the files of attachments deleted since
// (with their applications, on erasure or by retention) and forgets them; a file that
// cannot be removed now is tried again on the next run. It returns how many were removed.
func (s *Service) RemoveDeletedFiles(ctx context.Context) (int, error) {
	if s.Files == nil {
		return 0, nil
	}
	var keys []string
	err := s.db.NewSelect().Table("card_attachment_deletions").Column("file_key").OrderExpr("deleted_at").Limit(1000).
		Scan(ctx, &keys)
	if err != nil {
		return 0, database.MapError(err, "find deleted files", "attachment")
	}
	n := 0
	for _, key := range keys {
		if err := s.Files.DeletePrivate(ctx, key); err != nil {
			return n, err
		}
		if _, err := s.db.NewDelete().Table("card_attachment_deletions").Where("file_key = ?", key).Exec(ctx); err != nil {
			return n, database.MapError(err, "forget deleted file", "attachment")
		}
		n++
	}
	return n, nil
}

package card

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/fritid/fritid/internal/media"
	"github.com/fritid/fritid/internal/platform/apperr"
)

// pdf is the start of a PDF file, as a receipt scanned to PDF begins.
var pdf = []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")

func TestApplicationAttachmentsArePrivate(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	store, err := media.Open(context.Background(), "file://"+t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	e.svc.Files = store
	af := e.appFamily()
	mother := resident(e.larvik, af.f.mother)
	a := e.apply(af, 20_000)
	t.Run("ErrFiles", func(t *testing.T) {
		for _, tc := range []struct {
			name   string
			body   []byte
			reason string
		}{
			{"Empty", nil, "REQUIRED"},
			{"Type", []byte("<html><script>alert(1)</script></html>"), "TYPE"},
			{"TooLarge", append(append([]byte{}, pdf...), make([]byte, MaxAttachmentBytes)...), "TOO_LARGE"},
		} {
			_, err := e.svc.AttachToApplication(mother, a.ID, "kvittering.pdf", bytes.NewReader(tc.body))
			wantInvalid(t, err, "file", tc.reason)
		}
	})
	_, err = e.svc.AttachToApplication(resident(e.larvik, e.guardian()), a.ID, "x.pdf", bytes.NewReader(pdf))
	wantCode(t, err, apperr.NotFound)
	att, err := e.svc.AttachToApplication(mother, a.ID, `C:\Users\mor\kvittering.pdf`, bytes.NewReader(pdf))
	if err != nil {
		t.Fatal(err)
	}
	if att.FileName != "kvittering.pdf" || att.ContentType != "application/pdf" {
		t.Errorf("attached %q as %s", att.FileName, att.ContentType)
	}
	for name, ctx := range map[string]context.Context{"Applicant": mother, "Caseworker": af.cw, "Coordinator": e.coord} {
		_, body, err := e.svc.ReadAttachment(ctx, att.ID)
		if err != nil || !bytes.Equal(body, pdf) {
			t.Errorf("%s reads %d bytes, %v", name, len(body), err)
		}
	}
	for name, ctx := range map[string]context.Context{
		"Anonymous":           anonymous(e.larvik),
		"Stranger":            resident(e.larvik, e.guardian()),
		"OtherAgency":         e.caseworker(e.agency("Skolen")),
		"OtherMunicipality":   e.otherCaseworker(e.municipality("sandefjord")),
		"OtherGuardianOfCard": resident(e.larvik, af.f.father),
	} {
		if _, _, err := e.svc.ReadAttachment(ctx, att.ID); err == nil {
			t.Errorf("%s reads the attachment", name)
		}
	}
	t.Run("NotAtAPublicAddress", func(t *testing.T) {
		mux := http.NewServeMux()
		mux.Handle("GET /media/{key...}", store.Handler())
		for _, key := range []string{media.PrivatePrefix + att.FileKey, "./" + media.PrivatePrefix + att.FileKey,
			url.PathEscape("private") + "/" + att.FileKey} {
			rec := httptest.NewRecorder()
			mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/media/"+key, nil))
			if rec.Code == http.StatusOK {
				t.Errorf("GET /media/%s served the file", key)
			}
		}
	})
	t.Run("ErasedWithTheApplication", func(t *testing.T) {
		if ok, err := e.svc.ErasePersonalData(e.admin, af.f.mother); err != nil || !ok {
			t.Fatalf("erase: %v, %v", ok, err)
		}
		if _, err := store.ReadPrivate(context.Background(), att.FileKey); !errors.Is(err, media.ErrNotFound) {
			t.Errorf("file still stored: %v", err)
		}
		if n := e.count("SELECT count(*) FROM card_application_attachments"); n != 0 {
			t.Errorf("%d attachments left", n)
		}
	})
}

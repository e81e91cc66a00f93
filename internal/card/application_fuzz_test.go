package card

import (
	"bytes"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/fritid/fritid/internal/platform/apperr"
)

// FuzzAttachmentInput feeds the attachment's file reader and name cleaner anything: a
// file is refused as the client's fault or taken as one of the allowed types, and a name
// is always a printable base name of at most 200 characters.
func FuzzAttachmentInput(f *testing.F) {
	f.Add([]byte("%PDF-1.4\n%%EOF"), "kvittering.pdf")
	f.Add([]byte("\x89PNG\r\n\x1a\n"), `C:\Users\mor\bilde.png`)
	f.Add([]byte("\xff\xd8\xff\xe0"), "../../etc/passwd")
	f.Add([]byte{}, "")
	f.Add([]byte("<html>"), "a\x00b\nc.pdf")
	f.Fuzz(func(t *testing.T, body []byte, name string) {
		got, kind, err := readAttachment(bytes.NewReader(body))
		if err != nil {
			if apperr.CodeOf(err) != apperr.BadUserInput || apperr.As(err).Field != "file" {
				t.Fatalf("error %v", err)
			}
		} else if !attachmentTypes[kind] || !bytes.Equal(got, body) {
			t.Fatalf("took %q as %s", body, kind)
		}
		clean := cleanFileName(name)
		if clean == "" || strings.ContainsAny(clean, `/\`) || utf8.RuneCountInString(clean) > 200 ||
			strings.ContainsFunc(clean, func(r rune) bool { return !unicode.IsPrint(r) }) {
			t.Fatalf("cleanFileName(%q) = %q", name, clean)
		}
	})
}

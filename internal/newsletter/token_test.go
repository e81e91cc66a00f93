package newsletter

import (
	"encoding/base64"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/fritid/fritid/internal/platform/apperr"
)

// TestSignedLinks opens the links fritid signed and refuses every other: another purpose,
// another municipality, another server secret, a changed byte.
func TestSignedLinks(t *testing.T) {
	s := NewService(nil, "a server secret of at least thirty-two characters")
	mid, sub, camp := uuid.New(), uuid.New(), uuid.New()
	at := time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC)
	text := s.sign(token{purpose: purposeUnsubscribe, municipality: mid, subscriber: sub, campaign: camp, issued: at})
	got, err := s.open(text, purposeUnsubscribe, mid)
	if err != nil || got.subscriber != sub || got.campaign != camp || !got.issued.Equal(at) {
		t.Fatalf("open: %+v, %v", got, err)
	}
	raw, _ := base64.RawURLEncoding.DecodeString(text)
	raw[20] ^= 1
	other := NewService(nil, "another server secret of thirty-two characters")
	tests := []struct {
		name    string
		svc     *Service
		text    string
		purpose byte
		mid     uuid.UUID
	}{
		{"ErrOtherPurpose", s, text, purposePreferences, mid},
		{"ErrOtherMunicipality", s, text, purposeUnsubscribe, uuid.New()},
		{"ErrOtherSecret", other, text, purposeUnsubscribe, mid},
		{"ErrChangedByte", s, base64.RawURLEncoding.EncodeToString(raw), purposeUnsubscribe, mid},
		{"ErrGarbage", s, "not a token", purposeUnsubscribe, mid},
		{"ErrEmpty", s, "", purposeUnsubscribe, mid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.svc.open(tt.text, tt.purpose, tt.mid)
			if e := apperr.As(err); e == nil || e.Code != apperr.BadUserInput || e.Field != "token" {
				t.Fatalf("got %v, want BAD_USER_INPUT on token", err)
			}
		})
	}
}

// TestEmailHashIsKeyedPerMunicipality: one address gives one hash within a municipality
// and unrelated hashes in two.
func TestEmailHashIsKeyedPerMunicipality(t *testing.T) {
	s := NewService(nil, "a server secret of at least thirty-two characters")
	a, b := uuid.New(), uuid.New()
	if string(s.emailHash(a, "kari@example.no")) != string(s.emailHash(a, "kari@example.no")) {
		t.Fatal("one municipality, two hashes")
	}
	if string(s.emailHash(a, "kari@example.no")) == string(s.emailHash(b, "kari@example.no")) {
		t.Fatal("two municipalities, one hash")
	}
}

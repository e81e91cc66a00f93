package content

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/fritid/fritid/internal/platform/apperr"
)

// PreviewToken is a signed, short-lived permission to see one language of one page or
// article as it will look when published.
type PreviewToken struct {
	Token     string
	ExpiresAt time.Time
}

// previewGrant is what a valid token allows.
type previewGrant struct {
	typ    string
	id     uuid.UUID
	mid    uuid.UUID
	locale string
}

func (s *Service) ttl() time.Duration {
	if s.PreviewTTL > 0 {
		return s.PreviewTTL
	}
	return DefaultPreviewTTL
}

// sign returns a token for g that expires at exp.
func (s *Service) sign(g previewGrant, exp time.Time) string {
	payload := strings.Join([]string{g.typ, g.id.String(), g.mid.String(), g.locale,
		strconv.FormatInt(exp.Unix(), 10)}, "|")
	mac := hmac.New(sha256.New, append([]byte("fritid content preview\x00"), s.Secret...))
	mac.Write([]byte(payload))
	return base64.RawURLEncoding.EncodeToString([]byte(payload)) + "." +
		base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// verify returns the grant a token carries for the item typ/id of municipality mid.
// Errors: BAD_USER_INPUT naming "previewToken": PreviewTokenInvalid for a token that is
// forged or names another item, PreviewTokenExpired for one past its time.
func (s *Service) verify(token, typ string, id, mid uuid.UUID) (*previewGrant, error) {
	bad := apperr.Invalid("previewToken", "PreviewTokenInvalid", nil)
	p64, sig64, ok := strings.Cut(token, ".")
	if !ok || len(token) > 1000 {
		return nil, bad
	}
	payload, err1 := base64.RawURLEncoding.DecodeString(p64)
	sig, err2 := base64.RawURLEncoding.DecodeString(sig64)
	if err1 != nil || err2 != nil {
		return nil, bad
	}
	mac := hmac.New(sha256.New, append([]byte("fritid content preview\x00"), s.Secret...))
	mac.Write(payload)
	if !hmac.Equal(sig, mac.Sum(nil)) {
		return nil, bad
	}
	parts := strings.Split(string(payload), "|")
	if len(parts) != 5 || parts[0] != typ || parts[1] != id.String() || parts[2] != mid.String() {
		return nil, bad
	}
	exp, err := strconv.ParseInt(parts[4], 10, 64)
	if err != nil {
		return nil, bad
	}
	if !s.now().Before(time.Unix(exp, 0)) {
		return nil, apperr.Invalid("previewToken", "PreviewTokenExpired", nil)
	}
	return &previewGrant{typ: typ, id: id, mid: mid, locale: parts[3]}, nil
}

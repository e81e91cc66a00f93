package newsletter

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base32"
	"encoding/binary"
	"strings"

	"github.com/google/uuid"
)

// Return paths (VERP). With a bounce address configured, every list e-mail goes out with
// an envelope sender of its own, bounces+<token>@<bounce domain>, and its List-Unsubscribe
// header also offers mailto:unsubscribe+<token>@<bounce domain>. The mail server hands what
// arrives for either back to fritid (POST /newsletter/inbound), and the token says which
// delivery it concerns without any personal data in the address.
//
// A token is a kind byte, the delivery's number (8 bytes; a campaign e-mail) or the
// subscriber's id (16 bytes; the confirmation e-mail), and the first 10 bytes of their
// HMAC-SHA256 under a key derived from the server secret, in lower-case base32: 31 or 44
// characters, so the address stays within the 64 characters SMTP allows a local part, and
// a mail server that folds case does not break it. The delivery's row names the
// municipality, the campaign and the subscriber.

// The kinds of token.
const (
	// kindBounce is a campaign e-mail's return path: a delivery report or complaint.
	kindBounce byte = 'b'
	// kindConfirmBounce is the return path of an e-mail to a subscriber (the confirmation).
	kindConfirmBounce byte = 'c'
	// kindUnsubscribe is a campaign e-mail's mailto: unsubscribe address.
	kindUnsubscribe byte = 'u'
)

// returnMACSize is how much of the HMAC a token keeps (80 bits).
const returnMACSize = 10

// maxReturnToken is the length of the longest token: a bounce address's local part may
// have 64 - 1 - 44 = 19 characters (FRITID_NEWSLETTER_BOUNCE_ADDRESS is checked for it).
const maxReturnToken = 44

// UnsubscribeLocalPart is the local part of the mailto: unsubscribe address, at the bounce
// address's domain.
const UnsubscribeLocalPart = "unsubscribe"

// returnToken is what a return-path token names: a delivery by number, or a subscriber.
type returnToken struct {
	kind       byte
	delivery   int64
	subscriber uuid.UUID
}

// returnEncoding is lower-case base32 without padding.
var returnEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// signReturn returns the token's text.
func (s *Service) signReturn(t returnToken) string {
	b := []byte{t.kind}
	if t.kind == kindConfirmBounce {
		b = append(b, t.subscriber[:]...)
	} else {
		b = binary.BigEndian.AppendUint64(b, uint64(t.delivery))
	}
	m := hmac.New(sha256.New, s.key("return path"))
	m.Write(b)
	return returnEncoding.EncodeToString(append(b, m.Sum(nil)[:returnMACSize]...))
}

// openReturn returns the token in text when its signature holds.
func (s *Service) openReturn(text string) (returnToken, bool) {
	b, err := returnEncoding.DecodeString(strings.ToLower(text))
	if err != nil || len(b) < 1+returnMACSize {
		return returnToken{}, false
	}
	body, mac := b[:len(b)-returnMACSize], b[len(b)-returnMACSize:]
	t := returnToken{kind: body[0]}
	switch {
	case t.kind == kindConfirmBounce && len(body) == 17:
		copy(t.subscriber[:], body[1:])
	case (t.kind == kindBounce || t.kind == kindUnsubscribe) && len(body) == 9:
		t.delivery = int64(binary.BigEndian.Uint64(body[1:]))
	default:
		return returnToken{}, false
	}
	m := hmac.New(sha256.New, s.key("return path"))
	m.Write(body)
	if !hmac.Equal(m.Sum(nil)[:returnMACSize], mac) {
		return returnToken{}, false
	}
	return t, true
}

// bounceParts returns the local part and domain of the bounce address; ok is false when
// none is configured.
func (s *Service) bounceParts() (local, domain string, ok bool) {
	at := strings.LastIndex(s.BounceAddress, "@")
	if at < 1 {
		return "", "", false
	}
	return s.BounceAddress[:at], s.BounceAddress[at+1:], true
}

// returnPath returns the envelope sender of an e-mail with token t and the token's text
// for its X-Fritid-Delivery field; both empty without a bounce address.
func (s *Service) returnPath(t returnToken) (path, token string) {
	local, domain, ok := s.bounceParts()
	if !ok {
		return "", ""
	}
	token = s.signReturn(t)
	return local + "+" + token + "@" + domain, token
}

// unsubscribeMailto returns the mailto: unsubscribe URI of delivery number, or "" without a
// bounce address.
func (s *Service) unsubscribeMailto(number int64) string {
	_, domain, ok := s.bounceParts()
	if !ok {
		return ""
	}
	tok := s.signReturn(returnToken{kind: kindUnsubscribe, delivery: number})
	return "mailto:" + UnsubscribeLocalPart + "+" + tok + "@" + domain
}

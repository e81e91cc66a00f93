package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
)

// newToken returns 256 random bits as URL-safe text, for a session token.
func newToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// keyedHash returns HMAC-SHA256 of v under key, with a purpose label so the same value
// hashed for two purposes gives two unrelated hashes.
func keyedHash(key []byte, purpose, v string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(purpose))
	m.Write([]byte{0})
	m.Write([]byte(v))
	return m.Sum(nil)
}

// decodeSegment decodes a base64url JWT segment.
func decodeSegment(s string) ([]byte, error) { return base64.RawURLEncoding.DecodeString(s) }

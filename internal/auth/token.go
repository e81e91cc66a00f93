package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
)

// NewToken returns 256 random bits as URL-safe text: session tokens and link tokens.
func NewToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// KeyedHash returns HMAC-SHA256 of v under key, with a purpose label so the same value
// hashed for two purposes gives two unrelated hashes.
func KeyedHash(key []byte, purpose, v string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(purpose))
	m.Write([]byte{0})
	m.Write([]byte(v))
	return m.Sum(nil)
}

// decodeSegment decodes a base64url JWT segment.
func decodeSegment(s string) ([]byte, error) { return base64.RawURLEncoding.DecodeString(s) }

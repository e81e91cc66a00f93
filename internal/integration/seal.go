package integration

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"
)

// sealedPrefix marks a signing secret stored encrypted.
const sealedPrefix = "sealed:v1:"

// aead returns the cipher that seals signing secrets at rest: AES-256-GCM under a key
// derived from Service.Key, or nil when there is no key.
func (s *Service) aead() (cipher.AEAD, error) {
	if len(s.Key) == 0 {
		return nil, nil
	}
	h := hmac.New(sha256.New, s.Key)
	h.Write([]byte("fritid webhook secrets"))
	block, err := aes.NewCipher(h.Sum(nil))
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// seal returns secret as it is stored: encrypted when the service has a key.
func (s *Service) seal(secret string) (string, error) {
	c, err := s.aead()
	if err != nil || c == nil {
		return secret, err
	}
	nonce := make([]byte, c.NonceSize())
	rand.Read(nonce) //nolint:errcheck // never fails
	return sealedPrefix + base64.RawStdEncoding.EncodeToString(c.Seal(nonce, nonce, []byte(secret), nil)), nil
}

// unseal returns a stored secret in the clear.
func (s *Service) unseal(stored string) (string, error) {
	raw, ok := strings.CutPrefix(stored, sealedPrefix)
	if !ok {
		return stored, nil
	}
	c, err := s.aead()
	if err != nil {
		return "", err
	}
	if c == nil {
		return "", errors.New("webhook secret is sealed, and no FRITID_SECRET_KEY is set")
	}
	b, err := base64.RawStdEncoding.DecodeString(raw)
	if err != nil || len(b) < c.NonceSize() {
		return "", errors.New("webhook secret: not readable")
	}
	plain, err := c.Open(nil, b[:c.NonceSize()], b[c.NonceSize():], nil)
	if err != nil {
		return "", errors.New("webhook secret: not readable with this FRITID_SECRET_KEY; rotate it")
	}
	return string(plain), nil
}

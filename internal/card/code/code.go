// Package code makes short codes that people read aloud and type: activity card numbers and
// the codes of tickets shown at the door. A code is random characters from Crockford's base32
// alphabet (no I, L, O or U) and one check character, shown in groups of four:
// "K7QF-3MZD-X2".
//
// The check character is a position-weighted sum over GF(32) (a Damm-style check over a
// totally anti-symmetric quasigroup): it catches every single wrong character and every swap
// of two neighbours, including a swap with the check character itself.
package code

import (
	"crypto/rand"
	"fmt"
	"math/big"
	"strings"
	"unicode"
)

// Lengths in random characters; each carries 5 bits, the check character adds none.
const (
	// CardNumberLength is the random length of an activity card number: 40 bits. A card
	// number identifies a card; it does not on its own let anyone claim tickets.
	CardNumberLength = 8
	// TicketCodeLength is the random length of a ticket code: 50 bits, above the 40 bits a
	// code checked at the door must have, so guessing a valid code is hopeless.
	TicketCodeLength = 10
)

// alphabet is Crockford's base32: the value of a character is its index.
const alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// groupSize is how many characters Format puts between dashes.
const groupSize = 4

// values maps an input byte to its value, or -1: lower case is accepted, and I and L read
// as 1 and O as 0, as Crockford's base32 does.
var values = func() [256]int8 {
	var t [256]int8
	for i := range t {
		t[i] = -1
	}
	for i := range len(alphabet) {
		c := alphabet[i]
		t[c] = int8(i)
		t[unicode.ToLower(rune(c))] = int8(i)
	}
	for _, c := range "IiLl" {
		t[c] = 1
	}
	t['O'], t['o'] = 0, 0
	return t
}()

// New returns n random characters and a check character, grouped with dashes every four
// characters. It fails only when n is below 1.
func New(n int) (string, error) {
	if n < 1 {
		return "", fmt.Errorf("code length %d: must be at least 1", n)
	}
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("random code: %w", err)
	}
	for i := range b {
		b[i] &= 31 // 32 divides 256: every character is equally likely
	}
	return Format(encode(append(b, checkValue(b)))), nil
}

// Normalise returns the canonical form of a typed code, upper case without spaces or dashes
// (I and L read as 1, O as 0), and whether it is a valid code: only alphabet characters, at
// least one besides the check character, and a correct check character. When it is not
// valid the string is "". Callers still check the length they expect.
func Normalise(s string) (string, bool) {
	vals := make([]byte, 0, len(s))
	for _, r := range s {
		if unicode.IsSpace(r) || r == '-' {
			continue
		}
		if r >= 0x80 || values[r] < 0 {
			return "", false
		}
		vals = append(vals, byte(values[r]))
	}
	if len(vals) < 2 || fold(vals) != 0 {
		return "", false
	}
	return encode(vals), true
}

// Format returns canonical with a dash after every four characters, for display. It does
// not check the code.
func Format(canonical string) string {
	var b strings.Builder
	for i := 0; i < len(canonical); i += groupSize {
		if i > 0 {
			b.WriteByte('-')
		}
		b.WriteString(canonical[i:min(i+groupSize, len(canonical))])
	}
	return b.String()
}

// pinSpace is the number of 6-digit PINs.
var pinSpace = big.NewInt(1_000_000)

// PIN returns a random 6-digit PIN, "000000" to "999999", each equally likely. It has only
// about 20 bits: whatever checks it must limit attempts.
func PIN() (string, error) {
	n, err := rand.Int(rand.Reader, pinSpace)
	if err != nil {
		return "", fmt.Errorf("random PIN: %w", err)
	}
	return fmt.Sprintf("%06d", n.Int64()), nil
}

// encode returns the characters of vals.
func encode(vals []byte) string {
	b := make([]byte, len(vals))
	for i, v := range vals {
		b[i] = alphabet[v]
	}
	return string(b)
}

// The check works in GF(2⁵) built with the primitive polynomial x⁵ + x² + 1. Folding a value v
// into the running state c gives c·x + v; with a = x ≠ 0, 1, the operation is a totally
// anti-symmetric quasigroup: (c·a + p)·a + q = (c·a + q)·a + p only when p = q. So each
// character changes the result on its own, and swapping two neighbours always changes it.

// mulX returns c·x in GF(2⁵).
func mulX(c byte) byte {
	c <<= 1
	if c&0x20 != 0 {
		c ^= 0x25 // x⁵ = x² + 1
	}
	return c
}

// step folds the value v into the state c.
func step(c, v byte) byte { return mulX(c) ^ v }

// fold returns the state after folding all of vals from state 0; a valid code folds to 0.
func fold(vals []byte) byte {
	var c byte
	for _, v := range vals {
		c = step(c, v)
	}
	return c
}

// checkValue returns the check value that makes vals fold to 0: step(c, c·x) = 0.
func checkValue(vals []byte) byte { return mulX(fold(vals)) }

package card

import (
	"strings"
	"testing"
	"unicode"

	"github.com/fritid/fritid/internal/platform/apperr"
)

// FuzzValidateInvoice feeds the invoice checks arbitrary texts and amounts: they never
// panic, refuse only with BAD_USER_INPUT naming an input field, and what they accept has
// a sane amount, a reference, a first name without digits and no identity number.
func FuzzValidateInvoice(f *testing.F) {
	f.Add(int64(30_000), "CUP", "Sommercup", "KID 0012345678", "Ola")
	f.Add(int64(0), "OTHER", "", " ", "Kari 010110")
	f.Add(int64(10_000_001), "BEER", "010110 12345", "<b>x</b>", "Åse")
	f.Fuzz(func(t *testing.T, ore int64, purpose, text, ref, name string) {
		in, err := validateInvoice(InvoiceInput{AmountOre: ore, Purpose: InvoicePurpose(purpose), PurposeText: text,
			Reference: ref, ChildFirstName: name})
		if err != nil {
			e := apperr.As(err)
			if e == nil || e.Code != apperr.BadUserInput || !strings.HasPrefix(e.Field, "input.") {
				t.Fatalf("refused with %v", err)
			}
			return
		}
		if in.AmountOre < 1 || in.AmountOre > maxAmountOre || in.Reference == "" ||
			strings.ContainsFunc(in.ChildFirstName, unicode.IsDigit) || identityLike.MatchString(in.PurposeText) ||
			!in.Purpose.valid() {
			t.Fatalf("accepted %+v", in)
		}
	})
}

package card

import "testing"

// TestInvoiceHolderFirstName posts the holder's first name by its neutral name and by its
// old one (a programme may be for pensioners), and reads it back by both.
func TestInvoiceHolderFirstName(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.programme(nil)
	club := e.provider("Larvik Seniordans", p)
	a := e.anonymousCard(p)
	for _, tc := range []struct {
		name  string
		in    InvoiceInput
		wants string
	}{
		{"Holder", InvoiceInput{HolderFirstName: " Ingrid "}, "Ingrid"},
		{"Child", InvoiceInput{ChildFirstName: "Ola"}, "Ola"},
		{"BothTheSame", InvoiceInput{HolderFirstName: "Kari", ChildFirstName: "Kari"}, "Kari"},
		{"None", InvoiceInput{}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			in.OrganisationID, in.CardNumber, in.AmountOre, in.Purpose, in.Reference = club.id, a.Card.Number, 20_000,
				PurposeParticipation, "KID 77"
			inv, err := e.svc.PostInvoice(club.owner, in)
			if err != nil {
				t.Fatal(err)
			}
			got := ""
			if n := inv.HolderFirstName(); n != nil {
				got = *n
			}
			if got != tc.wants || (inv.ChildFirstName == nil) != (tc.wants == "") {
				t.Errorf("holder's first name %q, want %q", got, tc.wants)
			}
		})
	}
}

package portal

import "github.com/fritid/fritid/internal/platform/apperr"

// ValidOrgNumber reports whether s is a Norwegian organisation number: nine digits whose
// last is the modulus-11 check digit of the first eight (weights 3 2 7 6 5 4 3 2).
func ValidOrgNumber(s string) bool {
	if len(s) != 9 {
		return false
	}
	weights := [8]int{3, 2, 7, 6, 5, 4, 3, 2}
	sum := 0
	for i, c := range s {
		if c < '0' || c > '9' {
			return false
		}
		if i < 8 {
			sum += int(c-'0') * weights[i]
		}
	}
	check := 11 - sum%11
	if check == 11 {
		check = 0
	}
	return check != 10 && check == int(s[8]-'0')
}

func invalidOrgNumber(field string) error {
	return apperr.Invalid(field, "OrgNumberInvalid", nil)
}

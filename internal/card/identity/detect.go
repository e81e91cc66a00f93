package identity

import "regexp"

// numberLike matches eleven digits written as an identity number may be: together, or
// with a space, dot or dash after the birth date.
var numberLike = regexp.MustCompile(`\d{6}[ .\-]?\d{5}`)

// LooksLikeNumber reports whether s holds something written like an identity number
// (eleven digits, possibly split after the sixth), valid or not: free text that is shown
// to others or kept must not carry one, and a mistyped number is still one.
func LooksLikeNumber(s string) bool { return numberLike.MatchString(s) }

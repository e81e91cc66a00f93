package roster

import (
	"strconv"
	"strings"
	"time"
)

// ParseDate reads a birth date as sheets write it: YYYY-MM-DD, or day, month and a
// four-digit year separated by dots, slashes or dashes (17.05.2016, 7.5.2016, 17/05/2016).
// A two-digit year, or month before day, is not read: it could be the wrong century or the
// wrong month.
func ParseDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, true
	}
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == '.' || r == '/' || r == '-' })
	if len(parts) != 3 || len(parts[0]) > 2 || len(parts[1]) > 2 || len(parts[2]) != 4 {
		return time.Time{}, false
	}
	var n [3]int
	for i, p := range parts {
		if strings.Trim(p, "0123456789") != "" {
			return time.Time{}, false
		}
		n[i], _ = strconv.Atoi(p)
	}
	t := time.Date(n[2], time.Month(n[1]), n[0], 0, 0, 0, 0, time.UTC)
	if t.Day() != n[0] || int(t.Month()) != n[1] || t.Year() != n[2] {
		return time.Time{}, false
	}
	return t, true
}

package events

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/teambition/rrule-go"

	"github.com/fritid/fritid/internal/platform/apperr"
)

// Rule is a series' recurrence as RFC 5545 has it: an RRULE (without DTSTART, which is
// the series' first start), extra dates (RDATE) and excluded dates (EXDATE), in a time
// zone (TZID) whose wall clock the occurrences keep across daylight-saving switches.
type Rule struct {
	RRule    string
	RDates   []time.Time
	ExDates  []time.Time
	TimeZone string
}

// allowedFreq are the frequencies a series may have: events recur daily at most.
var allowedFreq = map[rrule.Frequency]bool{rrule.DAILY: true, rrule.WEEKLY: true, rrule.MONTHLY: true,
	rrule.YEARLY: true}

// ParseRRule parses an RRULE value ("FREQ=WEEKLY;BYDAY=TU", an "RRULE:" prefix allowed)
// starting at dtstart, read in dtstart's location. Errors: BAD_USER_INPUT naming field
// (RuleInvalid) for anything RFC 5545 does not allow, a DTSTART inside the rule, or a
// frequency finer than daily.
func ParseRRule(s string, dtstart time.Time, field string) (*rrule.RRule, error) {
	s = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(s), "RRULE:"))
	bad := apperr.Invalid(field, "RuleInvalid", nil)
	if s == "" || len(s) > 500 || strings.ContainsAny(s, "\n\r:\x00") || strings.Contains(strings.ToUpper(s), "DTSTART") {
		return nil, bad
	}
	opt, err := rrule.StrToROptionInLocation(s, dtstart.Location())
	if err != nil || !allowedFreq[opt.Freq] {
		return nil, bad
	}
	if opt.Count > MaxOccurrences {
		return nil, apperr.Invalid(field, "TooManyOccurrences", map[string]any{"Max": MaxOccurrences})
	}
	opt.Dtstart = dtstart
	r, err := rrule.NewRRule(*opt)
	if err != nil {
		return nil, bad
	}
	return r, nil
}

// occurrenceSet is a series' rule ready to expand.
type occurrenceSet struct {
	rule    *rrule.RRule // nil: the RDATEs alone
	dtstart time.Time
	rdates  []time.Time
	exdates []time.Time
}

// buildSet checks r for a series starting at dtstart and returns its set, dtstart moved
// into the rule's time zone. Errors: BAD_USER_INPUT naming field+".timeZone", ".rrule"
// or ".exdates[i]".
func buildSet(r Rule, dtstart time.Time, field string) (*occurrenceSet, error) {
	loc, err := loadZone(r.TimeZone, field+".timeZone")
	if err != nil {
		return nil, err
	}
	set := &occurrenceSet{dtstart: dtstart.In(loc).Truncate(time.Second)}
	if strings.TrimSpace(r.RRule) != "" {
		if set.rule, err = ParseRRule(r.RRule, set.dtstart, field+".rrule"); err != nil {
			return nil, err
		}
	}
	for _, d := range r.RDates {
		set.rdates = append(set.rdates, d.In(loc).Truncate(time.Second))
	}
	for _, d := range r.ExDates {
		set.exdates = append(set.exdates, d.In(loc).Truncate(time.Second))
	}
	return set, nil
}

// loadZone returns the IANA time zone name. Errors: BAD_USER_INPUT naming field.
func loadZone(name, field string) (*time.Location, error) {
	if name == "" || name == "Local" {
		return nil, apperr.Invalid(field, "TimeZoneInvalid", nil)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, apperr.Invalid(field, "TimeZoneInvalid", nil)
	}
	return loc, nil
}

// expand returns the set's starts up to and including until (before EXDATEs and
// closures), in order. Errors: BAD_USER_INPUT naming field (TooManyOccurrences) when
// there are more than MaxOccurrences.
func (set *occurrenceSet) expand(until time.Time, field string) ([]time.Time, error) {
	out := []time.Time{set.dtstart}
	if set.rule != nil {
		out = out[:0]
		next := set.rule.Iterator()
		for {
			t, ok := next()
			if !ok || t.After(until) {
				break
			}
			out = append(out, t)
			if len(out) > MaxOccurrences {
				return nil, apperr.Invalid(field, "TooManyOccurrences", map[string]any{"Max": MaxOccurrences})
			}
		}
	}
	for _, d := range set.rdates {
		if !d.After(until) && !slices.ContainsFunc(out, d.Equal) {
			out = append(out, d)
		}
	}
	slices.SortFunc(out, func(a, b time.Time) int { return a.Compare(b) })
	if len(out) > MaxOccurrences {
		return nil, apperr.Invalid(field, "TooManyOccurrences", map[string]any{"Max": MaxOccurrences})
	}
	return out, nil
}

// checkExDates returns BAD_USER_INPUT naming field[i] for an EXDATE that is no start of
// the set (before EXDATEs).
func (set *occurrenceSet) checkExDates(field string) error {
	for i, x := range set.exdates {
		ok := slices.ContainsFunc(set.rdates, x.Equal) || (set.rule == nil && x.Equal(set.dtstart))
		if !ok && set.rule != nil {
			ok = len(set.rule.Between(x, x, true)) > 0
		}
		if !ok {
			return apperr.Invalid(fmt.Sprintf("%s[%d]", field, i), "ExDateUnmatched", nil)
		}
	}
	return nil
}

// without returns starts less the EXDATEs and those on a closed day.
func without(starts, exdates []time.Time, closed func(time.Time) bool) []time.Time {
	out := make([]time.Time, 0, len(starts))
	for _, t := range starts {
		if !slices.ContainsFunc(exdates, t.Equal) && (closed == nil || !closed(t)) {
			out = append(out, t)
		}
	}
	return out
}

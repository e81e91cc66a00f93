package portal

import (
	"regexp"

	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/platform/apperr"
)

var clock = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)

// applyActivityPatch validates p and applies it to a, returning the fields changed.
func applyActivityPatch(a *Activity, p ActivityPatch) ([]string, error) {
	var fields []string
	texts := []struct {
		p    Patch[string]
		dst  *string
		name string
		max  int
	}{{p.Title, &a.Title, "title", 200}, {p.Summary, &a.Summary, "summary", 1000}, {p.Description, &a.Description, "description", 20000},
		{p.PriceNote, &a.PriceNote, "priceNote", 500}, {p.Schedule, &a.ScheduleText, "schedule", 1000}}
	for _, t := range texts {
		if !t.p.Set {
			continue
		}
		v, err := CheckText(t.p.Value, t.max, "input."+t.name)
		if err != nil {
			return nil, err
		}
		if t.name == "title" && v == "" {
			return nil, apperr.Invalid("input.title", "NameRequired", nil)
		}
		*t.dst, fields = v, append(fields, t.name)
	}
	contact, err := applyActivityContact(a, p)
	if err != nil {
		return nil, err
	}
	rest, err := applyActivityFacts(a, p)
	if err != nil {
		return nil, err
	}
	return append(append(fields, contact...), rest...), nil
}

func applyActivityContact(a *Activity, p ActivityPatch) ([]string, error) {
	var fields []string
	if p.SignupURL.Set {
		u, err := CheckURL(p.SignupURL.Value, "input.signupUrl")
		if err != nil {
			return nil, err
		}
		a.SignupURL, fields = u, append(fields, "signupUrl")
	}
	if p.Email.Set {
		e := ""
		if p.Email.Value != "" {
			var err error
			if e, err = auth.NormaliseEmail(p.Email.Value, "input.email"); err != nil {
				return nil, err
			}
		}
		a.Email, fields = e, append(fields, "email")
	}
	if p.Phone.Set {
		ph, err := CheckPhone(p.Phone.Value, "input.phone")
		if err != nil {
			return nil, err
		}
		a.Phone, fields = ph, append(fields, "phone")
	}
	return fields, nil
}

func applyActivityFacts(a *Activity, p ActivityPatch) ([]string, error) {
	var fields []string
	if p.AgeMin.Set {
		a.AgeMin, fields = p.AgeMin.Value, append(fields, "ageMin")
	}
	if p.AgeMax.Set {
		a.AgeMax, fields = p.AgeMax.Value, append(fields, "ageMax")
	}
	for _, age := range []struct {
		v     *int
		field string
	}{{a.AgeMin, "input.ageMin"}, {a.AgeMax, "input.ageMax"}} {
		if age.v != nil && (*age.v < 0 || *age.v > 120) {
			return nil, apperr.Invalid(age.field, "AgeRange", nil)
		}
	}
	if a.AgeMin != nil && a.AgeMax != nil && *a.AgeMin > *a.AgeMax {
		return nil, apperr.Invalid("input.ageMax", "AgeRange", nil)
	}
	if p.PriceOre.Set {
		if p.PriceOre.Value < 0 || p.PriceOre.Value > 100_000_000 {
			return nil, apperr.Invalid("input.priceOre", "PriceRange", nil)
		}
		a.PriceOre, fields = p.PriceOre.Value, append(fields, "priceOre")
	}
	if p.AcceptsCard.Set {
		a.AcceptsCard, fields = p.AcceptsCard.Value, append(fields, "acceptsCard")
	}
	if p.PausesInSchoolHolidays.Set {
		a.PausesInSchoolHolidays, fields = p.PausesInSchoolHolidays.Value, append(fields, "pausesInSchoolHolidays")
	}
	if p.PausesOnPublicHolidays.Set {
		a.PausesOnPublicHolidays, fields = p.PausesOnPublicHolidays.Value, append(fields, "pausesOnPublicHolidays")
	}
	if p.TargetGroups.Set {
		a.TargetGroups, fields = nonNil(p.TargetGroups.Value), append(fields, "targetGroups")
	}
	if p.Accessibility.Set {
		a.Accessibility, fields = nonNil(p.Accessibility.Value), append(fields, "accessibility")
	}
	if p.Languages.Set {
		for _, l := range p.Languages.Value {
			if !localeRE.MatchString(l) {
				return nil, apperr.Invalid("input.languages", "LocaleInvalid", nil)
			}
		}
		a.Languages, fields = nonNil(p.Languages.Value), append(fields, "languages")
	}
	if p.Slots.Set {
		for _, s := range p.Slots.Value {
			if s.Weekday < 1 || s.Weekday > 7 || !clock.MatchString(s.Start) || !clock.MatchString(s.End) || s.Start >= s.End {
				return nil, apperr.Invalid("input.slots", "SlotInvalid", nil)
			}
		}
		a.Slots, fields = nonNil(p.Slots.Value), append(fields, "slots")
	}
	if p.VenueID.Set {
		fields = append(fields, "venue")
	}
	if p.CategoryIDs.Set {
		fields = append(fields, "categories")
	}
	return fields, nil
}

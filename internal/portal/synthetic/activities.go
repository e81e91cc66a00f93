package synthetic

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/fritid/fritid/internal/portal"
)

// activity returns a new activity of the organisation.
func (g *generator) activity(org *orgSpec) portal.ActivityInput {
	base := g.activityBase(org)
	q := g.qualifier(org)
	if q != nil && strings.Contains(base.nb, " for ") && strings.HasPrefix(q.nb, "for ") {
		q = nil // "Middag for alle for jenter"
	}
	title := portal.Texts{"nb": base.nb, "en": base.en}
	if q != nil {
		title = portal.Texts{"nb": base.nb + " " + q.nb, "en": base.en + " " + q.en}
	}
	g.activities++
	in := portal.ActivityInput{
		Slug:       slugify(title["nb"], 50) + "-" + strconv.Itoa(g.activities),
		Title:      title,
		Categories: g.activityCategories(base, org),
		Languages:  g.languages(base),
		Status:     portal.ActivityPublished,
		Slots:      g.slots(),
	}
	in.Summary, in.Description = g.activityTexts(title, org)
	in.TargetGroups, in.AgeMin, in.AgeMax = g.audience(q)
	in.Accessibility = g.adaptations(q)
	in.PriceOre, in.PriceNote = g.price()
	in.Schedule = schedule(in.Slots)
	if g.chance(1.0 / 3) {
		in.Venue = pick(g, g.venueKeys)
	}
	if g.chance(0.05) {
		in.Status = portal.ActivityDraft
	}
	in.AcceptsCard = g.chance(0.2)
	if !g.chance(0.5) { // English for about half
		for _, t := range []portal.Texts{in.Title, in.Summary, in.Description, in.Schedule, in.PriceNote} {
			delete(t, "en")
		}
	}
	return in
}

// activityBase draws what the activity is, mostly within the organisation's categories.
func (g *generator) activityBase(org *orgSpec) activityBase {
	if g.chance(0.8) {
		for range 20 {
			b := pick(g, activityBases)
			if slices.Contains(org.categories, b.category) {
				return b
			}
		}
	}
	return pick(g, activityBases)
}

// qualifier draws the words after the title ("for ungdom"), a place ("i Tjølling"), or
// none.
func (g *generator) qualifier(org *orgSpec) *qualifier {
	switch n := g.rng.Float64(); {
	case n < 0.2:
		return nil
	case n < 0.3:
		return &qualifier{nb: "i " + org.place, en: "in " + org.place}
	}
	q := pick(g, qualifiers)
	return &q
}

// activityCategories is the base's category, sometimes with one of the organisation's.
func (g *generator) activityCategories(b activityBase, org *orgSpec) []string {
	cats := []string{b.category}
	if o := pick(g, org.categories); o != b.category && g.chance(0.25) {
		cats = append(cats, o)
	}
	return cats
}

// activityTexts returns the summary and description in nb and en.
func (g *generator) activityTexts(title portal.Texts, org *orgSpec) (summary, description portal.Texts) {
	k := g.rng.IntN(len(actSummaryNb))
	desc := g.sentences(nil, actSentenceNb, actSentenceEn)
	summary = portal.Texts{
		"nb": fill(actSummaryNb[k], lowerFirst(title["nb"]), org.name, org.place),
		"en": fill(actSummaryEn[k], lowerFirst(title["en"]), org.name, org.place),
	}
	return summary, portal.Texts{"nb": desc[0], "en": desc[1]}
}

// audience returns whom the activity is for: the qualifier's groups and ages, else one or
// two groups with their usual ages, or no ages at all.
func (g *generator) audience(q *qualifier) ([]portal.TargetGroup, *int, *int) {
	if q != nil && len(q.groups) > 0 {
		return q.groups, q.ageMin, q.ageMax
	}
	groups := pickDistinct(g, plainGroups, g.between(1, 2))
	if len(groups) > 1 || g.chance(0.4) {
		return groups, nil, nil
	}
	ages := groupAges[groups[0]]
	lo, hi := ages[0], ages[1]
	if groups[0] == "FAMILIES" {
		return groups, nil, nil
	}
	if hi >= 120 {
		return groups, &lo, nil
	}
	return groups, &lo, &hi
}

// adaptations returns the accessibility features of about a third of the activities, and
// of every adapted group.
func (g *generator) adaptations(q *qualifier) []portal.AccessibilityFeature {
	var out []portal.AccessibilityFeature
	if g.chance(0.3) {
		out = pickDistinct(g, accessibility, g.between(1, 2))
	}
	if q != nil && q.adapts && !slices.Contains(out, "ADAPTED_GROUP") {
		out = append(out, "ADAPTED_GROUP")
	}
	return out
}

// price returns the price in øre, free for 40 %, with a note on what it covers.
func (g *generator) price() (int, portal.Texts) {
	if g.chance(0.4) {
		return 0, portal.Texts{"nb": "Gratis.", "en": "Free."}
	}
	p := pick(g, prices)
	if p <= 10000 {
		return p, portal.Texts{"nb": fmt.Sprintf("Kr %d per gang.", p/100), "en": fmt.Sprintf("NOK %d per session.", p/100)}
	}
	return p, portal.Texts{"nb": fmt.Sprintf("Kr %d per semester.", p/100), "en": fmt.Sprintf("NOK %d per term.", p/100)}
}

// languages is Norwegian, sometimes with English or another language; immigrant
// organisations' activities more often have another.
func (g *generator) languages(b activityBase) []string {
	langs := []string{"nb"}
	if g.chance(0.2) {
		langs = append(langs, "en")
	}
	other := 0.08
	if b.category == catImmigrant {
		other = 0.6
	}
	if g.chance(other) {
		langs = append(langs, pick(g, otherLanguages))
	}
	return langs
}

// slots returns 0 to 2 weekly times on different days.
func (g *generator) slots() []portal.WeeklySlot {
	days := g.rng.Perm(7)[:g.between(0, 2)]
	slices.Sort(days)
	out := make([]portal.WeeklySlot, len(days))
	for i, d := range days {
		start := g.between(9*2, 20*2) * 30 // minutes after midnight, on the half hour
		end := start + pick(g, []int{60, 90, 120})
		out[i] = portal.WeeklySlot{Weekday: portal.Weekday(d + 1), Start: hhmm(start, ":"), End: hhmm(end, ":")}
	}
	return out
}

// schedule describes the slots in words, in nb and en.
func schedule(slots []portal.WeeklySlot) portal.Texts {
	if len(slots) == 0 {
		return portal.Texts{"nb": byArrangementNb, "en": byArrangementEn}
	}
	nb := make([]string, len(slots))
	en := make([]string, len(slots))
	for i, s := range slots {
		start, end := minutes(s.Start), minutes(s.End)
		nb[i] = fmt.Sprintf("%s kl. %s–%s", weekdaysNb[s.Weekday-1], hhmm(start, "."), hhmm(end, "."))
		en[i] = fmt.Sprintf("%s %s–%s", weekdaysEn[s.Weekday-1], s.Start, s.End)
	}
	text := strings.Join(nb, " og ")
	return portal.Texts{"nb": strings.ToUpper(text[:1]) + text[1:], "en": strings.Join(en, " and ")}
}

// hhmm formats minutes after midnight as hours and minutes with sep between.
func hhmm(m int, sep string) string { return fmt.Sprintf("%02d%s%02d", m/60, sep, m%60) }

// minutes parses "HH:MM" back into minutes after midnight.
func minutes(s string) int {
	h, _ := strconv.Atoi(s[:2])
	m, _ := strconv.Atoi(s[3:])
	return h*60 + m
}

package synthetic

import (
	"fmt"
	"strconv"

	"github.com/fritid/fritid/internal/portal"
)

// orgSpec is what the activities of an organisation are generated from.
type orgSpec struct {
	name, place string
	typ         orgType
	categories  []string
}

// organisations returns the next n organisations, each with per activities.
func (g *generator) organisations(n, per int) []portal.OrganisationInput {
	out := make([]portal.OrganisationInput, n)
	for i := range out {
		out[i] = g.organisation(per)
	}
	return out
}

// organisation returns a new organisation with a unique name and per activities.
func (g *generator) organisation(per int) portal.OrganisationInput {
	spec := g.orgSpec()
	slug := g.uniqueSlug(spec.name)
	lat, lon := g.location()
	in := portal.OrganisationInput{
		Slug: slug, Name: spec.name, Kind: spec.typ.kind, Categories: spec.categories,
		Email: "post@" + slug + ".example.org", Phone: g.phone(),
		Street: g.street(), PostalCode: g.postalCode(), Place: pick(g, postalPlaces),
		Lat: &lat, Lon: &lon, Status: portal.OrganisationPublished,
	}
	if g.chance(0.5) {
		in.Website = "https://" + slug + ".example.org"
	}
	if g.chance(0.03) {
		in.Status = portal.OrganisationPending
	}
	in.Summary, in.Description = g.orgTexts(spec)
	in.Activities = make([]portal.ActivityInput, per)
	for i := range in.Activities {
		in.Activities[i] = g.activity(&spec)
	}
	return in
}

// orgSpec draws an unused name ("Kvelde sjakklubb") with its type, place and categories.
func (g *generator) orgSpec() orgSpec {
	for attempt := 0; ; attempt++ {
		typ, place := g.orgType(), g.place()
		name := place + " " + typ.word
		switch {
		case attempt >= 20:
			name = fmt.Sprintf("%s %s %s", place, typ.word, strconv.Itoa(attempt))
		case attempt >= 10 || g.chance(0.05):
			name = place + " og omegn " + typ.word
		}
		if g.names[name] {
			continue
		}
		g.names[name] = true
		cats := typ.categories[:1]
		if len(typ.categories) > 1 && g.chance(0.5) {
			cats = typ.categories
		}
		return orgSpec{name: name, place: place, typ: typ, categories: cats}
	}
}

// place draws a place name: a real one of the region half the time.
func (g *generator) place() string {
	if g.chance(0.5) {
		return pick(g, realPlaces)
	}
	return pick(g, g.places)
}

// orgType draws an organisation type by weight.
func (g *generator) orgType() orgType {
	n := g.rng.IntN(g.orgWeights)
	for _, t := range orgTypes {
		if n < t.weight {
			return t
		}
		n -= t.weight
	}
	return orgTypes[0]
}

// orgTexts returns the summary and description: Norwegian Bokmål always, English for about
// half, Nynorsk for about a fifth.
func (g *generator) orgTexts(spec orgSpec) (summary, description portal.Texts) {
	k := g.rng.IntN(len(orgSummaryNb))
	nbArgs := []any{spec.name, spec.place, spec.typ.topicNb}
	enArgs := []any{spec.name, spec.place, spec.typ.topicEn}
	desc := g.sentences(nbArgs, orgSentenceNb, orgSentenceEn, orgSentenceNn)
	summary = portal.Texts{"nb": fill(orgSummaryNb[k], nbArgs...)}
	description = portal.Texts{"nb": desc[0]}
	if g.chance(0.5) {
		summary["en"] = fill(orgSummaryEn[k], enArgs...)
		description["en"] = desc[1]
	}
	if g.chance(0.2) {
		summary["nn"] = fill(orgSummaryNn[k], nbArgs...)
		description["nn"] = desc[2]
	}
	return summary, description
}

// phone returns a Norwegian mobile number.
func (g *generator) phone() string {
	return fmt.Sprintf("+47 %d%02d %02d %03d", g.between(4, 9), g.rng.IntN(100), g.rng.IntN(100), g.rng.IntN(1000))
}

// Package synthetic generates a municipality with a realistic volume of catalogue data for
// benchmarks: a grid of neighbourhoods, a few venues, and organisations with Norwegian
// names, each with its activities. The same seed gives the same data.
package synthetic

import (
	"context"
	"fmt"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/portal"
	"github.com/fritid/fritid/internal/tenant"
)

// Options size the generated data.
type Options struct {
	Slug                      string
	Organisations             int
	ActivitiesPerOrganisation int
	Seed                      int64
}

// Stats says what was generated.
type Stats struct {
	Organisations, Activities, Neighbourhoods int
	Took                                      time.Duration
}

// chunkSize is how many organisations are generated and written at a time, so memory
// stays bounded whatever the size.
const chunkSize = 500

// Generate creates municipality opt.Slug with generated data, all in one transaction.
// Errors: BAD_USER_INPUT for negative sizes or a bad slug, CONFLICT when the municipality
// exists already.
func Generate(ctx context.Context, tenants *tenant.Service, opt Options) (Stats, error) {
	start := time.Now()
	if opt.Organisations < 0 {
		return Stats{}, apperr.Invalid("organisations", "BAD_USER_INPUT", nil)
	}
	if opt.ActivitiesPerOrganisation < 0 {
		return Stats{}, apperr.Invalid("activitiesPerOrganisation", "BAD_USER_INPUT", nil)
	}
	var st Stats
	in := tenant.CreateMunicipalityInput{Slug: opt.Slug, Name: municipalityName(opt.Slug), Domains: []string{opt.Slug + ".localhost"}}
	_, err := tenants.CreateMunicipality(ctx, in, func(ctx context.Context, tx bun.IDB, m *tenant.Municipality) error {
		return populate(ctx, tx, m.ID, opt, &st)
	})
	if err != nil {
		return Stats{}, err
	}
	st.Took = time.Since(start)
	return st, nil
}

// municipalityName is "<Slug> kommune" with the first letter in upper case.
func municipalityName(slug string) string {
	r, n := utf8.DecodeRuneInString(slug)
	return string(unicode.ToUpper(r)) + slug[n:] + " kommune"
}

// populate writes the neighbourhoods, venues and organisations into municipality mid.
func populate(ctx context.Context, tx bun.IDB, mid uuid.UUID, opt Options, st *Stats) error {
	im, err := portal.NewImporter(ctx, tx, mid)
	if err != nil {
		return err
	}
	g := newGenerator(opt.Seed)
	for _, n := range neighbourhoods() {
		if _, err := im.AddNeighbourhood(ctx, n); err != nil {
			return fmt.Errorf("neighbourhood %s: %w", n.Slug, err)
		}
		st.Neighbourhoods++
	}
	for _, v := range g.venues() {
		if _, err := im.AddVenue(ctx, v); err != nil {
			return fmt.Errorf("venue %s: %w", v.Key, err)
		}
	}
	for done := 0; done < opt.Organisations; done += chunkSize {
		n := min(chunkSize, opt.Organisations-done)
		if err := im.AddOrganisations(ctx, g.organisations(n, opt.ActivitiesPerOrganisation)); err != nil {
			return fmt.Errorf("organisations %d to %d: %w", done+1, done+n, err)
		}
		st.Organisations += n
		st.Activities += n * opt.ActivitiesPerOrganisation
	}
	return nil
}

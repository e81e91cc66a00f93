// Package demo holds the demo data set, Larvik with its neighbourhoods and the providers
// named in the municipality's own notes, and loads it into a database. It is demo data:
// plausible, not authoritative (no organisation numbers, role addresses only).
package demo

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/content"
	"github.com/fritid/fritid/internal/events"
	"github.com/fritid/fritid/internal/portal"
	"github.com/fritid/fritid/internal/tenant"
)

//go:embed larvik.json
var larvikJSON []byte

// Data is a municipality's catalogue as the demo file holds it.
type Data struct {
	Municipality struct {
		Slug    string   `json:"slug"`
		Name    string   `json:"name"`
		Domains []string `json:"domains"`
	} `json:"municipality"`
	Neighbourhoods []portal.NeighbourhoodInput `json:"neighbourhoods"`
	Venues         []portal.VenueInput         `json:"venues"`
	Organisations  []portal.OrganisationInput  `json:"organisations"`
}

// Larvik returns the demo data set.
func Larvik() (*Data, error) {
	var d Data
	if err := json.Unmarshal(larvikJSON, &d); err != nil {
		return nil, fmt.Errorf("demo data: %w", err)
	}
	return &d, nil
}

// Seed creates the demo municipality with its whole catalogue in one transaction. Errors:
// CONFLICT when it exists already.
func Seed(ctx context.Context, tenants *tenant.Service) (*tenant.Tenant, error) {
	d, err := Larvik()
	if err != nil {
		return nil, err
	}
	in := tenant.CreateMunicipalityInput{Slug: d.Municipality.Slug, Name: d.Municipality.Name, Domains: d.Municipality.Domains}
	return tenants.CreateMunicipality(ctx, in, func(ctx context.Context, tx bun.IDB, m *tenant.Municipality) error {
		return Import(ctx, tx, m, d)
	})
}

// Import writes d's catalogue into municipality m.
func Import(ctx context.Context, tx bun.IDB, m *tenant.Municipality, d *Data) error {
	im, err := portal.NewImporter(ctx, tx, m.ID)
	if err != nil {
		return err
	}
	for _, n := range d.Neighbourhoods {
		if _, err := im.AddNeighbourhood(ctx, n); err != nil {
			return fmt.Errorf("neighbourhood %s: %w", n.Slug, err)
		}
	}
	for _, v := range d.Venues {
		if _, err := im.AddVenue(ctx, v); err != nil {
			return fmt.Errorf("venue %s: %w", v.Key, err)
		}
	}
	if err := im.AddOrganisations(ctx, d.Organisations); err != nil {
		return err
	}
	if err := content.SeedDemo(ctx, tx, m.ID, demoPages, demoArticles, time.Now()); err != nil {
		return err
	}
	return events.SeedDemo(ctx, tx, m.ID, m.TimeZone)
}

// EnsureSeeded seeds the demo municipality when the database has no municipality at all,
// and reports whether it did.
func EnsureSeeded(ctx context.Context, tenants *tenant.Service) (bool, error) {
	n, err := tenants.CountMunicipalities(ctx)
	if err != nil || n > 0 {
		return false, err
	}
	_, err = Seed(ctx, tenants)
	return err == nil, err
}

package app_test

import (
	"context"
	"net/http"
	"testing"
)

func TestTenantResolution(t *testing.T) {
	s := newServer(t)
	if r := s.post(t, `{ municipality { slug } }`, nil); get(r.Data, "municipality.slug") != "demo" {
		t.Fatalf("the only municipality is the default: %+v", r)
	}
	if _, err := s.app.Tenants.CreateMunicipality(context.Background(), tenantInput("larvik", "Larvik kommune", "portal.larvik.no")); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		headers  []string
		wantSlug string
		wantCode string
	}{
		{"ByHeader", []string{"X-Municipality: larvik"}, "larvik", ""},
		{"ByHeaderCaseInsensitive", []string{"X-Municipality: LARVIK"}, "larvik", ""},
		{"ByHost", []string{"Host: portal.larvik.no"}, "larvik", ""},
		{"ByHostWithPort", []string{"Host: Portal.Larvik.no:8443"}, "larvik", ""},
		{"DemoByLocalhost", []string{"Host: localhost:8080"}, "demo", ""},
		{"HeaderWinsOverHost", []string{"Host: portal.larvik.no", "X-Municipality: demo"}, "demo", ""},
		{"ErrUnknownSlug", []string{"X-Municipality: oslo"}, "", "TENANT_NOT_FOUND"},
		{"ErrUnknownHostWithTwo", []string{"Host: example.org"}, "", "TENANT_NOT_FOUND"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := s.postWithHost(t, `{ municipality { slug } }`, tt.headers...)
			if tt.wantCode != "" {
				if r.Status != http.StatusNotFound || r.code() != tt.wantCode || r.Errors[0].Message == "" {
					t.Errorf("status %d errors %+v", r.Status, r.Errors)
				}
				return
			}
			if got := get(r.Data, "municipality.slug"); got != tt.wantSlug {
				t.Errorf("slug = %v (%+v)", got, r.Errors)
			}
		})
	}
	t.Run("UnknownTenantMessageIsLocalised", func(t *testing.T) {
		r := s.postWithHost(t, `{ municipality { slug } }`, "X-Municipality: oslo", "Accept-Language: en")
		if r.Errors[0].Message != "No municipality is served at this address." {
			t.Errorf("message = %q", r.Errors[0].Message)
		}
	})
}

func TestCreateMunicipalitySeedsLocalesAndCategories(t *testing.T) {
	s := newServer(t)
	ctx := context.Background()
	if _, err := s.app.Tenants.CreateMunicipality(ctx, tenantInput("sandefjord", "Sandefjord kommune")); err != nil {
		t.Fatal(err)
	}
	r := s.post(t, `{ locales { code } categories { name } }`, nil, "X-Municipality: sandefjord", "Accept-Language: nn")
	if len(names(r.Data, "locales", "code")) != 3 || len(names(r.Data, "categories", "name")) != 10 || get(r.Data, "categories.3.name") != "Tru- og livssynsorganisasjonar" {
		t.Errorf("%+v", r)
	}
	for _, tt := range []struct {
		name, slug, mname, field, code string
	}{
		{"ErrSlugTaken", "sandefjord", "Again", "slug", "CONFLICT"},
		{"ErrSlugInvalid", "Bad Slug", "X", "slug", "BAD_USER_INPUT"},
		{"ErrNameMissing", "tom", "  ", "name", "BAD_USER_INPUT"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.app.Tenants.CreateMunicipality(ctx, tenantInput(tt.slug, tt.mname))
			if e := asAppErr(err); e == nil || string(e.Code) != tt.code || e.Field != tt.field {
				t.Errorf("err = %v", err)
			}
		})
	}
}

package app_test

import (
	"context"
	"strings"
	"testing"
)

const updateMutation = `mutation($id: ID!, $in: UpdateOrganisationInput!) { updateOrganisation(id: $id, input: $in) { organisation {
  name kind orgNumber contact { email phone } website address { street postalCode place } location { lat lon } neighbourhoods { slug } } } }`

// newOwnedOrganisation registers an organisation owned by a new account, confirms the
// owner's address with the e-mailed link, approves nothing, and returns its ID and the
// owner's Authorization header.
func newOwnedOrganisation(t *testing.T, s *testServer, headers ...string) (string, string) {
	t.Helper()
	r := ok(t, s.post(t, registerMutation, map[string]any{"in": map[string]any{"name": "Sjakklubben", "kind": "VOLUNTARY",
		"owner": map[string]any{"email": "eier@sjakk.no", "password": "riktig hest batteri"}}}, headers...))
	link := outboxLink(t, s, "VerifyEmail", "eier@sjakk.no")
	ok(t, s.post(t, `mutation($t: String!) {
		verifyEmail(token: $t) { user { id } } }`, map[string]any{"t": link[len(link)-43:]}, headers...))
	return get(r.Data, "registerOrganisation.organisation.id").(string), login(t, s, "eier@sjakk.no", headers...)
}

func TestUpdateOrganisation(t *testing.T) {
	s := newDemoServer(t)
	id, owner := newOwnedOrganisation(t, s, "X-Municipality: larvik")
	larvik := "X-Municipality: larvik"
	r := ok(t, s.post(t, updateMutation, map[string]any{"id": id, "in": map[string]any{
		"phone": "+47 33 17 10 00", "website": "https://sjakk.example", "postalCode": "3290", "place": "Stavern",
		"orgNumber": "974760673", "location": map[string]any{"lat": 58.998, "lon": 10.035}}}, owner, larvik))
	if get(r.Data, "updateOrganisation.organisation.contact.phone") != "+4733171000" || get(r.Data, "updateOrganisation.organisation.name") != "Sjakklubben" {
		t.Errorf("update: %+v", r.Data)
	}
	if nb := get(r.Data, "updateOrganisation.organisation.neighbourhoods.0.slug"); nb != "stavern" {
		t.Errorf("moved to Stavern, neighbourhoods %v", get(r.Data, "updateOrganisation.organisation.neighbourhoods"))
	}
	// Omitted stays, null clears.
	r = ok(t, s.post(t, updateMutation, map[string]any{"id": id, "in": map[string]any{"website": nil, "name": "Stavern sjakk"}}, owner, larvik))
	if get(r.Data, "updateOrganisation.organisation.website") != nil || get(r.Data, "updateOrganisation.organisation.orgNumber") != "974760673" || get(r.Data, "updateOrganisation.organisation.name") != "Stavern sjakk" {
		t.Errorf("partial update: %+v", r.Data)
	}
	var fields string
	s.app.DB.QueryRowContext(context.Background(), "SELECT array_to_string(fields, ',') FROM audit_log WHERE action = 'update_organisation' ORDER BY created_at DESC LIMIT 1").Scan(&fields)
	if fields != "name,website" {
		t.Errorf("audited fields %q", fields)
	}
	for name, tt := range map[string]struct {
		in    map[string]any
		field string
	}{
		"Phone":       {map[string]any{"phone": "12"}, "input.phone"},
		"JavaScript":  {map[string]any{"website": "javascript:alert(1)"}, "input.website"},
		"OrgNumber":   {map[string]any{"orgNumber": "123456789"}, "input.orgNumber"},
		"PostalCode":  {map[string]any{"postalCode": "32A0"}, "input.postalCode"},
		"EmptyName":   {map[string]any{"name": " "}, "input.name"},
		"HTML":        {map[string]any{"contactPerson": "<script>x</script>"}, "input.contactPerson"},
		"Latitude200": {map[string]any{"location": map[string]any{"lat": 200, "lon": 10}}, "input.location.lat"},
		"ClearKind":   {map[string]any{"kind": nil}, "input.kind"},
	} {
		t.Run(name, func(t *testing.T) {
			r := s.post(t, updateMutation, map[string]any{"id": id, "in": tt.in}, owner, larvik)
			if r.code() != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != tt.field {
				t.Errorf("%+v, want BAD_USER_INPUT on %s", r.Errors, tt.field)
			}
		})
	}
}

func TestSetOrganisationTranslation(t *testing.T) {
	s := newServer(t)
	id, owner := newOwnedOrganisation(t, s)
	q := `mutation($id: ID!, $l: String!, $in: OrganisationTextInput!) {
		setOrganisationTranslation(id: $id, locale: $l, input: $in) { organisation { id } } }`
	ok(t, s.post(t, q, map[string]any{"id": id, "l": "nn", "in": map[string]any{"summary": "Sjakk for alle", "description": "Kvar tysdag."}}, owner))
	ok(t, s.post(t, q, map[string]any{"id": id, "l": "nn", "in": map[string]any{"summary": "Sjakk for alle aldrar"}}, owner))
	var summary, description string
	s.app.DB.QueryRowContext(context.Background(), "SELECT summary, description FROM organisation_translations WHERE locale = 'nn'").Scan(&summary, &description)
	if summary != "Sjakk for alle aldrar" || description != "Kvar tysdag." {
		t.Errorf("nn texts %q %q", summary, description)
	}
	if r := s.post(t, q, map[string]any{"id": id, "l": "de", "in": map[string]any{"summary": "Schach"}}, owner); r.code() != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != "locale" {
		t.Errorf("a locale the municipality lacks: %+v", r.Errors)
	}
	if r := s.post(t, q, map[string]any{"id": id, "l": "nn", "in": map[string]any{"summary": strings.Repeat("x", 1001)}}, owner); r.code() != "BAD_USER_INPUT" {
		t.Errorf("too long: %+v", r.Errors)
	}
}

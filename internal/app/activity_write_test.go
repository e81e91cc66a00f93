package app_test

import (
	"testing"
)

func TestActivityLifecycle(t *testing.T) {
	s := newDemoServer(t)
	larvik := "X-Municipality: larvik"
	id, owner := newOwnedOrganisation(t, s, larvik)
	admin := ""
	{
		createAdminIn(t, s, "larvik", "admin@larvik.no")
		admin = login(t, s, "admin@larvik.no", larvik)
	}
	ok(t, s.post(t, `mutation($id: ID!) {
		approveOrganisation(id: $id) { organisation { status } } }`, map[string]any{"id": id}, admin, larvik))
	cats := ok(t, s.post(t, `{ categories { id slug } venues(first: 1) { nodes { id name } } }`, nil, larvik))
	sport := idOf(cats, "categories", "idrett-og-fysisk-aktivitet")
	venue := get(cats.Data, "venues.nodes.0.id")
	create := `mutation($org: ID!, $in: ActivityChangesInput!) { createActivity(organisationId: $org, input: $in) { activity {
	  id slug status title free organisation { name } categories { slug } venue { name } schedule { slots { weekday start } } } } }`
	r := ok(t, s.post(t, create, map[string]any{"org": id, "in": map[string]any{"title": "Sjakk for nybegynnere i Stavern", "summary": "Lær sjakk",
		"categories": []string{sport}, "targetGroups": []string{"CHILDREN"}, "ageMin": 7, "ageMax": 12, "venueId": venue,
		"slots": []any{map[string]any{"weekday": "TUESDAY", "start": "17:00", "end": "18:30"}}}}, owner, larvik))
	a := get(r.Data, "createActivity.activity.id")
	if get(r.Data, "createActivity.activity.status") != "DRAFT" || get(r.Data, "createActivity.activity.slug") != "sjakk-for-nybegynnere-i-stavern" ||
		get(r.Data, "createActivity.activity.categories.0.slug") != "idrett-og-fysisk-aktivitet" || get(r.Data, "createActivity.activity.venue.name") == nil {
		t.Fatalf("create: %+v", r.Data)
	}
	// A draft is not public; published, it is.
	public := func() any {
		return get(ok(t, s.post(t, `{
			activity(slug: "sjakk-for-nybegynnere-i-stavern") { title ageMin } }`, nil, larvik)).Data, "activity")
	}
	if public() != nil {
		t.Error("a draft is public")
	}
	ok(t, s.post(t, `mutation($id: ID!) {
		setActivityStatus(id: $id, status: PUBLISHED) { activity { status } } }`, map[string]any{"id": a}, owner, larvik))
	if p := public(); p == nil || get(p, "title") != "Sjakk for nybegynnere i Stavern" {
		t.Errorf("published activity: %+v", p)
	}
	// Partial update: the age range changes, the title stays; a bad slot names its field.
	u := ok(t, s.post(t, `mutation($id: ID!, $in: ActivityChangesInput!) {
		updateActivity(id: $id, input: $in) { activity { title ageMin ageMax } } }`,
		map[string]any{"id": a, "in": map[string]any{"ageMin": nil, "ageMax": 14}}, owner, larvik))
	if get(u.Data, "updateActivity.activity.title") != "Sjakk for nybegynnere i Stavern" || get(u.Data, "updateActivity.activity.ageMin") != nil || get(u.Data, "updateActivity.activity.ageMax") != 14.0 {
		t.Errorf("update: %+v", u.Data)
	}
	for name, tt := range map[string]struct {
		in    map[string]any
		field string
	}{
		"Slot":         {map[string]any{"slots": []any{map[string]any{"weekday": "MONDAY", "start": "19:00", "end": "18:00"}}}, "input.slots"},
		"AgeOrder":     {map[string]any{"ageMin": 15}, "input.ageMax"},
		"Price":        {map[string]any{"priceOre": -1}, "input.priceOre"},
		"SignupURL":    {map[string]any{"signupUrl": "ftp://x"}, "input.signupUrl"},
		"ClearTitle":   {map[string]any{"title": nil}, "input.title"},
		"UnknownVenue": {map[string]any{"venueId": "VmVudWU6MDE5MDAwMDAtMDAwMC03MDAwLTgwMDAtMDAwMDAwMDAwMDAw"}, "input.venueId"},
	} {
		t.Run(name, func(t *testing.T) {
			r := s.post(t, `mutation($id: ID!, $in: ActivityChangesInput!) {
				updateActivity(id: $id, input: $in) { activity { id } } }`, map[string]any{"id": a, "in": tt.in}, owner, larvik)
			if r.code() != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != tt.field {
				t.Errorf("%+v, want BAD_USER_INPUT on %s", r.Errors, tt.field)
			}
		})
	}
	// Someone else's organisation is off limits.
	other := ok(t, s.post(t, `{ organisation(slug: "teaterhuset-munken") { id } }`, nil, larvik))
	if r := s.post(t, create, map[string]any{"org": get(other.Data, "organisation.id"), "in": map[string]any{"title": "Kapring"}}, owner, larvik); r.code() != "FORBIDDEN" {
		t.Errorf("owner of another organisation: %+v", r.Errors)
	}
}

package tenant

import "testing"

func TestNormaliseHost(t *testing.T) {
	for in, want := range map[string]string{
		"Portal.Larvik.no":      "portal.larvik.no",
		"portal.larvik.no:8443": "portal.larvik.no",
		"portal.larvik.no.":     "portal.larvik.no",
		"[::1]:8080":            "::1",
		"127.0.0.1:8080":        "127.0.0.1",
		"  localhost  ":         "localhost",
		"":                      "",
	} {
		if got := NormaliseHost(in); got != want {
			t.Errorf("NormaliseHost(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDirectionGraphQL(t *testing.T) {
	var d Direction
	if err := d.UnmarshalGQL("RTL"); err != nil || d != RTL {
		t.Errorf("RTL: %v %v", d, err)
	}
	if err := d.UnmarshalGQL("sideways"); err == nil {
		t.Error("accepted a bad direction")
	}
}

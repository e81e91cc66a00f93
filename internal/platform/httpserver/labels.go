package httpserver

import (
	"net/http"
	"strings"
	"sync"
)

// maxLabelLen is the longest operation name or outcome kept as a label.
const maxLabelLen = 64

// Bounds on the label values that come from requests, so that no client can make the
// metrics, and the server's memory, grow without end.
const (
	// MaxOperationLabels is how many distinct GraphQL operation names get a label of
	// their own: the first ones seen since start. Every later new name counts as "other".
	MaxOperationLabels = 100
	// maxOutcomeLabels is how many distinct outcomes (error codes) get a label of their
	// own; fritid has fewer codes than this.
	maxOutcomeLabels = 64
)

// Fallback label values used to keep metric label cardinality bounded.
const (
	// LabelOther replaces label values outside the allowed set.
	LabelOther = "other"
	// LabelAnonymous is the operation label of unnamed GraphQL operations.
	LabelAnonymous = "anonymous"
	// OutcomeOK is the outcome label of successful GraphQL operations.
	OutcomeOK = "ok"
)

// routePrefixes are the route labels other than "/"; a path maps to one of
// them when it equals the prefix or continues below it.
var routePrefixes = []string{"/graphql", "/healthz", "/readyz", "/metrics", "/geo", "/media"}

// RouteLabel maps a URL path to one of a fixed set of route labels: "/",
// "/graphql", "/healthz", "/readyz", "/metrics", "/geo", "/media" or "other".
// Subpaths such as "/media/x.jpg" map to their prefix.
func RouteLabel(path string) string {
	if path == "/" || path == "" {
		return "/"
	}
	for _, p := range routePrefixes {
		if path == p || strings.HasPrefix(path, p+"/") {
			return p
		}
	}
	return LabelOther
}

// OperationLabel maps a GraphQL operation name to a bounded label value: ""
// becomes "anonymous", and names longer than 64 characters or not matching
// [A-Za-z0-9_]+ become "other".
func OperationLabel(name string) string {
	if name == "" {
		return LabelAnonymous
	}
	if !isLabelWord(name) {
		return LabelOther
	}
	return name
}

// outcomeLabel maps an outcome to a bounded label value: "" becomes "ok",
// invalid codes become "other".
func outcomeLabel(outcome string) string {
	if outcome == "" {
		return OutcomeOK
	}
	if !isLabelWord(outcome) {
		return LabelOther
	}
	return outcome
}

// isLabelWord reports whether s is 1 to 64 characters of [A-Za-z0-9_].
func isLabelWord(s string) bool {
	if s == "" || len(s) > maxLabelLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c != '_' && !isAlnum(c) {
			return false
		}
	}
	return true
}

// methodLabel maps an HTTP method to a bounded label value.
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodPost, http.MethodOptions, http.MethodHead,
		http.MethodPut, http.MethodPatch, http.MethodDelete:
		return m
	}
	return LabelOther
}

// labelSet keeps a bounded set of label values: the first max distinct values it is asked
// for keep their own label, and every later new value becomes "other".
type labelSet struct {
	mu     sync.Mutex
	max    int
	values map[string]struct{}
}

// newLabelSet returns a labelSet that keeps at most max values.
func newLabelSet(max int) *labelSet {
	return &labelSet{max: max, values: make(map[string]struct{}, max)}
}

// label returns v if it is one of the kept values or there is room to keep it, else
// "other".
func (s *labelSet) label(v string) string {
	if v == LabelOther {
		return v
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.values[v]; ok {
		return v
	}
	if len(s.values) >= s.max {
		return LabelOther
	}
	s.values[v] = struct{}{}
	return v
}

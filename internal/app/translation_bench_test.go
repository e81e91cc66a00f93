package app_test

import "testing"

// BenchmarkCataloguePageTexts reads one page of activities with their organisations' texts
// in English, whose texts fall back to nb field by field: the cost of the per-field pick.
// Run: go test ./internal/app/ -run '^$' -bench CataloguePageTexts
func BenchmarkCataloguePageTexts(b *testing.B) {
	s := newDemoServer(b)
	q := `{ activities(first: 50) { nodes { title summary description priceNote schedule { text } textLocale
		organisation { summary description textLocale } } } }`
	ok(b, s.larvik(b, q, nil, "Accept-Language: en"))
	b.ResetTimer()
	for range b.N {
		s.larvik(b, q, nil, "Accept-Language: en")
	}
}

package graph

import (
	"github.com/fritid/fritid/graph/model"
	"github.com/fritid/fritid/internal/newsletter"
)

// listTexts maps the texts of a list input.
func listTexts(in []*model.NewsletterListTextInput) []*newsletter.ListText {
	out := make([]*newsletter.ListText, len(in))
	for i, x := range in {
		out[i] = &newsletter.ListText{Locale: x.Locale, Name: x.Name}
		if x.Description != nil {
			out[i].Description = *x.Description
		}
	}
	return out
}

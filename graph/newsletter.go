package graph

import (
	"slices"

	"github.com/fritid/fritid/graph/model"
	"github.com/fritid/fritid/internal/content"
	"github.com/fritid/fritid/internal/newsletter"
)

// campaignTexts maps the texts of a campaign input.
func campaignTexts(in []*model.NewsletterCampaignTextInput) []newsletter.CampaignTextInput {
	out := make([]newsletter.CampaignTextInput, len(in))
	for i, x := range in {
		out[i] = newsletter.CampaignTextInput{Locale: x.Locale, Subject: x.Subject,
			Body: content.BodyInput{JSON: x.Body, HTML: x.BodyHTML, Markdown: x.BodyMarkdown}}
	}
	return out
}

// previewOf maps a preview, its header fields by name.
func previewOf(p *newsletter.Preview) *model.NewsletterCampaignPreview {
	out := &model.NewsletterCampaignPreview{Subject: p.Subject, HTML: p.HTML, Text: p.Text}
	for name, v := range p.Headers {
		out.Headers = append(out.Headers, &model.NewsletterHeader{Name: name, Value: v})
	}
	slices.SortFunc(out.Headers, func(a, b *model.NewsletterHeader) int {
		if a.Name < b.Name {
			return -1
		}
		return 1
	})
	return out
}

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

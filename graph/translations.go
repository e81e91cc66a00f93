package graph

import (
	"context"

	"github.com/google/uuid"

	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/portal"
)

// editorTexts returns every locale's texts of item id from b, which holds only the items
// the viewer may edit (the portal service decides): for any other item, FORBIDDEN.
func editorTexts[T any](ctx context.Context, b *batch[*portal.Translations[T]], id uuid.UUID) (*portal.Translations[T], error) {
	tr, err := b.get(ctx, id)
	if err != nil {
		return nil, err
	}
	if tr == nil {
		return nil, apperr.New(apperr.Forbidden, "")
	}
	return tr, nil
}

// registerGapItems registers the activities and organisations of a page of translation
// gaps, so each kind loads in one statement for the whole page.
func registerGapItems(l *loaders, c *portal.TranslationGapConnection) {
	for _, e := range c.Edges {
		if id := e.Node.ActivityID; id != nil {
			l.activities.register(*id)
		}
		if id := e.Node.OrganisationID; id != nil {
			l.organisations.register(*id)
		}
	}
}

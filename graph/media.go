package graph

import (
	"github.com/google/uuid"

	"github.com/fritid/fritid/graph/model"
	"github.com/fritid/fritid/internal/platform/relay"
	"github.com/fritid/fritid/internal/portal"
)

// imageFilter parses the image library's filter.
func imageFilter(in *model.ImageFilterInput) (portal.ImageFilter, error) {
	var f portal.ImageFilter
	if in == nil {
		return f, nil
	}
	org, err := optionalID(in.OrganisationID, "Organisation", "filter.organisationId")
	if err != nil {
		return f, err
	}
	f.OrganisationID, f.Query = org, deref(in.Query, "")
	return f, nil
}

// seeImages registers listed images so that their places of use and organisations load
// together.
func seeImages(l *loaders, images ...*portal.Media) {
	for _, m := range images {
		l.imageUses.register(m.ID)
		if m.OrganisationID != nil {
			l.organisations.register(*m.OrganisationID)
		}
	}
}

// imageID parses the global ID of an image given as the argument id.
func imageID(gid string) (uuid.UUID, error) { return relay.ParseTypedID(gid, "Image", "id") }

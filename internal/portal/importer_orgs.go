package portal

import (
	"context"

	"github.com/google/uuid"

	"github.com/fritid/fritid/internal/platform/apperr"
)

// orgBatch collects the rows of many organisations and activities for bulk inserts.
type orgBatch struct {
	orgs       []*Organisation
	orgTexts   []*OrganisationTranslation
	links      []*Link
	media      []*Media
	mediaTexts []*MediaTranslation
	acts       []*Activity
	actTexts   []*ActivityTranslation
	orgCats    []map[string]any
	orgNbs     []map[string]any
	actCats    []map[string]any
	actNbs     []map[string]any
	actImages  []map[string]any
}

// AddOrganisations validates and writes organisations with their activities, in a few
// bulk statements. Errors: BAD_USER_INPUT naming the organisation's index and field.
func (im *Importer) AddOrganisations(ctx context.Context, ins []OrganisationInput) error {
	b := &orgBatch{}
	for i := range ins {
		if err := im.addOrganisation(b, &ins[i]); err != nil {
			return err
		}
	}
	return im.flush(ctx, b)
}

func (im *Importer) addOrganisation(b *orgBatch, in *OrganisationInput) error {
	if in.OrgNumber != nil && !ValidOrgNumber(*in.OrgNumber) {
		return invalidOrgNumber("orgNumber")
	}
	cats, err := im.categoryIDs(in.Categories, "categories")
	if err != nil {
		return err
	}
	status := in.Status
	if status == "" {
		status = OrganisationPublished
	}
	o := &Organisation{ID: newID(), MunicipalityID: im.mid, Slug: in.Slug, Name: in.Name, Kind: in.Kind, OrgNumber: in.OrgNumber,
		Email: in.Email, Phone: in.Phone, ContactPerson: in.ContactPerson, Website: in.Website, Street: in.Street,
		PostalCode: in.PostalCode, Place: in.Place, Lat: in.Lat, Lon: in.Lon, Status: status}
	o.LogoID, o.CoverID = b.image(im.mid, in.Logo), b.image(im.mid, in.Cover)
	b.orgs = append(b.orgs, o)
	for loc := range union(in.Summary, in.Description) {
		b.orgTexts = append(b.orgTexts, &OrganisationTranslation{OrganisationID: o.ID, MunicipalityID: im.mid, Locale: loc, Summary: in.Summary[loc], Description: in.Description[loc]})
	}
	for i, l := range in.Links {
		b.links = append(b.links, &Link{ID: newID(), OrganisationID: o.ID, MunicipalityID: im.mid, Kind: l.Kind, URL: l.URL, SortOrder: i + 1})
	}
	for _, c := range cats {
		b.orgCats = append(b.orgCats, map[string]any{"organisation_id": o.ID, "category_id": c, "municipality_id": im.mid})
	}
	for _, n := range im.containing(o.Lat, o.Lon) {
		b.orgNbs = append(b.orgNbs, map[string]any{"organisation_id": o.ID, "neighbourhood_id": n, "municipality_id": im.mid, "manual": false})
	}
	if o.Lat == nil {
		for _, slug := range in.Neighbourhoods {
			n, err := im.neighbourhoodBySlug(slug)
			if err != nil {
				return err
			}
			b.orgNbs = append(b.orgNbs, map[string]any{"organisation_id": o.ID, "neighbourhood_id": n, "municipality_id": im.mid, "manual": true})
		}
	}
	for i := range in.Activities {
		if err := im.addActivity(b, o, &in.Activities[i]); err != nil {
			return err
		}
	}
	return nil
}

func (im *Importer) addActivity(b *orgBatch, o *Organisation, in *ActivityInput) error {
	cats, err := im.categoryIDs(in.Categories, "activities.categories")
	if err != nil {
		return err
	}
	status := in.Status
	if status == "" {
		status = ActivityPublished
	}
	a := &Activity{ID: newID(), MunicipalityID: im.mid, OrganisationID: o.ID, Slug: in.Slug,
		TargetGroups: nonNil(in.TargetGroups), AgeMin: in.AgeMin, AgeMax: in.AgeMax, Accessibility: nonNil(in.Accessibility),
		PriceOre: in.PriceOre, Languages: nonNil(in.Languages), Slots: nonNil(in.Slots), SignupURL: in.SignupURL,
		Email: in.Email, Phone: in.Phone, AcceptsCard: in.AcceptsCard, Status: status, Lat: o.Lat, Lon: o.Lon}
	if v := im.venues[in.Venue]; v != nil {
		a.VenueID = &v.ID
		if v.Lat != nil {
			a.Lat, a.Lon = v.Lat, v.Lon
		}
	}
	b.acts = append(b.acts, a)
	for loc, title := range in.Title {
		b.actTexts = append(b.actTexts, &ActivityTranslation{ActivityID: a.ID, MunicipalityID: im.mid, Locale: loc, Title: title,
			Summary: in.Summary[loc], Description: in.Description[loc], PriceNote: in.PriceNote[loc], Schedule: in.Schedule[loc]})
	}
	for _, c := range cats {
		b.actCats = append(b.actCats, map[string]any{"activity_id": a.ID, "category_id": c, "municipality_id": im.mid})
	}
	for _, n := range im.containing(a.Lat, a.Lon) {
		b.actNbs = append(b.actNbs, map[string]any{"activity_id": a.ID, "neighbourhood_id": n, "municipality_id": im.mid})
	}
	for i := range in.Images {
		id := b.image(im.mid, &in.Images[i])
		b.actImages = append(b.actImages, map[string]any{"activity_id": a.ID, "media_id": *id, "municipality_id": im.mid, "sort_order": i + 1})
	}
	return nil
}

// neighbourhoodBySlug returns the ID of an imported neighbourhood. Errors: BAD_USER_INPUT.
func (im *Importer) neighbourhoodBySlug(slug string) (uuid.UUID, error) {
	for _, a := range im.areas {
		if a.slug == slug {
			return a.id, nil
		}
	}
	return uuid.Nil, apperr.Invalid("neighbourhoods", "UnknownNeighbourhood", nil)
}

// image queues an image and returns its ID, or nil for none.
func (b *orgBatch) image(mid uuid.UUID, in *ImageInput) *uuid.UUID {
	if in == nil || in.URL == "" {
		return nil
	}
	m := &Media{ID: newID(), MunicipalityID: mid, URL: in.URL, Width: in.Width, Height: in.Height}
	b.media = append(b.media, m)
	for loc, alt := range in.Alt {
		b.mediaTexts = append(b.mediaTexts, &MediaTranslation{MediaID: m.ID, MunicipalityID: mid, Locale: loc, Alt: alt})
	}
	return &m.ID
}

// flush writes the batch: parents before children, in chunks the driver accepts.
func (im *Importer) flush(ctx context.Context, b *orgBatch) error {
	steps := []func() error{
		func() error { return insertChunks(ctx, im, b.media, "media") },
		func() error { return insertChunks(ctx, im, b.mediaTexts, "media translations") },
		func() error { return insertChunks(ctx, im, b.orgs, "organisations") },
		func() error { return insertChunks(ctx, im, b.orgTexts, "organisation translations") },
		func() error { return insertChunks(ctx, im, b.links, "links") },
		func() error { return im.insertMapChunks(ctx, "organisation_categories", b.orgCats) },
		func() error { return im.insertMapChunks(ctx, "organisation_neighbourhoods", b.orgNbs) },
		func() error { return insertChunks(ctx, im, b.acts, "activities") },
		func() error { return insertChunks(ctx, im, b.actTexts, "activity translations") },
		func() error { return im.insertMapChunks(ctx, "activity_categories", b.actCats) },
		func() error { return im.insertMapChunks(ctx, "activity_neighbourhoods", b.actNbs) },
		func() error { return im.insertMapChunks(ctx, "activity_images", b.actImages) },
		func() error { return adoptUsedImages(ctx, im.db, b.media) },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

const chunk = 1000

func insertChunks[T any](ctx context.Context, im *Importer, rows []*T, what string) error {
	for start := 0; start < len(rows); start += chunk {
		part := rows[start:min(start+chunk, len(rows))]
		if err := im.insert(ctx, &part, what); err != nil {
			return err
		}
	}
	return nil
}

func (im *Importer) insertMapChunks(ctx context.Context, table string, rows []map[string]any) error {
	for start := 0; start < len(rows); start += chunk {
		if err := im.insertMaps(ctx, table, rows[start:min(start+chunk, len(rows))]); err != nil {
			return err
		}
	}
	return nil
}

func union(a, b Texts) map[string]bool {
	out := map[string]bool{}
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}

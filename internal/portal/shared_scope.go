package portal

// A provider of another municipality that the request's municipality has accepted (see
// providers_shared.go) is read here as if it were the municipality's own, but only through
// the database functions fritid_served_organisations, fritid_served_activities and
// fritid_served_media (migration 0049), which return only accepted, published rows. These
// helpers are the one place the read paths name them.

// organisationsHere is the condition under which organisation alias belongs to the
// request's municipality's catalogue: its own, or an accepted provider's.
func (sc scope) organisationsHere(alias string) (string, []any) {
	// SECURITY: another municipality's organisation only when accepted and published.
	return "(" + alias + ".municipality_id = ? OR " + alias + ".id IN (SELECT fritid_served_organisations(?)))",
		[]any{sc.municipalityID, sc.municipalityID}
}

// activitiesHere is organisationsHere for activity alias: its own, or a published activity
// of an accepted provider not limited to other municipalities.
func (sc scope) activitiesHere(alias string) (string, []any) {
	// SECURITY: another municipality's activity only when its provider is accepted and the
	// activity is published and not limited to other municipalities.
	return "(" + alias + ".municipality_id = ? OR " + alias + ".id IN (SELECT fritid_served_activities(?)))",
		[]any{sc.municipalityID, sc.municipalityID}
}

// organisationReadable is organisationVisible for a read by ID: of the municipality and
// visible to the caller as organisationVisible says, or an accepted provider's (published
// only, whoever asks: the municipality's administrators and editors do not see a shared
// provider's drafts).
func (sc scope) organisationReadable(statuses []OrganisationStatus) (string, []any) {
	visible, args := sc.organisationVisible(statuses)
	// SECURITY: own rows as organisationVisible; shared ones only published and accepted.
	return "((o.municipality_id = ? AND " + visible + ") OR o.id IN (SELECT fritid_served_organisations(?)))",
		append(append([]any{sc.municipalityID}, args...), sc.municipalityID)
}

// activityReadable is organisationReadable for activities "a".
func (sc scope) activityReadable() (string, []any) {
	visible, args := sc.activityVisible()
	// SECURITY: own rows as activityVisible; shared ones only published and served here.
	return "((a.municipality_id = ? AND " + visible + ") OR a.id IN (SELECT fritid_served_activities(?)))",
		append(append([]any{sc.municipalityID}, args...), sc.municipalityID)
}

// sameSlugCategories is the subquery of the categories, in every municipality, with the
// slug of one of the categories given by its one placeholder: a filter by the request's
// municipality's categories finds a shared provider's items by its home categories of the
// same slug (the taxonomies are seeded alike).
const sameSlugCategories = `SELECT c2.id FROM categories c1 JOIN categories c2 ON c2.slug = c1.slug WHERE c1.id IN (?)`

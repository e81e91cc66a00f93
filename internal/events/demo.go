package events

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/platform/database"
)

// Easter returns Easter Sunday of year (the Gregorian computus).
func Easter(year int) time.Time {
	a, b, c := year%19, year/100, year%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	day := (h+l-7*m+114)%31 + 1
	return time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC)
}

// NorwegianPublicHolidays returns Norway's public holidays (helligdager) of year, the
// Easter-based ones computed.
func NorwegianPublicHolidays(year int) []*Closure {
	e := Easter(year)
	on := func(name string, d time.Time) *Closure {
		return &Closure{Name: name, Kind: PublicHoliday, StartsOn: d, EndsOn: d}
	}
	fixed := func(m time.Month, d int) time.Time { return time.Date(year, m, d, 0, 0, 0, 0, time.UTC) }
	return []*Closure{
		on("Første nyttårsdag", fixed(time.January, 1)),
		on("Skjærtorsdag", e.AddDate(0, 0, -3)),
		on("Langfredag", e.AddDate(0, 0, -2)),
		on("Første påskedag", e),
		on("Andre påskedag", e.AddDate(0, 0, 1)),
		on("Arbeidernes dag", fixed(time.May, 1)),
		on("Grunnlovsdag", fixed(time.May, 17)),
		on("Kristi himmelfartsdag", e.AddDate(0, 0, 39)),
		on("Første pinsedag", e.AddDate(0, 0, 49)),
		on("Andre pinsedag", e.AddDate(0, 0, 50)),
		on("Første juledag", fixed(time.December, 25)),
		on("Andre juledag", fixed(time.December, 26)),
	}
}

func d(y int, m time.Month, day int) time.Time { return time.Date(y, m, day, 0, 0, 0, 0, time.UTC) }

// demoSchoolHolidays are the demo's school holidays for 2026/27 and 2027/28, laid out as
// Vestfold's school year is (autumn break in week 40, winter break in week 8, Easter
// from the Monday of Holy Week); a municipality enters its own calendar each year.
var demoSchoolHolidays = []*Closure{
	{Name: "Høstferie", StartsOn: d(2026, 9, 28), EndsOn: d(2026, 10, 2)},
	{Name: "Juleferie", StartsOn: d(2026, 12, 21), EndsOn: d(2027, 1, 1)},
	{Name: "Vinterferie", StartsOn: d(2027, 2, 22), EndsOn: d(2027, 2, 26)},
	{Name: "Påskeferie", StartsOn: d(2027, 3, 22), EndsOn: d(2027, 3, 29)},
	{Name: "Sommerferie", StartsOn: d(2027, 6, 21), EndsOn: d(2027, 8, 13)},
	{Name: "Høstferie", StartsOn: d(2027, 10, 4), EndsOn: d(2027, 10, 8)},
	{Name: "Juleferie", StartsOn: d(2027, 12, 20), EndsOn: d(2027, 12, 31)},
	{Name: "Vinterferie", StartsOn: d(2028, 2, 21), EndsOn: d(2028, 2, 25)},
	{Name: "Påskeferie", StartsOn: d(2028, 4, 10), EndsOn: d(2028, 4, 17)},
	{Name: "Sommerferie", StartsOn: d(2028, 6, 19), EndsOn: d(2028, 8, 11)},
}

// demoEvent is an event of the demo data set: organisation and venue by slug and name.
type demoEvent struct {
	slug, org, venue, title, titleEn, summary string
	start, end                                time.Time
	parent                                    string
	programme, allDay                         bool
	priceOre                                  int
}

// SeedDemo writes the demo municipality's closure calendar (the school holidays of
// 2026/27 and 2027/28 and Norway's public holidays 2026–2028) and a few published events:
// theatre performances, a festival with its concerts, a May funfair, Aktiv Larvik's
// "Vinterferie 2027" holiday programme and a weekly choir series. Organisations and
// venues missing from the municipality are left out. It writes no audit.
func SeedDemo(ctx context.Context, tx bun.IDB, mid uuid.UUID, tz string) error {
	if tz == "" {
		tz = "Europe/Oslo"
	}
	closures := demoSchoolHolidays
	for y := 2026; y <= 2028; y++ {
		closures = append(closures, NorwegianPublicHolidays(y)...)
	}
	for _, c := range closures {
		c := *c
		c.ID, c.MunicipalityID = uuid.Must(uuid.NewV7()), mid
		if c.Kind == "" {
			c.Kind = SchoolHoliday
		}
		if _, err := tx.NewInsert().Model(&c).Exec(ctx); err != nil {
			return database.MapError(err, "demo closure "+c.Name, "closure")
		}
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return err
	}
	at := func(y int, m time.Month, day, h, min int) time.Time { return time.Date(y, m, day, h, min, 0, 0, loc) }
	evs := []demoEvent{
		{slug: "folk-og-rovere-13-mars", org: "teaterhuset-munken", venue: "Teaterhuset Munken",
			title: "Folk og røvere i Kardemomme by", titleEn: "When the Robbers Came to Cardamom Town",
			summary: "Familieforestilling med Teaterhuset Munken.", start: at(2027, 3, 13, 12, 0),
			end: at(2027, 3, 13, 13, 30), priceOre: 15000},
		{slug: "folk-og-rovere-14-mars", org: "teaterhuset-munken", venue: "Teaterhuset Munken",
			title: "Folk og røvere i Kardemomme by", titleEn: "When the Robbers Came to Cardamom Town",
			summary: "Familieforestilling med Teaterhuset Munken.", start: at(2027, 3, 14, 16, 0),
			end: at(2027, 3, 14, 17, 30), priceOre: 15000},
		{slug: "generalprove-varforestilling", org: "larvik-teaterforening", venue: "Bølgen kulturhus",
			title: "Åpen generalprøve", titleEn: "Open dress rehearsal",
			summary: "Se vårforestillingen gratis før premieren.", start: at(2027, 4, 20, 18, 0),
			end: at(2027, 4, 20, 20, 0)},
		{slug: "stavernfestivalen-2027", org: "stavernfestivalen", title: "Stavernfestivalen 2027",
			titleEn: "Stavern Festival 2027", summary: "Tre dager med konserter i Stavern.",
			start: at(2027, 7, 1, 0, 0), end: at(2027, 7, 3, 23, 59), allDay: true, priceOre: 120000},
		{slug: "stavernfestivalen-2027-fredag", org: "stavernfestivalen", parent: "stavernfestivalen-2027",
			title: "Fredagskonsert", titleEn: "Friday concert", summary: "Hovedscenen åpner.",
			start: at(2027, 7, 2, 19, 0), end: at(2027, 7, 2, 23, 0), priceOre: 60000},
		{slug: "stavernfestivalen-2027-lordag", org: "stavernfestivalen", parent: "stavernfestivalen-2027",
			title: "Lørdagskonsert", titleEn: "Saturday concert", summary: "Festivalens siste kveld.",
			start: at(2027, 7, 3, 19, 0), end: at(2027, 7, 3, 23, 30), priceOre: 60000},
		{slug: "tivoli-i-mai-2027", org: "foldvik-familiepark", venue: "Foldvik familiepark",
			title: "Tivoli i mai", titleEn: "May funfair", summary: "Tivoli, karuseller og sukkerspinn.",
			start: at(2027, 5, 7, 0, 0), end: at(2027, 5, 9, 23, 59), allDay: true},
		{slug: "vinterferie-2027", org: "aktiv-larvik", title: "Vinterferie 2027", titleEn: "Winter break 2027",
			summary: "Gratis ferieaktiviteter for barn og unge hele vinterferien.", start: at(2027, 2, 22, 0, 0),
			end: at(2027, 2, 26, 23, 59), allDay: true, programme: true},
		{slug: "vinterferie-2027-bading", org: "aktiv-larvik", venue: "Larvik svømmehall", parent: "vinterferie-2027",
			title: "Gratis bading", titleEn: "Free swimming", summary: "Ta med badetøy.",
			start: at(2027, 2, 22, 11, 0), end: at(2027, 2, 22, 14, 0)},
		{slug: "vinterferie-2027-klatring", org: "aktiv-larvik", venue: "Rush trampolinepark",
			parent: "vinterferie-2027", title: "Hopp og klatring", titleEn: "Jumping and climbing",
			summary: "For 8 til 16 år.", start: at(2027, 2, 24, 12, 0), end: at(2027, 2, 24, 15, 0)},
		{slug: "vinterferie-2027-utstyr", org: "aktiv-larvik", venue: "BUA Larvik", parent: "vinterferie-2027",
			title: "Lån ski og skøyter", titleEn: "Borrow skis and skates", summary: "Gratis utlån hos BUA.",
			start: at(2027, 2, 26, 10, 0), end: at(2027, 2, 26, 15, 0)},
	}
	ids := map[string]uuid.UUID{}
	for _, de := range evs {
		e, err := demoRow(ctx, tx, mid, tz, de, ids)
		if err != nil || e == nil {
			return err
		}
		ids[de.slug] = e.ID
	}
	return seedDemoSeries(ctx, tx, mid, tz, at(2026, 9, 1, 18, 0))
}

// demoRow writes one demo event; nil when its organisation is not there.
func demoRow(ctx context.Context, tx bun.IDB, mid uuid.UUID, tz string, de demoEvent, ids map[string]uuid.UUID,
) (*Event, error) {
	e := &Event{ID: uuid.Must(uuid.NewV7()), MunicipalityID: mid, Slug: de.slug, StartsAt: de.start, EndsAt: de.end}
	e.Status, e.Publication, e.TimeZone, e.AllDay = StatusScheduled, Published, tz, de.allDay
	e.HolidayProgramme, e.PriceOre = de.programme, de.priceOre
	e.norm()
	org, err := lookup(ctx, tx, "organisations", "slug", mid, de.org)
	if err != nil || org == nil {
		return nil, err
	}
	e.OrganisationID = org
	if de.venue != "" {
		if e.VenueID, err = lookup(ctx, tx, "venues", "name", mid, de.venue); err != nil {
			return nil, err
		}
	}
	if p, ok := ids[de.parent]; ok {
		e.ParentID = &p
	}
	if _, err := tx.NewInsert().Model(e).Exec(ctx); err != nil {
		return nil, fmt.Errorf("demo event %s: %w", de.slug, err)
	}
	return e, writeTexts(ctx, tx, mid, []uuid.UUID{e.ID}, demoTexts(de.title, de.titleEn, de.summary))
}

func demoTexts(nb, en, summary string) []*Translation {
	empty := []byte(`{"blocks":[]}`)
	return []*Translation{{Locale: "nb", Title: nb, Summary: summary, DescriptionJSON: empty},
		{Locale: "en", Title: en, DescriptionJSON: empty}}
}

// lookup returns the ID of the municipality's row of table whose col is v; nil if none.
func lookup(ctx context.Context, tx bun.IDB, table, col string, mid uuid.UUID, v string) (*uuid.UUID, error) {
	var ids []uuid.UUID
	err := tx.NewSelect().TableExpr(table).Column("id").Where("municipality_id = ? AND "+col+" = ?", mid, v).
		Limit(1).Scan(ctx, &ids)
	if err != nil || len(ids) == 0 {
		return nil, database.MapError(err, "demo "+table, table)
	}
	return &ids[0], nil
}

// seedDemoSeries writes a weekly choir practice on Tuesdays that pauses in school
// holidays and on public holidays, with its occurrences up to the horizon.
func seedDemoSeries(ctx context.Context, tx bun.IDB, mid uuid.UUID, tz string, start time.Time) error {
	org, err := lookup(ctx, tx, "organisations", "slug", mid, "kor-for-alle-kvelde")
	if err != nil || org == nil {
		return err
	}
	venue, err := lookup(ctx, tx, "venues", "name", mid, "Grendehuset på Kvelde")
	if err != nil {
		return err
	}
	sr := &Series{ID: uuid.Must(uuid.NewV7()), MunicipalityID: mid, OrganisationID: org, Slug: "kor-for-alle",
		RRule: "FREQ=WEEKLY;BYDAY=TU", RDates: []time.Time{}, ExDates: []time.Time{}, TimeZone: tz,
		StartsAt: start, DurationSeconds: 90 * 60, PausesInSchoolHolidays: true, PausesOnPublicHolidays: true,
		MaterialisedUntil: start}
	sr.Template.Attrs = Attrs{OrganisationID: org, VenueID: venue, TimeZone: tz, Status: StatusScheduled,
		Publication: Published}
	sr.Template.norm()
	sr.Template.Texts = demoTexts("Kor for alle", "Choir for everyone", "Syng med oss på Kvelde, ingen forkunnskaper.")
	if _, err := tx.NewInsert().Model(sr).Exec(ctx); err != nil {
		return fmt.Errorf("demo series: %w", err)
	}
	return (&Service{}).materialise(ctx, tx, sr, time.Now(), true)
}

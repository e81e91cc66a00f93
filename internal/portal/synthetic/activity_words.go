package synthetic

import "github.com/fritid/fritid/internal/portal"

// activityBase is what an activity is ("Svømming"), in Norwegian and English, with its
// category.
type activityBase struct {
	nb, en   string
	category string
}

var activityBases = []activityBase{
	{"Svømming", "Swimming", catSports}, {"Bowling", "Bowling", catSports},
	{"Fotball", "Football", catSports}, {"Håndball", "Handball", catSports},
	{"Turn", "Gymnastics", catSports}, {"Basketball", "Basketball", catSports},
	{"Badminton", "Badminton", catSports}, {"Bordtennis", "Table tennis", catSports},
	{"Klatring", "Climbing", catSports}, {"Yoga", "Yoga", catSports},
	{"Zumba", "Zumba", catSports}, {"Styrketrening", "Strength training", catSports},
	{"Judo", "Judo", catSports}, {"Friidrett", "Athletics", catSports},
	{"Innebandy", "Floorball", catSports}, {"Volleyball", "Volleyball", catSports},
	{"Seniortrim", "Exercise for seniors", catSports}, {"Vanngym", "Aqua aerobics", catSports},
	{"Langrenn", "Cross-country skiing", catSports}, {"Skøyteløping", "Ice skating", catSports},
	{"Ridning", "Horse riding", catSports},
	{"Turgruppe", "Hiking group", catOutdoors}, {"Padling", "Kayaking", catOutdoors},
	{"Ørretfiske", "Trout fishing", catOutdoors}, {"Soppkurs", "Mushroom course", catOutdoors},
	{"Fuglekikking", "Birdwatching", catOutdoors}, {"Orientering", "Orienteering", catOutdoors},
	{"Seiling", "Sailing", catOutdoors}, {"Friluftsskole", "Outdoor school", catOutdoors},
	{"Kanotur", "Canoe trip", catOutdoors}, {"Hagegruppe", "Gardening group", catOutdoors},
	{"Bålkos", "Campfire evening", catOutdoors},
	{"Teaterverksted", "Theatre workshop", catArts}, {"Korsang", "Choir singing", catArts},
	{"Gitarkurs", "Guitar lessons", catArts}, {"Pianoundervisning", "Piano lessons", catArts},
	{"Tegning og maling", "Drawing and painting", catArts}, {"Keramikk", "Pottery", catArts},
	{"Fotokurs", "Photography course", catArts}, {"Skrivekurs", "Creative writing", catArts},
	{"Band", "Band", catArts}, {"Korpsøvelse", "Brass band practice", catArts},
	{"Folkedans", "Folk dance", catArts}, {"Hiphop-dans", "Hip hop dance", catArts},
	{"Søm og redesign", "Sewing and upcycling", catArts}, {"Filmverksted", "Film workshop", catArts},
	{"Vevkurs", "Weaving course", catArts},
	{"Søndagsskole", "Sunday school", catFaith}, {"Babysang", "Baby song", catFaith},
	{"Ungdomsgruppe", "Youth group", catFaith}, {"Samtalegruppe om tro og liv", "Talks on faith and life", catFaith},
	{"Menighetskafé", "Church café", catFaith}, {"Gospelkor", "Gospel choir", catFaith},
	{"Sjakk", "Chess", catInterest}, {"Bridge", "Bridge", catInterest},
	{"Brettspill", "Board games", catInterest}, {"Gaming og e-sport", "Gaming and e-sports", catInterest},
	{"Koding", "Coding", catInterest}, {"Modellbygging", "Model building", catInterest},
	{"Slektsforskning", "Genealogy", catInterest}, {"Lesesirkel", "Book club", catInterest},
	{"Robotverksted", "Robotics workshop", catInterest},
	{"Leksehjelp", "Homework help", catHumanitarian}, {"Besøkstjeneste", "Visiting service", catHumanitarian},
	{"Førstehjelpskurs", "First aid course", catHumanitarian}, {"Turvenn", "Walking buddy", catHumanitarian},
	{"Ferie for alle", "Holidays for everyone", catHumanitarian},
	{"Norsktrening", "Norwegian practice", catImmigrant}, {"Språkkafé", "Language café", catImmigrant},
	{"Kvinnegruppe", "Women's group", catImmigrant}, {"Mat fra hele verden", "Food from around the world", catImmigrant},
	{"Arabiskundervisning", "Arabic lessons", catImmigrant},
	{"Åpen kafé", "Open café", catSocial}, {"Åpen hall", "Open sports hall", catSocial},
	{"Quiz", "Quiz", catSocial}, {"Bingo", "Bingo", catSocial},
	{"Middag for alle", "Dinner for everyone", catSocial}, {"Allsang", "Sing-along", catSocial},
	{"Seniortreff", "Seniors' meetup", catSocial}, {"Dansekveld", "Dance evening", catSocial},
	{"Strikkekafé", "Knitting café", catVolunteer}, {"Reparasjonskafé", "Repair café", catVolunteer},
	{"Digital hjelp", "Help with digital services", catVolunteer}, {"Byttemarked", "Swap market", catVolunteer},
	{"Mannsgruppe", "Men's group", catVolunteer},
	{"Svømmeopplæring", "Swimming lessons", catPublic}, {"Lesestund", "Story time", catPublic},
	{"Ferieaktiviteter", "Holiday activities", catPublic}, {"Gruppetrening", "Group training", catPublic},
	{"Fritidsklubb", "After-school club", catPublic},
}

// qualifier narrows an activity's title ("for nybegynnere") and may say whom it is for.
type qualifier struct {
	nb, en string
	groups []portal.TargetGroup
	ageMin *int
	ageMax *int
	adapts bool // a group adapted for participants with special needs
}

func age(n int) *int { return &n }

var qualifiers = []qualifier{
	{nb: "for nybegynnere", en: "for beginners"},
	{nb: "for viderekomne", en: "for improvers"},
	{nb: "for barn", en: "for children", groups: []portal.TargetGroup{"CHILDREN"}, ageMin: age(6), ageMax: age(12)},
	{nb: "for småbarn og foreldre", en: "for toddlers and parents", groups: []portal.TargetGroup{"FAMILIES"}, ageMin: age(0), ageMax: age(5)},
	{nb: "for ungdom", en: "for young people", groups: []portal.TargetGroup{"YOUTH"}, ageMin: age(13), ageMax: age(19)},
	{nb: "for voksne", en: "for adults", groups: []portal.TargetGroup{"ADULTS"}, ageMin: age(18)},
	{nb: "for seniorer", en: "for seniors", groups: []portal.TargetGroup{"SENIORS"}, ageMin: age(65)},
	{nb: "for 60+", en: "for 60+", groups: []portal.TargetGroup{"SENIORS"}, ageMin: age(60)},
	{nb: "for hele familien", en: "for the whole family", groups: []portal.TargetGroup{"FAMILIES"}},
	{nb: "for jenter", en: "for girls", groups: []portal.TargetGroup{"CHILDREN", "YOUTH"}, ageMin: age(10), ageMax: age(16)},
	{nb: "for gutter", en: "for boys", groups: []portal.TargetGroup{"CHILDREN", "YOUTH"}, ageMin: age(10), ageMax: age(16)},
	{nb: "for nye i Norge", en: "for newcomers to Norway", groups: []portal.TargetGroup{"NEWCOMERS"}},
	{nb: "– tilrettelagt gruppe", en: "– adapted group", groups: []portal.TargetGroup{"PEOPLE_WITH_DISABILITIES"}, adapts: true},
	{nb: "på dagtid", en: "in the daytime"},
	{nb: "på kveldstid", en: "in the evening"},
	{nb: "i helgene", en: "at weekends"},
	{nb: "på lørdager", en: "on Saturdays"},
	{nb: "i sommerferien", en: "in the summer holidays", groups: []portal.TargetGroup{"CHILDREN"}, ageMin: age(6), ageMax: age(13)},
	{nb: "i høstferien", en: "in the autumn half-term", groups: []portal.TargetGroup{"CHILDREN"}, ageMin: age(6), ageMax: age(13)},
	{nb: "– åpen gruppe", en: "– open group"},
	{nb: "– introduksjonskurs", en: "– introductory course"},
	{nb: "med kaffe og prat", en: "with coffee and a chat", groups: []portal.TargetGroup{"ADULTS", "SENIORS"}},
	{nb: "for små og store", en: "for young and old", groups: []portal.TargetGroup{"FAMILIES"}},
}

// groupAges are the usual ages of each target group, for activities whose title does not
// say.
var groupAges = map[portal.TargetGroup][2]int{
	"CHILDREN": {6, 12}, "YOUTH": {13, 19}, "ADULTS": {18, 120}, "SENIORS": {65, 120}, "FAMILIES": {0, 120},
}

var plainGroups = []portal.TargetGroup{"CHILDREN", "YOUTH", "ADULTS", "SENIORS", "FAMILIES"}

// The weekdays in schedule texts, Monday first.
var (
	weekdaysNb = []string{"mandager", "tirsdager", "onsdager", "torsdager", "fredager", "lørdager", "søndager"}
	weekdaysEn = []string{"Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays", "Sundays"}
)

// prices are what paid activities cost, in øre.
var prices = []int{2000, 5000, 10000, 20000, 35000, 50000, 90000, 150000}

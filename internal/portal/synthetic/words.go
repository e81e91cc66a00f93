package synthetic

import "github.com/fritid/fritid/internal/portal"

// The category slugs every municipality is given.
const (
	catArts         = "kunst-og-kultur"
	catSports       = "idrett-og-fysisk-aktivitet"
	catOutdoors     = "natur-og-friluftsliv"
	catFaith        = "tro-og-livssyn"
	catInterest     = "interesseorganisasjoner"
	catHumanitarian = "humanitaere-og-ideelle"
	catImmigrant    = "innvandrerorganisasjoner"
	catSocial       = "rekreasjon-og-sosiale"
	catVolunteer    = "frivilligsentraler-og-moteplasser"
	catPublic       = "private-og-kommunale-aktorer"
)

// orgType is a word that names a sort of organisation after its place ("Kvelde
// sjakklubb"), with what it is about in Norwegian and English, its categories and kind.
type orgType struct {
	word       string
	topicNb    string
	topicEn    string
	categories []string
	kind       portal.OrganisationKind
	weight     int // how common it is, relative to the others
}

var orgTypes = []orgType{
	{"IL", "idrett", "sport", []string{catSports}, portal.KindVoluntary, 6},
	{"IF", "idrett", "sport", []string{catSports}, portal.KindVoluntary, 4},
	{"sportsklubb", "idrett og trening", "sport and exercise", []string{catSports}, portal.KindVoluntary, 3},
	{"turnforening", "turn", "gymnastics", []string{catSports}, portal.KindVoluntary, 2},
	{"svømmeklubb", "svømming", "swimming", []string{catSports}, portal.KindVoluntary, 2},
	{"håndballklubb", "håndball", "handball", []string{catSports}, portal.KindVoluntary, 2},
	{"fotballklubb", "fotball", "football", []string{catSports}, portal.KindVoluntary, 3},
	{"tennisklubb", "tennis", "tennis", []string{catSports}, portal.KindVoluntary, 1},
	{"bowlingklubb", "bowling", "bowling", []string{catSports}, portal.KindVoluntary, 1},
	{"rideklubb", "ridning", "horse riding", []string{catSports, catOutdoors}, portal.KindVoluntary, 1},
	{"klatreklubb", "klatring", "climbing", []string{catSports, catOutdoors}, portal.KindVoluntary, 1},
	{"orienteringslag", "orientering", "orienteering", []string{catSports, catOutdoors}, portal.KindVoluntary, 1},
	{"skiklubb", "langrenn", "cross-country skiing", []string{catSports, catOutdoors}, portal.KindVoluntary, 2},
	{"seilforening", "seiling", "sailing", []string{catOutdoors, catSports}, portal.KindVoluntary, 1},
	{"padleklubb", "padling", "paddling", []string{catOutdoors}, portal.KindVoluntary, 1},
	{"turlag", "turer i skog og mark", "hiking", []string{catOutdoors}, portal.KindVoluntary, 2},
	{"jeger- og fiskerforening", "jakt og fiske", "hunting and fishing", []string{catOutdoors}, portal.KindVoluntary, 1},
	{"4H", "natur, dyr og matproduksjon", "nature, animals and food", []string{catOutdoors, catInterest}, portal.KindVoluntary, 1},
	{"speidergruppe", "speiding og friluftsliv", "scouting and outdoor life", []string{catOutdoors, catInterest}, portal.KindVoluntary, 2},
	{"hagelag", "hagestell", "gardening", []string{catOutdoors, catInterest}, portal.KindVoluntary, 1},
	{"birøkterlag", "birøkt", "beekeeping", []string{catOutdoors, catInterest}, portal.KindVoluntary, 1},
	{"sjakklubb", "sjakk", "chess", []string{catInterest}, portal.KindVoluntary, 2},
	{"bridgeklubb", "bridge", "bridge", []string{catInterest}, portal.KindVoluntary, 1},
	{"fotoklubb", "fotografering", "photography", []string{catInterest, catArts}, portal.KindVoluntary, 1},
	{"historielag", "lokalhistorie", "local history", []string{catInterest, catArts}, portal.KindVoluntary, 2},
	{"gamingklubb", "gaming og e-sport", "gaming and e-sports", []string{catInterest}, portal.KindVoluntary, 1},
	{"kodeklubb", "koding og teknologi", "coding and technology", []string{catInterest}, portal.KindVoluntary, 1},
	{"skolekorps", "korpsmusikk", "brass band music", []string{catArts}, portal.KindVoluntary, 2},
	{"musikkorps", "korpsmusikk", "brass band music", []string{catArts}, portal.KindVoluntary, 1},
	{"mannskor", "korsang", "choral singing", []string{catArts}, portal.KindVoluntary, 1},
	{"kvinnekor", "korsang", "choral singing", []string{catArts}, portal.KindVoluntary, 1},
	{"barnekor", "sang og musikk", "singing and music", []string{catArts}, portal.KindVoluntary, 1},
	{"teaterlag", "teater", "theatre", []string{catArts}, portal.KindVoluntary, 2},
	{"revylag", "revy", "revue", []string{catArts}, portal.KindVoluntary, 1},
	{"husflidslag", "husflid og håndverk", "handicraft", []string{catArts, catInterest}, portal.KindVoluntary, 1},
	{"kunstforening", "kunst", "art", []string{catArts}, portal.KindVoluntary, 1},
	{"dansestudio", "dans", "dance", []string{catArts, catSports}, portal.KindCommercial, 1},
	{"seniordans", "dans for seniorer", "dance for seniors", []string{catSocial, catArts}, portal.KindVoluntary, 1},
	{"pensjonistforening", "sosialt samvær", "social gatherings", []string{catSocial}, portal.KindVoluntary, 2},
	{"bygdekvinnelag", "matkultur og fellesskap", "food culture and fellowship", []string{catSocial, catInterest}, portal.KindVoluntary, 1},
	{"velforening", "nabolaget", "the neighbourhood", []string{catSocial}, portal.KindVoluntary, 2},
	{"grendelag", "bygdas fellesskap", "the local community", []string{catSocial}, portal.KindVoluntary, 1},
	{"strikkeklubb", "strikking", "knitting", []string{catSocial, catInterest}, portal.KindPrivate, 1},
	{"ungdomsklubb", "et trygt sted å være", "a safe place to hang out", []string{catSocial, catPublic}, portal.KindMunicipal, 1},
	{"frivilligsentral", "frivillig innsats", "volunteering", []string{catVolunteer}, portal.KindVoluntary, 1},
	{"møteplass", "fellesskap på tvers av generasjoner", "fellowship across generations", []string{catVolunteer, catSocial}, portal.KindOther, 1},
	{"bibliotek", "lesing og litteratur", "reading and books", []string{catPublic, catArts}, portal.KindMunicipal, 1},
	{"kulturskole", "musikk, dans og kunst", "music, dance and art", []string{catPublic, catArts}, portal.KindMunicipal, 1},
	{"treningssenter", "trening", "exercise", []string{catPublic, catSports}, portal.KindCommercial, 1},
	{"menighet", "kirkelig fellesskap", "church fellowship", []string{catFaith}, portal.KindReligious, 2},
	{"misjonsforening", "misjon og fellesskap", "mission and fellowship", []string{catFaith}, portal.KindReligious, 1},
	{"KFUK-KFUM", "tro og fellesskap for unge", "faith and fellowship for young people", []string{catFaith, catSocial}, portal.KindVoluntary, 1},
	{"Røde Kors", "humanitært arbeid", "humanitarian work", []string{catHumanitarian}, portal.KindVoluntary, 1},
	{"sanitetsforening", "helse og omsorg", "health and care", []string{catHumanitarian}, portal.KindVoluntary, 1},
	{"flerkulturelle forening", "møter mellom kulturer", "meetings between cultures", []string{catImmigrant, catSocial}, portal.KindVoluntary, 1},
	{"internasjonale kvinnegruppe", "fellesskap for kvinner", "fellowship for women", []string{catImmigrant}, portal.KindVoluntary, 1},
}

// realPlaces are place names of the region.
var realPlaces = []string{
	"Larvik", "Stavern", "Kvelde", "Hedrum", "Tjølling", "Nanset", "Helgeroa", "Nevlunghavn",
	"Svarstad", "Steinsholt", "Styrvoll", "Hvarnes", "Kjose", "Tanum", "Berg", "Verningen",
	"Torstrand", "Langestrand", "Bøkeskogen", "Byskogen", "Frostvedt", "Kaupang", "Viksfjord",
	"Ula", "Sky", "Østre Halsen", "Vestre Halsen", "Jordstøyp", "Odberg", "Nalum", "Rekkevik",
	"Brunlanes", "Lardal", "Tjodalyng", "Gon", "Mesterfjellet", "Sandøya", "Ødegården",
	"Kjerringvik", "Ålby", "Åsrum", "Hølen", "Bergeløkka", "Hovland", "Agnes", "Malmøya",
}

// placeStems and placeEndings make further place names ("Bjørkvik", "Holmåsen").
var (
	placeStems = []string{
		"Bjørk", "Lind", "Holm", "Sand", "Strand", "Eik", "Furu", "Gran", "Myr", "Rød", "Sol",
		"Stein", "Kløv", "Hå", "Øster", "Vester", "Nord", "Sør", "Ås", "Lie", "Skog", "Fjell",
		"Bakke", "Kvern", "Sjø", "Hvit", "Svart", "Hasle", "Rogn", "Mose",
	}
	placeEndings = []string{
		"vik", "dal", "åsen", "heim", "rud", "haug", "stad", "lia", "bakken", "moen", "vangen",
		"tun", "nes", "øya", "berg", "sletta", "jordet",
	}
)

// The parts of a street address.
var (
	streets = []string{
		"Storgata", "Kongegata", "Nansetgata", "Hoffsgate", "Skolegata", "Kirkeveien", "Idrettsveien",
		"Bøkeskogveien", "Tjøllingveien", "Kveldeveien", "Fjellveien", "Strandveien", "Møllegata",
		"Prinsegata", "Torggata", "Sjøveien", "Åsveien", "Gårdsveien", "Løkkeveien", "Jordstøypveien",
	}
	postalPlaces = []string{"Larvik", "Stavern", "Kvelde", "Tjodalyng", "Svarstad", "Helgeroa"}
)

// venueNames name the shared places where activities happen.
var venueNames = []string{
	"Bølgen kulturhus", "Kvelde grendehus", "Nanset idrettspark", "Stavern svømmehall",
	"Hedrum ungdomsskole", "Tjølling samfunnshus", "Larvik bibliotek", "Byskogen idrettshall",
	"Svarstad kulturhus", "Helgeroa bygdetun", "Torstrand skole", "Bøkeskogen friluftssenter",
	"Ødegården flerbrukshall", "Langestrand menighetshus", "Frostvedt aktivitetssenter",
}

var accessibility = []portal.AccessibilityFeature{
	"WHEELCHAIR_ACCESSIBLE", "HEARING_LOOP", "VISUAL_SUPPORT", "COGNITIVE_SUPPORT",
	"ADAPTED_GROUP", "ACCESSIBLE_TOILET", "QUIET_SPACE",
}

// otherLanguages are spoken in some activities besides Norwegian.
var otherLanguages = []string{"ar", "uk", "so", "pl", "ti", "fa", "ur"}

package synthetic

// Sentence templates. Organisation templates take the name (%[1]s), the place (%[2]s) and
// the topic (%[3]s); activity templates take the title in lower case (%[1]s), the
// organisation's name (%[2]s) and the place (%[3]s). Lists of the same name in different
// languages are translations of each other, index by index.
var (
	orgSummaryNb = []string{
		"%[1]s samler folk i %[2]s som er glade i %[3]s.",
		"Vi er en frivillig forening i %[2]s for alle som vil drive med %[3]s.",
		"%[1]s tilbyr %[3]s for store og små i %[2]s.",
		"Et lavterskeltilbud innen %[3]s i %[2]s, med plass til nye medlemmer.",
	}
	orgSummaryEn = []string{
		"%[1]s brings together people in %[2]s who enjoy %[3]s.",
		"We are a voluntary association in %[2]s for everyone who wants to take up %[3]s.",
		"%[1]s offers %[3]s for young and old in %[2]s.",
		"A low-threshold offer of %[3]s in %[2]s, with room for new members.",
	}
	orgSummaryNn = []string{
		"%[1]s samlar folk i %[2]s som likar %[3]s.",
		"Vi er ei frivillig foreining i %[2]s for alle som vil driva med %[3]s.",
		"%[1]s tilbyr %[3]s for store og små i %[2]s.",
		"Eit lågterskeltilbod innan %[3]s i %[2]s, med plass til nye medlemer.",
	}

	orgSentenceNb = []string{
		"Nye medlemmer er alltid velkomne, og du trenger ingen erfaring for å begynne.",
		"Vi holder til i %[2]s og møtes jevnlig gjennom hele året.",
		"Foreningen drives av frivillige, og kontingenten holdes lav slik at alle kan være med.",
		"Ta gjerne kontakt hvis du vil prøve en gang før du bestemmer deg.",
		"Vi samarbeider med skoler, lag og foreninger i nærmiljøet.",
		"Alle aktivitetene er rusfrie, og vi legger vekt på et inkluderende miljø.",
		"Vi har fellesturer, sosiale kvelder og en egen sommeravslutning.",
		"Spør oss gjerne om støtteordninger hvis prisen er et hinder.",
	}
	orgSentenceEn = []string{
		"New members are always welcome, and you need no experience to start.",
		"We are based in %[2]s and meet regularly all year round.",
		"The association is run by volunteers, and the fee is kept low so that everyone can join.",
		"Get in touch if you would like to try once before you decide.",
		"We work together with schools, clubs and associations in the area.",
		"All our activities are alcohol-free, and we value an inclusive atmosphere.",
		"We have group trips, social evenings and our own summer party.",
		"Ask us about financial support if the price stands in your way.",
	}
	orgSentenceNn = []string{
		"Nye medlemer er alltid velkomne, og du treng ingen erfaring for å byrja.",
		"Vi held til i %[2]s og møtest jamleg gjennom heile året.",
		"Foreininga er driven av frivillige, og kontingenten er låg slik at alle kan vera med.",
		"Ta gjerne kontakt om du vil prøva ein gong før du bestemmer deg.",
		"Vi samarbeider med skular, lag og foreiningar i nærmiljøet.",
		"Alle aktivitetane er rusfrie, og vi legg vekt på eit inkluderande miljø.",
		"Vi har fellesturar, sosiale kveldar og ei eiga sommaravslutning.",
		"Spør oss gjerne om støtteordningar dersom prisen er eit hinder.",
	}

	actSummaryNb = []string{
		"%[2]s inviterer til %[1]s i %[3]s.",
		"Bli med på %[1]s – en hyggelig og uformell møteplass.",
		"En fast aktivitet i %[3]s der alle får være med, uansett nivå.",
		"Vi møtes hver uke og har det gøy sammen.",
	}
	actSummaryEn = []string{
		"%[2]s invites you to %[1]s in %[3]s.",
		"Join us for %[1]s – a friendly and informal meeting place.",
		"A regular activity in %[3]s where everyone can take part, whatever their level.",
		"We meet every week and have fun together.",
	}

	actSentenceNb = []string{
		"Instruktørene er erfarne og tilpasser aktiviteten til deltakerne.",
		"Du trenger ikke å melde deg på – det er bare å møte opp.",
		"Påmelding skjer på e-post eller på første samling.",
		"Utstyr kan lånes på stedet.",
		"Ta med drikkeflaske og klær etter vær.",
		"Det serveres kaffe, te og noe å bite i.",
		"Aktiviteten følger skoleruta og har pause i feriene.",
		"Foreldre er velkomne til å være med og se på.",
	}
	actSentenceEn = []string{
		"The instructors are experienced and adapt the activity to those taking part.",
		"There is no need to sign up – just turn up.",
		"Sign up by e-mail or at the first session.",
		"Equipment can be borrowed on site.",
		"Bring a water bottle and clothes for the weather.",
		"Coffee, tea and something to eat are served.",
		"The activity follows the school year and pauses in the holidays.",
		"Parents are welcome to come along and watch.",
	}
)

// The schedule of an activity without regular weekly times.
const (
	byArrangementNb = "Etter avtale – se nettsiden for datoer."
	byArrangementEn = "By arrangement – see the website for dates."
)

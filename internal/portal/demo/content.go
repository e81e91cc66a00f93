package demo

import "github.com/fritid/fritid/internal/content"

// The demo municipality's information pages and news: demo text, written to show what the
// CMS holds, not the municipality's real information.
var (
	demoPages = []content.DemoPage{
		{Slug: "aktivitetskortet", Texts: []content.DemoText{
			{Locale: "nb", Title: "Om aktivitetskortet", Summary: "Demotekst: hva aktivitetskortet er og hvem det er for.",
				Markdown: "*Dette er demotekst.*\n\n## Hva er aktivitetskortet?\n\nAktivitetskortet gir barn og unge " +
					"gratis plass på fritidsaktiviteter i kommunen.\n\n## Hvem kan få det?\n\n- Barn og unge mellom 6 og 18 år\n" +
					"- Familier som får hjelp fra NAV eller barnevernet\n"},
			{Locale: "en", Title: "About the activity card", Summary: "Demo text: what the activity card is and who it is for.",
				Markdown: "*This is demo text.*\n\n## What is the activity card?\n\nThe activity card gives children and young " +
					"people free places in leisure activities in the municipality.\n"},
		}},
		{Slug: "slik-far-du-aktivitetskort", Parent: "aktivitetskortet", Texts: []content.DemoText{
			{Locale: "nb", Title: "Slik får du aktivitetskort", Summary: "Demotekst: slik søker du.",
				Markdown: "*Dette er demotekst.*\n\n1. Snakk med saksbehandleren din i NAV eller barnevernet.\n" +
					"2. Du får kortet i posten eller på telefonen.\n3. Velg en aktivitet og vis kortet.\n"},
			{Locale: "en", Title: "How to get an activity card", Summary: "Demo text: how to apply.",
				Markdown: "*This is demo text.*\n\n1. Talk to your caseworker.\n2. You get the card by post or on your phone.\n"},
		}},
		{Slug: "frivilligsentralen-og-fondet", Texts: []content.DemoText{
			{Locale: "nb", Title: "Frivilligsentralen og fondet", Summary: "Demotekst: støtte til lag og foreninger.",
				Markdown: "*Dette er demotekst.*\n\nFrivilligsentralen hjelper lag og foreninger, og fondet gir tilskudd " +
					"til aktiviteter som når barn som ellers faller utenfor.\n\n> Alle barn skal få være med.\n"},
		}},
		{Slug: "personvern", Texts: []content.DemoText{
			{Locale: "nb", Title: "Personvern", Summary: "Demotekst: hvordan vi behandler personopplysninger.",
				Markdown: "*Dette er demotekst.*\n\nVi lagrer bare det som trengs for å gi deg aktivitetskortet, og aldri " +
					"fødselsnummeret ditt. Spørsmål? Skriv til [personvernombudet](mailto:personvern@example.no).\n"},
			{Locale: "en", Title: "Privacy", Summary: "Demo text: how we handle personal data.",
				Markdown: "*This is demo text.*\n\nWe store only what is needed to give you the activity card, never your " +
					"national identity number.\n"},
		}},
	}
	demoArticles = []content.DemoArticle{
		{Slug: "sommerens-aktiviteter", AuthorLine: "Kultur og fritid (demo)", Texts: []content.DemoText{
			{Locale: "nb", Title: "Sommerens aktiviteter er klare", Summary: "Demotekst: påmeldingen åpner snart.",
				Markdown: "*Dette er en demosak.*\n\nI sommer kan du bruke aktivitetskortet på **over 30** aktiviteter.\n"},
			{Locale: "en", Title: "This summer's activities are ready", Summary: "Demo text: sign-up opens soon.",
				Markdown: "*This is a demo article.*\n\nThis summer the activity card works for **over 30** activities.\n"},
		}},
		{Slug: "nytt-fra-sentrum", Neighbourhood: "larvik-sentrum", AuthorLine: "Nærmiljøutvalget i sentrum (demo)",
			Texts: []content.DemoText{
				{Locale: "nb", Title: "Nytt fra nærmiljøutvalget i sentrum", Summary: "Demotekst: møte i bydelshuset.",
					Markdown: "*Dette er en demosak.*\n\nUtvalget inviterer til åpent møte om nye aktiviteter for ungdom.\n"},
			}},
		{Slug: "teaterforeningen-tar-opp-nye", Organisation: "larvik-teaterforening", AuthorLine: "Larvik Teaterforening (demo)",
			Texts: []content.DemoText{
				{Locale: "nb", Title: "Teaterforeningen tar opp nye medlemmer", Summary: "Demotekst: prøv deg på scenen.",
					Markdown: "*Dette er en demosak.*\n\nVi tar opp nye medlemmer fra 10 år. Aktivitetskortet gjelder.\n"},
			}},
	}
)

package app_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/jpeg"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/card/wallet/wallettest"
	"github.com/fritid/fritid/internal/mail"
	"github.com/fritid/fritid/internal/platform/config"
	"github.com/fritid/fritid/internal/platform/jobs"
	"github.com/fritid/fritid/internal/platform/relay"
)

// outcome is what a caller gets from a mutation.
type outcome string

const (
	allowed         outcome = "allowed"
	forbidden       outcome = "FORBIDDEN"
	unauthenticated outcome = "UNAUTHENTICATED"
	hidden          outcome = "null" // a read answered null without an error
)

// uploadQuery marks a case sent as a GraphQL multipart request uploading a small JPEG as $f:
// alone, with uploadImage; followed by an operation, with that one. A case's variables
// may give other content for the file under uploadFile.
const (
	uploadQuery = "(multipart upload)"
	uploadFile  = "(file)"
)

// TestAccessMatrix walks every mutation against every kind of caller and asserts exactly
// what docs/access.md says: allowed, FORBIDDEN or UNAUTHENTICATED.
func TestAccessMatrix(t *testing.T) {
	iss := newIssuer(t)
	s := newServer(t, withPush(t),
		func(c *config.Config) { c.OIDCIssuers = []config.OIDCIssuer{{Issuer: iss.URL, Audience: "fritid"}} },
		withAppleWallet(wallettest.NewApple(t, walletPassType)))
	ctx := context.Background()
	demo, _ := s.app.Tenants.FindMunicipalityBySlug(ctx, "demo")
	larvik, err := s.app.Tenants.CreateMunicipality(ctx, tenantInput("larvik", "Larvik kommune"))
	if err != nil {
		t.Fatal(err)
	}
	users := map[string][]auth.MunicipalRole{"admin": {auth.RoleAdmin}, "editor": {auth.RoleEditor},
		"coordinator": {auth.RoleCardCoordinator}, "caseworker": {auth.RoleCaseworker}, "orgeditor": nil,
		"otherorgeditor": nil, "committee": nil, "neighbour": nil}
	for name, roles := range users {
		if _, err := s.app.Auth.CreateUser(ctx, auth.CreateUserInput{MunicipalityID: demo.ID(), Email: name + "@example.no", Password: "riktig hest batteri", Roles: roles}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.app.Auth.CreateUser(ctx, auth.CreateUserInput{MunicipalityID: larvik.ID(), Email: "admin@larvik.no", Password: "riktig hest batteri", Roles: []auth.MunicipalRole{auth.RoleAdmin}}); err != nil {
		t.Fatal(err)
	}
	s.exec(t, `INSERT INTO organisations (municipality_id, slug, name, kind, status) VALUES (?, 'lag-a', 'Lag A', 'VOLUNTARY', 'PUBLISHED'), (?, 'lag-b', 'Lag B', 'VOLUNTARY', 'PUBLISHED')`, demo.ID(), demo.ID())
	if _, err := s.app.Auth.CreateUser(ctx, auth.CreateUserInput{MunicipalityID: demo.ID(), Email: "eier-a@example.no", Password: "riktig hest batteri"}); err != nil {
		t.Fatal(err)
	}
	s.exec(t, `INSERT INTO organisation_members (municipality_id, organisation_id, user_id, role)
		SELECT o.municipality_id, o.id, u.id, 'OWNER' FROM organisations o, users u WHERE o.slug = 'lag-a' AND u.email = 'eier-a@example.no'`)
	s.exec(t, `INSERT INTO organisation_members (municipality_id, organisation_id, user_id, role)
		SELECT o.municipality_id, o.id, u.id, 'EDITOR' FROM organisations o, users u
		WHERE (o.slug = 'lag-a' AND u.email = 'orgeditor@example.no') OR (o.slug = 'lag-b' AND u.email = 'otherorgeditor@example.no')`)

	// A neighbourhood whose committee committee@example.no keeps.
	var nbA string
	if err := s.app.DB.QueryRowContext(ctx, `INSERT INTO neighbourhoods
		(municipality_id, slug, area, min_lat, min_lon, max_lat, max_lon)
		VALUES (?, 'sentrum', ?, 59, 10, 59.1, 10.1) RETURNING id`,
		demo.ID(), `{"type":"Polygon","coordinates":[[[10,59],[10.1,59],[10.1,59.1],[10,59]]]}`).Scan(&nbA); err != nil {
		t.Fatal(err)
	}
	s.exec(t, `INSERT INTO neighbourhood_translations (neighbourhood_id, municipality_id, locale, name)
		VALUES (?, ?, 'nb', 'Sentrum')`, nbA, demo.ID())
	s.exec(t, `INSERT INTO neighbourhood_editors (municipality_id, neighbourhood_id, user_id)
		SELECT municipality_id, ?, id FROM users WHERE email = 'committee@example.no'`, nbA)
	nbAID := func() map[string]any { return map[string]any{"id": relayID("Neighbourhood", nbA)} }

	// Each caller's Authorization header: one session per caller, checked before each case
	// and signed in again when a case has ended it (logout, a changed password). Signing in
	// derives an argon2id hash, which under -race takes long enough to make the matrix slow.
	sessions := map[string]string{}
	login := func(email string, headers ...string) string {
		key := email + "|" + strings.Join(headers, "|")
		if h, ok := sessions[key]; ok {
			r := s.post(t, `{ viewer { user { id } } }`, nil, append([]string{h}, headers...)...)
			if len(r.Errors) == 0 && get(r.Data, "viewer.user.id") != nil {
				return h
			}
		}
		r := ok(t, s.post(t, loginMutation, map[string]any{"e": email, "p": "riktig hest batteri"}, headers...))
		h := "Authorization: Bearer " + get(r.Data, "login.token").(string)
		sessions[key] = h
		return h
	}
	callers := map[string]func() []string{
		"anonymous": func() []string { return nil },
		"resident": func() []string {
			now := time.Now()
			tok := iss.sign(t, iss.key, map[string]any{"iss": iss.URL, "aud": "fritid", "sub": "r1", "iat": now.Unix(), "exp": now.Add(time.Hour).Unix()})
			return []string{"Authorization: Bearer " + tok}
		},
		"org editor of this org":    func() []string { return []string{login("orgeditor@example.no")} },
		"org editor of another org": func() []string { return []string{login("otherorgeditor@example.no")} },
		"ADMIN":                     func() []string { return []string{login("admin@example.no")} },
		"EDITOR":                    func() []string { return []string{login("editor@example.no")} },
		"CARD_COORDINATOR":          func() []string { return []string{login("coordinator@example.no")} },
		"CASEWORKER":                func() []string { return []string{login("caseworker@example.no")} },
		"committee editor":          func() []string { return []string{login("committee@example.no")} },
		"user of another municipality": func() []string {
			return []string{login("admin@larvik.no", "X-Municipality: larvik")}
		},
	}
	adminOnly := map[string]outcome{"anonymous": unauthenticated, "resident": unauthenticated, "org editor of this org": forbidden,
		"org editor of another org": forbidden, "ADMIN": allowed, "EDITOR": forbidden, "CARD_COORDINATOR": forbidden,
		"CASEWORKER": forbidden, "committee editor": forbidden,
		"user of another municipality": unauthenticated}
	signedIn := map[string]outcome{"anonymous": unauthenticated, "resident": unauthenticated, "org editor of this org": allowed,
		"org editor of another org": allowed, "ADMIN": allowed, "EDITOR": allowed, "CARD_COORDINATOR": allowed,
		"CASEWORKER": allowed, "committee editor": allowed,
		"user of another municipality": unauthenticated}
	anyone := map[string]outcome{"anonymous": allowed, "resident": allowed, "org editor of this org": allowed,
		"org editor of another org": allowed, "ADMIN": allowed, "EDITOR": allowed, "CARD_COORDINATOR": allowed,
		"CASEWORKER": allowed, "committee editor": allowed,
		"user of another municipality": unauthenticated}
	keyID := func() any {
		r := ok(t, s.post(t, `mutation {
			createApiKey(name: "k", scopes: [CATALOGUE_READ]) { key { id } } }`, nil, login("admin@example.no")))
		return get(r.Data, "createApiKey.key.id")
	}
	n := 0
	owner := func() map[string]any {
		n++
		return map[string]any{"email": fmt.Sprintf("eier%d@example.no", n), "password": "riktig hest batteri"}
	}
	pendingOrg := func() map[string]any {
		n++
		var id string
		if err := s.app.DB.QueryRowContext(ctx, `INSERT INTO organisations (municipality_id, slug, name, kind) VALUES (?, ?, 'Nytt lag', 'OTHER') RETURNING id`,
			demo.ID(), fmt.Sprintf("nytt-lag-%d", n)).Scan(&id); err != nil {
			t.Fatal(err)
		}
		return map[string]any{"id": relayID("Organisation", id), "reason": "Mangler opplysninger"}
	}
	// A mail job of the municipality that failed every attempt.
	discardedJob := func() map[string]any {
		m := &mail.Message{MunicipalityID: demo.ID(), Template: "PasswordReset", To: "kari@example.no", Locale: "nb"}
		if err := mail.Enqueue(ctx, s.app.DB, m); err != nil {
			t.Fatal(err)
		}
		j := new(jobs.Job)
		if err := s.app.DB.QueryRowContext(ctx, `UPDATE river_job SET state = 'discarded', attempt = 8, finalized_at = now()
			WHERE args->>'message_id' = ? RETURNING id`, m.ID.String()).Scan(&j.ID); err != nil {
			t.Fatal(err)
		}
		return map[string]any{"id": j.GlobalID()}
	}
	endpoint := func() map[string]any {
		var id uuid.UUID
		if err := s.app.DB.QueryRowContext(ctx, `INSERT INTO webhook_endpoints (municipality_id, url, secret)
			VALUES (?, 'https://mottak.example.no/fritid', 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw') RETURNING id`, demo.ID()).Scan(&id); err != nil {
			t.Fatal(err)
		}
		return map[string]any{"id": relay.GlobalID("WebhookEndpoint", id)}
	}
	webhookAttempt := func() map[string]any {
		var id uuid.UUID
		if err := s.app.DB.QueryRowContext(ctx, `WITH e AS (INSERT INTO webhook_endpoints (municipality_id, url, secret)
				VALUES (?, 'https://mottak.example.no/fritid', 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw') RETURNING id, municipality_id),
			m AS (INSERT INTO webhook_messages (municipality_id, endpoint_id, type, body)
				SELECT municipality_id, id, 'webhook.test', '{}' FROM e RETURNING id, endpoint_id, municipality_id)
			INSERT INTO webhook_attempts (municipality_id, endpoint_id, message_id, status_code, error)
			SELECT municipality_id, endpoint_id, id, 500, 'HTTP 500' FROM m RETURNING id`, demo.ID()).Scan(&id); err != nil {
			t.Fatal(err)
		}
		return map[string]any{"id": relay.GlobalID("WebhookAttempt", id)}
	}
	verifyToken := func() map[string]any {
		o := owner()
		ok(t, s.post(t, registerMutation, map[string]any{"in": map[string]any{"name": "Lag", "kind": "OTHER", "owner": o}}))
		link := outboxLink(t, s, "VerifyEmail", o["email"].(string))
		return map[string]any{"t": link[len(link)-43:]}
	}
	orgEditors := map[string]outcome{"anonymous": unauthenticated, "resident": unauthenticated, "org editor of this org": allowed,
		"org editor of another org": forbidden, "ADMIN": allowed, "EDITOR": allowed, "CARD_COORDINATOR": forbidden,
		"CASEWORKER": forbidden, "committee editor": forbidden,
		"user of another municipality": unauthenticated}
	// Members are people, not content: a municipal EDITOR does not manage them.
	memberManagers := map[string]outcome{"anonymous": unauthenticated, "resident": unauthenticated,
		"org editor of this org": allowed, "org editor of another org": forbidden,
		"ADMIN": allowed, "EDITOR": forbidden, "CARD_COORDINATOR": forbidden,
		"CASEWORKER": forbidden, "committee editor": forbidden,
		"user of another municipality": unauthenticated}
	catalogueEditors := map[string]outcome{"anonymous": unauthenticated, "resident": unauthenticated,
		"org editor of this org": forbidden, "org editor of another org": forbidden,
		"ADMIN": allowed, "EDITOR": allowed, "CARD_COORDINATOR": forbidden,
		"CASEWORKER": forbidden, "committee editor": forbidden,
		"user of another municipality": unauthenticated}
	keepers := map[string]outcome{"anonymous": unauthenticated, "resident": unauthenticated,
		"org editor of this org": forbidden, "org editor of another org": forbidden,
		"ADMIN": allowed, "EDITOR": allowed, "CARD_COORDINATOR": forbidden,
		"CASEWORKER": forbidden, "committee editor": allowed,
		"user of another municipality": unauthenticated}
	var lagA string
	if err := s.app.DB.QueryRowContext(ctx, "SELECT id FROM organisations WHERE slug = 'lag-a'").Scan(&lagA); err != nil {
		t.Fatal(err)
	}
	lagAID := func() map[string]any { return map[string]any{"id": relayID("Organisation", lagA)} }
	var actA string
	if err := s.app.DB.QueryRowContext(ctx, `INSERT INTO activities (municipality_id, organisation_id, slug) VALUES (?, ?, 'aktivitet-a') RETURNING id`, demo.ID(), lagA).Scan(&actA); err != nil {
		t.Fatal(err)
	}
	s.exec(t, `INSERT INTO activity_translations (activity_id, municipality_id, locale, title) VALUES (?, ?, 'nb', 'Aktivitet A')`, actA, demo.ID())
	actAID := func() map[string]any { return map[string]any{"id": relayID("Activity", actA)} }
	var draftA string // stays a DRAFT: setActivityStatus publishes actA
	if err := s.app.DB.QueryRowContext(ctx, `INSERT INTO activities (municipality_id, organisation_id, slug) VALUES (?, ?, 'utkast-a') RETURNING id`, demo.ID(), lagA).Scan(&draftA); err != nil {
		t.Fatal(err)
	}
	draftAID := func() map[string]any { return map[string]any{"id": relayID("Activity", draftA)} }
	revisionOfA := func() map[string]any {
		var id string
		if err := s.app.DB.QueryRowContext(ctx, `INSERT INTO revisions (municipality_id, item_type, item_id, snapshot)
			SELECT municipality_id, 'Organisation', id, jsonb_build_object('row', to_jsonb(o), 'texts', '[]'::jsonb, 'categories', '[]'::jsonb)
			FROM organisations o WHERE id = ? RETURNING id`, lagA).Scan(&id); err != nil {
			t.Fatal(err)
		}
		return map[string]any{"id": relayID("Revision", id)}
	}
	var venueA string
	if err := s.app.DB.QueryRowContext(ctx, `INSERT INTO venues (municipality_id, name, organisation_id) VALUES (?, 'Klubbhuset', ?) RETURNING id`, demo.ID(), lagA).Scan(&venueA); err != nil {
		t.Fatal(err)
	}
	venueAID := func() map[string]any { return map[string]any{"id": relayID("Venue", venueA)} }
	imageOfA := func() map[string]any { // a new unused image in Lag A's library each time
		var id string
		err := s.app.DB.QueryRowContext(ctx, `INSERT INTO media (municipality_id, organisation_id, url, width, height)
			VALUES (?, ?, 'https://localhost/media/bilde.jpg', 40, 30) RETURNING id`, demo.ID(), lagA).Scan(&id)
		if err != nil {
			t.Fatal(err)
		}
		return map[string]any{"id": relayID("Image", id), "o": relayID("Organisation", lagA)}
	}
	libraryKeepers := map[string]outcome{"anonymous": unauthenticated, "resident": unauthenticated,
		"org editor of this org": allowed, "org editor of another org": forbidden, "ADMIN": allowed, "EDITOR": allowed,
		"CARD_COORDINATOR": forbidden, "CASEWORKER": forbidden, "committee editor": forbidden,
		"user of another municipality": unauthenticated}
	imageReaders := map[string]outcome{"anonymous": hidden, "resident": hidden, "org editor of this org": allowed,
		"org editor of another org": hidden, "ADMIN": allowed, "EDITOR": allowed, "CARD_COORDINATOR": hidden,
		"CASEWORKER": hidden, "committee editor": hidden, "user of another municipality": unauthenticated}

	// The activity card: an agency with the caseworker, an active programme, an offer of Lag A.
	adminH := login("admin@example.no")
	agency := get(ok(t, s.post(t, `mutation {
		saveCardAgency(input: {name: "NAV", kind: NAV}) { agency { id } } }`, nil, adminH)).Data, "saveCardAgency.agency.id")
	var caseworker string
	s.app.DB.QueryRowContext(ctx, "SELECT id FROM users WHERE email = 'caseworker@example.no'").Scan(&caseworker)
	ok(t, s.post(t, `mutation($u: ID!, $a: ID) {
		setCaseworkerAgency(userId: $u, agencyId: $a) { agency { id } } }`, map[string]any{"u": relayID("User", caseworker), "a": agency}, adminH))
	year := time.Now().Year()
	programme := get(ok(t, s.post(t, `mutation($in: CardProgrammeInput!) {
		saveCardProgramme(input: $in) { programme { id } } }`, map[string]any{"in": map[string]any{
		"texts": []any{map[string]any{"locale": "nb", "name": "Aktivitetskortet"}}, "minAge": 0, "maxAge": 17,
		"validFrom": fmt.Sprintf("%d-01-01", year), "validTo": fmt.Sprintf("%d-12-31", year), "cardsAvailable": 1000, "budgetOre": 0,
		"defaultAllowance": 1000, "status": "ACTIVE", "agencyIds": []any{agency}}}, adminH)).Data, "saveCardProgramme.programme.id")
	offerIn := map[string]any{"organisationId": relayID("Organisation", lagA), "programmeIds": []any{programme},
		"texts": []any{map[string]any{"locale": "nb", "title": "Kino"}}, "stock": 20000, "perCardLimit": 100, "admits": 1,
		"validFrom": time.Now().Add(-time.Hour).Format(time.RFC3339), "validTo": time.Now().AddDate(0, 1, 0).Format(time.RFC3339), "valueOre": 10000, "source": "DONATED"}
	offer := get(ok(t, s.post(t, `mutation($in: CardOfferInput!) {
		saveCardOffer(input: $in) { offer { id } } }`, map[string]any{"in": offerIn}, adminH)).Data, "saveCardOffer.offer.id")
	ok(t, s.post(t, `mutation($o: ID!) {
		releaseCardOfferStock(offerId: $o, amount: 10000) { offer { id } } }`, map[string]any{"o": offer}, adminH))
	ok(t, s.post(t, `mutation($o: ID!) {
		setCardOfferStatus(id: $o, status: PUBLISHED) { offer { id } } }`, map[string]any{"o": offer}, adminH))
	children := 0
	recipient := func() map[string]any {
		children++
		return map[string]any{"programmeId": programme, "childIdentityNumber": identityNumber(time.Date(year-8, 1, 1, 0, 0, 0, 0, time.UTC), children),
			"givenName": "Barn", "birthDate": fmt.Sprintf("%d-01-01", year-8)}
	}
	personalCard := func() any {
		return get(ok(t, s.post(t, `mutation($in: CardRecipientInput!) {
			issueCard(input: $in) { card { id } } }`, map[string]any{"in": recipient()}, login("caseworker@example.no"))).Data, "issueCard.card.id")
	}
	anonymousCard := func() (any, map[string]any) {
		r := ok(t, s.post(t, `mutation($p: ID!) {
			issueAnonymousCards(programmeId: $p, count: 1) { cards { pin card { id number } } } }`, map[string]any{"p": programme}, login("admin@example.no")))
		return get(r.Data, "issueAnonymousCards.cards.0.card.id"), map[string]any{"number": get(r.Data, "issueAnonymousCards.cards.0.card.number"), "pin": get(r.Data, "issueAnonymousCards.cards.0.pin")}
	}
	anonymousTicket := func() (any, string, map[string]any) {
		c, access := anonymousCard()
		r := ok(t, s.post(t, `mutation($c: ID!, $o: ID!, $a: CardPinInput) {
			claimTicket(cardId: $c, offerId: $o, access: $a) { ticket { id code } } }`,
			map[string]any{"c": c, "o": offer, "a": access}))
		return get(r.Data, "claimTicket.ticket.id"), get(r.Data, "claimTicket.ticket.code").(string), access
	}
	cardStaff := map[string]outcome{"anonymous": unauthenticated, "resident": unauthenticated, "org editor of this org": forbidden,
		"org editor of another org": forbidden, "ADMIN": allowed, "EDITOR": forbidden, "CARD_COORDINATOR": allowed,
		"CASEWORKER": forbidden, "committee editor": forbidden,
		"user of another municipality": unauthenticated}
	cardManagers := map[string]outcome{"anonymous": unauthenticated, "resident": unauthenticated, "org editor of this org": forbidden,
		"org editor of another org": forbidden, "ADMIN": allowed, "EDITOR": forbidden, "CARD_COORDINATOR": allowed,
		"CASEWORKER": allowed, "committee editor": forbidden,
		"user of another municipality": unauthenticated}
	offerManagers := map[string]outcome{"anonymous": unauthenticated, "resident": unauthenticated, "org editor of this org": allowed,
		"org editor of another org": forbidden, "ADMIN": allowed, "EDITOR": forbidden, "CARD_COORDINATOR": allowed,
		"CASEWORKER": forbidden, "committee editor": forbidden,
		"user of another municipality": unauthenticated}
	caseworkers := map[string]outcome{"anonymous": unauthenticated, "resident": unauthenticated, "org editor of this org": forbidden,
		"org editor of another org": forbidden, "ADMIN": forbidden, "EDITOR": forbidden, "CARD_COORDINATOR": forbidden,
		"CASEWORKER": allowed, "committee editor": forbidden,
		"user of another municipality": unauthenticated}
	// At the door, a member of another organisation learns nothing: the same TICKET_NOT_FOUND
	// as for a code that does not exist. The municipal users own organisations of their own
	// by then (registerOrganisation above), so they are such members; a user who checks
	// tickets for no organisation at all is FORBIDDEN (see TestCheckAndRedeem).
	notFound := outcome("TICKET_NOT_FOUND")
	door := map[string]outcome{"anonymous": unauthenticated, "resident": unauthenticated, "org editor of this org": allowed,
		"org editor of another org": notFound, "ADMIN": notFound, "EDITOR": notFound, "CARD_COORDINATOR": notFound,
		"CASEWORKER": notFound, "committee editor": notFound,
		"user of another municipality": unauthenticated}
	allocators := map[string]outcome{"anonymous": unauthenticated, "resident": unauthenticated, "org editor of this org": forbidden,
		"org editor of another org": forbidden, "ADMIN": forbidden, "EDITOR": forbidden, "CARD_COORDINATOR": allowed,
		"CASEWORKER": allowed, "committee editor": forbidden,
		"user of another municipality": unauthenticated}
	ownersOnly := map[string]outcome{"anonymous": unauthenticated, "resident": unauthenticated, "org editor of this org": forbidden,
		"org editor of another org": forbidden, "ADMIN": allowed, "EDITOR": forbidden, "CARD_COORDINATOR": forbidden,
		"CASEWORKER": forbidden, "committee editor": forbidden,
		"user of another municipality": unauthenticated}
	viewers := map[string]outcome{"anonymous": hidden, "resident": allowed, "org editor of this org": allowed,
		"org editor of another org": allowed, "ADMIN": allowed, "EDITOR": allowed, "CARD_COORDINATOR": allowed,
		"CASEWORKER": allowed, "committee editor": allowed,
		"user of another municipality": unauthenticated}
	draftReaders := map[string]outcome{"anonymous": hidden, "resident": hidden, "org editor of this org": allowed,
		"org editor of another org": hidden, "ADMIN": allowed, "EDITOR": allowed, "CARD_COORDINATOR": hidden,
		"CASEWORKER": hidden, "committee editor": hidden,
		"user of another municipality": unauthenticated}
	// Pages and articles, each case with its own.
	contentN := 0
	newPage := func() string {
		contentN++
		var id string
		slug := fmt.Sprintf("side-%d", contentN)
		if err := s.app.DB.QueryRowContext(ctx, `INSERT INTO pages (municipality_id, slug, path) VALUES (?, ?, ?) RETURNING id`,
			demo.ID(), slug, slug).Scan(&id); err != nil {
			t.Fatal(err)
		}
		s.exec(t, `INSERT INTO page_translations (page_id, municipality_id, locale, title) VALUES (?, ?, 'nb', 'Side')`, id, demo.ID())
		return relayID("Page", id)
	}
	pageVars := func() map[string]any { return map[string]any{"id": newPage()} }
	newArticle := func(org, nb any) string {
		contentN++
		var id string
		if err := s.app.DB.QueryRowContext(ctx, `INSERT INTO articles (municipality_id, organisation_id, slug) VALUES (?, ?, ?) RETURNING id`,
			demo.ID(), org, fmt.Sprintf("sak-%d", contentN)).Scan(&id); err != nil {
			t.Fatal(err)
		}
		s.exec(t, `INSERT INTO article_translations (article_id, municipality_id, locale, title) VALUES (?, ?, 'nb', 'Sak')`, id, demo.ID())
		if nb != nil {
			s.exec(t, `INSERT INTO article_neighbourhoods (article_id, neighbourhood_id, municipality_id) VALUES (?, ?, ?)`, id, nb, demo.ID())
		}
		return relayID("Article", id)
	}
	articleOfA := func() map[string]any { return map[string]any{"id": newArticle(lagA, nil)} }
	articleOfSentrum := func() map[string]any { return map[string]any{"id": newArticle(nil, nbA)} }
	changedArticleOfA := func() map[string]any { // with a change waiting for approval
		gid := newArticle(lagA, nil)
		_, id, _ := relay.ParseGlobalID(gid, "id")
		s.exec(t, `INSERT INTO article_pending_changes (article_id, municipality_id, snapshot)
			SELECT a.id, a.municipality_id, jsonb_build_object('row', to_jsonb(a), 'texts', '[]'::jsonb,
			'categories', '[]'::jsonb, 'neighbourhoods', '[]'::jsonb) FROM articles a WHERE a.id = ?`, id)
		return map[string]any{"id": gid}
	}
	newEvent := func(org any) string {
		contentN++
		var id string
		if err := s.app.DB.QueryRowContext(ctx, `INSERT INTO events (municipality_id, organisation_id, slug, starts_at,
			ends_at, time_zone) VALUES (?, ?, ?, now() + interval '1 day', now() + interval '25 hours', 'Europe/Oslo')
			RETURNING id`, demo.ID(), org, fmt.Sprintf("arr-%d", contentN)).Scan(&id); err != nil {
			t.Fatal(err)
		}
		s.exec(t, `INSERT INTO event_translations (event_id, municipality_id, locale, title) VALUES (?, ?, 'nb', 'Arr')`,
			id, demo.ID())
		return relayID("Event", id)
	}
	eventOfA := func() map[string]any { return map[string]any{"id": newEvent(lagA)} }
	seriesOfA := func() map[string]any {
		contentN++
		r := ok(t, s.post(t, `mutation($s: String!, $o: ID) { createEventSeries(input: {slug: $s, organisationId: $o,
			startsAt: "2027-01-04T17:00:00+01:00", endsAt: "2027-01-04T19:00:00+01:00", rule: {rrule: "FREQ=WEEKLY;COUNT=3"},
			texts: [{locale: "nb", title: "Kor"}]}) { series { id } } }`,
			map[string]any{"s": fmt.Sprintf("serie-%d", contentN), "o": relayID("Organisation", lagA)},
			login("admin@example.no")))
		return map[string]any{"id": get(r.Data, "createEventSeries.series.id")}
	}
	// signupOfA makes a published event of Lag A taking sign-ups and signs one up; it
	// returns the event's and the sign-up's global IDs and the cancellation token.
	signupOfA := func() (string, string, string) {
		ev := newEvent(lagA)
		_, raw, _ := relay.ParseGlobalID(ev, "id")
		s.exec(t, `UPDATE events SET publication = 'PUBLISHED' WHERE id = ?`, raw)
		s.exec(t, `INSERT INTO event_signup_settings (event_id, municipality_id, places, waiting_list_size)
			VALUES (?, ?, 5, 5)`, raw, demo.ID())
		r := ok(t, s.post(t, `mutation($e: ID!) { signUp(input: {eventId: $e, contactEmail: "mor@example.no",
			participants: [{}]}) { signup { id } cancellationToken } }`, map[string]any{"e": ev}))
		return ev, get(r.Data, "signUp.signup.id").(string), get(r.Data, "signUp.cancellationToken").(string)
	}
	// cardEventOfA is one published event of Lag A linked to the card offer, with card
	// places enough for every case: each case signs a card of its own up.
	var cardEvent string
	cardEventOfA := func() string {
		if cardEvent == "" {
			cardEvent = newEvent(lagA)
			_, raw, _ := relay.ParseGlobalID(cardEvent, "id")
			_, rawOffer, _ := relay.ParseGlobalID(offer.(string), "id")
			s.exec(t, `UPDATE events SET publication = 'PUBLISHED', card_offer_id = ? WHERE id = ?`, rawOffer, raw)
			s.exec(t, `INSERT INTO event_signup_settings (event_id, municipality_id, places, card_places)
				VALUES (?, ?, 1000, 1000)`, raw, demo.ID())
		}
		return cardEvent
	}
	// Card places are taken by the card's holder (here with the number and PIN), or for them
	// by a caseworker of the card's agency or a card coordinator.
	cardSigners := map[string]outcome{"anonymous": unauthenticated, "resident": forbidden,
		"org editor of this org": forbidden, "org editor of another org": forbidden, "ADMIN": forbidden,
		"EDITOR": forbidden, "CARD_COORDINATOR": allowed, "CASEWORKER": allowed, "committee editor": forbidden,
		"user of another municipality": unauthenticated}
	openEventOfA := func() map[string]any {
		ev, _, _ := signupOfA()
		return map[string]any{"e": ev}
	}
	closure := func() map[string]any {
		contentN++
		var id string
		if err := s.app.DB.QueryRowContext(ctx, `INSERT INTO closures (municipality_id, name, kind, starts_on, ends_on)
			VALUES (?, ?, 'SCHOOL_HOLIDAY', '2027-02-22', '2027-02-26') RETURNING id`, demo.ID(),
			fmt.Sprintf("Ferie %d", contentN)).Scan(&id); err != nil {
			t.Fatal(err)
		}
		return map[string]any{"id": relayID("Closure", id), "n": fmt.Sprintf("Ferie %d", contentN)}
	}
	newSlug := func() map[string]any {
		contentN++
		return map[string]any{"s": fmt.Sprintf("ny-%d", contentN), "o": relayID("Organisation", lagA), "n": relayID("Neighbourhood", nbA)}
	}
	pageRevision := func() map[string]any {
		_, id, _ := relay.ParseGlobalID(newPage(), "id")
		var rev string
		if err := s.app.DB.QueryRowContext(ctx, `INSERT INTO revisions (municipality_id, item_type, item_id, snapshot)
			SELECT municipality_id, 'Page', id, jsonb_build_object('row', to_jsonb(p), 'texts', '[]'::jsonb)
			FROM pages p WHERE id = ? RETURNING id`, id).Scan(&rev); err != nil {
			t.Fatal(err)
		}
		return map[string]any{"id": relayID("Revision", rev)}
	}
	// Lag A as a provider for the whole country, asking Larvik (or already serving it).
	countryWideA := func() map[string]any {
		s.exec(t, `UPDATE organisations SET scope = 'COUNTRY' WHERE id = ?`, lagA)
		return lagAID()
	}
	servingLarvikA := func() map[string]any {
		s.exec(t, `UPDATE organisations SET scope = 'COUNTRY' WHERE id = ?`, lagA)
		s.exec(t, `INSERT INTO provider_municipalities (organisation_id, home_municipality_id, municipality_id)
			VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, lagA, demo.ID(), larvik.ID())
		return lagAID()
	}
	// A new provider of Larvik asking the demo municipality to show it.
	larvikProvider := func() map[string]any {
		n++
		var id string
		if err := s.app.DB.QueryRowContext(ctx, `INSERT INTO organisations
			(municipality_id, slug, name, kind, status, scope)
			VALUES (?, ?, 'Fylkesbussen', 'COMMERCIAL', 'PUBLISHED', 'COUNTRY') RETURNING id`,
			larvik.ID(), fmt.Sprintf("buss-%d", n)).Scan(&id); err != nil {
			t.Fatal(err)
		}
		s.exec(t, `INSERT INTO provider_municipalities (organisation_id, home_municipality_id, municipality_id)
			VALUES (?, ?, ?)`, id, larvik.ID(), demo.ID())
		return map[string]any{"id": relayID("Organisation", id)}
	}
	// sharedOffer is a share of a Larvik provider's shared card offer offered to this
	// municipality, which shows the provider.
	sharedOffer := func() map[string]any {
		org := larvikProvider()["id"].(string)
		_, raw, _ := relay.ParseGlobalID(org, "id")
		s.exec(t, "UPDATE provider_municipalities SET status = 'ACCEPTED' WHERE organisation_id = ?", raw)
		var id string
		if err := s.app.DB.QueryRowContext(ctx, `INSERT INTO card_shared_offers
			(municipality_id, organisation_id, valid_from, valid_to, source, stock)
			VALUES (?, ?, now() - interval '1 hour', now() + interval '1 month', 'DONATED', 10) RETURNING id`,
			larvik.ID(), raw).Scan(&id); err != nil {
			t.Fatal(err)
		}
		s.exec(t, `INSERT INTO card_shared_offer_translations (shared_offer_id, locale, title) VALUES (?, 'nb', 'Buss')`, id)
		s.exec(t, `INSERT INTO card_shared_offer_placements (shared_offer_id, municipality_id, stock)
			VALUES (?, ?, 10)`, id, demo.ID())
		return map[string]any{"id": relayID("SharedCardOffer", id)}
	}
	mutations := []struct {
		name, query string
		vars        func() map[string]any
		want        map[string]outcome
	}{
		{"login", loginMutation, func() map[string]any { return map[string]any{"e": "editor@example.no", "p": "riktig hest batteri"} }, anyone},
		{"logout", `mutation { logout { sessionEnded } }`, nil, signedIn},
		{"logoutEverywhere", `mutation { logoutEverywhere { sessionsEnded } }`, nil, signedIn},
		{"createApiKey", `mutation { createApiKey(name: "x", scopes: [CATALOGUE_READ]) { token } }`, nil, adminOnly},
		{"revokeApiKey", `mutation($id: ID!) {
			revokeApiKey(id: $id) { apiKey { revokedAt } } }`, func() map[string]any { return map[string]any{"id": keyID()} }, adminOnly},
		{"registerOrganisation", registerMutation, func() map[string]any {
			return map[string]any{"in": map[string]any{"name": "Nytt lag", "kind": "VOLUNTARY", "owner": owner()}}
		}, anyone},
		{"verifyEmail", `mutation($t: String!) { verifyEmail(token: $t) { user { id } } }`, verifyToken, anyone},
		{"resendConfirmation", `mutation($e: String!) {
			resendConfirmation(email: $e) { accepted } }`, func() map[string]any {
			return map[string]any{"e": owner()["email"]}
		}, anyone},
		{"approveOrganisation", `mutation($id: ID!) {
			approveOrganisation(id: $id) { organisation { status } } }`, pendingOrg, adminOnly},
		{"updateOrganisation", `mutation($id: ID!) {
			updateOrganisation(id: $id, input: {place: "Larvik"}) { organisation { id } } }`, lagAID, orgEditors},
		{"setProviderScope", `mutation($id: ID!) {
			setProviderScope(organisationId: $id, scope: COUNTRY) { organisation { scope } } }`, lagAID, orgEditors},
		{"requestMunicipality", `mutation($id: ID!) {
			requestMunicipality(organisationId: $id, municipality: "larvik") { servedMunicipality { status } } }`,
			countryWideA, orgEditors},
		{"withdrawMunicipality", `mutation($id: ID!) {
			withdrawMunicipality(organisationId: $id, municipality: "larvik") { withdrawn } }`,
			servingLarvikA, orgEditors},
		{"acceptProvider", `mutation($id: ID!) {
			acceptProvider(organisationId: $id) { servedMunicipality { status } } }`, larvikProvider, adminOnly},
		{"dropProvider", `mutation($id: ID!) {
			dropProvider(organisationId: $id) { servedMunicipality { status } } }`, larvikProvider, adminOnly},
		{"setActivityMunicipalities", `mutation($id: ID!) {
			setActivityMunicipalities(activityId: $id, municipalities: []) { activity { id } } }`, actAID, orgEditors},
		{"setOrganisationTranslation", `mutation($id: ID!) {
			setOrganisationTranslation(id: $id, locale: "nn", input: {summary: "Eit lag"}) { organisation { id } } }`, lagAID, orgEditors},
		{"createActivity", `mutation($id: ID!) {
			createActivity(organisationId: $id, input: {title: "Ny aktivitet"}) { activity { id } } }`, lagAID, orgEditors},
		{"updateActivity", `mutation($id: ID!) {
			updateActivity(id: $id, input: {priceOre: 5000}) { activity { id } } }`, actAID, orgEditors},
		{"setActivityStatus", `mutation($id: ID!) {
			setActivityStatus(id: $id, status: PUBLISHED) { activity { status } } }`, actAID, orgEditors},
		{"requestPasswordReset", `mutation($e: String!) {
			requestPasswordReset(email: $e) { accepted } }`, func() map[string]any {
			return map[string]any{"e": owner()["email"]}
		}, anyone},
		{"resetPassword", `mutation($t: String!) {
			resetPassword(token: $t, password: "et helt nytt passord") { passwordChanged } }`, func() map[string]any {
			o := owner()
			if _, err := s.app.Auth.CreateUser(ctx, auth.CreateUserInput{MunicipalityID: demo.ID(), Email: o["email"].(string), Password: "riktig hest batteri"}); err != nil {
				t.Fatal(err)
			}
			ok(t, s.post(t, `mutation($e: String!) {
				requestPasswordReset(email: $e) { accepted } }`, map[string]any{"e": o["email"]}))
			link := outboxLink(t, s, "PasswordReset", o["email"].(string))
			return map[string]any{"t": link[len(link)-43:]}
		}, anyone},
		{"inviteMember", `mutation($id: ID!) {
			inviteMember(organisationId: $id, email: "gjest@example.no", role: EDITOR) { organisation { id } } }`,
			lagAID, memberManagers},
		{"acceptInvitation", `mutation($t: String!) {
			acceptInvitation(token: $t) { organisation { id } } }`, func() map[string]any {
			o := owner()
			other := pendingOrg()["id"] // an organisation of its own, so joining it changes nobody's other rights
			ok(t, s.post(t, `mutation($id: ID!, $e: String!) {
				inviteMember(organisationId: $id, email: $e, role: EDITOR) { organisation { id } } }`,
				map[string]any{"id": other, "e": o["email"]}, login("admin@example.no")))
			link := outboxLink(t, s, "Invitation", o["email"].(string))
			return map[string]any{"t": link[len(link)-43:]}
		}, signedIn},
		{"setMemberRole", `mutation($id: ID!, $u: ID!) {
			setMemberRole(organisationId: $id, userId: $u, role: TICKET_CHECKER) { organisation { id } } }`, func() map[string]any {
			o := owner()
			u, err := s.app.Auth.CreateUser(ctx, auth.CreateUserInput{MunicipalityID: demo.ID(), Email: o["email"].(string), Password: "riktig hest batteri"})
			if err != nil {
				t.Fatal(err)
			}
			s.exec(t, `INSERT INTO organisation_members (municipality_id, organisation_id, user_id, role) VALUES (?, ?, ?, 'EDITOR')`, demo.ID(), lagA, u.ID)
			return map[string]any{"id": relayID("Organisation", lagA), "u": u.GlobalID()}
		}, memberManagers},
		{"saveLocale", `mutation {
			saveLocale(input: {code: "en", nativeName: "English"}) { locale { code } } }`, nil, adminOnly},
		{"saveCategory", `mutation {
			saveCategory(input: {slug: "ny-kategori", names: [{locale: "nb", name: "Ny"}]}) { category { id } } }`, nil, adminOnly},
		{"deleteCategory", `mutation($id: ID!) { deleteCategory(id: $id) { deletedId } }`, func() map[string]any {
			n++
			var id string
			if err := s.app.DB.QueryRowContext(ctx, `INSERT INTO categories (municipality_id, slug) VALUES (?, ?) RETURNING id`, demo.ID(), fmt.Sprintf("kat-%d", n)).Scan(&id); err != nil {
				t.Fatal(err)
			}
			s.app.Portal.InvalidateCategories()
			return map[string]any{"id": relayID("Category", id)}
		}, adminOnly},
		{"saveNeighbourhood", `mutation {
			saveNeighbourhood(input: {slug: "omrade", area: "{\"type\":\"Polygon\",\"coordinates\":[[[10,59],[10.1,59],[10.1,59.1],[10,59]]]}", names: [{locale: "nb", name: "Område"}]}) { neighbourhood { id } } }`, nil, adminOnly},
		{"setUserRoles", `mutation($u: ID!) {
			setUserRoles(userId: $u, roles: [EDITOR]) { userAccount { roles disabled } } }`, func() map[string]any {
			o := owner()
			u, err := s.app.Auth.CreateUser(ctx, auth.CreateUserInput{MunicipalityID: demo.ID(), Email: o["email"].(string), Password: "riktig hest batteri"})
			if err != nil {
				t.Fatal(err)
			}
			return map[string]any{"u": u.GlobalID()}
		}, adminOnly},
		{"restoreRevision", `mutation($id: ID!) {
			restoreRevision(id: $id) { revision { id } } }`, revisionOfA, orgEditors},
		{"setActivityTranslation", `mutation($id: ID!) {
			setActivityTranslation(id: $id, locale: "en", input: {title: "Activity A"}) { activity { id } } }`, actAID, orgEditors},
		{"saveVenue", `mutation($id: ID!) {
			saveVenue(input: {organisationId: $id, name: "Banen"}) { venue { id } } }`, lagAID, orgEditors},
		{"saveVenue (the municipality's own)", `mutation {
			saveVenue(input: {name: "Rådhuset"}) { venue { id } } }`, nil,
			catalogueEditors},
		{"setVenueTranslation", `mutation($id: ID!) {
			setVenueTranslation(id: $id, locale: "en", input: {name: "The clubhouse"}) { venue { name } } }`,
			venueAID, orgEditors},
		{"setCategoryTranslation", `mutation($id: ID!) {
			setCategoryTranslation(id: $id, locale: "nb", input: {description: "Alt om idrett"}) { category { id } } }`,
			func() map[string]any {
				n++
				var id string
				if err := s.app.DB.QueryRowContext(ctx, `INSERT INTO categories (municipality_id, slug) VALUES (?, ?) RETURNING id`,
					demo.ID(), fmt.Sprintf("tekst-%d", n)).Scan(&id); err != nil {
					t.Fatal(err)
				}
				s.exec(t, `INSERT INTO category_translations (category_id, municipality_id, locale, name)
					VALUES (?, ?, 'nb', 'Idrett')`, id, demo.ID())
				s.app.Portal.InvalidateCategories()
				return map[string]any{"id": relayID("Category", id)}
			}, catalogueEditors},
		{"setNeighbourhoodTranslation", `mutation($id: ID!) {
			setNeighbourhoodTranslation(id: $id, locale: "nb", input: {description: "Midt i byen"}) { neighbourhood { id } } }`,
			nbAID, keepers},
		{"setNeighbourhoodCommittee", `mutation($id: ID!) { setNeighbourhoodCommittee(id: $id,
			input: {email: "utvalg@example.no", members: [{name: "Kari", role: "leder"}]}) { neighbourhood { id } } }`,
			nbAID, keepers},
		{"setNeighbourhoodEditor", `mutation($id: ID!, $u: ID!) {
			setNeighbourhoodEditor(neighbourhoodId: $id, userId: $u, editor: true) { neighbourhood { id } } }`,
			func() map[string]any {
				var u string
				err := s.app.DB.QueryRowContext(ctx, `SELECT id FROM users WHERE email = 'neighbour@example.no'`).Scan(&u)
				if err != nil {
					t.Fatal(err)
				}
				return map[string]any{"id": relayID("Neighbourhood", nbA), "u": relayID("User", u)}
			}, adminOnly},
		{"archiveVenue", `mutation($id: ID!) {
			archiveVenue(id: $id, archived: false) { venue { id } } }`, venueAID, orgEditors},
		{"updateMunicipality", `mutation {
			updateMunicipality(input: {settings: {theme: "blå"}}) { municipality { name } } }`, nil, adminOnly},
		{"uploadImage", uploadQuery, nil, signedIn},
		{"uploadImage (into an organisation's library)", uploadQuery + uploadToLibrary, imageOfA, libraryKeepers},
		{"replaceImage", uploadQuery + `mutation($f: Upload!, $id: ID!) {
			replaceImage(id: $id, file: $f) { image { id } } }`,
			imageOfA, libraryKeepers},
		{"deleteImage", `mutation($id: ID!) { deleteImage(id: $id) { deletedId } }`, imageOfA, libraryKeepers},
		{"setImageAlt", `mutation($id: ID!) { setImageAlt(id: $id, locale: "nn", alt: "Eit bilete") { image { id } } }`,
			imageOfA, libraryKeepers},
		{"saveCardAgency", `mutation($n: String!) {
			saveCardAgency(input: {name: $n, kind: SCHOOL_HEALTH}) { agency { id } } }`, func() map[string]any {
			n++
			return map[string]any{"n": fmt.Sprintf("Skolehelsetjenesten %d", n)}
		}, cardStaff},
		{"setCaseworkerAgency", `mutation($u: ID!, $a: ID) {
			setCaseworkerAgency(userId: $u, agencyId: $a) { agency { id } } }`, func() map[string]any {
			return map[string]any{"u": relayID("User", caseworker), "a": agency}
		}, adminOnly},
		{"saveCardProgramme", `mutation($in: CardProgrammeInput!) {
			saveCardProgramme(input: $in) { programme { id } } }`, func() map[string]any {
			return map[string]any{"in": map[string]any{"texts": []any{map[string]any{"locale": "nb", "name": "Seniorkortet"}}, "minAge": 67, "maxAge": 120,
				"validFrom": fmt.Sprintf("%d-01-01", year), "validTo": fmt.Sprintf("%d-12-31", year), "cardsAvailable": 10, "budgetOre": 0,
				"defaultAllowance": 4, "status": "DRAFT", "agencyIds": []any{}}}
		}, cardStaff},
		{"saveCardOffer", `mutation($in: CardOfferInput!) {
			saveCardOffer(input: $in) { offer { id } } }`, func() map[string]any { return map[string]any{"in": offerIn} }, offerManagers},
		{"releaseCardOfferStock", `mutation($o: ID!) {
			releaseCardOfferStock(offerId: $o, amount: 1) { offer { id } } }`, func() map[string]any { return map[string]any{"o": offer} }, offerManagers},
		{"setCardOfferStatus", `mutation($o: ID!) {
			setCardOfferStatus(id: $o, status: PUBLISHED) { offer { id } } }`, func() map[string]any { return map[string]any{"o": offer} }, offerManagers},
		{"checkRecipient", `mutation($in: CardRecipientInput!) {
			checkRecipient(input: $in) { findings { code } } }`, func() map[string]any { return map[string]any{"in": recipient()} }, caseworkers},
		{"issueCard", `mutation($in: CardRecipientInput!) {
			issueCard(input: $in) { card { id } } }`, func() map[string]any { return map[string]any{"in": recipient()} }, caseworkers},
		{"issueCardsFromSheet", uploadQuery + `mutation($f: Upload!, $p: ID!) {
			issueCardsFromSheet(programmeId: $p, file: $f) { rows { outcome } } }`, func() map[string]any {
			in := recipient()
			sheet := fmt.Sprintf("holderIdentityNumber;givenName;birthDate\n%s;%s;%s\n",
				in["childIdentityNumber"], in["givenName"], in["birthDate"])
			return map[string]any{"p": programme, uploadFile: []byte(sheet)}
		}, caseworkers},
		{"issueAnonymousCards", `mutation($p: ID!) {
			issueAnonymousCards(programmeId: $p, count: 1) { cards { pin } } }`, func() map[string]any { return map[string]any{"p": programme} }, cardStaff},
		{"openCard", `mutation($a: CardPinInput!) { openCard(access: $a) { card { id } } }`, func() map[string]any {
			_, access := anonymousCard()
			return map[string]any{"a": access}
		}, anyone},
		{"suspendCard", `mutation($c: ID!) {
			suspendCard(id: $c) { card { status } } }`, func() map[string]any { return map[string]any{"c": personalCard()} }, cardManagers},
		{"resumeCard", `mutation($c: ID!) { resumeCard(id: $c) { card { status } } }`, func() map[string]any {
			c := personalCard()
			ok(t, s.post(t, `mutation($c: ID!) {
				suspendCard(id: $c) { card { status } } }`, map[string]any{"c": c}, login("caseworker@example.no")))
			return map[string]any{"c": c}
		}, cardManagers},
		{"revokeCard", `mutation($c: ID!) {
			revokeCard(id: $c) { card { status } } }`, func() map[string]any { return map[string]any{"c": personalCard()} }, cardManagers},
		{"claimTicket", `mutation($c: ID!, $o: ID!, $a: CardPinInput) {
			claimTicket(cardId: $c, offerId: $o, access: $a) { ticket { code } } }`, func() map[string]any {
			c, access := anonymousCard()
			return map[string]any{"c": c, "o": offer, "a": access}
		}, anyone},
		{"allocateTicket", `mutation($c: ID!, $o: ID!) {
			allocateTicket(cardId: $c, offerId: $o) { ticket { code } } }`, func() map[string]any {
			return map[string]any{"c": personalCard(), "o": offer}
		}, allocators},
		{"cancelTicket", `mutation($id: ID!, $a: CardPinInput) {
			cancelTicket(id: $id, access: $a) { ticket { status } } }`, func() map[string]any {
			id, _, access := anonymousTicket()
			return map[string]any{"id": id, "a": access}
		}, anyone},
		{"saveSharedCardOffer", `mutation($in: SharedCardOfferInput!) {
			saveSharedCardOffer(input: $in) { sharedCardOffer { id } } }`, func() map[string]any {
			return map[string]any{"in": map[string]any{"organisationId": relayID("Organisation", lagA),
				"texts": []any{map[string]any{"locale": "nb", "title": "Buss"}}, "admits": 1, "stock": 10, "placements": []any{},
				"validFrom": offerIn["validFrom"], "validTo": offerIn["validTo"], "valueOre": 0, "source": "DONATED"}}
		}, offerManagers},
		{"acceptSharedCardOffer", `mutation($id: ID!, $p: ID!) {
			acceptSharedCardOffer(id: $id, input: {programmeIds: [$p], perCardLimit: 1}) { offer { id shared } } }`,
			func() map[string]any { v := sharedOffer(); v["p"] = programme; return v }, cardStaff},
		{"declineSharedCardOffer", `mutation($id: ID!) {
			declineSharedCardOffer(id: $id) { request { status } } }`, sharedOffer, cardStaff},
		{"checkTicket", `mutation($c: String!) {
			checkTicket(code: $c) { ticketCheck { valid } } }`, func() map[string]any {
			_, code, _ := anonymousTicket()
			return map[string]any{"c": code}
		}, door},
		{"redeemTicket", `mutation($c: String!) {
			redeemTicket(code: $c) { ticketCheck { valid } } }`, func() map[string]any {
			_, code, _ := anonymousTicket()
			return map[string]any{"c": code}
		}, door},
		{"personalDataReport", `mutation($n: String!) {
			personalDataReport(identityNumber: $n) { personalDataReport { found } } }`, func() map[string]any {
			return map[string]any{"n": recipient()["childIdentityNumber"]}
		}, adminOnly},
		{"erasePersonalData", `mutation($n: String!) {
			erasePersonalData(identityNumber: $n) { erased } }`, func() map[string]any {
			return map[string]any{"n": recipient()["childIdentityNumber"]}
		}, adminOnly},
		{"retryJob", `mutation($id: ID!) { retryJob(id: $id) { job { state } } }`, discardedJob, adminOnly},
		{"createWebhookEndpoint", `mutation { createWebhookEndpoint(input: {url: "https://mottak.example.no/fritid"}) { secret } }`,
			nil, adminOnly},
		{"updateWebhookEndpoint", `mutation($id: ID!) { updateWebhookEndpoint(id: $id, input: {enabled: false}) {
			webhookEndpoint { enabled } } }`, endpoint, adminOnly},
		{"deleteWebhookEndpoint", `mutation($id: ID!) { deleteWebhookEndpoint(id: $id) { deletedId } }`, endpoint, adminOnly},
		{"rotateWebhookSecret", `mutation($id: ID!) { rotateWebhookSecret(id: $id) { secret } }`, endpoint, adminOnly},
		{"redeliverWebhook", `mutation($id: ID!) { redeliverWebhook(attemptId: $id) { webhookId } }`, webhookAttempt, adminOnly},
		{"replayWebhooks", `mutation($id: ID!) { replayWebhooks(id: $id, since: "2026-01-01T00:00:00Z") { queued } }`,
			endpoint, adminOnly},
		{"pingWebhookEndpoint", `mutation($id: ID!) { pingWebhookEndpoint(id: $id) { webhookId } }`, endpoint, adminOnly},
		{"inviteUser", `mutation($email: String!) {
			inviteUser(email: $email, displayName: "Ny ansatt", roles: [EDITOR]) { userAccount { roles } } }`, owner, adminOnly},
		{"rejectOrganisation", `mutation($id: ID!, $reason: String!) {
			rejectOrganisation(id: $id, reason: $reason) { organisation { status } } }`, pendingOrg, adminOnly},
		{"createPage", `mutation($s: String!) {
			createPage(input: {slug: $s, texts: [{locale: "nb", title: "Ny side"}]}) { page { id } } }`, newSlug, catalogueEditors},
		{"updatePage", `mutation($id: ID!) { updatePage(input: {id: $id, order: 2}) { page { id } } }`, pageVars, catalogueEditors},
		{"movePage", `mutation($id: ID!, $p: ID) { movePage(input: {id: $id, parentId: $p}) { page { path } } }`,
			func() map[string]any { return map[string]any{"id": newPage(), "p": newPage()} }, catalogueEditors},
		{"deletePage", `mutation($id: ID!) { deletePage(id: $id) { deletedId } }`, pageVars, catalogueEditors},
		{"createArticle (of Lag A)", `mutation($s: String!, $o: ID) {
			createArticle(input: {slug: $s, organisationId: $o, texts: [{locale: "nb", title: "Nytt"}]}) { article { id } } }`,
			newSlug, orgEditors},
		{"createArticle (the municipality's, about Sentrum)", `mutation($s: String!, $n: ID!) {
			createArticle(input: {slug: $s, neighbourhoodIds: [$n], texts: [{locale: "nb", title: "Nytt"}]}) { article { id } } }`,
			newSlug, keepers},
		{"updateArticle (of Lag A)", `mutation($id: ID!) { updateArticle(input: {id: $id, authorLine: "Lag A"}) { article { id } } }`,
			articleOfA, orgEditors},
		{"updateArticle (about Sentrum)", `mutation($id: ID!) {
			updateArticle(input: {id: $id, authorLine: "Komiteen"}) { article { id } } }`, articleOfSentrum, keepers},
		{"deleteArticle", `mutation($id: ID!) { deleteArticle(id: $id) { deletedId } }`, articleOfA, orgEditors},
		{"approveArticleChanges", `mutation($id: ID!) { approveArticleChanges(id: $id) { article { id } } }`,
			changedArticleOfA, catalogueEditors},
		{"rejectArticleChanges", `mutation($id: ID!) { rejectArticleChanges(id: $id) { article { id } } }`,
			changedArticleOfA, catalogueEditors},
		{"setContentStatus (a page)", `mutation($id: ID!) {
			setContentStatus(input: {id: $id, locale: "nb", status: PUBLISHED}) { page { title } } }`, pageVars, catalogueEditors},
		{"setContentStatus (an article of Lag A)", `mutation($id: ID!) {
			setContentStatus(input: {id: $id, locale: "nb", status: PUBLISHED}) { article { title } } }`, articleOfA, orgEditors},
		{"createPreviewToken", `mutation($id: ID!) { createPreviewToken(id: $id, locale: "nb") { token } }`, pageVars, catalogueEditors},
		{"restoreContentRevision", `mutation($id: ID!) { restoreContentRevision(id: $id) { page { id } } }`, pageRevision,
			catalogueEditors},
		{"createEvent (of Lag A)", `mutation($s: String!, $o: ID) { createEvent(input: {slug: $s, organisationId: $o,
			startsAt: "2027-05-01T12:00:00Z", endsAt: "2027-05-01T14:00:00Z", texts: [{locale: "nb", title: "Nytt"}]}) {
			event { id } } }`, newSlug, orgEditors},
		{"createEvent (the municipality's)", `mutation($s: String!) { createEvent(input: {slug: $s,
			startsAt: "2027-05-01T12:00:00Z", endsAt: "2027-05-01T14:00:00Z", texts: [{locale: "nb", title: "Nytt"}]}) {
			event { id } } }`, newSlug, catalogueEditors},
		{"updateEvent", `mutation($id: ID!) { updateEvent(input: {id: $id, place: "Torget"}) { event { id } } }`,
			eventOfA, orgEditors},
		{"setEventPublication", `mutation($id: ID!) { setEventPublication(id: $id, publication: PUBLISHED) {
			event { id } } }`, eventOfA, orgEditors},
		{"deleteEvent", `mutation($id: ID!) { deleteEvent(id: $id) { deletedId } }`, eventOfA, orgEditors},
		{"setEventMunicipalities", `mutation($id: ID!) {
			setEventMunicipalities(eventId: $id, municipalities: []) { event { id } } }`, eventOfA, orgEditors},
		{"createEventSeries", `mutation($s: String!, $o: ID) { createEventSeries(input: {slug: $s, organisationId: $o,
			startsAt: "2027-01-04T17:00:00+01:00", endsAt: "2027-01-04T19:00:00+01:00", rule: {rrule: "FREQ=WEEKLY;COUNT=2"},
			texts: [{locale: "nb", title: "Kor"}]}) { series { id } } }`, newSlug, orgEditors},
		{"updateEventSeries", `mutation($id: ID!) { updateEventSeries(input: {id: $id, place: "Kirken"}) {
			series { id } } }`, seriesOfA, orgEditors},
		{"createClosure", `mutation($s: String!) { createClosure(input: {name: $s, kind: SCHOOL_HOLIDAY,
			startsOn: "2027-10-04", endsOn: "2027-10-08"}) { id } }`, newSlug, catalogueEditors},
		{"updateClosure", `mutation($id: ID!) { updateClosure(input: {id: $id, endsOn: "2027-02-27"}) { id } }`, closure,
			catalogueEditors},
		{"deleteClosure", `mutation($id: ID!) { deleteClosure(id: $id) }`, closure, catalogueEditors},
		{"setEventSignup", `mutation($id: ID!) { setEventSignup(input: {eventId: $id, places: 5}) { event { id } } }`,
			eventOfA, orgEditors},
		{"signUp", `mutation($e: ID!) { signUp(input: {eventId: $e, contactEmail: "far@example.no",
			participants: [{}]}) { signup { status } } }`, openEventOfA, anyone},
		{"signUpWithCard (with the card's number and PIN)", `mutation($e: ID!, $c: ID!, $a: CardPinInput) {
			signUpWithCard(input: {eventId: $e, cardId: $c, access: $a}) { ticket { code } } }`, func() map[string]any {
			c, access := anonymousCard()
			return map[string]any{"e": cardEventOfA(), "c": c, "a": access}
		}, anyone},
		{"signUpWithCard (for a child's card, without access)", `mutation($e: ID!, $c: ID!) {
			signUpWithCard(input: {eventId: $e, cardId: $c}) { ticket { code } } }`, func() map[string]any {
			return map[string]any{"e": cardEventOfA(), "c": personalCard()}
		}, cardSigners},
		{"cancelSignup (with its token)", `mutation($t: String) { cancelSignup(token: $t) { event { id } } }`,
			func() map[string]any {
				_, _, tok := signupOfA()
				return map[string]any{"t": tok}
			}, anyone},
		{"cancelSignup (by the organiser)", `mutation($id: ID) { cancelSignup(id: $id) { event { id } } }`,
			func() map[string]any {
				_, id, _ := signupOfA()
				return map[string]any{"id": id}
			}, orgEditors},
		{"markAttendance", `mutation($id: ID!) { markAttendance(id: $id, attended: true) { attended } }`,
			func() map[string]any {
				_, id, _ := signupOfA()
				return map[string]any{"id": id}
			}, orgEditors},
		{"Event.signups", `query($e: ID!) { event(id: $e) { signups { totalCount } } }`, openEventOfA, orgEditors},
		{"signupDataReport", `mutation { signupDataReport(contactEmail: "mor@example.no") { signups { id } } }`,
			openEventOfA, adminOnly},
		{"eraseSignupData", `mutation { eraseSignupData(contactEmail: "mor@example.no") { erased } }`,
			openEventOfA, adminOnly},
		{"event (a DRAFT)", `query($id: ID!) { event(id: $id) { id } }`, eventOfA, draftReaders},
		// Reads with rows in docs/access.md's query table.
		{"Organisation.members", `query($id: ID!) { organisation(id: $id) { members { role } } }`, lagAID, ownersOnly},
		{"Organisation.invitations", `query($id: ID!) {
			organisation(id: $id) { invitations { email } } }`, lagAID, ownersOnly},
		{"Viewer.memberships", `{ viewer { memberships { role } } }`, nil, viewers},
		{"Viewer.neighbourhoods", `{ viewer { neighbourhoods { id } } }`, nil, viewers},
		{"Neighbourhood.editors", `query($id: ID!) { node(id: $id) { ... on Neighbourhood { editors { id } } } }`,
			nbAID, adminOnly},
		{"activity (a DRAFT)", `query($id: ID!) { activity(id: $id) { id } }`, draftAID, draftReaders},
		{"node (a DRAFT)", `query($id: ID!) { node(id: $id) { id } }`, draftAID, draftReaders},
		{"images", `query($o: ID!) { images(filter: {organisationId: $o}) { totalCount } }`, imageOfA, libraryKeepers},
		{"jobs", `{ jobs { totalCount } }`, nil, adminOnly},
		{"changes", `{ changes { pageInfo { hasNextPage } } }`, nil, adminOnly},
		{"webhookEndpoints", `{ webhookEndpoints { id } }`, nil, adminOnly},
		{"articlesAwaitingApproval", `{ articlesAwaitingApproval { totalCount } }`, nil, catalogueEditors},
		{"node (an unused image)", `query($id: ID!) { node(id: $id) { id } }`, imageOfA, imageReaders},
		{"cardYearlyReport", `query($p: ID!) { cardYearlyReport(programmeId: $p) { holdersReached { display } } }`,
			func() map[string]any { return map[string]any{"p": programme} }, cardStaff},
	}
	mutations = append(mutations, cardWaitingAccessCases(t, s, iss, func() string { return login("coordinator@example.no") },
		func() string { return login("caseworker@example.no") }, programme, relayID("Organisation", lagA), anonymousCard,
		anyone, offerManagers)...)
	mutations = append(mutations, cardMoneyAccessCases(t, s, func() string { return login("admin@example.no") },
		func() string { return login("orgeditor@example.no") }, lagA, programme, personalCard, anonymousCard, anyone,
		cardStaff)...)
	mutations = append(mutations, cardApplicationAccessCases(t, s, func() string { return login("admin@example.no") },
		func() string { return login("caseworker@example.no") }, func() string { return login("orgeditor@example.no") },
		lagA, programme, personalCard, cardStaff, cardManagers)...)
	mutations = append(mutations, newsletterAccessCases(t, s, func() string { return login("admin@example.no") },
		newsletterOutcomes{anyone: anyone, adminOnly: adminOnly, editors: catalogueEditors, signedIn: signedIn,
			viewers: viewers})...)
	mutations = append(mutations, residentAccessCases(anyone)...)
	mutations = append(mutations, cardWalletAccessCases(anonymousTicket, anyone)...)
	mutations = append(mutations, pushAccessCases(anonymousCard, anyone)...)
	mutations = append(mutations, talkAccessCases(t, s, demo.ID().String(), nbA, lagA, talkOutcomes{anyone: anyone,
		keepers: keepers, orgEditors: orgEditors, editors: catalogueEditors})...)
	t.Run("every mutation is in the matrix and in docs/access.md", func(t *testing.T) {
		covered := map[string]bool{}
		for _, m := range mutations {
			covered[strings.Fields(m.name)[0]] = true
		}
		doc, err := os.ReadFile("../../docs/access.md")
		if err != nil {
			t.Fatal(err)
		}
		r := ok(t, s.post(t, `{ __schema { mutationType { fields { name } } } }`, nil))
		for _, f := range get(r.Data, "__schema.mutationType.fields").([]any) {
			name := f.(map[string]any)["name"].(string)
			if !covered[name] {
				t.Errorf("mutation %s has no case in TestAccessMatrix", name)
			}
			if !strings.Contains(string(doc), "| `"+name+"` |") {
				t.Errorf("mutation %s has no row in docs/access.md", name)
			}
		}
	})
	for _, m := range mutations {
		for caller, headers := range callers {
			t.Run(fmt.Sprintf("%s/%s", m.name, caller), func(t *testing.T) {
				var vars map[string]any
				if m.vars != nil {
					vars = m.vars()
				}
				var r *gqlResponse
				if query, ok := strings.CutPrefix(m.query, uploadQuery); ok {
					var jpg bytes.Buffer
					jpeg.Encode(&jpg, image.NewRGBA(image.Rect(0, 0, 40, 30)), nil)
					file := jpg.Bytes()
					if f, ok := vars[uploadFile].([]byte); ok {
						file = f
						delete(vars, uploadFile)
					}
					body, ct := uploadRequest(t, file, "a.jpg")
					if query != "" { // another operation than a plain uploadImage
						body, ct = uploadOp(t, query, vars, file)
					}
					r = s.do(t, http.MethodPost, "/graphql", ct, body, headers()...)
				} else {
					r = s.post(t, m.query, vars, headers()...)
				}
				got := allowed
				if len(r.Errors) > 0 {
					got = outcome(r.code())
				} else if len(r.Data) == 1 && firstValue(r.Data) == nil {
					got = hidden
				}
				if want := m.want[caller]; got != want {
					t.Errorf("got %s, want %s (%+v)", got, want, r.Errors)
				}
			})
		}
	}
}

// firstValue returns one value of m (the only one, where it is used).
func firstValue(m map[string]any) any {
	for _, v := range m {
		return v
	}
	return nil
}

// relayID makes the global ID of a row, as the API shows it.
func relayID(typ, id string) string {
	return relay.GlobalKey(typ, id)
}

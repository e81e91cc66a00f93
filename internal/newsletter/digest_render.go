package newsletter

import (
	"context"
	"html"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/relay"
)

// An issue of a digest is rendered per recipient when their turn comes: their items, each
// with its title, summary and link in their language (field by field along the language
// chain, as the portal shows it), under a heading per kind, as the one text of a campaign
// that the ordinary rendering then wraps with the footer, the unsubscribe links and the
// RFC 8058 header fields. Links go to the portal: FRITID_PUBLIC_URL + /aktiviteter/,
// /arrangementer/ or /nyheter/ + the slug + ?lang= the recipient's language. No tracking.

// portalPaths are where the portal shows each kind of item.
var portalPaths = map[itemKind]string{kindActivity: "/aktiviteter/", kindEvent: "/arrangementer/",
	kindArticle: "/nyheter/"}

// headings are the message IDs of each kind's heading in an issue.
var headings = map[itemKind]string{kindActivity: "NewsletterDigestActivities", kindEvent: "NewsletterDigestEvents",
	kindArticle: "NewsletterDigestArticles"}

// digestIssue returns c as a subscriber in locale with interests ints gets it: one text
// holding their items; nil when they have none.
func (s *Service) digestIssue(c *Campaign, dg *digest, locale string, ints Interests) *Campaign {
	items := dg.itemsFor(ints)
	if len(items) == 0 {
		return nil
	}
	issue := *c
	issue.Texts = []*CampaignText{s.digestText(dg, locale, items)}
	return &issue
}

// oneLine keeps a header field on one line.
var oneLine = strings.NewReplacer("\r", " ", "\n", " ")

// digestText renders items for a reader of locale.
func (s *Service) digestText(dg *digest, locale string, items []*digestItem) *CampaignText {
	chain := dg.chain(locale)
	system := append(slices.Clone(chain), "nb")
	loc := locationOf(dg.tenant)
	data := map[string]any{"List": dg.listName(chain), "Municipality": dg.tenant.Municipality.Name,
		"Since": dg.since.In(loc).Format("2.1.2006")}
	subject := s.Bundle.Localize(system, "NewsletterDigestSubject", data)
	x := &CampaignText{Locale: locale, Subject: oneLine.Replace(subject)}
	var text, body strings.Builder
	intro := s.Bundle.Localize(system, "NewsletterDigestIntro", data)
	text.WriteString(intro + "\n")
	body.WriteString("<p>" + html.EscapeString(intro) + "</p>")
	for _, kind := range []itemKind{kindActivity, kindEvent, kindArticle} {
		var some []*digestItem
		for _, it := range items {
			if it.Kind == kind {
				some = append(some, it)
			}
		}
		if len(some) == 0 {
			continue
		}
		heading := s.Bundle.Localize(system, headings[kind], nil)
		text.WriteString("\n" + heading + "\n\n")
		body.WriteString("<h2>" + html.EscapeString(heading) + "</h2><ul>")
		for i, it := range some {
			if i > 0 {
				text.WriteString("\n")
			}
			s.writeItem(&text, &body, it, chain, locale, loc)
		}
		body.WriteString("</ul>")
	}
	x.BodyText, x.BodyHTML = strings.TrimRight(text.String(), "\n"), body.String()
	return x
}

// writeItem writes one item to the plain text and the HTML of an issue.
func (s *Service) writeItem(text, body *strings.Builder, it *digestItem, chain []string, locale string,
	loc *time.Location,
) {
	x := it.text(chain)
	link := s.PublicURL + portalPaths[it.Kind] + url.PathEscape(it.Slug) + "?lang=" + url.QueryEscape(locale)
	when := it.when(loc)
	text.WriteString("- " + x.Title)
	body.WriteString(`<li><a href="` + html.EscapeString(link) + `">` + html.EscapeString(x.Title) + "</a>")
	if when != "" {
		text.WriteString(" (" + when + ")")
		body.WriteString(" · " + html.EscapeString(when))
	}
	text.WriteString("\n")
	if x.Summary != "" {
		text.WriteString("  " + x.Summary + "\n")
		body.WriteString("<br>" + html.EscapeString(x.Summary))
	}
	text.WriteString("  " + link + "\n")
	body.WriteString("</li>")
}

// when returns an event's start in its own time zone (else loc); "" for other items.
func (it *digestItem) when(loc *time.Location) string {
	if it.StartsAt == nil {
		return ""
	}
	if z, err := time.LoadLocation(it.TimeZone); err == nil && it.TimeZone != "" {
		loc = z
	}
	if it.AllDay {
		return it.StartsAt.In(loc).Format("2.1.2006")
	}
	return it.StartsAt.In(loc).Format("2.1.2006 15:04")
}

// listName returns the list's name for a reader of chain.
func (dg *digest) listName(chain []string) string {
	for _, loc := range chain {
		for _, x := range dg.list.Texts {
			if x.Locale == loc {
				return x.Name
			}
		}
	}
	return listName(dg.list, "")
}

// DigestPreview is the next issue of a digest as one reader would get it now.
type DigestPreview struct {
	// Since and Until are the period it would take its items from.
	Since, Until time.Time
	// Items is how many items the reader would get.
	Items int
	// Preview is the e-mail; nil when the reader has nothing new (and would get none).
	Preview *Preview
}

// PreviewDigest renders the next issue of digest list gid as a subscriber in locale with
// interests in (nil: none, so everything) would get it if it were written now, with example
// links, for ADMIN and EDITOR. Errors: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND,
// BAD_USER_INPUT naming the field ("list" for a list that is no digest).
func (s *Service) PreviewDigest(ctx context.Context, gid, locale string, in *InterestsInput) (*DigestPreview, error) {
	t, _, err := requireEditor(ctx)
	if err != nil {
		return nil, err
	}
	id, err := relay.ParseTypedID(gid, "NewsletterList", "list")
	if err != nil {
		return nil, err
	}
	if err := t.CheckEnabled(locale, "locale"); err != nil {
		return nil, err
	}
	l, err := findList(ctx, s.db, t.ID(), id, "list")
	if err != nil {
		return nil, err
	}
	if l.Cadence == nil {
		return nil, apperr.Invalid("list", "NewsletterNotDigest", nil)
	}
	ints, err := in.parse("interests")
	if err != nil {
		return nil, err
	}
	if !ints.within(l.Interests) {
		return nil, apperr.Invalid("interests", "NewsletterInterestInvalid", nil)
	}
	now := s.now()
	since, until := period(l, now, locationOf(t), s.DigestSettle)
	dg, err := s.loadDigest(ctx, s.db, t, l, since, until, now)
	if err != nil {
		return nil, err
	}
	out := &DigestPreview{Since: since, Until: until, Items: len(dg.itemsFor(ints))}
	if issue := s.digestIssue(&Campaign{MunicipalityID: t.ID(), ListID: l.ID}, dg, locale, ints); issue != nil {
		m := &municipality{Name: t.Municipality.Name, DefaultLocale: t.Municipality.DefaultLocale}
		env := s.render(issue, m, locale, SourceForm, s.recipientLinks(t.ID(), uuid.Nil, uuid.Nil, 0))
		out.Preview = &Preview{Subject: env.Subject, HTML: env.HTML, Text: env.Text, Headers: env.Headers}
	}
	return out, nil
}

// issueDigest returns the items of digest issue c's period as public now.
func (s *Service) issueDigest(ctx context.Context, c *Campaign) (*digest, error) {
	t, err := loadTenant(ctx, s.db, c.MunicipalityID)
	if err != nil {
		return nil, err
	}
	l, err := findList(ctx, s.db, c.MunicipalityID, c.ListID, "campaign")
	if err != nil {
		return nil, err
	}
	return s.loadDigest(ctx, s.db, t, l, *c.DigestSince, *c.DigestUntil, s.now())
}

// asSent returns campaign c as a reader in locale who picked no interests gets it: a
// digest's issue rendered from its items, any other campaign as it is.
func (s *Service) asSent(ctx context.Context, c *Campaign, locale string) (*Campaign, error) {
	if c.Period() == nil {
		return c, nil
	}
	dg, err := s.issueDigest(ctx, c)
	if err != nil {
		return nil, err
	}
	if issue := s.digestIssue(c, dg, locale, Interests{}); issue != nil {
		return issue, nil
	}
	return c, nil
}

// Package newsletter is the municipality's newsletters: lists for residents or providers
// with texts per language and the interests a subscriber may pick, subscribers with double
// opt-in and a consent record pointing at the version of the consent text they were shown,
// unsubscribing by signed link and RFC 8058 one-click, the keyed hashes of addresses that
// left (so an import cannot add them again), and campaigns sent through the job queue at
// the municipality's rate in each subscriber's language. A provider list may keep itself
// from the published organisations, their owners who asked and the committees (kept.go,
// owner.go); a residents' list may be a digest that writes its issues from the new
// activities, events and articles (digest*.go).
//
// The change feed and webhooks (internal/integration) hear of subscribers by ID alone:
// subscriber.confirmed from Service.ConfirmSubscription, addSubscribers (source ADMIN
// or IMPORT) and a kept list's additions, subscriber.unsubscribed from
// Service.endSubscriptions (unsubscribe, one-click, mailto: unsubscribe, bounces,
// complaints, erasure, a kept list's removals; an erased subscriber's earlier events are
// deleted first), each in the transaction of the change.
package newsletter

import (
	"context"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/mail"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/i18n"
	"github.com/fritid/fritid/internal/platform/relay"
	"github.com/fritid/fritid/internal/portal"
	"github.com/fritid/fritid/internal/tenant"
)

// Service keeps lists, subscribers and campaigns.
type Service struct {
	db     *bun.DB
	secret []byte
	// Now is the clock; tests set it. Nil: time.Now.
	Now func() time.Time
	// PublicURL is the portal the e-mails' confirmation and preference links point into.
	PublicURL string
	// APIURL is where fritid itself answers: the one-click unsubscribe URL starts with it.
	APIURL string
	// Transport delivers campaign e-mails (the mail outbox's own transport).
	Transport mail.Transport
	// Bundle localises the list e-mails' footer.
	Bundle *i18n.Bundle
	// DigestSettle is how long a newly published item waits for the next digest issue
	// (DefaultDigestSettle; tests set 0).
	DigestSettle time.Duration
	// BounceAddress (bounces@bounce.example.org), when set, gives every list e-mail a return
	// path of its own (bounces+<token>@bounce.example.org) and a mailto: unsubscribe address
	// (unsubscribe+<token>@bounce.example.org), which the mail server hands to ReceiveMail.
	BounceAddress string
	// InboundSecret is the secret the mail server proves itself with to ReceiveMail; empty:
	// no mail is taken in.
	InboundSecret string
}

// NewService returns a Service over db; secret keys the signed links and the hashes of
// addresses that left.
func NewService(db *bun.DB, secret string) *Service {
	return &Service{db: db, secret: []byte(secret), DigestSettle: DefaultDigestSettle}
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Audience is who a list is for.
type Audience string

// The audiences.
const (
	Residents Audience = "RESIDENTS"
	Providers Audience = "PROVIDERS"
)

// Status is where a subscriber stands: PENDING until the confirmation link is followed.
type Status string

// The statuses. A subscriber who leaves is deleted, leaving only a keyed hash.
const (
	Pending   Status = "PENDING"
	Confirmed Status = "CONFIRMED"
)

// Source is where a consent came from.
type Source string

// The sources.
const (
	SourceForm   Source = "FORM"
	SourceAdmin  Source = "ADMIN"
	SourceImport Source = "IMPORT"
)

// Interests are categories, neighbourhoods and age groups (target groups).
type Interests struct {
	CategoryIDs      []uuid.UUID          `bun:"category_ids,array"`
	NeighbourhoodIDs []uuid.UUID          `bun:"neighbourhood_ids,array"`
	AgeGroups        []portal.TargetGroup `bun:"age_groups,array"`
}

// Categories returns the categories' global IDs.
func (i Interests) Categories() []string { return globalIDs("Category", i.CategoryIDs) }

// Neighbourhoods returns the neighbourhoods' global IDs.
func (i Interests) Neighbourhoods() []string { return globalIDs("Neighbourhood", i.NeighbourhoodIDs) }

func globalIDs(typ string, ids []uuid.UUID) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = relay.GlobalID(typ, id)
	}
	return out
}

// InterestsInput are interests as the API gives them: global IDs and age groups.
type InterestsInput struct {
	Categories     []string
	Neighbourhoods []string
	AgeGroups      []portal.TargetGroup
}

// parse returns the interests of in, checking the IDs' types. Errors: BAD_USER_INPUT
// naming field.
func (in *InterestsInput) parse(field string) (Interests, error) {
	out := Interests{CategoryIDs: []uuid.UUID{}, NeighbourhoodIDs: []uuid.UUID{}, AgeGroups: []portal.TargetGroup{}}
	if in == nil {
		return out, nil
	}
	for _, g := range in.Categories {
		id, err := relay.ParseTypedID(g, "Category", field+".categories")
		if err != nil {
			return out, err
		}
		out.CategoryIDs = append(out.CategoryIDs, id)
	}
	for _, g := range in.Neighbourhoods {
		id, err := relay.ParseTypedID(g, "Neighbourhood", field+".neighbourhoods")
		if err != nil {
			return out, err
		}
		out.NeighbourhoodIDs = append(out.NeighbourhoodIDs, id)
	}
	out.AgeGroups = append(out.AgeGroups, in.AgeGroups...)
	return out, nil
}

// within reports whether every interest of i is one that list offers.
func (i Interests) within(l Interests) bool {
	return subset(i.CategoryIDs, l.CategoryIDs) && subset(i.NeighbourhoodIDs, l.NeighbourhoodIDs) &&
		subset(i.AgeGroups, l.AgeGroups)
}

func subset[T comparable](a, b []T) bool {
	for _, x := range a {
		found := false
		for _, y := range b {
			if x == y {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// Signed links. A token is base64url(purpose byte, municipality id, subscriber id, extra id,
// issued at) followed by the first 16 bytes of its HMAC-SHA256 under a key derived from the
// server secret: nothing is stored per link, so 50,000 campaign e-mails need no rows.

// The purposes of a token.
const (
	purposeConfirm     byte = 1
	purposeUnsubscribe byte = 2
	purposePreferences byte = 3
)

// confirmTTL is how long a confirmation link works.
const confirmTTL = 7 * 24 * time.Hour

// token is what a signed link carries.
type token struct {
	purpose      byte
	municipality uuid.UUID
	subscriber   uuid.UUID
	// campaign is the campaign whose e-mail carried an unsubscribe link (uuid.Nil: none).
	campaign uuid.UUID
	issued   time.Time
}

const tokenBody = 1 + 16*3 + 8

func (s *Service) key(info string) []byte {
	k, err := hkdf.Key(sha256.New, s.secret, nil, "fritid newsletter "+info, sha256.Size)
	if err != nil {
		panic("newsletter: derive key: " + err.Error())
	}
	return k
}

// sign returns the token's text.
func (s *Service) sign(t token) string {
	b := make([]byte, 0, tokenBody+16)
	b = append(b, t.purpose)
	b = append(b, t.municipality[:]...)
	b = append(b, t.subscriber[:]...)
	b = append(b, t.campaign[:]...)
	b = binary.BigEndian.AppendUint64(b, uint64(t.issued.Unix()))
	m := hmac.New(sha256.New, s.key("link"))
	m.Write(b)
	return base64.RawURLEncoding.EncodeToString(append(b, m.Sum(nil)[:16]...))
}

// open returns the token in text when its signature holds, it has purpose and it belongs
// to municipality mid. Errors: BAD_USER_INPUT naming "token".
func (s *Service) open(text string, purpose byte, mid uuid.UUID) (token, error) {
	bad := apperr.Invalid("token", "NewsletterTokenInvalid", nil)
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimSpace(text))
	if err != nil || len(b) != tokenBody+16 {
		return token{}, bad
	}
	m := hmac.New(sha256.New, s.key("link"))
	m.Write(b[:tokenBody])
	if !hmac.Equal(m.Sum(nil)[:16], b[tokenBody:]) || b[0] != purpose {
		return token{}, bad
	}
	t := token{purpose: b[0], issued: time.Unix(int64(binary.BigEndian.Uint64(b[49:57])), 0)}
	copy(t.municipality[:], b[1:17])
	copy(t.subscriber[:], b[17:33])
	copy(t.campaign[:], b[33:49])
	// SECURITY: a link works only in the municipality that made it.
	if t.municipality != mid {
		return token{}, bad
	}
	return t, nil
}

// emailHash is the keyed hash an address that left is kept as: HMAC-SHA256 under a key
// of the municipality's own, so two municipalities' hashes of one address cannot be linked.
func (s *Service) emailHash(mid uuid.UUID, email string) []byte {
	k, err := hkdf.Key(sha256.New, s.secret, mid[:], "fritid newsletter suppression v1", sha256.Size)
	if err != nil {
		panic("newsletter: derive key: " + err.Error())
	}
	m := hmac.New(sha256.New, k)
	m.Write([]byte(email))
	return m.Sum(nil)
}

// requireEditor returns the tenant and a viewer who keeps lists and campaigns: ADMIN and
// EDITOR. Errors: UNAUTHENTICATED, FORBIDDEN.
func requireEditor(ctx context.Context) (*tenant.Tenant, *auth.Viewer, error) {
	t, err := tenant.Current(ctx)
	if err != nil {
		return nil, nil, err
	}
	v := auth.ViewerFrom(ctx)
	if v == nil || (v.User == nil && v.APIKey == nil) {
		return nil, nil, apperr.New(apperr.Unauthenticated, "")
	}
	// SECURITY: newsletters are the municipality's: its ADMIN and EDITOR users keep them.
	if v.User == nil || !(v.Has(auth.RoleAdmin) || v.Has(auth.RoleEditor)) {
		return nil, nil, apperr.New(apperr.Forbidden, "")
	}
	return t, v, nil
}

// requireAdmin returns the tenant and an ADMIN. Errors: UNAUTHENTICATED, FORBIDDEN.
func requireAdmin(ctx context.Context) (*tenant.Tenant, *auth.Viewer, error) {
	t, err := tenant.Current(ctx)
	if err != nil {
		return nil, nil, err
	}
	// SECURITY: subscribers' personal data and bounces are the ADMIN's.
	v, err := auth.RequireAdmin(ctx)
	return t, v, err
}

// requireReader returns the tenant and a viewer who reads subscribers: an ADMIN, or an API
// key with SUBSCRIBERS_READ. Errors: UNAUTHENTICATED, FORBIDDEN.
func requireReader(ctx context.Context) (*tenant.Tenant, *auth.Viewer, error) {
	t, err := tenant.Current(ctx)
	if err != nil {
		return nil, nil, err
	}
	v := auth.ViewerFrom(ctx)
	if v == nil || (v.User == nil && v.APIKey == nil) {
		return nil, nil, apperr.New(apperr.Unauthenticated, "")
	}
	// SECURITY: subscribers are read by ADMIN and by API keys with SUBSCRIBERS_READ only.
	if v.HasScope(auth.ScopeSubscribersRead) || (v.User != nil && v.Has(auth.RoleAdmin)) {
		return t, v, nil
	}
	return nil, nil, apperr.New(apperr.Forbidden, "")
}

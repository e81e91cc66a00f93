package card

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/url"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/fritid/fritid/internal/auth"
	"github.com/fritid/fritid/internal/card/code"
	"github.com/fritid/fritid/internal/card/wallet"
	"github.com/fritid/fritid/internal/platform/apperr"
	"github.com/fritid/fritid/internal/platform/database"
	"github.com/fritid/fritid/internal/platform/i18n"
)

// WalletKind names a phone wallet.
type WalletKind string

// The wallets.
const (
	WalletApple  WalletKind = "APPLE"
	WalletGoogle WalletKind = "GOOGLE"
)

// Wallets are the phone wallets tickets can be put in; a nil maker means that wallet is
// not set up (its settings are missing).
type Wallets struct {
	Apple *wallet.Apple
	// Pusher tells Apple devices of a pass's change; nil: none is told.
	Pusher *wallet.Pusher
	Google *wallet.Google
	// APIURL is the API's public address, which pass download links start with.
	APIURL string
	// Localize returns the string of a message ID in the first language of chain.
	Localize func(chain []string, id string) string
}

// walletLinkTTL is how long a pass's download link works.
const walletLinkTTL = 15 * time.Minute

// walletTokensKept is how many web service tokens of one pass are kept: each download
// makes one, and every device that holds the pass keeps asking with its own.
const walletTokensKept = 10

// WalletPassLink is where a ticket's wallet pass is had: for APPLE a short-lived link to
// the .pkpass, for GOOGLE the "Save to Google Wallet" link.
type WalletPassLink struct {
	Wallet    WalletKind
	URL       string
	ExpiresAt *time.Time
}

// AvailableWallets returns the wallets set up, APPLE first.
func (s *Service) AvailableWallets() []WalletKind {
	out := []WalletKind{}
	if s.Wallet.Apple != nil {
		out = append(out, WalletApple)
	}
	if s.Wallet.Google != nil {
		out = append(out, WalletGoogle)
	}
	return out
}

// walletAvailable returns WALLET_NOT_AVAILABLE naming "wallet" (with the setting that is
// missing in Data) when kind is not set up.
func (s *Service) walletAvailable(kind WalletKind) error {
	switch {
	case kind == WalletApple && s.Wallet.Apple == nil:
		return &apperr.Error{Code: apperr.WalletNotAvailable, Field: "wallet", Reason: string(kind),
			Data: map[string]any{"Wallet": "Apple Wallet", "Setting": "FRITID_WALLET_APPLE_PASS_TYPE_ID"}}
	case kind == WalletGoogle && s.Wallet.Google == nil:
		return &apperr.Error{Code: apperr.WalletNotAvailable, Field: "wallet", Reason: string(kind),
			Data: map[string]any{"Wallet": "Google Wallet", "Setting": "FRITID_WALLET_GOOGLE_ISSUER_ID"}}
	case kind != WalletApple && kind != WalletGoogle:
		return apperr.Invalid("wallet", "", nil)
	}
	return nil
}

// IssueWalletPass returns where the holder gets the ticket's pass for a wallet: for APPLE
// a link to the .pkpass that works for 15 minutes (signed, so that no PIN or session is in
// it), for GOOGLE the "Save to Google Wallet" link. Only the ticket's holder may: access
// for an anonymous card, or signed in with ID-porten as its holder or a guardian. The pass
// shows the offer, its time and place and the door's code; never the holder. Errors:
// WALLET_NOT_AVAILABLE naming "wallet" (that wallet is not set up), NOT_FOUND (no such
// ticket here, or one the caller does not hold), CONFLICT naming "ticketId" with the
// status as reason (the ticket is no longer CLAIMED), UNAUTHENTICATED, FORBIDDEN,
// RATE_LIMITED (too many wrong PINs).
func (s *Service) IssueWalletPass(ctx context.Context, ticketID uuid.UUID, kind WalletKind, access *CardAccess,
) (*WalletPassLink, error) {
	if err := s.walletAvailable(kind); err != nil {
		return nil, err
	}
	c, err := current(ctx)
	if err != nil {
		return nil, err
	}
	t := new(Ticket)
	// SECURITY: only a ticket of the request's municipality.
	err = s.db.NewSelect().Model(t).Where("tk.id = ? AND tk.municipality_id = ?", ticketID, c.mid()).Scan(ctx)
	if err != nil {
		return nil, database.MapError(err, "find ticket", "ticket")
	}
	// SECURITY: only the holder puts a ticket in their wallet: by number and PIN, or by
	// identity; any other ticket is unknown.
	if err := s.holdsCard(ctx, c, t.CardID, access); err != nil {
		if apperr.CodeOf(err) == apperr.NotFound {
			return nil, apperr.NotFoundf("ticket")
		}
		return nil, err
	}
	if t.Status != TicketClaimed {
		return nil, &apperr.Error{Code: apperr.Conflict, Field: "ticketId", Reason: string(t.Status)}
	}
	locale := i18n.FromContext(ctx).Code
	if locale == "" {
		locale = c.t.Municipality.DefaultLocale
	}
	if err := s.keepWalletPass(ctx, t, kind, locale); err != nil {
		return nil, err
	}
	if kind == WalletGoogle {
		return s.googleLink(ctx, t.ID)
	}
	exp := s.now().Add(walletLinkTTL).Truncate(time.Second)
	link := s.Wallet.APIURL + PassPath(t.ID) + "?" + url.Values{
		"expires": {strconv.FormatInt(exp.Unix(), 10)}, "sig": {s.passSignature(c.mid(), t.ID, exp.Unix())}}.Encode()
	return &WalletPassLink{Wallet: kind, URL: link, ExpiresAt: &exp}, nil
}

// PassPath is the path of a ticket's .pkpass download.
func PassPath(ticketID uuid.UUID) string {
	return "/card/tickets/" + ticketID.String() + "/pass.pkpass"
}

// passSignature signs a download link of the ticket's pass in the municipality, working
// until expires (Unix seconds).
func (s *Service) passSignature(mid, ticketID uuid.UUID, expires int64) string {
	return base64.RawURLEncoding.EncodeToString(auth.KeyedHash([]byte(s.secret), "wallet-pass-link",
		mid.String()+"/"+ticketID.String()+"/"+strconv.FormatInt(expires, 10)))
}

// keepWalletPass records that the ticket is put in a wallet, in locale, so that its
// changes reach it.
func (s *Service) keepWalletPass(ctx context.Context, t *Ticket, kind WalletKind, locale string) error {
	_, err := s.db.NewRaw(`INSERT INTO card_wallet_passes (ticket_id, municipality_id, google, locale, changed_at)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT (ticket_id)
		DO UPDATE SET google = card_wallet_passes.google OR EXCLUDED.google, locale = EXCLUDED.locale`,
		t.ID, t.MunicipalityID, kind == WalletGoogle, locale, s.now()).Exec(ctx)
	return database.MapError(err, "keep wallet pass", "ticket")
}

// googleLink returns the ticket's "Save to Google Wallet" link.
func (s *Service) googleLink(ctx context.Context, ticketID uuid.UUID) (*WalletPassLink, error) {
	p, offerID, _, err := s.walletPass(ctx, s.db, ticketID)
	if err != nil {
		return nil, err
	}
	link, err := s.Wallet.Google.SaveURL(p, offerID.String(), s.now())
	if err != nil {
		return nil, err
	}
	return &WalletPassLink{Wallet: WalletGoogle, URL: link}, nil
}

// WalletPassFile returns the .pkpass of a ticket for a download link IssueWalletPass
// made: the link's expiry (Unix seconds) and signature are checked against the ticket and
// the request's municipality. Each download carries a new web service token, of which
// only the hash is kept. Errors: WALLET_NOT_AVAILABLE, NOT_FOUND (a link that is wrong,
// for another municipality, or expired; a ticket gone).
func (s *Service) WalletPassFile(ctx context.Context, ticketID uuid.UUID, expires, sig string) ([]byte, error) {
	if err := s.walletAvailable(WalletApple); err != nil {
		return nil, err
	}
	c, err := current(ctx)
	if err != nil {
		return nil, err
	}
	exp, err := strconv.ParseInt(expires, 10, 64)
	// SECURITY: the link IssueWalletPass signed for this ticket in this municipality, and
	// not expired; any other is unknown.
	if err != nil || !hmac.Equal([]byte(sig), []byte(s.passSignature(c.mid(), ticketID, exp))) ||
		s.now().Unix() > exp {
		return nil, apperr.NotFoundf("ticket")
	}
	token, err := newWalletToken()
	if err != nil {
		return nil, err
	}
	err = database.RunInTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		return keepWalletToken(ctx, tx, c, ticketID, token)
	})
	if err != nil {
		return nil, err
	}
	return s.buildPass(ctx, ticketID, token)
}

// keepWalletToken keeps the hash of a new web service token of the ticket's pass, and
// forgets the oldest beyond walletTokensKept.
func keepWalletToken(ctx context.Context, tx bun.Tx, c caller, ticketID uuid.UUID, token string) error {
	// SECURITY: a pass of the request's municipality (IssueWalletPass made it).
	res, err := tx.ExecContext(ctx, `INSERT INTO card_wallet_tokens (token_hash, ticket_id, municipality_id)
		SELECT ?, ticket_id, municipality_id FROM card_wallet_passes WHERE ticket_id = ? AND municipality_id = ?`,
		walletTokenHash(token), ticketID, c.mid())
	if err != nil {
		return database.MapError(err, "keep wallet token", "ticket")
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.NotFoundf("ticket")
	}
	_, err = tx.ExecContext(ctx, `DELETE FROM card_wallet_tokens WHERE ticket_id = ?0 AND token_hash NOT IN (
		SELECT token_hash FROM card_wallet_tokens WHERE ticket_id = ?0 ORDER BY created_at DESC LIMIT ?1)`,
		ticketID, walletTokensKept)
	return database.MapError(err, "prune wallet tokens", "ticket")
}

// newWalletToken returns a random web service token (256 bits, URL-safe).
func newWalletToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// walletTokenHash is the stored form of a web service token.
func walletTokenHash(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}

// buildPass returns the signed .pkpass of the ticket, carrying token.
func (s *Service) buildPass(ctx context.Context, ticketID uuid.UUID, token string) ([]byte, error) {
	p, _, _, err := s.walletPass(ctx, s.db, ticketID)
	if err != nil {
		return nil, err
	}
	p.AuthToken = token
	return s.Wallet.Apple.Build(p)
}

// walletRow is a ticket with what its pass shows.
type walletRow struct {
	Ticket `bun:",extend"`

	EventAt      *time.Time `bun:"event_at,scanonly"`
	Title        string     `bun:"title,scanonly"`
	Place        string     `bun:"place,scanonly"`
	Municipality string     `bun:"municipality,scanonly"`
	Slug         string     `bun:"slug,scanonly"`
	Locale       string     `bun:"locale,scanonly"`
	ChangedAt    time.Time  `bun:"changed_at,scanonly"`
	Google       bool       `bun:"google,scanonly"`
}

// walletPass returns the pass of a ticket put in a wallet, in the language it was issued
// in, with its offer's ID and when it last changed. Errors: NOT_FOUND.
func (s *Service) walletPass(ctx context.Context, db bun.IDB, ticketID uuid.UUID) (*wallet.Pass, uuid.UUID,
	*walletRow, error,
) {
	row := new(walletRow)
	err := db.NewSelect().Model(row).ColumnExpr("tk.*").
		ColumnExpr("o.event_at, coalesce(tx.title, '') AS title, coalesce(org.name, '') AS place").
		ColumnExpr("m.name AS municipality, m.slug, wp.locale, wp.changed_at, wp.google").
		Join("JOIN card_wallet_passes AS wp ON wp.ticket_id = tk.id").
		Join("JOIN card_offers AS o ON o.id = tk.offer_id").
		Join("JOIN municipalities AS m ON m.id = tk.municipality_id").
		Join("LEFT JOIN organisations AS org ON org.id = o.organisation_id").
		Join(`LEFT JOIN LATERAL (SELECT t.title FROM card_offer_translations t WHERE t.offer_id = o.id
			ORDER BY array_position(ARRAY[wp.locale, m.default_locale], t.locale) NULLS LAST, t.locale LIMIT 1)
			AS tx ON true`).
		Where("tk.id = ?", ticketID).Scan(ctx)
	if err != nil {
		return nil, uuid.Nil, nil, database.MapError(err, "find wallet pass", "ticket")
	}
	chain := []string{row.Locale}
	l := func(id string) string { return s.Wallet.Localize(chain, id) }
	p := &wallet.Pass{Serial: row.ID.String(), Organisation: row.Municipality, Title: row.Title, Place: row.Place,
		Start: row.EventAt, Expires: row.ExpiresAt, Message: TicketPayload(row.Slug, row.Code),
		AltText: code.Format(row.Code), Admits: row.Admits, State: walletState(row.Status),
		Description: l("WalletPassDescription") + ": " + row.Title,
		Labels: wallet.Labels{Event: l("WalletLabelEvent"), Time: l("WalletLabelTime"), Valid: l("WalletLabelValid"),
			Place: l("WalletLabelPlace"), Admits: l("WalletLabelAdmits"), Status: l("WalletLabelStatus"),
			Language: row.Locale, States: map[wallet.State]string{wallet.Active: l("WalletStateActive"),
				wallet.Redeemed: l("WalletStateRedeemed"), wallet.Cancelled: l("WalletStateCancelled"),
				wallet.Expired: l("WalletStateExpired")}}}
	return p, row.OfferID, row, nil
}

// walletState is the pass state of a ticket's status.
func walletState(st TicketStatus) wallet.State {
	switch st {
	case TicketRedeemed:
		return wallet.Redeemed
	case TicketCancelled:
		return wallet.Cancelled
	case TicketExpired:
		return wallet.Expired
	}
	return wallet.Active
}

package wallet

import (
	"bytes"
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"golang.org/x/oauth2"
	oauthjwt "golang.org/x/oauth2/jwt"
)

// GoogleSaveURL starts every "Save to Google Wallet" link; the signed JWT follows.
const GoogleSaveURL = "https://pay.google.com/gp/v/save/"

// GoogleAPIURL is the Google Wallet REST API's default base address.
const GoogleAPIURL = "https://walletobjects.googleapis.com/walletobjects/v1"

// googleScope is the OAuth scope of the Wallet REST API.
const googleScope = "https://www.googleapis.com/auth/wallet_object.issuer"

// ServiceAccount is the part of a Google service account's key file (JSON) that signs.
type ServiceAccount struct {
	Type         string `json:"type"`
	ClientEmail  string `json:"client_email"`
	PrivateKeyID string `json:"private_key_id"`
	PrivateKey   string `json:"private_key"`
	TokenURI     string `json:"token_uri"`
}

// Google makes Google Wallet event tickets of one issuer, and updates them.
type Google struct {
	IssuerID string
	// APIURL is the Wallet REST API's base address (GoogleAPIURL by default).
	APIURL string
	// Origins are the web origins that may show the save button; empty: any.
	Origins []string
	// HTTPClient carries the token requests and API calls; nil: http.DefaultClient.
	HTTPClient *http.Client
	account    ServiceAccount
	key        *rsa.PrivateKey
	tokensOnce sync.Once
	tokens     oauth2.TokenSource
}

// NewGoogle returns the Google Wallet pass maker of issuerID signing with the service
// account acc. Errors say what is wrong with the account's key.
func NewGoogle(issuerID string, acc ServiceAccount) (*Google, error) {
	if issuerID == "" || strings.Trim(issuerID, "0123456789") != "" {
		return nil, errors.New("wallet: the Google Wallet issuer ID must be digits")
	}
	if acc.ClientEmail == "" || acc.PrivateKey == "" {
		return nil, errors.New("wallet: the service account key has no client_email or private_key")
	}
	blk, _ := pem.Decode([]byte(acc.PrivateKey))
	if blk == nil {
		return nil, errors.New("wallet: the service account's private_key is not PEM")
	}
	parsed, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		if parsed, err = x509.ParsePKCS1PrivateKey(blk.Bytes); err != nil {
			return nil, fmt.Errorf("wallet: the service account's private_key: %w", err)
		}
	}
	key, ok := parsed.(*rsa.PrivateKey)
	if !ok {
		return nil, errors.New("wallet: the service account's private_key is not an RSA key")
	}
	if acc.TokenURI == "" {
		acc.TokenURI = "https://oauth2.googleapis.com/token"
	}
	return &Google{IssuerID: issuerID, APIURL: GoogleAPIURL, account: acc, key: key}, nil
}

// LoadGoogle is NewGoogle with the service account's key file at path.
func LoadGoogle(issuerID, path string) (*Google, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("wallet: service account key: %w", err)
	}
	return ParseGoogle(issuerID, b)
}

// ParseGoogle is NewGoogle with the service account's key file's contents.
func ParseGoogle(issuerID string, keyFile []byte) (*Google, error) {
	var acc ServiceAccount
	if err := json.Unmarshal(keyFile, &acc); err != nil {
		return nil, fmt.Errorf("wallet: service account key: %w", err)
	}
	return NewGoogle(issuerID, acc)
}

// PublicKey returns the service account's public key, which verifies its JWTs.
func (g *Google) PublicKey() *rsa.PublicKey { return &g.key.PublicKey }

// ClientEmail returns the service account's address, the JWTs' issuer.
func (g *Google) ClientEmail() string { return g.account.ClientEmail }

// idPart is what a Google Wallet ID's part after the issuer may hold.
var idPart = regexp.MustCompile(`[^A-Za-z0-9._-]`)

// ObjectID returns the Google Wallet object ID of the pass with serial.
func (g *Google) ObjectID(serial string) string {
	return g.IssuerID + "." + idPart.ReplaceAllString(serial, "_")
}

// ClassID returns the Google Wallet class ID of the offer with key.
func (g *Google) ClassID(key string) string {
	return g.IssuerID + ".offer-" + idPart.ReplaceAllString(key, "_")
}

// SaveClaims are the claims of a "Save to Google Wallet" JWT.
type SaveClaims struct {
	jwt.Claims
	Type    string      `json:"typ"`
	Origins []string    `json:"origins"`
	Payload SavePayload `json:"payload"`
}

// SavePayload holds the classes and objects a save link adds.
type SavePayload struct {
	EventTicketClasses []EventTicketClass  `json:"eventTicketClasses,omitempty"`
	EventTicketObjects []EventTicketObject `json:"eventTicketObjects"`
}

// SaveURL returns the "Save to Google Wallet" link of p, whose offer's class is classKey:
// the class and the object in a JWT (RS256, typ savetowallet) signed with the service
// account's key.
func (g *Google) SaveURL(p *Pass, classKey string, now time.Time) (string, error) {
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256,
		Key: jose.JSONWebKey{Key: g.key, KeyID: g.account.PrivateKeyID}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return "", fmt.Errorf("wallet: Google signer: %w", err)
	}
	origins := g.Origins
	if origins == nil {
		origins = []string{}
	}
	claims := SaveClaims{Claims: jwt.Claims{Issuer: g.account.ClientEmail, Audience: jwt.Audience{"google"},
		IssuedAt: jwt.NewNumericDate(now)}, Type: "savetowallet", Origins: origins,
		Payload: SavePayload{EventTicketClasses: []EventTicketClass{g.class(p, classKey)},
			EventTicketObjects: []EventTicketObject{g.Object(p, classKey)}}}
	token, err := jwt.Signed(signer).Claims(claims).Serialize()
	if err != nil {
		return "", fmt.Errorf("wallet: Google JWT: %w", err)
	}
	return GoogleSaveURL + token, nil
}

// UpdateState sets the state of the object of the pass with serial (PATCH with the
// service account's OAuth access token). An object nobody saved (404) needs nothing.
func (g *Google) UpdateState(ctx context.Context, serial string, s State) error {
	body, err := json.Marshal(map[string]string{"state": googleState(s)})
	if err != nil {
		return err
	}
	u := strings.TrimRight(g.APIURL, "/") + "/eventTicketObject/" + g.ObjectID(serial)
	req, err := http.NewRequestWithContext(ctx, http.MethodPatch, u, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("wallet: Google update: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := g.client().Do(req)
	if err != nil {
		return fmt.Errorf("wallet: Google update: %w", err)
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 1<<16))
	switch {
	case res.StatusCode == http.StatusNotFound:
		return nil
	case res.StatusCode/100 != 2:
		return fmt.Errorf("wallet: Google update: %s", res.Status)
	}
	return nil
}

// client returns an HTTP client that carries the service account's access token, got
// with its signed JWT assertion (RFC 7523) from the key file's token_uri and kept until
// it expires.
func (g *Google) client() *http.Client {
	base := g.HTTPClient
	if base == nil {
		base = http.DefaultClient
	}
	g.tokensOnce.Do(func() {
		conf := &oauthjwt.Config{Email: g.account.ClientEmail, PrivateKey: []byte(g.account.PrivateKey),
			PrivateKeyID: g.account.PrivateKeyID, Scopes: []string{googleScope}, TokenURL: g.account.TokenURI}
		g.tokens = oauth2.ReuseTokenSource(nil, conf.TokenSource(context.WithValue(context.Background(),
			oauth2.HTTPClient, base)))
	})
	return &http.Client{Transport: &oauth2.Transport{Source: g.tokens, Base: base.Transport},
		Timeout: 30 * time.Second}
}

// googleState is the Google Wallet object state of s.
func googleState(s State) string {
	switch s {
	case Redeemed:
		return "COMPLETED"
	case Cancelled:
		return "INACTIVE"
	case Expired:
		return "EXPIRED"
	}
	return "ACTIVE"
}

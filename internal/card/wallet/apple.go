// Package wallet makes tickets into phone wallet passes: Apple Wallet (.pkpass, signed with
// the pass type certificate, PKCS#7 detached over the manifest) and Google Wallet ("Save
// to Google Wallet" links, a JWT signed with a service account's key), and tells the
// wallets of a change: an APNs push to the devices that registered an Apple pass, and a
// PATCH of the Google Wallet object's state. It knows nothing about cards or the
// database: the card package gives it a Pass and the addresses.
package wallet

import (
	"archive/zip"
	"bytes"
	"crypto"
	"crypto/sha1" //nolint:gosec // the pass manifest's format is SHA-1
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"sort"
	"time"

	"github.com/smallstep/pkcs7"
)

// Pass is what a wallet pass shows of a ticket; never anything about its holder.
type Pass struct {
	// Serial identifies the pass for its pass type: the ticket's ID.
	Serial string
	// AuthToken is the Apple pass's web service token (at least 16 characters); the
	// Google pass has none.
	AuthToken string
	// Organisation is who issues the pass (the municipality), Description a line for
	// accessibility and the lock screen.
	Organisation string
	Description  string
	// Title is the offer's title, Place where it happens ("" when unknown).
	Title string
	Place string
	// Start is the event's time, when the offer is one event; nil otherwise.
	Start *time.Time
	// Expires is when the ticket can no longer be used.
	Expires time.Time
	// Message is the door's code as the QR code carries it; AltText the code as typed.
	Message string
	AltText string
	// Admits is how many people the ticket lets in.
	Admits int
	// State is where the ticket is: ACTIVE, REDEEMED, CANCELLED or EXPIRED.
	State State
	// Labels are the field labels and the state's words, in the holder's language.
	Labels Labels
}

// State is a pass's state, from its ticket's status.
type State string

// The states.
const (
	Active    State = "ACTIVE"
	Redeemed  State = "REDEEMED"
	Cancelled State = "CANCELLED"
	Expired   State = "EXPIRED"
)

// Labels are the words a pass shows, in the holder's language.
type Labels struct {
	Event, Time, Valid, Place, Admits, Status string
	// Language is the labels' language (BCP 47), which Google Wallet's texts carry.
	Language string
	// States names each State for the holder ("Checked in").
	States map[State]string
}

// Apple makes Apple Wallet passes of one pass type.
type Apple struct {
	PassTypeID string
	TeamID     string
	// WebServiceURL is where the pass's device asks for updates (the address of the
	// PassKit web service, without /v1); empty: the pass is never updated.
	WebServiceURL string
	cert          *x509.Certificate
	key           crypto.PrivateKey
	wwdr          *x509.Certificate
}

// NewApple returns an Apple pass maker for the pass type certificate cert with its
// private key and Apple's WWDR intermediate certificate. Errors say which is wrong.
func NewApple(passTypeID, teamID string, cert *x509.Certificate, key crypto.PrivateKey, wwdr *x509.Certificate,
) (*Apple, error) {
	switch {
	case passTypeID == "":
		return nil, errors.New("wallet: pass type identifier missing")
	case teamID == "":
		return nil, errors.New("wallet: team identifier missing")
	case cert == nil || key == nil:
		return nil, errors.New("wallet: pass certificate or key missing")
	case wwdr == nil:
		return nil, errors.New("wallet: WWDR certificate missing")
	}
	return &Apple{PassTypeID: passTypeID, TeamID: teamID, cert: cert, key: key, wwdr: wwdr}, nil
}

// LoadApple is NewApple with the certificates and key read from PEM files.
func LoadApple(passTypeID, teamID, certPath, keyPath, wwdrPath string) (*Apple, error) {
	cert, err := readCert(certPath)
	if err != nil {
		return nil, fmt.Errorf("wallet: pass certificate: %w", err)
	}
	wwdr, err := readCert(wwdrPath)
	if err != nil {
		return nil, fmt.Errorf("wallet: WWDR certificate: %w", err)
	}
	key, err := readKey(keyPath)
	if err != nil {
		return nil, fmt.Errorf("wallet: pass key: %w", err)
	}
	return NewApple(passTypeID, teamID, cert, key, wwdr)
}

// Certificate returns the pass type certificate and its key, for the APNs client.
func (a *Apple) Certificate() (*x509.Certificate, crypto.PrivateKey) { return a.cert, a.key }

// Build returns the signed .pkpass of p: pass.json, the icons, manifest.json and
// signature, zipped.
func (a *Apple) Build(p *Pass) ([]byte, error) {
	passJSON, err := json.Marshal(a.passJSON(p))
	if err != nil {
		return nil, fmt.Errorf("wallet: pass.json: %w", err)
	}
	icon, icon2x := icons()
	files := map[string][]byte{"pass.json": passJSON, "icon.png": icon, "icon@2x.png": icon2x}
	manifest := make(map[string]string, len(files))
	for name, b := range files {
		sum := sha1.Sum(b) //nolint:gosec // the pass manifest's format is SHA-1
		manifest[name] = hex.EncodeToString(sum[:])
	}
	if files["manifest.json"], err = json.Marshal(manifest); err != nil {
		return nil, fmt.Errorf("wallet: manifest: %w", err)
	}
	if files["signature"], err = a.sign(files["manifest.json"]); err != nil {
		return nil, err
	}
	return zipFiles(files)
}

// sign returns the detached PKCS#7 signature of manifest with the pass certificate, the
// WWDR intermediate included.
func (a *Apple) sign(manifest []byte) ([]byte, error) {
	sd, err := pkcs7.NewSignedData(manifest)
	if err != nil {
		return nil, fmt.Errorf("wallet: sign: %w", err)
	}
	if err := sd.AddSignerChain(a.cert, a.key, []*x509.Certificate{a.wwdr}, pkcs7.SignerInfoConfig{}); err != nil {
		return nil, fmt.Errorf("wallet: sign: %w", err)
	}
	sd.Detach()
	sig, err := sd.Finish()
	if err != nil {
		return nil, fmt.Errorf("wallet: sign: %w", err)
	}
	return sig, nil
}

// zipFiles zips files in name order.
func zipFiles(files map[string][]byte) ([]byte, error) {
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, n := range names {
		w, err := zw.Create(n)
		if err != nil {
			return nil, fmt.Errorf("wallet: zip: %w", err)
		}
		if _, err := w.Write(files[n]); err != nil {
			return nil, fmt.Errorf("wallet: zip: %w", err)
		}
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("wallet: zip: %w", err)
	}
	return buf.Bytes(), nil
}

// readCert reads the first certificate of a PEM file.
func readCert(path string) (*x509.Certificate, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	for {
		var blk *pem.Block
		blk, b = pem.Decode(b)
		if blk == nil {
			return nil, errors.New("no CERTIFICATE block in the PEM file")
		}
		if blk.Type == "CERTIFICATE" {
			return x509.ParseCertificate(blk.Bytes)
		}
	}
}

// readKey reads the first private key of a PEM file: PKCS#8, PKCS#1 or EC.
func readKey(path string) (crypto.PrivateKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	for {
		var blk *pem.Block
		blk, b = pem.Decode(b)
		if blk == nil {
			return nil, errors.New("no private key block in the PEM file (an encrypted key must be decrypted first)")
		}
		switch blk.Type {
		case "PRIVATE KEY":
			return x509.ParsePKCS8PrivateKey(blk.Bytes)
		case "RSA PRIVATE KEY":
			return x509.ParsePKCS1PrivateKey(blk.Bytes)
		case "EC PRIVATE KEY":
			return x509.ParseECPrivateKey(blk.Bytes)
		}
	}
}

// Package wallettest makes what tests of wallet passes need: a fake Apple root and WWDR
// intermediate with a pass type certificate under them, a Google service account's key,
// and checks of a .pkpass by the format's own rules.
package wallettest

import (
	"archive/zip"
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1" //nolint:gosec // the pass manifest's format is SHA-1
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"io"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/smallstep/pkcs7"
)

// Apple is a test pass type certificate under a fake WWDR intermediate and root, with the
// PEM files written.
type Apple struct {
	Root, WWDR, Pass *x509.Certificate
	Key              *ecdsa.PrivateKey
	Roots            *x509.CertPool
	// CertPath, KeyPath and WWDRPath are the PEM files.
	CertPath, KeyPath, WWDRPath string
}

// NewApple makes the certificates of pass type passTypeID and writes them to t's
// temporary directory.
func NewApple(t testing.TB, passTypeID string) *Apple {
	t.Helper()
	rootKey, root := mustCA(t, "Test Apple Root CA", nil, nil)
	wwdrKey, wwdr := mustCA(t, "Test Apple Worldwide Developer Relations", root, rootKey)
	key := mustKey(t)
	tpl := &x509.Certificate{SerialNumber: big.NewInt(3),
		Subject:   pkix.Name{CommonName: "Pass Type ID: " + passTypeID, OrganizationalUnit: []string{"TEAM123456"}},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth, x509.ExtKeyUsageAny}}
	pass := mustCreate(t, tpl, wwdr, &key.PublicKey, wwdrKey)
	a := &Apple{Root: root, WWDR: wwdr, Pass: pass, Key: key, Roots: x509.NewCertPool()}
	a.Roots.AddCert(root)
	dir := t.TempDir()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	a.CertPath = writePEM(t, dir, "pass.pem", "CERTIFICATE", pass.Raw)
	a.KeyPath = writePEM(t, dir, "pass.key", "PRIVATE KEY", der)
	a.WWDRPath = writePEM(t, dir, "wwdr.pem", "CERTIFICATE", wwdr.Raw)
	return a
}

func mustKey(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func mustCA(t testing.TB, name string, parent *x509.Certificate, parentKey *ecdsa.PrivateKey,
) (*ecdsa.PrivateKey, *x509.Certificate) {
	t.Helper()
	key := mustKey(t)
	tpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(48 * time.Hour), IsCA: true,
		BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature}
	if parent == nil {
		parent, parentKey = tpl, key
	}
	return key, mustCreate(t, tpl, parent, &key.PublicKey, parentKey)
}

func mustCreate(t testing.TB, tpl, parent *x509.Certificate, pub *ecdsa.PublicKey, key *ecdsa.PrivateKey,
) *x509.Certificate {
	t.Helper()
	der, err := x509.CreateCertificate(rand.Reader, tpl, parent, pub, key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func writePEM(t testing.TB, dir, name, typ string, der []byte) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// ServiceAccount is a test Google service account: its key and the key file written.
type ServiceAccount struct {
	Key   *rsa.PrivateKey
	Email string
	Path  string
}

// NewServiceAccount makes a service account whose token_uri is tokenURI and writes its key
// file to t's temporary directory.
func NewServiceAccount(t testing.TB, tokenURI string) *ServiceAccount {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	sa := &ServiceAccount{Key: key, Email: "wallet@fritid-test.iam.gserviceaccount.com"}
	b, err := json.Marshal(map[string]string{"type": "service_account", "project_id": "fritid-test",
		"private_key_id": "test-key-1", "client_email": sa.Email, "token_uri": tokenURI,
		"private_key": string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))})
	if err != nil {
		t.Fatal(err)
	}
	sa.Path = filepath.Join(t.TempDir(), "service-account.json")
	if err := os.WriteFile(sa.Path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return sa
}

// CheckPass validates a .pkpass as the PassKit package format requires and returns its
// files and its pass.json decoded: pass.json, manifest.json, signature and icon.png are
// there; manifest.json lists every other file with its SHA-1, and nothing else; signature
// is a detached PKCS#7 signature of manifest.json by a certificate that chains, through the
// intermediate the signature carries, to roots; pass.json has the required keys with their
// types. It fails t at the first rule broken.
func CheckPass(t testing.TB, pkpass []byte, roots *x509.CertPool) (map[string][]byte, map[string]any) {
	t.Helper()
	files := unzip(t, pkpass)
	for _, name := range []string{"pass.json", "manifest.json", "signature", "icon.png"} {
		if files[name] == nil {
			t.Fatalf("the pass has no %s (files: %v)", name, names(files))
		}
	}
	checkManifest(t, files)
	p7, err := pkcs7.Parse(files["signature"])
	if err != nil {
		t.Fatalf("signature is not PKCS#7: %v", err)
	}
	if len(p7.Content) != 0 {
		t.Fatalf("signature is not detached: it carries %d bytes of content", len(p7.Content))
	}
	p7.Content = files["manifest.json"]
	if err := p7.VerifyWithChain(roots); err != nil {
		t.Fatalf("signature over manifest.json does not verify to the WWDR root: %v", err)
	}
	var pass map[string]any
	if err := json.Unmarshal(files["pass.json"], &pass); err != nil {
		t.Fatalf("pass.json: %v", err)
	}
	checkPassJSON(t, pass)
	return files, pass
}

func unzip(t testing.TB, b []byte) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("the pass is not a zip: %v", err)
	}
	files := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		files[f.Name] = data
	}
	return files
}

func names(files map[string][]byte) []string {
	var out []string
	for n := range files {
		out = append(out, n)
	}
	return out
}

// checkManifest checks that manifest.json lists every file but itself and the signature,
// each with its SHA-1.
func checkManifest(t testing.TB, files map[string][]byte) {
	t.Helper()
	var manifest map[string]string
	if err := json.Unmarshal(files["manifest.json"], &manifest); err != nil {
		t.Fatalf("manifest.json: %v", err)
	}
	for name, data := range files {
		if name == "manifest.json" || name == "signature" {
			continue
		}
		sum := sha1.Sum(data) //nolint:gosec // the pass manifest's format is SHA-1
		if manifest[name] != hex.EncodeToString(sum[:]) {
			t.Errorf("manifest.json has %q for %s, its SHA-1 is %x", manifest[name], name, sum)
		}
	}
	for name := range manifest {
		if files[name] == nil {
			t.Errorf("manifest.json lists %s, which the pass does not have", name)
		}
	}
}

// checkPassJSON checks pass.json's top-level keys and types (PassKit's pass.json
// reference) and its barcodes.
func checkPassJSON(t testing.TB, pass map[string]any) {
	t.Helper()
	if v, ok := pass["formatVersion"].(float64); !ok || v != 1 {
		t.Errorf("formatVersion = %v, want the number 1", pass["formatVersion"])
	}
	for _, k := range []string{"passTypeIdentifier", "serialNumber", "teamIdentifier", "organizationName",
		"description"} {
		if s, ok := pass[k].(string); !ok || s == "" {
			t.Errorf("pass.json %s = %v, want a non-empty string", k, pass[k])
		}
	}
	if _, ok := pass["eventTicket"].(map[string]any); !ok {
		t.Errorf("pass.json has no eventTicket dictionary")
	}
	_, hasURL := pass["webServiceURL"].(string)
	token, hasToken := pass["authenticationToken"].(string)
	if hasURL != hasToken || hasToken && len(token) < 16 {
		t.Errorf("webServiceURL and authenticationToken (16 characters at least) go together: %v, %q", hasURL, token)
	}
	for _, k := range []string{"relevantDate", "expirationDate"} {
		if s, ok := pass[k].(string); ok {
			if _, err := time.Parse(time.RFC3339, s); err != nil {
				t.Errorf("pass.json %s = %q is not a W3C date: %v", k, s, err)
			}
		}
	}
	bs, ok := pass["barcodes"].([]any)
	if !ok || len(bs) == 0 {
		t.Fatalf("pass.json has no barcodes")
	}
	for _, b := range bs {
		m, _ := b.(map[string]any)
		if m["format"] != "PKBarcodeFormatQR" || m["messageEncoding"] != "iso-8859-1" || m["message"] == "" {
			t.Errorf("barcode %v: want a QR code with a message in iso-8859-1", m)
		}
	}
}

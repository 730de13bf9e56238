package sns

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net/http"
	"time"

	"github.com/firetrail/firetrail/emulator/trail"
)

// SigningCertificatePEM returns a self-signed X.509 certificate for key, in
// PEM, valid for ten years from notBefore: what an SNS SigningCertURL
// serves, so that subscribers can check envelope signatures. The same key
// and notBefore give the same bytes.
func SigningCertificatePEM(key *rsa.PrivateKey, notBefore time.Time) ([]byte, error) {
	fp := trail.Fingerprint(trail.PublicKeyDER(&key.PublicKey))
	serial, _ := new(big.Int).SetString(fp, 16)
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "sns.amazonaws.com", Organization: []string{"firetrail"}},
		NotBefore:             notBefore.UTC().Truncate(time.Second),
		NotAfter:              notBefore.UTC().Truncate(time.Second).AddDate(10, 0, 0),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		DNSNames:              []string{"sns.amazonaws.com"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("sns: signing certificate: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), nil
}

// CertHandler serves the certificate of the service's signing key
// (SigningCertificatePEM, valid from the service's creation) for requests
// to SigningCertURL.
func (svc *Service) CertHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		svc.certOnce.Do(func() {
			svc.cert, svc.certErr = SigningCertificatePEM(svc.cfg.SigningKey, svc.created)
		})
		if svc.certErr != nil {
			http.Error(w, "certificate unavailable", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/x-pem-file")
		w.Write(svc.cert)
	})
}

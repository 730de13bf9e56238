package emulator

import (
	"crypto/sha256"
	"crypto/tls"
	"encoding/base32"
	"net"
	"net/http"
	"strings"

	"github.com/firetrail/firetrail/emulator/internal/awsapi"
	"github.com/firetrail/firetrail/schemas"
)

// Default credentials: AWSConfig and the env lines of firetrail serve use
// them. Without WithAuth the emulator checks no signatures and the access
// key only selects the caller's identity (WithIdentity); with it, this is
// the pair accepted when no other is given.
const (
	DefaultAccessKeyID     = "AKIAFIRETRAILEXAMPLE"
	DefaultSecretAccessKey = "firetrail/emulator/secret/not/checked/0000"
	// DefaultUserName is the IAM user behind DefaultAccessKeyID.
	DefaultUserName = "firetrail"
)

// identity is who made a call: the account and the userIdentity element of
// its CloudTrail record.
type identity struct {
	account string
	ui      schemas.UserIdentity
}

// sigV4Scope returns the access key and region of a SigV4-signed request:
// from the Authorization header's credential scope, or from a presigned
// URL's X-Amz-Credential.
func sigV4Scope(r *http.Request) (akid, region string) {
	akid, region, _ = sigV4ScopeService(r)
	return akid, region
}

// sigV4ScopeService is sigV4Scope with the scope's service name.
func sigV4ScopeService(r *http.Request) (akid, region, service string) {
	cred := ""
	if auth := r.Header.Get("Authorization"); auth != "" {
		if _, rest, ok := strings.Cut(auth, "Credential="); ok {
			cred, _, _ = strings.Cut(rest, ",")
		}
	} else {
		cred = r.URL.Query().Get("X-Amz-Credential")
	}
	parts := strings.Split(strings.TrimSpace(cred), "/")
	switch {
	case len(parts) >= 4:
		return parts[0], parts[2], parts[3]
	case len(parts) == 3:
		return parts[0], parts[2], ""
	default:
		return parts[0], "", ""
	}
}

// uniqueID returns an IAM unique ID: prefix plus 17 characters of
// [A-Z2-7] derived from seed, the alphabet of real IAM unique IDs.
func uniqueID(prefix, seed string) string {
	sum := sha256.Sum256([]byte(seed))
	return prefix + base32.StdEncoding.EncodeToString(sum[:])[:17]
}

// identityFor maps an access key to the caller's identity: a configured
// identity (WithIdentity), else an IAM user for long-term keys (AKIA…,
// and requests without credentials: the default user) and an assumed-role
// session for temporary ones (ASIA…), in the emulator's account.
func (e *Emulator) identityFor(akid string) identity {
	if akid == "" {
		akid = DefaultAccessKeyID
	}
	if ui, ok := e.opts.identities[akid]; ok {
		acct := ui.AccountID
		if acct == "" {
			acct = e.accountID
		}
		return identity{account: acct, ui: ui}
	}
	acct := e.accountID
	if strings.HasPrefix(akid, "ASIA") {
		role := "firetrail-role"
		session := "firetrail-session-" + strings.ToLower(akid[max(0, len(akid)-6):])
		roleID := uniqueID("AROA", acct+"/role/"+role)
		return identity{account: acct, ui: schemas.UserIdentity{
			Type:        schemas.IdentityAssumedRole,
			PrincipalID: roleID + ":" + session,
			ARN:         "arn:aws:sts::" + acct + ":assumed-role/" + role + "/" + session,
			AccountID:   acct,
			AccessKeyID: akid,
			SessionContext: &schemas.SessionContext{
				SessionIssuer: &schemas.SessionIssuer{
					Type:        schemas.IdentityRole,
					PrincipalID: roleID,
					ARN:         "arn:aws:iam::" + acct + ":role/" + role,
					AccountID:   acct,
					UserName:    role,
				},
				WebIDFederationData: &schemas.WebIDFederationData{},
				Attributes: &schemas.SessionAttributes{
					CreationDate:     e.started.Format("2006-01-02T15:04:05Z"),
					MFAAuthenticated: "false",
				},
			},
		}}
	}
	name := DefaultUserName
	if akid != DefaultAccessKeyID {
		name = "user-" + strings.ToLower(akid[max(0, len(akid)-6):])
	}
	return identity{account: acct, ui: schemas.UserIdentity{
		Type:        schemas.IdentityIAMUser,
		PrincipalID: uniqueID("AIDA", acct+"/user/"+name),
		ARN:         "arn:aws:iam::" + acct + ":user/" + name,
		AccountID:   acct,
		AccessKeyID: akid,
		UserName:    name,
	}}
}

// tlsDetails describes the connection state the way CloudTrail does
// (OpenSSL cipher names for TLS 1.2, as in real records).
func tlsDetails(cs *tls.ConnectionState) *awsapi.TLSInfo {
	if cs == nil {
		return nil
	}
	ti := &awsapi.TLSInfo{}
	switch cs.Version {
	case tls.VersionTLS13:
		ti.Version = "TLSv1.3"
	case tls.VersionTLS12:
		ti.Version = "TLSv1.2"
	case tls.VersionTLS11:
		ti.Version = "TLSv1.1"
	default:
		ti.Version = "TLSv1"
	}
	name := tls.CipherSuiteName(cs.CipherSuite)
	switch name {
	case "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256":
		name = "ECDHE-RSA-AES128-GCM-SHA256"
	case "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384":
		name = "ECDHE-RSA-AES256-GCM-SHA384"
	case "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256":
		name = "ECDHE-ECDSA-AES128-GCM-SHA256"
	case "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384":
		name = "ECDHE-ECDSA-AES256-GCM-SHA384"
	case "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256":
		name = "ECDHE-RSA-CHACHA20-POLY1305"
	}
	ti.CipherSuite = name
	return ti
}

// callOf gathers what the JSON handlers need from r. A SigV4 scope whose
// region schemas.ValidRegion refuses (say "local-1") falls back to the
// emulator's region, so that every call can be recorded.
func (e *Emulator) callOf(r *http.Request, reqID string) *awsapi.Call {
	akid, region := sigV4Scope(r)
	if !schemas.ValidRegion(region) {
		region = e.region
	}
	ip := r.RemoteAddr
	if h, _, err := net.SplitHostPort(ip); err == nil {
		ip = h
	}
	ua := r.Header.Get("User-Agent")
	if len(ua) > 1024 {
		ua = ua[:1024]
	}
	id := e.identityFor(akid)
	return &awsapi.Call{
		RequestID: reqID,
		Region:    region,
		Account:   id.account,
		Identity:  id.ui,
		SourceIP:  ip,
		UserAgent: ua,
		TLS:       tlsDetails(r.TLS),
		Host:      r.Host,
		Anonymous: akid == "",
	}
}

package schemas

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand"
	"strings"
	"testing"
)

// One Encoder over many records, with identities repeated, shared and
// colliding in its slots, writes every record as AppendJSON does.
func TestEncoderMatchesAppendJSON(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	var pool []UserIdentity
	for range 600 { // more than encoderSlots: slots are reused
		pool = append(pool, randomRecord(rng).UserIdentity)
	}
	_, seed := seedRecords(t)
	for _, r := range seed {
		pool = append(pool, r.UserIdentity)
	}
	var e Encoder
	for i := range 20000 {
		r := randomRecord(rng)
		if i%5 != 0 {
			r.UserIdentity = pool[rng.Intn(len(pool))]
		}
		want := r.AppendJSON(nil)
		got := e.AppendRecord([]byte("prefix"), &r)
		if !bytes.Equal(got[len("prefix"):], want) || string(got[:len("prefix")]) != "prefix" {
			t.Fatalf("record %d:\n got %s\nwant %s", i, got, want)
		}
	}
}

// A record whose identity changes in place after it was encoded, at any
// depth, is encoded with the change.
func TestEncoderSeesChangesInPlace(t *testing.T) {
	_, seed := seedRecords(t)
	base := seed[0]
	full := UserIdentity{
		Type: "AssumedRole", PrincipalID: "AROAEXAMPLE:s", ARN: "arn:aws:sts::111122223333:assumed-role/r/s",
		AccountID: "111122223333", AccessKeyID: "ASIAEXAMPLE", UserName: "u",
		SessionContext: &SessionContext{
			SessionIssuer:       &SessionIssuer{Type: "Role", PrincipalID: "AROAEXAMPLE", ARN: "arn:aws:iam::111122223333:role/r", AccountID: "111122223333", UserName: "r"},
			WebIDFederationData: &WebIDFederationData{FederatedProvider: "p", Attributes: json.RawMessage(`{"a":"b"}`)},
			Attributes:          &SessionAttributes{CreationDate: "2025-01-01T00:00:00Z", MFAAuthenticated: "false"},
			SourceIdentity:      "src", EC2RoleDelivery: "2.0", AssumedRoot: "false", SignInSessionARN: "arn:s",
		},
		InvokedBy:         "firehose.amazonaws.com",
		InvokedByDelegate: &InvokedByDelegate{AccountID: "444455556666"},
		OnBehalfOf:        &OnBehalfOf{UserID: "uid", IdentityStoreARN: "arn:i"},
		InScopeOf:         &InScopeOf{SourceARN: "arn:src", SourceAccount: "1", IssuerType: "t", CredentialsIssuedTo: "c"},
		CredentialID:      "cred", IdentityProvider: "idp",
	}
	changes := map[string]func(u *UserIdentity){
		"type":                  func(u *UserIdentity) { u.Type = "IAMUser" },
		"principalId":           func(u *UserIdentity) { u.PrincipalID += "x" },
		"arn":                   func(u *UserIdentity) { u.ARN += "x" },
		"accountId":             func(u *UserIdentity) { u.AccountID = "999999999999" },
		"accessKeyId":           func(u *UserIdentity) { u.AccessKeyID = "ASIAOTHER" },
		"userName":              func(u *UserIdentity) { u.UserName = "" },
		"invokedBy":             func(u *UserIdentity) { u.InvokedBy = "AWS Internal" },
		"credentialId":          func(u *UserIdentity) { u.CredentialID = "c2" },
		"identityProvider":      func(u *UserIdentity) { u.IdentityProvider = "i2" },
		"sessionContext nil":    func(u *UserIdentity) { u.SessionContext = nil },
		"sessionIssuer.arn":     func(u *UserIdentity) { u.SessionContext.SessionIssuer.ARN += "x" },
		"sessionIssuer nil":     func(u *UserIdentity) { u.SessionContext.SessionIssuer = nil },
		"webId provider":        func(u *UserIdentity) { u.SessionContext.WebIDFederationData.FederatedProvider = "q" },
		"webId attributes":      func(u *UserIdentity) { u.SessionContext.WebIDFederationData.Attributes[6] = 'c' },
		"webId nil":             func(u *UserIdentity) { u.SessionContext.WebIDFederationData = nil },
		"creationDate":          func(u *UserIdentity) { u.SessionContext.Attributes.CreationDate = "2026-01-01T00:00:00Z" },
		"mfaAuthenticated":      func(u *UserIdentity) { u.SessionContext.Attributes.MFAAuthenticated = "true" },
		"attributes nil":        func(u *UserIdentity) { u.SessionContext.Attributes = nil },
		"sourceIdentity":        func(u *UserIdentity) { u.SessionContext.SourceIdentity = "" },
		"ec2RoleDelivery":       func(u *UserIdentity) { u.SessionContext.EC2RoleDelivery = "1.0" },
		"assumedRoot":           func(u *UserIdentity) { u.SessionContext.AssumedRoot = "true" },
		"signInSessionArn":      func(u *UserIdentity) { u.SessionContext.SignInSessionARN = "arn:t" },
		"invokedByDelegate":     func(u *UserIdentity) { u.InvokedByDelegate.AccountID = "1" },
		"invokedByDelegate nil": func(u *UserIdentity) { u.InvokedByDelegate = nil },
		"onBehalfOf":            func(u *UserIdentity) { u.OnBehalfOf.UserID = "u2" },
		"inScopeOf":             func(u *UserIdentity) { u.InScopeOf.IssuerType = "t2" },
		"inScopeOf nil":         func(u *UserIdentity) { u.InScopeOf = nil },
	}
	for name, change := range changes {
		t.Run(name, func(t *testing.T) {
			r := base
			r.UserIdentity = deepCopyIdentity(t, full)
			var e Encoder
			before := e.AppendRecord(nil, &r)
			change(&r.UserIdentity) // in place: the same pointers
			got := e.AppendRecord(nil, &r)
			want := r.AppendJSON(nil)
			if !bytes.Equal(got, want) {
				t.Fatalf("after the change:\n got %s\nwant %s", got, want)
			}
			if bytes.Equal(before, want) {
				t.Fatalf("the change %q does not change the JSON; the case tests nothing", name)
			}
		})
	}
}

// deepCopyIdentity copies u through JSON, so that changes in place to the
// copy do not reach u.
func deepCopyIdentity(t *testing.T, u UserIdentity) UserIdentity {
	t.Helper()
	data, err := json.Marshal(u)
	if err != nil {
		t.Fatal(err)
	}
	var c UserIdentity
	if err := json.Unmarshal(data, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

// hasStringSpecial reports a word exactly when one of its bytes needs
// escaping or is not ASCII: every byte value in every position, among
// plain neighbours and after a special byte.
func TestHasStringSpecialExact(t *testing.T) {
	special := func(b byte) bool { return b < 0x20 || b == '"' || b == '\\' || b >= 0x80 }
	for pos := range 8 {
		for v := range 256 {
			for _, fill := range []byte{'a', ' ', '~', 0x21, 0x5d, 0x23} {
				w := bytes.Repeat([]byte{fill}, 8)
				w[pos] = byte(v)
				if got, want := hasStringSpecial(load64(w, 0)), special(byte(v)); got != want {
					t.Fatalf("word %q: hasStringSpecial = %v, want %v", w, got, want)
				}
			}
		}
	}
}

// plain agrees with a byte-by-byte check on every length up to 80 with one
// byte of every value at every position.
func TestPlain(t *testing.T) {
	isPlain := func(s string) bool {
		for i := 0; i < len(s); i++ {
			if b := s[i]; b < 0x20 || b == '"' || b == '\\' || b >= 0x80 {
				return false
			}
		}
		return true
	}
	for n := range 81 { // two 32-byte blocks, words and the overlapping last word
		for pos := range max(n, 1) {
			for v := range 256 {
				b := bytes.Repeat([]byte{'a'}, n)
				if n > 0 {
					b[pos] = byte(v)
				}
				if got, want := plain(string(b)), isPlain(string(b)); got != want {
					t.Fatalf("plain(%q) = %v, want %v", b, got, want)
				}
			}
		}
	}
}

// hasWhitespace finds a byte at or below ' ' at any position of inputs of
// every length up to 80, and none in inputs without one.
func TestHasWhitespace(t *testing.T) {
	for n := range 81 {
		b := bytes.Repeat([]byte{'x'}, n)
		if hasWhitespace(b) {
			t.Fatalf("hasWhitespace(%q) = true", b)
		}
		for pos := range n {
			for _, c := range []byte{' ', '\t', '\n', '\r', 0, 0x1f} {
				b[pos] = c
				if !hasWhitespace(b) {
					t.Fatalf("hasWhitespace(%q) = false", b)
				}
			}
			b[pos] = 0x21
			if hasWhitespace(b) {
				t.Fatalf("hasWhitespace(%q) = true", b)
			}
			b[pos] = 'x'
		}
	}
}

// The Encoder's memo of strings needing no escaping: long members drawn
// from a pool bigger than the memo (slots shared), with escapes, non-ASCII,
// same lengths with other bytes, and prefixes of one string (the same
// address, other lengths), written as AppendJSON writes them.
func TestEncoderPlainMemo(t *testing.T) {
	long := "Boto3/1.34.11 md/Botocore#1.34.11 ua/2.0 os/linux#5.10.205 md/arch#x86_64 lang/python#3.11.6"
	pool := []string{long, long[:16], long[:17], long[:40], "a\"quoted\" agent string, long enough", "tab\there and a long tail ......",
		"ünïcödé user agent string, long", "firehose.amazonaws.com", "firehose.amazonaws.co\\", "DescribeDeliveryStream", "</script> & friends <b>x</b>"}
	// Plain prefixes of a string that is not: the same address, and
	// lengths 64 apart (the same slot).
	quoted := "a plain prefix, 24 bytes" + strings.Repeat("x", 40) + "then \"quoted\" .........."
	pool = append(pool, quoted[:24], quoted[:30], quoted[:24+64], quoted)
	for i := range 3 * plainSlots {
		pool = append(pool, fmt.Sprintf("agent-%04d/%s", i, long[:20+i%50]))
	}
	rng := rand.New(rand.NewSource(11))
	pick := func() string { return pool[rng.Intn(len(pool))] }
	var e Encoder
	for i := range 20000 {
		r := randomRecord(rng)
		r.UserAgent, r.EventSource, r.EventName = pick(), pick(), pick()
		r.TLSDetails = &TLSDetails{TLSVersion: "TLSv1.3", CipherSuite: pick(), ClientProvidedHostHeader: pick()}
		want := r.AppendJSON(nil)
		if got := e.AppendRecord(nil, &r); !bytes.Equal(got, want) {
			t.Fatalf("record %d:\n got %s\nwant %s", i, got, want)
		}
	}
}

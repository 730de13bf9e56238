package schemas

import (
	"bytes"
	"unsafe"
)

// An Encoder writes records exactly as Record.AppendJSON does, and
// remembers the JSON of the userIdentity objects it wrote last: the calls
// of one caller share an identity, and its encoding was a quarter of a
// generated record's. A remembered identity is reused only when the record's
// identity equals it member by member, nested objects included (the
// Encoder keeps its own copy of them), so a record changed in place between
// two calls is encoded anew. The zero Encoder is ready to use; it is not
// safe for concurrent use.
type Encoder struct {
	slots [encoderSlots]identitySlot
	// plain remembers long strings that need no escaping (appendString).
	plain [plainSlots]string
	// days remembers the date of the last eventTime written.
	days dateMemo
}

// plainSlots is the size of Encoder.plain, a direct-mapped cache by the
// address of a string's bytes; plainMin is the shortest string it keeps
// (shorter ones are checked about as fast as they are looked up).
const (
	plainSlots = 64
	plainMin   = 16
)

// appendString is appendString, skipping the check for bytes to escape
// when s is a string e found plain before: the same address and length.
// Go strings are immutable, and e keeps the strings it remembers (so their
// bytes stay where they are), so such a string has the same bytes. A
// generated record's event source, name, user agent and TLS cipher and
// host come from a few tables: this was a sixth of the encoder's scanning.
// A nil e checks every string.
func (e *Encoder) appendString(dst []byte, s string) []byte {
	if e == nil || len(s) < plainMin {
		return appendString(dst, s)
	}
	p := unsafe.StringData(s)
	m := &e.plain[(uintptr(unsafe.Pointer(p))>>4^uintptr(len(s)))&(plainSlots-1)]
	if !sameMemory(*m, s) {
		if !plain(s) {
			return appendEscaped(dst, s)
		}
		*m = s
	}
	dst = append(dst, '"')
	dst = append(dst, s...)
	return append(dst, '"')
}

// encoderSlots is the number of identities an Encoder remembers (a
// direct-mapped cache: an identity's slot is fixed by a hash of its access
// key, or of its ARN without one). A generated run of a few accounts has a
// few hundred callers at a time, with a few dozen busy ones.
const encoderSlots = 1 << slotBits

const slotBits = 8

// slotOf is the slot of u: a multiplicative hash of the last eight bytes
// of its access key (random characters), or of its ARN or invoker when it
// has none. Identities that share a slot only cost their encoding again.
func slotOf(u *UserIdentity) uint64 {
	k := u.AccessKeyID
	if k == "" {
		k = u.ARN
	}
	if k == "" {
		k = u.InvokedBy
	}
	var x uint64
	if n := len(k); n >= 8 {
		x = load64(k, n-8)
	} else {
		for i := 0; i < n; i++ {
			x = x<<8 | uint64(k[i])
		}
	}
	x ^= uint64(len(k))
	return (x * 0x9e3779b97f4a7c15) >> (64 - slotBits) // the top bits
}

// identitySlot is one remembered identity and its JSON.
type identitySlot struct {
	ok    bool
	ident UserIdentity // its pointers point at the copies below
	sc    SessionContext
	iss   SessionIssuer
	web   WebIDFederationData
	attrs SessionAttributes
	del   InvokedByDelegate
	obo   OnBehalfOf
	isf   InScopeOf
	json  []byte
}

// AppendRecord appends the compact JSON encoding of r to dst, the bytes of
// r.AppendJSON(dst).
func (e *Encoder) AppendRecord(dst []byte, r *Record) []byte {
	return r.appendJSON(dst, e)
}

// appendIdentity appends the JSON of u, from the slot that remembers it if
// one does.
func (e *Encoder) appendIdentity(dst []byte, u *UserIdentity) []byte {
	s := &e.slots[slotOf(u)]
	if !s.ok || !identityEqual(&s.ident, u) {
		s.remember(u)
	}
	return append(dst, s.json...)
}

// remember makes s hold a copy of u and its JSON.
func (s *identitySlot) remember(u *UserIdentity) {
	s.ident = *u
	if c := u.SessionContext; c != nil {
		s.sc = *c
		s.ident.SessionContext = &s.sc
		s.sc.SessionIssuer = copyOf(c.SessionIssuer, &s.iss)
		s.sc.WebIDFederationData = copyOf(c.WebIDFederationData, &s.web)
		if s.sc.WebIDFederationData != nil {
			s.web.Attributes = append(s.web.Attributes[:0:0], c.WebIDFederationData.Attributes...)
		}
		s.sc.Attributes = copyOf(c.Attributes, &s.attrs)
	}
	s.ident.InvokedByDelegate = copyOf(u.InvokedByDelegate, &s.del)
	s.ident.OnBehalfOf = copyOf(u.OnBehalfOf, &s.obo)
	s.ident.InScopeOf = copyOf(u.InScopeOf, &s.isf)
	s.json = u.AppendJSON(s.json[:0])
	s.ok = true
}

// copyOf copies *p into *into and returns into, or nil when p is nil.
func copyOf[T any](p *T, into *T) *T {
	if p == nil {
		return nil
	}
	*into = *p
	return into
}

// identityEqual reports whether a and b hold the same members, comparing
// what their pointers point at.
func identityEqual(a, b *UserIdentity) bool {
	if !eq(a.Type, b.Type) || !eq(a.PrincipalID, b.PrincipalID) || !eq(a.ARN, b.ARN) ||
		!eq(a.AccountID, b.AccountID) || !eq(a.AccessKeyID, b.AccessKeyID) || !eq(a.UserName, b.UserName) ||
		!eq(a.InvokedBy, b.InvokedBy) || !eq(a.CredentialID, b.CredentialID) || !eq(a.IdentityProvider, b.IdentityProvider) ||
		!ptrEqual(a.InvokedByDelegate, b.InvokedByDelegate) || !ptrEqual(a.OnBehalfOf, b.OnBehalfOf) ||
		!ptrEqual(a.InScopeOf, b.InScopeOf) {
		return false
	}
	x, y := a.SessionContext, b.SessionContext
	if x == nil || y == nil {
		return x == y
	}
	if !eq(x.SourceIdentity, y.SourceIdentity) || !eq(x.EC2RoleDelivery, y.EC2RoleDelivery) ||
		!eq(x.AssumedRoot, y.AssumedRoot) || !eq(x.SignInSessionARN, y.SignInSessionARN) ||
		!issuerEqual(x.SessionIssuer, y.SessionIssuer) || !attributesEqual(x.Attributes, y.Attributes) {
		return false
	}
	v, w := x.WebIDFederationData, y.WebIDFederationData
	if v == nil || w == nil {
		return v == w
	}
	return v.FederatedProvider == w.FederatedProvider && bytes.Equal(v.Attributes, w.Attributes)
}

// issuerEqual is ptrEqual for the session issuer, comparing with eq.
func issuerEqual(p, q *SessionIssuer) bool {
	if p == nil || q == nil {
		return p == q
	}
	return eq(p.Type, q.Type) && eq(p.PrincipalID, q.PrincipalID) && eq(p.ARN, q.ARN) &&
		eq(p.AccountID, q.AccountID) && eq(p.UserName, q.UserName)
}

// attributesEqual is ptrEqual for session attributes, comparing with eq.
func attributesEqual(p, q *SessionAttributes) bool {
	if p == nil || q == nil {
		return p == q
	}
	return eq(p.CreationDate, q.CreationDate) && eq(p.MFAAuthenticated, q.MFAAuthenticated)
}

// eq is a == b, decided without a call to compare bytes when both are the
// same memory: a generator hands the Encoder the same strings record after
// record (identityEqual's calls to compare them went from 14M to 1.4M
// instructions in 200,000 generated records).
func eq(a, b string) bool { return sameMemory(a, b) || a == b }

// sameMemory reports whether a and b are the same bytes in memory (so
// equal); false says nothing.
func sameMemory(a, b string) bool {
	return len(a) == len(b) && unsafe.StringData(a) == unsafe.StringData(b)
}

// ptrEqual reports whether p and q are both nil or point at equal values.
func ptrEqual[T comparable](p, q *T) bool {
	if p == nil || q == nil {
		return p == q
	}
	return *p == *q
}

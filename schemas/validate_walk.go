package schemas

// The walker is the validator's fast path. It reads a record once, with no
// allocation for ordinary records, checks the JSON grammar, extracts the
// fields the Go checks need, and decides whether the record's structure
// certainly satisfies jsonschema/record.json. It is allowed to be stricter
// than the schema (anything unusual clears clean), never looser: when clean
// is false the validator runs the JSON Schema, whose verdict is the one
// reported. TestWalkerAgreesWithSchema and FuzzValidate hold it to that.

// Bits of recordInfo.has, one per top-level member present.
const (
	hasEventVersion uint64 = 1 << iota
	hasUserIdentity
	hasEventTime
	hasEventSource
	hasEventName
	hasAWSRegion
	hasSourceIPAddress
	hasEventID
	hasEventType
	hasInsightDetails
	hasRequestParameters
	hasResponseElements
	hasErrorCode
)

// Bits of identityInfo.has.
const (
	idType uint32 = 1 << iota
	idPrincipalID
	idARN
	idAccountID
	idInvokedBy
)

// recordInfo is what the walker learns about a record. String fields are
// nil when the member is absent or not a string; they alias the record's
// bytes unless the JSON string held escapes.
type recordInfo struct {
	// clean reports that the structure certainly satisfies record.json.
	clean bool
	// parsed reports that the record is well-formed JSON in valid UTF-8.
	parsed bool
	has    uint64

	eventVersion, eventTime, eventSource, eventName, awsRegion []byte
	sourceIPAddress, eventID, eventType, recipientAccountID    []byte

	identity identityInfo
	readOnly OptBool

	// duplicate is the pointer of the first member name found twice in
	// the record itself, userIdentity or sessionContext.
	duplicate string

	// resources holds resources[] entries that are objects.
	resources []resourceInfo

	// requestParameters and responseElements are the raw JSON values
	// (object or null), nil when absent or of another type.
	requestParameters, responseElements []byte
}

// identityInfo is what the walker learns about userIdentity.
type identityInfo struct {
	object bool // userIdentity is a JSON object
	has    uint32

	typ, arn, accountID, accessKeyID []byte
	invokedBy                        []byte
	hasSessionContext                bool
	issuerARN, issuerAccountID       []byte
}

// InvokedByAWSInternal is the invokedBy of a call AWS makes internally,
// whose userIdentity is {"accountId": …, "invokedBy": "AWS Internal"} with
// no type, whatever the eventType.
const InvokedByAWSInternal = "AWS Internal"

// awsInternal reports whether the identity is that of a call AWS makes
// internally: an accountId and invokedBy "AWS Internal".
func (id *identityInfo) awsInternal() bool {
	return id.has&(idAccountID|idInvokedBy) == idAccountID|idInvokedBy && string(id.invokedBy) == InvokedByAWSInternal
}

// resourceInfo is one element of resources[].
type resourceInfo struct {
	accountID, typ, arn, arnPrefix []byte
}

// keySet detects a member name that occurs twice in one object. JSON
// parsers disagree on which value wins, so the walker reports it and leaves
// the structure to the schema.
type keySet struct {
	keys [40][]byte
	n    int
}

// add records k and reports whether it was seen before; an object with more
// names than the set holds clears clean (the schema then decides).
func (s *keySet) add(w *walker, k []byte) bool {
	for _, seen := range s.keys[:s.n] {
		if len(seen) == len(k) && string(seen) == string(k) {
			return true
		}
	}
	if s.n == len(s.keys) {
		w.info.clean = false
		return false
	}
	s.keys[s.n] = k
	s.n++
	return false
}

// duplicate notes a repeated member at pointer.
func (w *walker) duplicate(pointer string, key []byte) {
	w.info.clean = false
	if w.info.duplicate == "" {
		w.info.duplicate = pointer + "/" + escapePointer(string(key))
	}
}

// walker reads a record into a recordInfo.
type walker struct {
	l    lexer
	info *recordInfo
}

// walkRecord reads b into info. It returns the first syntax error, if any;
// info is then incomplete.
func walkRecord(b []byte, info *recordInfo) *syntaxError {
	w := walker{l: lexer{b: b}, info: info}
	info.clean = true
	if w.l.kind() == kindObject {
		w.record()
	} else {
		info.clean = false
		w.l.skip()
	}
	if w.l.err == nil {
		w.l.ws()
		if w.l.i < len(b) {
			w.l.fail(w.l.i, "invalid character %s after top-level value", quoteChar(b[w.l.i]))
		}
	}
	return w.l.err
}

func (w *walker) record() {
	info := w.info
	w.l.beginObject()
	first := true
	var seen keySet
	for {
		key, esc, ok := w.l.nextKey(&first)
		if !ok {
			break
		}
		if esc {
			info.clean = false
			w.l.skip()
			continue
		}
		if seen.add(w, key) {
			w.duplicate("", key)
		}
		switch string(key) {
		case "eventVersion":
			info.has |= hasEventVersion
			info.eventVersion = w.str(true)
		case "userIdentity":
			info.has |= hasUserIdentity
			w.userIdentity()
		case "eventTime":
			info.has |= hasEventTime
			info.eventTime = w.str(true)
		case "eventSource":
			info.has |= hasEventSource
			info.eventSource = w.str(true)
		case "eventName":
			info.has |= hasEventName
			info.eventName = w.str(true)
		case "awsRegion":
			info.has |= hasAWSRegion
			info.awsRegion = w.str(true)
		case "sourceIPAddress":
			info.has |= hasSourceIPAddress
			info.sourceIPAddress = w.str(true)
		case "eventID":
			info.has |= hasEventID
			info.eventID = w.str(true)
		case "recipientAccountId":
			info.recipientAccountID = w.str(true)
		case "eventType":
			info.has |= hasEventType
			info.eventType = w.enum(eventTypes[:])
		case "eventCategory":
			w.enum(eventCategories[:])
		case "sessionCredentialFromConsole":
			w.enum(trueFalse[:])
		case "errorCode":
			info.has |= hasErrorCode
			w.str(false)
		case "userAgent", "errorMessage", "requestID", "apiVersion",
			"sharedEventID", "vpcEndpointId", "vpcEndpointAccountId":
			w.str(false)
		case "requestParameters":
			info.has |= hasRequestParameters
			info.requestParameters = w.objectOrNull()
		case "responseElements":
			info.has |= hasResponseElements
			info.responseElements = w.objectOrNull()
		case "additionalEventData", "serviceEventDetails":
			w.objectOrNull()
		case "insightDetails":
			info.has |= hasInsightDetails
			w.anyObject()
		case "edgeDeviceDetails", "eventContext":
			w.anyObject()
		case "readOnly":
			info.readOnly = w.boolean()
		case "managementEvent":
			w.boolean()
		case "resources":
			w.resources()
		case "tlsDetails":
			names := [...]string{"tlsVersion", "cipherSuite", "clientProvidedHostHeader", "keyExchange"}
			w.stringObject(names[:], true, nil)
		case "addendum":
			w.addendum()
		default:
			info.clean = false
			w.l.skip()
		}
		if w.l.err != nil {
			return
		}
	}
	if w.l.err != nil || !info.clean {
		return
	}
	info.clean = info.requiredOK()
}

// The enums of record.json.
var (
	eventTypes      = [...]string{"AwsApiCall", "AwsServiceEvent", "AwsConsoleAction", "AwsConsoleSignIn", "AwsVpceEvent", "AwsCloudTrailInsight"}
	eventCategories = [...]string{"Management", "Data", "NetworkActivity", "Insight"}
	trueFalse       = [...]string{"true", "false"}
	identityTypes   = [...]string{IdentityRoot, IdentityIAMUser, IdentityAssumedRole, IdentityRole, IdentityFederatedUser, IdentityDirectory, IdentityAWSAccount, IdentityAWSService, IdentityIdentityCenterUser, IdentityUnknown, IdentitySAMLUser, IdentityWebIdentityUser}
	addendumReasons = [...]string{"DELIVERY_DELAY", "UPDATED_DATA", "SERVICE_OUTAGE"}
)

// requiredOK mirrors the required members and the allOf of record.json.
func (info *recordInfo) requiredOK() bool {
	need := func(bits uint64) bool { return info.has&bits == bits }
	if string(info.eventType) == "AwsCloudTrailInsight" {
		if !need(hasEventVersion | hasEventTime | hasAWSRegion | hasEventID | hasEventType | hasInsightDetails) {
			return false
		}
	} else if !need(hasEventVersion | hasUserIdentity | hasEventTime | hasEventSource | hasEventName | hasAWSRegion) {
		return false
	}
	switch string(info.eventVersion) {
	case "1.0":
	case "1.01":
		if !need(hasEventID) {
			return false
		}
	default:
		if !need(hasEventID | hasEventType) {
			return false
		}
	}
	id := &info.identity
	if id.object && id.has&idType == 0 && string(info.eventType) != "AwsServiceEvent" && !id.awsInternal() {
		return false
	}
	if id.object && id.has&idType != 0 {
		var want uint32
		switch string(id.typ) {
		case IdentityAssumedRole, IdentityFederatedUser:
			want = idPrincipalID | idARN | idAccountID
		case IdentityRole:
			want = idPrincipalID | idAccountID
		case IdentityRoot, IdentityIAMUser, IdentityAWSAccount, IdentityIdentityCenterUser:
			want = idAccountID
		case IdentityAWSService:
			want = idInvokedBy
		case IdentitySAMLUser, IdentityWebIdentityUser:
			want = idPrincipalID
		}
		if id.has&want != want {
			return false
		}
	}
	return true
}

// object reads an object member and calls member for each name, which must
// read the value; escaped names clear clean and are skipped. Anything but an
// object clears clean. It reports whether the value was an object.
func (w *walker) object(member func(key []byte)) bool {
	if w.l.kind() != kindObject {
		w.info.clean = false
		w.l.skip()
		return false
	}
	w.l.beginObject()
	first := true
	for {
		key, esc, ok := w.l.nextKey(&first)
		if !ok {
			return true
		}
		if esc {
			w.info.clean = false
			w.l.skip()
			continue
		}
		member(key)
		if w.l.err != nil {
			return true
		}
	}
}

// str reads a string member; anything else (or an empty string when
// nonEmpty) clears clean. It returns nil unless the value is a string.
func (w *walker) str(nonEmpty bool) []byte {
	if w.l.kind() != kindString {
		w.info.clean = false
		w.l.skip()
		return nil
	}
	raw, esc, ok := w.l.str()
	if !ok {
		return nil
	}
	if nonEmpty && len(raw) == 0 {
		w.info.clean = false
	}
	return text(raw, esc)
}

// enum reads a string member that must be one of values.
func (w *walker) enum(values []string) []byte {
	s := w.str(false)
	if s == nil {
		return nil
	}
	for _, v := range values {
		if string(s) == v {
			return s
		}
	}
	w.info.clean = false
	return s
}

// boolean reads a boolean member and returns it as an OptBool (BoolUnset
// when it is not a boolean).
func (w *walker) boolean() OptBool {
	if w.l.kind() != kindBool {
		w.info.clean = false
		w.l.skip()
		return BoolUnset
	}
	b := Bool(w.l.peek() == 't')
	w.l.skip()
	return b
}

// objectOrNull reads an object or null member and returns its raw bytes.
func (w *walker) objectOrNull() []byte {
	k := w.l.kind()
	start := w.l.i
	if !w.l.skip() {
		return nil
	}
	if k != kindObject && k != kindNull {
		w.info.clean = false
		return nil
	}
	return w.l.b[start:w.l.i]
}

// anyObject reads a member that must be an object of any content.
func (w *walker) anyObject() {
	if w.l.kind() != kindObject {
		w.info.clean = false
	}
	w.l.skip()
}

// stringObject reads an object whose members named in names are strings;
// other members clear clean when strict. out, when not nil, receives the
// values by position in names.
func (w *walker) stringObject(names []string, strict bool, out [][]byte) {
	w.object(func(key []byte) {
		for i, n := range names {
			if string(key) == n {
				v := w.str(false)
				if out != nil {
					out[i] = v
				}
				return
			}
		}
		if strict {
			w.info.clean = false
		}
		w.l.skip()
	})
}

func (w *walker) userIdentity() {
	id := &w.info.identity
	if id.object {
		w.duplicate("", []byte("userIdentity"))
	}
	var seen keySet
	id.object = w.object(func(key []byte) {
		if seen.add(w, key) {
			w.duplicate("/userIdentity", key)
		}
		switch string(key) {
		case "type":
			id.has |= idType
			id.typ = w.enum(identityTypes[:])
		case "principalId":
			id.has |= idPrincipalID
			w.str(false)
		case "arn":
			id.has |= idARN
			id.arn = w.str(false)
		case "accountId":
			id.has |= idAccountID
			id.accountID = w.str(false)
		case "accessKeyId":
			id.accessKeyID = w.str(false)
		case "invokedBy":
			id.has |= idInvokedBy
			id.invokedBy = w.str(false)
		case "userName", "credentialId", "identityProvider":
			w.str(false)
		case "sessionContext":
			w.sessionContext()
		case "invokedByDelegate":
			names := [...]string{"accountId"}
			w.stringObject(names[:], false, nil)
		case "onBehalfOf":
			names := [...]string{"userId", "identityStoreArn"}
			w.stringObject(names[:], false, nil)
		case "inScopeOf":
			names := [...]string{"sourceArn", "sourceAccount", "issuerType", "credentialsIssuedTo"}
			w.stringObject(names[:], false, nil)
		default:
			w.info.clean = false
			w.l.skip()
		}
	})
}

func (w *walker) sessionContext() {
	id := &w.info.identity
	if id.hasSessionContext {
		w.duplicate("/userIdentity", []byte("sessionContext"))
	}
	var seen keySet
	id.hasSessionContext = w.object(func(key []byte) {
		if seen.add(w, key) {
			w.duplicate("/userIdentity/sessionContext", key)
		}
		switch string(key) {
		case "sessionIssuer":
			names := [...]string{"type", "principalId", "arn", "accountId", "userName"}
			var out [len(names)][]byte
			w.stringObject(names[:], true, out[:])
			id.issuerARN, id.issuerAccountID = out[2], out[3]
		case "webIdFederationData":
			w.webIDFederationData()
		case "attributes":
			w.sessionAttributes()
		case "sourceIdentity", "ec2RoleDelivery", "assumedRoot", "signInSessionArn":
			w.str(false)
		default:
			w.info.clean = false
			w.l.skip()
		}
	})
}

func (w *walker) webIDFederationData() {
	w.object(func(key []byte) {
		switch string(key) {
		case "federatedProvider":
			w.str(false)
		case "attributes":
			w.anyObject()
		default:
			w.l.skip()
		}
	})
}

func (w *walker) sessionAttributes() {
	w.object(func(key []byte) {
		switch string(key) {
		case "creationDate":
			w.str(false)
		case "mfaAuthenticated":
			w.enum(trueFalse[:])
		default:
			w.info.clean = false
			w.l.skip()
		}
	})
}

func (w *walker) resources() {
	if w.l.kind() != kindArray {
		w.info.clean = false
		w.l.skip()
		return
	}
	w.l.beginArray()
	first := true
	for w.l.nextElem(&first) {
		if w.l.kind() != kindObject {
			w.info.clean = false
			if !w.l.skip() {
				return
			}
			continue
		}
		names := [...]string{"accountId", "type", "ARN", "ARNPrefix"}
		var out [len(names)][]byte
		w.stringObject(names[:], true, out[:])
		if w.l.err != nil {
			return
		}
		w.info.resources = append(w.info.resources, resourceInfo{accountID: out[0], typ: out[1], arn: out[2], arnPrefix: out[3]})
	}
}

func (w *walker) addendum() {
	w.object(func(key []byte) {
		switch string(key) {
		case "reason":
			w.enum(addendumReasons[:])
		case "updatedFields", "originalRequestID", "originalEventID":
			w.str(false)
		default:
			w.info.clean = false
			w.l.skip()
		}
	})
}

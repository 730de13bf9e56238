package s3front

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/johannesboyne/gofakes3"

	"github.com/firetrail/firetrail/emulator/internal/sigv4"
)

// DefaultMaxObjectSize is the largest object accepted when
// Options.MaxObjectSize is zero: 5 GiB, S3's single-PUT limit.
const DefaultMaxObjectSize int64 = 5 << 30

// defaultIdleTimeout bounds how long a request body may stall between two
// reads before the request fails with RequestTimeout.
const defaultIdleTimeout = 20 * time.Second

// Options configures a Front.
type Options struct {
	// Backend stores buckets and objects; required.
	Backend gofakes3.Backend
	// TimeSource is the clock; nil means the real clock. With the real clock
	// requests whose x-amz-date is more than 15 minutes off are refused
	// (RequestTimeTooSkewed), as S3 does; with a TimeSource (usually a
	// virtual clock) that check is off.
	TimeSource gofakes3.TimeSource
	// Logger receives diagnostics; nil discards them.
	Logger *slog.Logger
	// MaxObjectSize bounds the size of one request body (PutObject,
	// UploadPart); 0 means DefaultMaxObjectSize.
	MaxObjectSize int64

	// Region is the region of event notifications (awsRegion), and the
	// region notification destinations must be in; "" means us-east-1 in
	// events and destinations in any region.
	Region string
	// Publish delivers one S3 event notification (or s3:TestEvent) body
	// to destinationARN, the QueueArn or TopicArn of a bucket's
	// notification configuration. Messages are sent asynchronously, never
	// delaying or failing the request that caused them, in the order they
	// happened, one at a time per bucket; an error is logged and the
	// message dropped. nil: configurations are kept and answered, nothing
	// is sent.
	Publish func(ctx context.Context, destinationARN string, body []byte) error
	// CheckDestination validates a destination ARN when a notification
	// configuration is PUT; an error refuses the configuration with S3's
	// InvalidArgument "Unable to validate the following destination
	// configurations". nil accepts every destination.
	CheckDestination func(arn string) error
	// NotificationPath is the file keeping bucket notification
	// configurations across restarts (read by New, written on every
	// change); "" keeps them in memory.
	NotificationPath string

	// Auth, when set, verifies the SigV4 signature of every request
	// (Authorization header or presigned URL, and the chunk signatures of
	// STREAMING-AWS4-HMAC-SHA256-PAYLOAD bodies) and refuses the others
	// with S3's errors (AccessDenied, InvalidAccessKeyId,
	// SignatureDoesNotMatch, RequestTimeTooSkewed, ...). Its clock, not
	// TimeSource's skew rule, then decides what is too skewed. Requests
	// made by PutObject, and those marked by Trusted (the embedding
	// program's own), are not checked. nil serves every request.
	Auth *sigv4.Verifier
}

// Front is an http.Handler serving path-style S3 over gofakes3, with the
// fixes described in the package documentation. It is safe for concurrent
// use.
type Front struct {
	s3            http.Handler
	backend       gofakes3.Backend // the wrapped backend gofakes3 uses
	log           *slog.Logger
	clock         gofakes3.TimeSource
	checkSkew     bool
	maxObjectSize int64
	idleTimeout   time.Duration
	auth          *sigv4.Verifier

	epoch      string // random per Front, so object ids never repeat across restarts
	objectSeq  atomic.Uint64
	requestSeq atomic.Uint64

	mu          sync.Mutex
	tags        map[string]objectTags  // tagKey(bucket, key) → tags
	encryption  map[string]sseRule     // bucket → default encryption, if given one
	uploads     map[string]*upload     // upload ID → state
	completions map[string]*completion // object id → pending completion
	streams     map[string]*bodyStream // object id → PutObject body on its way

	notifications    map[string]*notificationConfiguration // bucket → configuration
	region           string                                // Options.Region
	eventRegion      string                                // awsRegion of events
	publish          func(ctx context.Context, destinationARN string, body []byte) error
	checkDestination func(arn string) error
	notificationPath string

	qmu           sync.Mutex
	queues        map[string]*bucketQueue // bucket → deliveries not yet sent
	pending       int                     // deliveries queued or being sent
	idle          chan struct{}           // closed when pending drops to 0
	lastSequencer uint64
}

var _ http.Handler = (*Front)(nil)

// New returns a Front over opts.Backend.
func New(opts Options) (*Front, error) {
	if opts.Backend == nil {
		return nil, errors.New("s3front: options: backend is required")
	}
	if opts.MaxObjectSize < 0 {
		return nil, fmt.Errorf("s3front: options: negative max object size %d", opts.MaxObjectSize)
	}
	f := &Front{
		log:           opts.Logger,
		clock:         opts.TimeSource,
		checkSkew:     opts.TimeSource == nil,
		maxObjectSize: opts.MaxObjectSize,
		idleTimeout:   defaultIdleTimeout,
		auth:          opts.Auth,
		tags:          make(map[string]objectTags),
		encryption:    make(map[string]sseRule),
		uploads:       make(map[string]*upload),
		completions:   make(map[string]*completion),
		streams:       make(map[string]*bodyStream),

		notifications:    make(map[string]*notificationConfiguration),
		region:           opts.Region,
		eventRegion:      opts.Region,
		publish:          opts.Publish,
		checkDestination: opts.CheckDestination,
		notificationPath: opts.NotificationPath,
		queues:           make(map[string]*bucketQueue),
	}
	if f.eventRegion == "" {
		f.eventRegion = "us-east-1"
	}
	if err := f.loadNotifications(); err != nil {
		return nil, fmt.Errorf("s3front: load notification configurations: %w", err)
	}
	if f.log == nil {
		f.log = slog.New(slog.DiscardHandler)
	}
	if f.clock == nil {
		f.clock = gofakes3.DefaultTimeSource()
	}
	if f.maxObjectSize == 0 {
		f.maxObjectSize = DefaultMaxObjectSize
	}
	var seed [6]byte
	if _, err := rand.Read(seed[:]); err != nil {
		return nil, fmt.Errorf("s3front: seed object ids: %w", err)
	}
	f.epoch = hex.EncodeToString(seed[:])
	f.backend = wrapBackend(opts.Backend, f)
	g := gofakes3.New(f.backend,
		gofakes3.WithTimeSource(f.clock),
		gofakes3.WithTimeSkewLimit(0), // checked here, before headers are cleaned
		gofakes3.WithMetadataSizeLimit(0),
		gofakes3.WithLogger(gofakesLogger{f.log}),
		gofakes3.WithHostBucket(false),
	)
	f.s3 = g.Server()
	return f, nil
}

// CreateBucket creates bucket; it is not an error if it already exists.
func (f *Front) CreateBucket(bucket string) error {
	if err := gofakes3.ValidateBucketName(bucket); err != nil {
		return fmt.Errorf("create bucket %q: %w", bucket, err)
	}
	if err := f.backend.CreateBucket(bucket); err != nil && !gofakes3.IsAlreadyExists(err) {
		return fmt.Errorf("create bucket %q: %w", bucket, err)
	}
	return nil
}

// PutObject stores body as bucket/key the way a client PutObject would,
// going through the same checks, with the user metadata meta (keys
// lower-case, without the x-amz-meta- prefix), a CRC32 object checksum and
// the body's SHA-256 as x-amz-content-sha256.
func (f *Front) PutObject(ctx context.Context, bucket, key string, meta map[string]string, body []byte) error {
	req := &http.Request{
		Method:        http.MethodPut,
		URL:           &url.URL{Path: "/" + bucket + "/" + key},
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        make(http.Header, len(meta)+4),
		Body:          io.NopCloser(bytes.NewReader(body)),
		ContentLength: int64(len(body)),
		Host:          "s3front.internal",
		RequestURI:    "/" + bucket + "/" + key,
	}
	req = req.WithContext(context.WithValue(ctx, internalKey{}, true))
	for k, v := range meta {
		req.Header[http.CanonicalHeaderKey("X-Amz-Meta-"+strings.ToLower(k))] = []string{v}
	}
	sha := sha256.Sum256(body)
	req.Header.Set("Content-Length", strconv.Itoa(len(body)))
	req.Header.Set("X-Amz-Content-Sha256", hex.EncodeToString(sha[:]))
	req.Header.Set("X-Amz-Sdk-Checksum-Algorithm", string(algCRC32))
	req.Header.Set(algCRC32.headerName(), base64.StdEncoding.EncodeToString(be32(crc32.ChecksumIEEE(body))))
	rec := newCaptureWriter()
	f.ServeHTTP(rec, req)
	if rec.status/100 != 2 {
		var xe xmlError
		_ = xml.Unmarshal(rec.body.Bytes(), &xe)
		return fmt.Errorf("put object %s/%s: status %d: %s: %s", bucket, key, rec.status, xe.Code, xe.Message)
	}
	return nil
}

// ServeHTTP serves one S3 request.
func (f *Front) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	continueEmptyBody(w, r)
	rw := &responseWriter{ResponseWriter: w, f: f, requestID: f.nextRequestID(), method: r.Method}
	defer func() {
		v := recover()
		if v == nil {
			return
		}
		if v == http.ErrAbortHandler {
			panic(v)
		}
		f.log.Error("s3front: panic serving request", "method", r.Method, "path", r.URL.Path, "panic", v, "stack", string(debug.Stack()))
		if !rw.sent {
			rw.object = false
			rw.writeError(knownError(0, "InternalError", ""))
		}
	}()
	if err := f.serve(rw, r); err != nil {
		e := f.toS3Error(err)
		if e.Status == http.StatusInternalServerError {
			f.log.Error("s3front: request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		} else {
			f.log.Debug("s3front: request refused", "method", r.Method, "path", r.URL.Path, "code", e.Code, "message", e.Message)
		}
		if rw.sent {
			return
		}
		rw.object = false
		f.drain(rw, r, err)
		rw.writeError(e)
		return
	}
	rw.finish()
}

// continueEmptyBody answers "Expect: 100-continue" on a request without a
// body with an interim 100 Continue, as S3 does. net/http sends 100 Continue
// only when the handler reads a non-empty body, so an empty PutObject was
// answered with its final status alone. That is valid HTTP, but botocore
// (boto3, awscli) then keeps that early status for the connection: the next
// request on it that expects 100-continue gets its 100 and then misreads the
// real response, and waits for its read timeout (60 s) before retrying on a
// new connection. A non-empty body needs nothing here: net/http sends 100
// Continue when readBody reads it, or closes the connection if it is never
// read.
func continueEmptyBody(w http.ResponseWriter, r *http.Request) {
	if r.ContentLength == 0 && r.ProtoAtLeast(1, 1) && strings.EqualFold(r.Header.Get("Expect"), "100-continue") {
		w.WriteHeader(http.StatusContinue)
	}
}

func (f *Front) nextRequestID() string {
	return fmt.Sprintf("%016X", f.requestSeq.Add(1))
}

// newObjectID returns an id unique to one stored object version.
func (f *Front) newObjectID() string {
	return f.epoch + "-" + strconv.FormatUint(f.objectSeq.Add(1), 36)
}

func hostID(requestID string) string {
	return base64.StdEncoding.EncodeToString([]byte(requestID + requestID + requestID))
}

// toS3Error turns any error into the S3 error answered for it.
func (f *Front) toS3Error(err error) *s3Error {
	if e, ok := errors.AsType[*s3Error](err); ok {
		return e
	}
	if e, ok := errors.AsType[gofakes3.Error](err); ok {
		code := e.ErrorCode()
		var msg string
		if er, ok := errors.AsType[*gofakes3.ErrorResponse](err); ok {
			msg = er.Message
		}
		return knownError(code.Status(), string(code), msg)
	}
	if isTimeout(err) {
		return errRequestTimeout()
	}
	return knownError(0, "InternalError", "")
}

// serve dispatches one request; errors are answered by ServeHTTP.
func (f *Front) serve(rw *responseWriter, r *http.Request) error {
	auth, err := f.authenticate(r)
	if err != nil {
		return err
	}
	bucket, key, err := splitPath(r.URL.Path)
	if err != nil {
		return err
	}
	if f.auth == nil {
		if err := f.checkTimeSkew(r); err != nil {
			return err
		}
	}
	if bucket == "" && r.Method != http.MethodGet {
		return knownError(0, "MethodNotAllowed", "") // only ListBuckets is served at /
	}
	q := r.URL.Query()
	if err := checkSubresources(r.Method, q); err != nil {
		return err
	}
	var body *requestBody
	if streamsBody(r, q, key) {
		// PutObject and UploadPart: hashed with the client's algorithms and
		// the one the object or part is kept with.
		extra := algCRC64NVME
		if id := q.Get("uploadId"); id != "" {
			extra = ""
			if u := f.lookupUpload(id); u != nil {
				extra = u.alg
			}
		}
		s, err := f.openBody(rw, r, auth.Chain(), extra)
		if err != nil {
			return err
		}
		if s != nil {
			defer func() {
				if s.err == nil {
					// Answered before the backend read it (NoSuchBucket, a
					// refused condition): read it, as a body read whole was.
					f.discard(rw, r)
				}
				s.close()
			}()
			body = s.body
		}
	}
	if body == nil && (r.Method == http.MethodPut || r.Method == http.MethodPost) {
		// CompleteMultipartUpload's checksum headers describe the object, not the body.
		objectChecksums := r.Method == http.MethodPost && q.Get("uploadId") != ""
		if body, err = f.readBody(rw, r, !objectChecksums, auth.Chain()); err != nil {
			return err
		}
	}
	rw.bucket, rw.key = bucket, key
	switch {
	case q.Has("tagging"):
		return f.serveTagging(rw, r, bucket, key, body)
	case q.Has("acl"):
		return f.serveACL(rw, r, bucket, key, body)
	case q.Has("encryption"):
		return f.serveEncryption(rw, r, bucket, key, body)
	case q.Has("notification"):
		return f.serveNotification(rw, r, bucket, key, body)
	case key == "" && r.Method == http.MethodPost && q.Has("delete") && f.notifying(bucket):
		return f.deleteObjectsEvents(rw, r, bucket, body)
	case key == "" && r.Method == http.MethodGet && q.Has("versioning"):
		return f.getBucketVersioning(rw, bucket)
	case key == "" && r.Method == http.MethodGet && q.Has("uploads"):
		return f.listMultipartUploads(rw, r, bucket, q)
	case key == "":
		if r.Method == http.MethodGet {
			r = fixListMarker(r, q)
		}
		if err := f.forward(rw, r, body, false); err != nil {
			return err
		}
		if r.Method == http.MethodDelete && len(q) == 0 && rw.ok() {
			f.mu.Lock()
			delete(f.encryption, bucket) // DeleteBucket
			f.mu.Unlock()
			f.dropNotifications(bucket)
		}
		if r.Method == http.MethodPost && len(q) == 0 && rw.ok() && f.notifying(bucket) {
			if k, ok := browserUploadKey(r, body); ok {
				if ev, ok := f.createdObject("ObjectCreated:Post", bucket, k); ok {
					f.notify(bucket, f.requestInfo(rw, r), ev)
				}
			}
		}
		return nil
	}
	uploadID := q.Get("uploadId")
	switch {
	case r.Method == http.MethodPost && q.Has("uploads"):
		return f.createMultipartUpload(rw, r, bucket, key, body)
	case uploadID != "" && r.Method == http.MethodPut:
		return f.uploadPart(rw, r, uploadID, body)
	case uploadID != "" && r.Method == http.MethodPost:
		return f.completeMultipartUpload(rw, r, bucket, key, uploadID, body)
	case uploadID != "" && r.Method == http.MethodDelete:
		if err := f.forward(rw, r, nil, false); err != nil {
			return err
		}
		if rw.ok() {
			f.mu.Lock()
			delete(f.uploads, uploadID)
			f.mu.Unlock()
		}
		return nil
	case uploadID != "":
		return f.forward(rw, r, body, false)
	case r.Method == http.MethodPut:
		return f.putObject(rw, r, bucket, key, body)
	case r.Method == http.MethodDelete && !q.Has("versionId"):
		notifying := f.notifying(bucket)
		existed := notifying && f.objectExists(bucket, key)
		if err := f.forward(rw, r, nil, false); err != nil {
			return err
		}
		if rw.ok() {
			f.setTags(bucket, key, "", nil) // tags follow the object
			if notifying {
				f.deleteEvent(rw, r, bucket, key, existed)
			}
		}
		return nil
	case r.Method == http.MethodDelete:
		if err := f.forward(rw, r, nil, false); err != nil {
			return err
		}
		if rw.ok() && f.notifying(bucket) {
			f.notify(bucket, f.requestInfo(rw, r), objectEvent{name: "ObjectRemoved:Delete", key: key, versionID: q.Get("versionId")})
		}
		return nil
	case r.Method == http.MethodGet || r.Method == http.MethodHead:
		rw.object = true
		r = f.fixRange(r, bucket, key, q)
		rw.checksumMode = strings.EqualFold(r.Header.Get("X-Amz-Checksum-Mode"), "ENABLED") && !q.Has("partNumber")
		return f.forward(rw, r, nil, false)
	}
	return f.forward(rw, r, body, false)
}

// streamsBody reports whether r's body streams to the backend (bodyStream)
// rather than being read whole: PutObject and UploadPart, the requests
// whose body is an object's data (up to MaxObjectSize).
func streamsBody(r *http.Request, q url.Values, key string) bool {
	if r.Method != http.MethodPut || key == "" || r.Header.Get("X-Amz-Copy-Source") != "" {
		return false
	}
	for _, sub := range []string{"tagging", "acl", "encryption", "notification"} {
		if q.Has(sub) {
			return false
		}
	}
	return true
}

// splitPath splits a path-style URL path into bucket and key, refusing
// path traversal: "." or ".." segments (also when sent as %2e), backslash
// variants and NUL bytes.
func splitPath(p string) (bucket, key string, err error) {
	if !strings.HasPrefix(p, "/") {
		return "", "", newError(http.StatusBadRequest, "InvalidURI", "Couldn't parse the specified URI.")
	}
	bucket, key, _ = strings.Cut(p[1:], "/")
	if strings.IndexByte(p, 0) >= 0 {
		return "", "", newError(http.StatusBadRequest, "InvalidArgument", "Object key must not contain NUL bytes.")
	}
	for _, seg := range strings.FieldsFunc(p, func(r rune) bool { return r == '/' || r == '\\' }) {
		if seg == "." || seg == ".." {
			e := newError(http.StatusBadRequest, "InvalidArgument", "Object key must not contain relative path segments (\".\" or \"..\").")
			e.Resource = p
			return "", "", e
		}
	}
	return bucket, key, nil
}

func (f *Front) checkTimeSkew(r *http.Request) error {
	if !f.checkSkew {
		return nil
	}
	v := r.Header.Get("X-Amz-Date")
	if v == "" {
		return nil
	}
	t, err := time.Parse("20060102T150405Z", v)
	if err != nil {
		return nil // gofakes3 never refused unparsable dates either
	}
	const limit = 15 * time.Minute
	if d := f.clock.Now().Sub(t); d > limit || d < -limit {
		return newError(http.StatusForbidden, "RequestTimeTooSkewed", "The difference between the request time and the current time is too large.")
	}
	return nil
}

// rejectedSubresources are S3 sub-resources gofakes3 v1.2.0 does not route:
// it would treat them as plain object or bucket requests (a PUT ?lifecycle
// would overwrite the object with the XML). tagging, acl, encryption and
// notification are served here.
var rejectedSubresources = map[string]bool{
	"accelerate": true, "analytics": true, "attributes": true, "cors": true,
	"intelligent-tiering": true, "inventory": true,
	"legal-hold": true, "lifecycle": true, "logging": true, "metrics": true,
	"object-lock": true, "ownershipControls": true,
	"policy": true, "policyStatus": true, "publicAccessBlock": true,
	"replication": true, "requestPayment": true, "restore": true,
	"retention": true, "select": true, "select-type": true, "torrent": true,
	"website": true, "renameObject": true, "metadataTable": true,
	"metadataConfiguration": true, "session": true, "abac": true,
	"inventoryConfiguration": true,
}

// writeSafeParams are the query parameters a mutating request may carry and
// still be routed to gofakes3 (or served here).
var writeSafeParams = map[string]bool{
	"uploads": true, "uploadId": true, "partNumber": true, "versionId": true,
	"versioning": true, "delete": true, "tagging": true, "acl": true, "encryption": true, "notification": true, "x-id": true,
	"AWSAccessKeyId": true, "Signature": true, "Expires": true,
}

// checkSubresources answers NotImplemented for sub-resources gofakes3 would
// misroute, and for any unknown parameter on a mutating request.
func checkSubresources(method string, q url.Values) error {
	for name := range q {
		if rejectedSubresources[name] {
			return errNotImplemented("?" + name)
		}
		if method == http.MethodGet || method == http.MethodHead || method == http.MethodOptions {
			continue
		}
		if writeSafeParams[name] || strings.HasPrefix(strings.ToLower(name), "x-amz-") {
			continue
		}
		return errNotImplemented("?" + name)
	}
	return nil
}

// forward passes r to gofakes3, with body (decoded) in place of the wire
// body. sanitize drops headers that must not become object metadata.
func (f *Front) forward(rw http.ResponseWriter, r *http.Request, body *requestBody, sanitize bool) error {
	f.s3.ServeHTTP(rw, forwardRequest(r, body, sanitize))
	return nil
}

// forwardRequest clones r for gofakes3: decoded body and its length, no
// aws-chunked or streaming headers, no client-sent internal headers.
func forwardRequest(r *http.Request, body *requestBody, sanitize bool) *http.Request {
	r2 := r.Clone(r.Context())
	h := r2.Header
	for k := range h {
		if strings.HasPrefix(k, internalPrefix) || sanitize && strings.HasPrefix(k, "X-Amz-") && !keepRequestHeader(k) {
			delete(h, k)
		}
	}
	if body == nil {
		return r2
	}
	if body.stream != nil {
		r2.Body = io.NopCloser(body.stream)
		r2.ContentLength = body.stream.declared
	} else {
		r2.Body = io.NopCloser(bytes.NewReader(body.data))
		r2.ContentLength = int64(len(body.data))
	}
	r2.TransferEncoding = nil
	h.Del("Transfer-Encoding")
	h.Set("Content-Length", strconv.FormatInt(r2.ContentLength, 10))
	h.Del("X-Amz-Decoded-Content-Length")
	h.Del("X-Amz-Trailer")
	h.Del("X-Amz-Content-Sha256") // gofakes3 runs its own (broken) chunk reader when it sees STREAMING-…
	if ce := stripAwsChunked(h.Values("Content-Encoding")); ce == "" {
		h.Del("Content-Encoding")
	} else {
		h.Set("Content-Encoding", ce)
	}
	return r2
}

// keepRequestHeader lists the x-amz- request headers that may be stored as
// object metadata (gofakes3 stores every X-Amz-* header it sees).
func keepRequestHeader(k string) bool {
	switch k {
	case "X-Amz-Acl", "X-Amz-Storage-Class", "X-Amz-Website-Redirect-Location",
		"X-Amz-Copy-Source", "X-Amz-Metadata-Directive":
		return true
	}
	for _, p := range []string{"X-Amz-Meta-", "X-Amz-Server-Side-Encryption", "X-Amz-Object-Lock-"} {
		if strings.HasPrefix(k, p) {
			return true
		}
	}
	return false
}

// stripAwsChunked removes the aws-chunked coding from Content-Encoding values.
func stripAwsChunked(values []string) string {
	var keep []string
	for _, v := range values {
		for c := range strings.SplitSeq(v, ",") {
			c = strings.TrimSpace(c)
			if c != "" && !strings.EqualFold(c, "aws-chunked") {
				keep = append(keep, c)
			}
		}
	}
	return strings.Join(keep, ",")
}

// gofakesLogger adapts slog to gofakes3.Logger.
type gofakesLogger struct{ l *slog.Logger }

func (g gofakesLogger) Print(level gofakes3.LogLevel, v ...any) {
	lv := slog.LevelDebug
	switch level {
	case gofakes3.LogErr:
		lv = slog.LevelError
	case gofakes3.LogWarn:
		lv = slog.LevelWarn
	}
	g.l.Log(context.Background(), lv, "gofakes3: "+strings.TrimSuffix(fmt.Sprintln(v...), "\n"))
}

// fixListMarker makes a delimited listing continue after a whole common
// prefix. gofakes3's memory backend resumes right after the last key it
// rolled into a common prefix and reports that prefix again on the next page;
// S3 never repeats a common prefix. A continuation token (V2) or marker (V1)
// that falls inside a common prefix is moved past every key under it.
func fixListMarker(r *http.Request, q url.Values) *http.Request {
	delim := q.Get("delimiter")
	if delim == "" || q.Has("uploads") || q.Has("versions") {
		return r
	}
	prefix := q.Get("prefix")
	skip := func(marker string) (string, bool) {
		rest, ok := strings.CutPrefix(marker, prefix)
		if !ok {
			return "", false
		}
		i := strings.Index(rest, delim)
		if i < 0 {
			return "", false
		}
		// 0xff never occurs in UTF-8, so this sorts after every key under the prefix.
		return prefix + rest[:i+len(delim)] + "\xff", true
	}
	changed := false
	if tok := q.Get("continuation-token"); tok != "" {
		if m, err := base64.URLEncoding.DecodeString(tok); err == nil {
			if nm, ok := skip(string(m)); ok {
				q.Set("continuation-token", base64.URLEncoding.EncodeToString([]byte(nm)))
				changed = true
			}
		}
	} else if m := q.Get("marker"); m != "" {
		if nm, ok := skip(m); ok {
			q.Set("marker", nm)
			changed = true
		}
	}
	if !changed {
		return r
	}
	r2 := r.Clone(r.Context())
	r2.URL.RawQuery = q.Encode()
	return r2
}

// maxDrain bounds how much of a refused request's body is read (and
// dropped) so that the client sees the error instead of a reset connection.
const maxDrain = 8 << 20

// drain discards what is left of a refused request's body.
func (f *Front) drain(rw *responseWriter, r *http.Request, cause error) {
	if r.Body == nil || r.Body == http.NoBody || isTimeout(cause) {
		return
	}
	if _, ok := errors.AsType[*s3Error](cause); !ok {
		if _, ok := errors.AsType[gofakes3.Error](cause); !ok {
			return
		}
	}
	f.discard(rw, r)
}

// discard reads and drops up to maxDrain bytes of what is left of r's body.
func (f *Front) discard(rw *responseWriter, r *http.Request) {
	src := &idleReader{r: r.Body, rc: http.NewResponseController(rw.ResponseWriter), timeout: min(f.idleTimeout, 2*time.Second)}
	defer src.clear()
	_, _ = io.CopyN(io.Discard, src, maxDrain)
}

// fixRange adjusts the Range header where gofakes3 differs from S3: a
// header S3 would ignore (bad syntax, several ranges) is dropped, and a
// suffix range longer than the object means the whole object (RFC 9110
// §14.1.2), which gofakes3 refuses with 416.
func (f *Front) fixRange(r *http.Request, bucket, key string, q url.Values) *http.Request {
	v := r.Header.Get("Range")
	if v == "" {
		return r
	}
	spec, ok := strings.CutPrefix(strings.TrimSpace(v), "bytes=")
	valid := ok && !strings.Contains(spec, ",")
	var suffix int64 = -1
	if valid {
		first, last, found := strings.Cut(strings.TrimSpace(spec), "-")
		first, last = strings.TrimSpace(first), strings.TrimSpace(last)
		switch {
		case !found:
			valid = false
		case first == "":
			n, err := strconv.ParseInt(last, 10, 64)
			valid = err == nil && n >= 0
			suffix = n
		default:
			a, err := strconv.ParseInt(first, 10, 64)
			valid = err == nil && a >= 0
			if valid && last != "" {
				b, err := strconv.ParseInt(last, 10, 64)
				valid = err == nil && b >= a
			}
		}
	}
	switch {
	case !valid:
		r = r.Clone(r.Context())
		r.Header.Del("Range")
	case suffix > 0 && q.Get("versionId") == "":
		obj, err := f.backend.HeadObject(bucket, key)
		if err != nil || obj == nil {
			return r
		}
		if obj.Contents != nil {
			_ = obj.Contents.Close()
		}
		if suffix > obj.Size && obj.Size > 0 {
			r = r.Clone(r.Context())
			r.Header.Set("Range", "bytes=0-")
		}
	}
	return r
}

// versioningOn reports whether versioning was ever enabled on bucket.
func (f *Front) versioningOn(bucket string) bool {
	vb, ok := f.backend.(gofakes3.VersionedBackend)
	if !ok {
		return false
	}
	cfg, err := vb.VersioningConfiguration(bucket)
	return err == nil && cfg.Status != ""
}

// trustedKey marks the context of a request made by the program that
// embeds the Front (Trusted).
type trustedKey struct{}

// Trusted returns r marked as the embedding program's own request, which
// Options.Auth does not check (it has no client signature to check).
func Trusted(r *http.Request) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), trustedKey{}, true))
}

// authenticate verifies r's signature when Options.Auth is set; the
// result (nil without Auth, and for PutObject's and Trusted requests)
// seeds the chunk-signature chain of a streaming body.
func (f *Front) authenticate(r *http.Request) (*sigv4.Result, error) {
	if f.auth == nil || r.Context().Value(internalKey{}) != nil || r.Context().Value(trustedKey{}) != nil {
		return nil, nil
	}
	res, err := f.auth.VerifyS3(r)
	if err != nil {
		return nil, authError(err)
	}
	return res, nil
}

// authError is S3's answer to a failed verification (sigv4.Error).
func authError(err error) error {
	ve, ok := errors.AsType[*sigv4.Error](err)
	if !ok {
		return err
	}
	el := func(name, value string) xmlElement { return xmlElement{XMLName: xml.Name{Local: name}, Value: value} }
	var e *s3Error
	switch ve.Kind {
	case sigv4.Missing:
		e = knownError(0, "AccessDenied", "")
	case sigv4.Malformed:
		if ve.MissingPayloadHash() {
			e = newError(http.StatusBadRequest, "InvalidRequest", "Missing required header for this request: x-amz-content-sha256")
		} else {
			e = newError(http.StatusBadRequest, "AuthorizationHeaderMalformed", "The authorization header is malformed; %s", ve.Message)
		}
	case sigv4.BadQuery:
		e = newError(http.StatusBadRequest, "AuthorizationQueryParametersError", "%s", ve.Message)
	case sigv4.Ambiguous:
		e = newError(http.StatusBadRequest, "InvalidArgument", "%s", ve.Message)
	case sigv4.Unsupported:
		e = newError(http.StatusBadRequest, "InvalidRequest", "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.")
	case sigv4.UnknownKey:
		e = newError(http.StatusForbidden, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.")
		e.extra = []xmlElement{el("AWSAccessKeyId", ve.AccessKeyID)}
	case sigv4.BadToken:
		e = knownError(0, "InvalidToken", "")
	case sigv4.Mismatch:
		e = newError(http.StatusForbidden, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your key and signing method.")
		if ve.AccessKeyID != "" {
			e.extra = append(e.extra, el("AWSAccessKeyId", ve.AccessKeyID))
		}
		e.extra = append(e.extra, el("StringToSign", ve.StringToSign), el("SignatureProvided", ve.SignatureProvided))
		if ve.CanonicalRequest != "" {
			e.extra = append(e.extra, el("CanonicalRequest", ve.CanonicalRequest))
		}
	case sigv4.Skewed:
		e = knownError(0, "RequestTimeTooSkewed", "")
		e.extra = []xmlElement{
			el("RequestTime", ve.RequestTime.UTC().Format(sigv4.TimeFormat)),
			el("ServerTime", ve.ServerTime.UTC().Format(time.RFC3339)),
			el("MaxAllowedSkewMilliseconds", strconv.FormatInt(sigv4.MaxSkew.Milliseconds(), 10)),
		}
	case sigv4.Expired:
		e = newError(http.StatusForbidden, "AccessDenied", "Request has expired")
		e.extra = []xmlElement{
			el("X-Amz-Expires", strconv.FormatInt(int64(ve.Expires/time.Second), 10)),
			el("Expires", ve.RequestTime.Add(ve.Expires).UTC().Format(time.RFC3339)),
			el("ServerTime", ve.ServerTime.UTC().Format(time.RFC3339)),
		}
	case sigv4.NotYetValid:
		e = newError(http.StatusForbidden, "AccessDenied", "Request is not valid yet")
	default:
		e = knownError(0, "AccessDenied", "")
	}
	return e
}

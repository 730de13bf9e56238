package s3front

import (
	"bytes"
	"encoding/xml"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// responseWriter sits between gofakes3 and the client. When the header is
// written it sets our request id and, for object GET/HEAD, turns the internal
// metadata into S3's headers: the stored checksum (whole-object reads with
// x-amz-checksum-mode: ENABLED only), the multipart ETag, the tag count and
// lower-case x-amz-meta-* names; everything else x-amz-* that gofakes3
// echoes from stored metadata is dropped.
type responseWriter struct {
	http.ResponseWriter
	f         *Front
	requestID string

	method string

	// wroteHeader is set once the status is chosen, sent once it went to
	// the client. An error status (4xx, 5xx) is held with its body in
	// errBody until finish, which sends S3's complete error document.
	wroteHeader, sent bool
	status            int
	errBody           *bytes.Buffer

	bucket, key  string
	onSuccess    http.Header // added to a 2xx response
	object       bool        // object GET/HEAD
	checksumMode bool        // x-amz-checksum-mode: ENABLED
}

func (w *responseWriter) WriteHeader(code int) {
	if w.wroteHeader {
		return
	}
	w.wroteHeader = true
	w.status = code
	if code >= 400 {
		w.errBody = new(bytes.Buffer)
		return
	}
	w.sent = true
	w.fixHeader(code)
	w.ResponseWriter.WriteHeader(code)
}

func (w *responseWriter) Write(p []byte) (int, error) {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if w.errBody != nil {
		return w.errBody.Write(p)
	}
	return w.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the connection.
func (w *responseWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// ok reports whether the response so far is a success (gofakes3 often
// succeeds without writing a status).
func (w *responseWriter) ok() bool { return !w.wroteHeader || w.status/100 == 2 }

// finish writes the header if gofakes3 did not, or the error it wrote.
func (w *responseWriter) finish() {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if w.errBody == nil || w.sent {
		return
	}
	var e *s3Error
	var xe xmlError
	if xml.Unmarshal(w.errBody.Bytes(), &xe) == nil && xe.Code != "" {
		e = knownError(w.status, xe.Code, xe.Message)
		e.Resource, e.extra = xe.Resource, xe.Extra
	} else {
		e = knownError(w.status, codeForStatus(w.status), "")
		e.Status = w.status // a HEAD response: no code to go by
	}
	w.writeError(e)
}

// writeError sends e as S3's XML error document (no body for HEAD) with the
// request id, and the elements S3 adds for some codes.
func (w *responseWriter) writeError(e *s3Error) {
	w.errBody = nil
	w.wroteHeader, w.sent, w.status = true, true, e.Status
	extra := e.extra
	add := func(name, value string) {
		if value == "" || slices.ContainsFunc(extra, func(x xmlElement) bool { return x.XMLName.Local == name }) {
			return
		}
		extra = append(extra, xmlElement{XMLName: xml.Name{Local: name}, Value: value})
	}
	switch e.Code {
	case "NoSuchKey":
		add("Key", w.key)
	case "NoSuchBucket":
		add("BucketName", w.bucket)
	case "MethodNotAllowed":
		add("Method", w.method)
		switch {
		case w.key != "":
			add("ResourceType", "OBJECT")
		case w.bucket != "":
			add("ResourceType", "BUCKET")
		default:
			add("ResourceType", "SERVICE")
		}
	}
	w.fixHeader(e.Status)
	h := w.Header()
	h.Set("Content-Type", "application/xml")
	if w.method == http.MethodHead {
		h.Del("Content-Length")
		w.ResponseWriter.WriteHeader(e.Status)
		return
	}
	body, err := xml.Marshal(xmlError{Code: e.Code, Message: e.Message, Resource: e.Resource, Extra: extra, RequestID: w.requestID, HostID: hostID(w.requestID)})
	if err != nil {
		body = []byte("<Error><Code>InternalError</Code></Error>")
	}
	h.Set("Content-Length", strconv.Itoa(len(xml.Header)+len(body)))
	w.ResponseWriter.WriteHeader(e.Status)
	_, _ = w.ResponseWriter.Write([]byte(xml.Header))
	_, _ = w.ResponseWriter.Write(body)
}

func (w *responseWriter) fixHeader(code int) {
	h := w.Header()
	h.Set("X-Amz-Request-Id", w.requestID)
	h.Set("X-Amz-Id-2", hostID(w.requestID))
	if code/100 == 2 {
		addHeaders(h, w.onSuccess)
	}
	if !w.object {
		for k := range h {
			if strings.HasPrefix(k, internalPrefix) {
				delete(h, k)
			}
		}
		if strings.HasPrefix(h.Get("Content-Type"), "text/xml") {
			h.Set("Content-Type", "application/xml") // gofakes3 says text/xml; S3 application/xml
		}
		return
	}
	ck, _ := parseStoredChecksum(h.Get(hdrChecksum))
	etag := h.Get(hdrETag)
	identity := responseIdentity(h)
	for k, v := range h {
		switch {
		case strings.HasPrefix(k, "X-Amz-Meta-"):
			delete(h, k)
			h[strings.ToLower(k)] = v
		case strings.HasPrefix(k, "X-Amz-") && !keepResponseHeader(k):
			delete(h, k)
		}
	}
	success := code == http.StatusOK || code == http.StatusPartialContent
	if etag != "" && (success || code == http.StatusNotModified) {
		h.Set("Etag", etag)
	}
	if !success {
		return
	}
	if h.Get("X-Amz-Version-Id") != "" && !w.f.versioningOn(w.bucket) {
		h.Del("X-Amz-Version-Id") // gofakes3's memory backend reports one on HEAD regardless
	}
	if code == http.StatusOK && w.checksumMode && ck.alg != "" {
		h.Set(ck.alg.headerName(), ck.value)
		h.Set("X-Amz-Checksum-Type", ck.ctype)
	}
	if n := w.f.tagCount(w.bucket, w.key, identity); n > 0 {
		h.Set("X-Amz-Tagging-Count", strconv.Itoa(n))
	}
	if h.Get("Content-Type") == "" {
		h.Set("Content-Type", "binary/octet-stream")
	}
	if h.Get("X-Amz-Storage-Class") == "STANDARD" {
		h.Del("X-Amz-Storage-Class") // S3 omits it for STANDARD
	}
}

// keepResponseHeader lists the x-amz- headers an object GET/HEAD may carry.
func keepResponseHeader(k string) bool {
	switch k {
	case "X-Amz-Request-Id", "X-Amz-Id-2", "X-Amz-Version-Id", "X-Amz-Delete-Marker",
		"X-Amz-Storage-Class", "X-Amz-Website-Redirect-Location", "X-Amz-Restore",
		"X-Amz-Expiration", "X-Amz-Mp-Parts-Count", "X-Amz-Replication-Status", "X-Amz-Missing-Meta":
		return true
	}
	return strings.HasPrefix(k, "X-Amz-Server-Side-Encryption") || strings.HasPrefix(k, "X-Amz-Object-Lock-")
}

// captureWriter records a response in memory.
type captureWriter struct {
	h           http.Header
	status      int
	wroteHeader bool
	body        bytes.Buffer
}

func newCaptureWriter() *captureWriter {
	return &captureWriter{h: make(http.Header), status: http.StatusOK}
}

func (c *captureWriter) Header() http.Header { return c.h }

func (c *captureWriter) WriteHeader(code int) {
	if !c.wroteHeader {
		c.wroteHeader = true
		c.status = code
	}
}

func (c *captureWriter) Write(p []byte) (int, error) {
	c.WriteHeader(http.StatusOK)
	return c.body.Write(p)
}

// copyTo replays the captured response to w.
func (c *captureWriter) copyTo(w http.ResponseWriter) {
	h := w.Header()
	for k, v := range c.h {
		if !strings.HasPrefix(k, internalPrefix) {
			h[k] = v
		}
	}
	if c.body.Len() > 0 {
		h.Set("Content-Length", strconv.Itoa(c.body.Len()))
	}
	w.WriteHeader(c.status)
	_, _ = w.Write(c.body.Bytes())
}

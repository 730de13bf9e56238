package s3front

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/johannesboyne/gofakes3"
)

// maxUserMetadata is S3's limit on user-defined metadata: keys and values,
// UTF-8 bytes, x-amz-meta- prefix not counted.
const maxUserMetadata = 2 << 10

func checkUserMetadata(h http.Header) error {
	n := 0
	for k, vs := range h {
		if strings.HasPrefix(k, "X-Amz-Meta-") && len(vs) > 0 {
			n += len(k) - len("X-Amz-Meta-") + len(vs[0])
		}
	}
	if n > maxUserMetadata {
		return newError(http.StatusBadRequest, "MetadataTooLarge", "Your metadata headers exceed the maximum allowed metadata size.")
	}
	return nil
}

// putObject serves PutObject and CopyObject: the decoded body goes to
// gofakes3 with the object's checksum and a fresh id as internal metadata.
func (f *Front) putObject(rw *responseWriter, r *http.Request, bucket, key string, body *requestBody) error {
	if err := checkUserMetadata(r.Header); err != nil {
		return err
	}
	tags, err := parseTaggingHeader(r.Header.Get("X-Amz-Tagging"))
	if err != nil {
		return err
	}
	copySource := r.Header.Get("X-Amz-Copy-Source")
	if copySource != "" && !strings.EqualFold(r.Header.Get("X-Amz-Tagging-Directive"), "REPLACE") {
		tags = f.copySourceTags(copySource)
	}
	release, err := f.checkWriteConditions(r, bucket, key)
	if err != nil {
		return err
	}
	defer release()
	r2 := forwardRequest(r, body, true)
	if rw.onSuccess, err = f.applySSE(bucket, r2.Header); err != nil {
		return err
	}
	id := f.newObjectID()
	r2.Header.Set(hdrID, id)
	r2.Header.Set(hdrETag, "") // a copy, too, is a new single-part object
	var ck storedChecksum
	switch {
	case copySource != "":
	case body.streamed():
		// The backend stores the checksum once the body verified.
		r2.Header.Set(hdrChecksum, "")
		f.mu.Lock()
		f.streams[id] = body.stream
		f.mu.Unlock()
		defer f.takeStream(id)
	default:
		// S3 gives every new object a checksum: the client's, else CRC64NVME.
		ck = body.objectChecksum()
		r2.Header.Set(hdrChecksum, ck.encode())
	}
	f.s3.ServeHTTP(rw, r2)
	if err := body.failure(); err != nil {
		return err // nothing stored: gofakes3's backends read the whole body first
	}
	if !rw.ok() {
		return nil
	}
	if body.streamed() {
		ck = body.objectChecksum()
	}
	if ck.alg != "" && !rw.wroteHeader {
		rw.Header().Set(ck.alg.headerName(), ck.value)
		rw.Header().Set("X-Amz-Checksum-Type", ck.ctype)
	}
	f.setTags(bucket, key, id, tags)
	if f.notifying(bucket) {
		f.putEvent(rw, r, bucket, key, copySource != "", body)
	}
	return nil
}

// writeClaims holds the objects with a conditional write in progress: a
// second conditional write to one of them is answered 409
// ConditionalRequestConflict, as S3 does, so that the check and the write
// of each are one step for every other conditional writer. (Unconditional
// writes do not wait: as in S3, they simply replace the object.) Entries
// live only as long as a request; keyed by Front so that Fronts do not
// share them.
var writeClaims sync.Map // writeClaim -> struct{}

type writeClaim struct {
	f           *Front
	bucket, key string
}

// checkWriteConditions applies the conditional-write headers of PutObject,
// CopyObject and CompleteMultipartUpload to the current object bucket/key
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html):
// If-None-Match: * fails with 412 PreconditionFailed when the object
// exists; If-Match: ETAG fails with 412 when its ETag differs and 404
// NoSuchKey when there is none. A delete marker is no object. With either
// header the object is claimed until release is called, the write done.
func (f *Front) checkWriteConditions(r *http.Request, bucket, key string) (release func(), err error) {
	noneMatch, match := r.Header.Get("If-None-Match"), r.Header.Get("If-Match")
	if noneMatch == "" && match == "" {
		return func() {}, nil
	}
	if noneMatch != "" && noneMatch != "*" {
		// S3 writes take only the wildcard.
		e := knownError(0, "NotImplemented", "")
		e.extra = []xmlElement{{XMLName: xml.Name{Local: "Header"}, Value: "If-None-Match"}}
		return nil, e
	}
	if ok, err := f.backend.BucketExists(bucket); err != nil || !ok {
		return func() {}, nil // gofakes3 answers NoSuchBucket
	}
	claim := writeClaim{f, bucket, key}
	if _, busy := writeClaims.LoadOrStore(claim, struct{}{}); busy {
		return nil, knownError(0, "ConditionalRequestConflict", "")
	}
	release = func() { writeClaims.Delete(claim) }
	etag, exists, err := f.currentETag(bucket, key)
	var failed string
	switch {
	case err != nil:
		release()
		return nil, err // answered InternalError: never write blind
	case noneMatch == "*" && exists:
		failed = "If-None-Match"
	case match != "" && !exists:
		release()
		return nil, knownError(0, "NoSuchKey", "")
	case match != "" && match != "*" && strings.Trim(match, `"`) != etag:
		failed = "If-Match"
	}
	if failed != "" {
		release()
		e := knownError(0, "PreconditionFailed", "")
		e.extra = []xmlElement{{XMLName: xml.Name{Local: "Condition"}, Value: failed}}
		return nil, e
	}
	return release, nil
}

// currentETag returns the ETag (unquoted) of the current object bucket/key,
// and whether there is one.
func (f *Front) currentETag(bucket, key string) (etag string, exists bool, err error) {
	obj, err := f.backend.HeadObject(bucket, key)
	if gofakes3.HasErrorCode(err, gofakes3.ErrNoSuchKey) {
		return "", false, nil
	}
	if err != nil || obj == nil {
		return "", false, err
	}
	if obj.Contents != nil {
		_ = obj.Contents.Close()
	}
	if obj.IsDeleteMarker {
		return "", false, nil
	}
	etag = strings.Trim(obj.Metadata[hdrETag], `"`)
	if etag == "" {
		etag = hex.EncodeToString(obj.Hash)
	}
	return etag, true, nil
}

// putEvent sends the ObjectCreated:Put or :Copy event of a stored object.
func (f *Front) putEvent(rw *responseWriter, r *http.Request, bucket, key string, copied bool, body *requestBody) {
	ev := objectEvent{name: "ObjectCreated:Put", key: key}
	if copied {
		var ok bool
		if ev, ok = f.createdObject("ObjectCreated:Copy", bucket, key); !ok {
			return
		}
	} else {
		h := rw.Header()
		ev.size = body.length()
		ev.etag = strings.Trim(h.Get("Etag"), `"`)
		ev.versionID = h.Get("X-Amz-Version-Id")
		if ev.etag == "" {
			ev.etag = hex.EncodeToString(body.md5())
		}
	}
	f.notify(bucket, f.requestInfo(rw, r), ev)
}

// copySourceTags returns the tags of the object named by x-amz-copy-source.
func (f *Front) copySourceTags(src string) []tag {
	src, _, _ = strings.Cut(src, "?")
	if u, err := url.PathUnescape(src); err == nil {
		src = u
	}
	b, k, ok := strings.Cut(strings.TrimPrefix(src, "/"), "/")
	if !ok {
		return nil
	}
	id, err := f.currentIdentity(b, k)
	if err != nil {
		return nil
	}
	return f.getTags(b, k, id)
}

// upload is the state of one multipart upload, by upload ID.
type upload struct {
	bucket, key string
	id          string // object id of the object it will create
	alg         checksumAlgorithm
	ctype       string
	explicit    bool // the client chose the algorithm
	tags        []tag
	sse         http.Header // encryption response headers
	parts       map[int]uploadedPart
}

type uploadedPart struct {
	sum  []byte
	etag string
}

func (f *Front) createMultipartUpload(rw *responseWriter, r *http.Request, bucket, key string, body *requestBody) error {
	if err := checkUserMetadata(r.Header); err != nil {
		return err
	}
	tags, err := parseTaggingHeader(r.Header.Get("X-Amz-Tagging"))
	if err != nil {
		return err
	}
	u := &upload{bucket: bucket, key: key, id: f.newObjectID(), tags: tags, parts: make(map[int]uploadedPart)}
	if v := r.Header.Get("X-Amz-Checksum-Algorithm"); v != "" {
		a, ok := parseAlgorithm(v)
		if !ok {
			return newError(http.StatusBadRequest, "InvalidRequest", "Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]")
		}
		u.alg, u.explicit = a, true
	}
	u.ctype = strings.ToUpper(r.Header.Get("X-Amz-Checksum-Type"))
	switch {
	case u.alg == "":
		// S3 default: a full-object CRC64NVME.
		if u.ctype != "" {
			return newError(http.StatusBadRequest, "InvalidRequest", "The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.")
		}
		u.alg, u.ctype = algCRC64NVME, checksumFullObject
	case u.ctype == "":
		u.ctype = checksumComposite
		if u.alg == algCRC64NVME {
			u.ctype = checksumFullObject
		}
	case u.ctype == checksumFullObject && (u.alg == algSHA1 || u.alg == algSHA256 || u.alg == algSHA512),
		u.ctype == checksumComposite && u.alg == algCRC64NVME,
		u.ctype != checksumFullObject && u.ctype != checksumComposite:
		return newError(http.StatusBadRequest, "InvalidRequest", "The %s checksum type cannot be used with the %s checksum algorithm.", strings.ToLower(u.ctype), strings.ToLower(string(u.alg)))
	}
	r2 := forwardRequest(r, body, true)
	if u.sse, err = f.applySSE(bucket, r2.Header); err != nil {
		return err
	}
	r2.Header.Set(hdrID, u.id)
	r2.Header.Set(hdrChecksum, "")
	r2.Header.Set(hdrETag, "")
	capture := newCaptureWriter()
	f.s3.ServeHTTP(capture, r2)
	if capture.status == http.StatusOK {
		var out struct {
			UploadID string `xml:"UploadId"`
		}
		if err := xml.Unmarshal(capture.body.Bytes(), &out); err == nil && out.UploadID != "" {
			f.mu.Lock()
			f.uploads[out.UploadID] = u
			f.mu.Unlock()
		}
		addHeaders(capture.h, u.sse)
		if u.explicit {
			capture.h.Set("X-Amz-Checksum-Algorithm", string(u.alg))
			capture.h.Set("X-Amz-Checksum-Type", u.ctype)
		}
	}
	capture.copyTo(rw)
	return nil
}

func (f *Front) lookupUpload(uploadID string) *upload {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.uploads[uploadID]
}

func (f *Front) uploadPart(rw *responseWriter, r *http.Request, uploadID string, body *requestBody) error {
	part, err := strconv.Atoi(r.URL.Query().Get("partNumber"))
	if err != nil || part < 1 || part > 10000 {
		return newError(http.StatusBadRequest, "InvalidArgument", "Part number must be an integer between 1 and 10000, inclusive")
	}
	u := f.lookupUpload(uploadID)
	alg := body.alg
	if u != nil {
		if body.alg != "" && body.alg != u.alg && u.explicit {
			return newError(http.StatusBadRequest, "InvalidRequest", "Checksum Type mismatch occurred, expected checksum Type: %s, actual checksum Type: %s", strings.ToLower(string(u.alg)), strings.ToLower(string(body.alg)))
		}
		alg = u.alg
	}
	if u != nil {
		rw.onSuccess = u.sse
	}
	f.s3.ServeHTTP(rw, forwardRequest(r, body, false))
	if err := body.failure(); err != nil {
		return err // gofakes3 keeps no part it could not read whole
	}
	if !rw.ok() || u == nil {
		return nil
	}
	sum := body.sum(alg)
	f.mu.Lock()
	u.parts[part] = uploadedPart{sum: sum, etag: rw.Header().Get("Etag")}
	f.mu.Unlock()
	if body.alg != "" && !rw.wroteHeader {
		rw.Header().Set(body.alg.headerName(), base64.StdEncoding.EncodeToString(body.sum(body.alg)))
	}
	return nil
}

// completeRequest is CompleteMultipartUpload's body, with the per-part
// checksums gofakes3 ignores.
type completeRequest struct {
	Parts []struct {
		PartNumber        int
		ETag              string
		ChecksumCRC32     string
		ChecksumCRC32C    string
		ChecksumCRC64NVME string
		ChecksumSHA1      string
		ChecksumSHA256    string
	} `xml:"Part"`
}

func (f *Front) completeMultipartUpload(rw *responseWriter, r *http.Request, bucket, key, uploadID string, body *requestBody) error {
	u := f.lookupUpload(uploadID)
	var c *completion
	if u != nil && u.bucket == bucket && u.key == key {
		var in completeRequest
		if err := xml.Unmarshal(body.data, &in); err == nil && len(in.Parts) > 0 {
			var err error
			if c, err = f.prepareCompletion(r, u, &in); err != nil {
				return err
			}
		}
	}
	release, err := f.checkWriteConditions(r, bucket, key)
	if err != nil {
		return err
	}
	defer release()
	if c != nil {
		f.mu.Lock()
		f.completions[u.id] = c
		f.mu.Unlock()
	}
	capture := newCaptureWriter()
	f.s3.ServeHTTP(capture, forwardRequest(r, body, false))
	if c != nil {
		f.takeCompletion(u.id) // if gofakes3 failed before storing
	}
	if capture.status == http.StatusOK && u != nil {
		f.mu.Lock()
		delete(f.uploads, uploadID)
		f.mu.Unlock()
		f.setTags(bucket, key, u.id, u.tags)
		addHeaders(capture.h, u.sse)
		if c != nil && c.done && c.value != "" && u.explicit {
			extra := "<Checksum" + string(c.alg) + ">" + c.value + "</Checksum" + string(c.alg) + "><ChecksumType>" + c.ctype + "</ChecksumType>"
			b := capture.body.Bytes()
			if i := bytes.LastIndex(b, []byte("</CompleteMultipartUploadResult>")); i >= 0 {
				nb := make([]byte, 0, len(b)+len(extra))
				nb = append(append(append(nb, b[:i]...), extra...), b[i:]...)
				capture.body.Reset()
				capture.body.Write(nb)
			}
		}
	}
	if capture.status == http.StatusOK && f.notifying(bucket) {
		if ev, ok := f.createdObject("ObjectCreated:CompleteMultipartUpload", bucket, key); ok {
			f.notify(bucket, f.requestInfo(rw, r), ev)
		}
	}
	capture.copyTo(rw)
	return nil
}

// prepareCompletion computes the ETag and (for composite checksums) the
// checksum of the object the listed parts make, and checks per-part
// checksums the client sent against the ones computed at upload.
func (f *Front) prepareCompletion(r *http.Request, u *upload, in *completeRequest) (*completion, error) {
	c := &completion{alg: u.alg, ctype: u.ctype}
	f.mu.Lock()
	parts := make([]uploadedPart, 0, len(in.Parts))
	for _, p := range in.Parts {
		up, ok := u.parts[p.PartNumber]
		if !ok {
			f.mu.Unlock()
			return nil, nil // gofakes3 answers InvalidPart
		}
		parts = append(parts, up)
	}
	f.mu.Unlock()

	etagHash := md5.New()
	sums := make([][]byte, 0, len(parts))
	for i, p := range in.Parts {
		raw, err := hex.DecodeString(strings.Trim(parts[i].etag, `"`))
		if err == nil {
			etagHash.Write(raw)
		}
		sums = append(sums, parts[i].sum)
		given := map[checksumAlgorithm]string{
			algCRC32: p.ChecksumCRC32, algCRC32C: p.ChecksumCRC32C, algCRC64NVME: p.ChecksumCRC64NVME,
			algSHA1: p.ChecksumSHA1, algSHA256: p.ChecksumSHA256,
		}
		for a, v := range given {
			if v == "" {
				continue
			}
			if a != u.alg || v != base64.StdEncoding.EncodeToString(parts[i].sum) {
				return nil, newError(http.StatusBadRequest, "InvalidPart", "One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.")
			}
		}
	}
	c.etag = `"` + hex.EncodeToString(etagHash.Sum(nil)) + "-" + strconv.Itoa(len(parts)) + `"`
	switch c.ctype {
	case checksumComposite:
		c.value = compositeChecksum(u.alg, sums)
		if v := r.Header.Get(u.alg.headerName()); v != "" && v != c.value {
			return nil, errBadDigest(string(u.alg))
		}
	case checksumFullObject:
		if v := r.Header.Get(u.alg.headerName()); v != "" {
			want, ok := decodeChecksum(u.alg, v)
			if !ok {
				return nil, errInvalidChecksumValue(u.alg.headerName(), false)
			}
			c.want = want
		}
	}
	return c, nil
}

// emptyUploadsResult is ListMultipartUploads' answer for a bucket without
// uploads, with every element S3 sends.
type emptyUploadsResult struct {
	XMLName            xml.Name `xml:"ListMultipartUploadsResult"`
	Xmlns              string   `xml:"xmlns,attr"`
	Bucket             string
	KeyMarker          string
	UploadIDMarker     string `xml:"UploadIdMarker"`
	NextKeyMarker      string
	NextUploadIDMarker string `xml:"NextUploadIdMarker"`
	Delimiter          string `xml:",omitempty"`
	Prefix             string `xml:",omitempty"`
	MaxUploads         int
	IsTruncated        bool
	EncodingType       string `xml:",omitempty"`
}

// listMultipartUploads serves ListMultipartUploads. gofakes3 answers
// NoSuchUpload (404) for a bucket that has never had an upload; S3 answers
// an empty listing.
func (f *Front) listMultipartUploads(rw *responseWriter, r *http.Request, bucket string, q url.Values) error {
	capture := newCaptureWriter()
	if err := f.forward(capture, r, nil, false); err != nil {
		return err
	}
	if capture.status == http.StatusNotFound {
		var xe xmlError
		if xml.Unmarshal(capture.body.Bytes(), &xe) == nil && xe.Code == "NoSuchUpload" {
			maxUploads, err := strconv.Atoi(q.Get("max-uploads"))
			if err != nil || maxUploads <= 0 || maxUploads > 1000 {
				maxUploads = 1000
			}
			return writeXML(rw, emptyUploadsResult{
				Xmlns: s3Xmlns, Bucket: bucket,
				KeyMarker: q.Get("key-marker"), UploadIDMarker: q.Get("upload-id-marker"),
				Delimiter: q.Get("delimiter"), Prefix: q.Get("prefix"),
				MaxUploads: maxUploads, EncodingType: q.Get("encoding-type"),
			})
		}
	}
	capture.copyTo(rw)
	return nil
}

// addHeaders copies the header fields of src into dst.
func addHeaders(dst, src http.Header) {
	for k, v := range src {
		dst[k] = v
	}
}

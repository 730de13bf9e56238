package s3front

import (
	"encoding/xml"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/johannesboyne/gofakes3"
)

const s3Xmlns = "http://s3.amazonaws.com/doc/2006-03-01/"

// Tag limits (https://docs.aws.amazon.com/AmazonS3/latest/userguide/tagging-managing.html).
const (
	maxTags        = 10
	maxTagKeyLen   = 128
	maxTagValueLen = 256
)

// tag is one object tag.
type tag struct {
	Key   string `xml:"Key"`
	Value string `xml:"Value"`
}

// objectTags are the tags of one object version, named by objectIdentity.
// Tags live in memory only.
type objectTags struct {
	identity string
	tags     []tag
}

type tagging struct {
	XMLName xml.Name `xml:"Tagging"`
	Xmlns   string   `xml:"xmlns,attr,omitempty"`
	TagSet  []tag    `xml:"TagSet>Tag"`
}

func tagKey(bucket, key string) string { return bucket + "\x00" + key }

// setTags replaces the tags of bucket/key (identity names the version).
func (f *Front) setTags(bucket, key, identity string, tags []tag) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(tags) == 0 {
		delete(f.tags, tagKey(bucket, key))
		return
	}
	f.tags[tagKey(bucket, key)] = objectTags{identity: identity, tags: tags}
}

// getTags returns the tags of bucket/key if they belong to identity.
func (f *Front) getTags(bucket, key, identity string) []tag {
	f.mu.Lock()
	defer f.mu.Unlock()
	t, ok := f.tags[tagKey(bucket, key)]
	if !ok || t.identity != identity {
		return nil
	}
	return t.tags
}

func (f *Front) tagCount(bucket, key, identity string) int {
	return len(f.getTags(bucket, key, identity))
}

// responseIdentity is objectIdentity computed from GET/HEAD response
// headers (gofakes3 echoes the metadata there).
func responseIdentity(h http.Header) string {
	meta := map[string]string{hdrID: h.Get(hdrID), "Last-Modified": h.Get("Last-Modified")}
	etag := strings.Trim(h.Get("Etag"), `"`)
	if meta[hdrID] != "" {
		return meta[hdrID]
	}
	return "e" + etag + "@" + meta["Last-Modified"]
}

// currentIdentity looks bucket/key up in the backend.
func (f *Front) currentIdentity(bucket, key string) (string, error) {
	if ok, err := f.backend.BucketExists(bucket); err != nil {
		return "", err
	} else if !ok {
		return "", gofakes3.BucketNotFound(bucket)
	}
	obj, err := f.backend.HeadObject(bucket, key)
	if err != nil {
		return "", err
	}
	if obj == nil {
		return "", gofakes3.KeyNotFound(key)
	}
	if obj.Contents != nil {
		_ = obj.Contents.Close()
	}
	if obj.IsDeleteMarker {
		return "", gofakes3.KeyNotFound(key)
	}
	return objectIdentity(obj.Metadata, obj.Hash), nil
}

func errInvalidTag(msg string) *s3Error {
	return newError(http.StatusBadRequest, "InvalidTag", "%s", msg)
}

func validateTags(tags []tag) error {
	if len(tags) > maxTags {
		return newError(http.StatusBadRequest, "BadRequest", "Object tags cannot be greater than 10")
	}
	seen := make(map[string]bool, len(tags))
	for _, t := range tags {
		switch {
		case t.Key == "" || utf8.RuneCountInString(t.Key) > maxTagKeyLen:
			return errInvalidTag("The TagKey you have provided is invalid")
		case utf8.RuneCountInString(t.Value) > maxTagValueLen:
			return errInvalidTag("The TagValue you have provided is invalid")
		case seen[t.Key]:
			return errInvalidTag("Cannot provide multiple Tags with the same key")
		}
		seen[t.Key] = true
	}
	return nil
}

// parseTaggingHeader parses x-amz-tagging ("k1=v1&k2=v2", URL-encoded).
func parseTaggingHeader(v string) ([]tag, error) {
	if v == "" {
		return nil, nil
	}
	q, err := url.ParseQuery(v)
	if err != nil {
		return nil, newError(http.StatusBadRequest, "InvalidArgument", "The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates.")
	}
	var tags []tag
	for k, vs := range q {
		if len(vs) != 1 {
			return nil, errInvalidTag("Cannot provide multiple Tags with the same key")
		}
		tags = append(tags, tag{Key: k, Value: vs[0]})
	}
	sortTags(tags)
	if err := validateTags(tags); err != nil {
		return nil, err
	}
	return tags, nil
}

func sortTags(tags []tag) {
	slices.SortFunc(tags, func(a, b tag) int { return strings.Compare(a.Key, b.Key) })
}

// serveTagging implements Put/Get/DeleteObjectTagging. Bucket tagging is
// not implemented.
func (f *Front) serveTagging(rw *responseWriter, r *http.Request, bucket, key string, body *requestBody) error {
	if key == "" {
		return errNotImplemented("bucket tagging")
	}
	if v := r.URL.Query().Get("versionId"); v != "" && v != "null" {
		return errNotImplemented("tagging of a specific object version")
	}
	identity, err := f.currentIdentity(bucket, key)
	if err != nil {
		return err
	}
	switch r.Method {
	case http.MethodPut:
		var in tagging
		if body == nil || xml.Unmarshal(body.data, &in) != nil {
			return newError(http.StatusBadRequest, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema")
		}
		if err := validateTags(in.TagSet); err != nil {
			return err
		}
		f.setTags(bucket, key, identity, in.TagSet)
		rw.WriteHeader(http.StatusOK)
		return nil
	case http.MethodGet:
		out := tagging{Xmlns: s3Xmlns, TagSet: f.getTags(bucket, key, identity)}
		if out.TagSet == nil {
			out.TagSet = []tag{}
		}
		return writeXML(rw, out)
	case http.MethodDelete:
		f.setTags(bucket, key, identity, nil)
		rw.WriteHeader(http.StatusNoContent)
		return nil
	}
	return knownError(0, "MethodNotAllowed", "")
}

type aclGrantee struct {
	XMLNS       string `xml:"xmlns:xsi,attr"`
	Type        string `xml:"xsi:type,attr"`
	ID          string `xml:"ID"`
	DisplayName string `xml:"DisplayName"`
}

type aclPolicy struct {
	XMLName xml.Name `xml:"AccessControlPolicy"`
	Xmlns   string   `xml:"xmlns,attr"`
	Owner   struct {
		ID          string `xml:"ID"`
		DisplayName string `xml:"DisplayName"`
	} `xml:"Owner"`
	Grants []struct {
		Grantee    aclGrantee `xml:"Grantee"`
		Permission string     `xml:"Permission"`
	} `xml:"AccessControlList>Grant"`
}

// Owner reported by GetObjectAcl/GetBucketAcl (gofakes3's ListBuckets owner).
const (
	ownerID          = "fe7272ea58be830e56fe1663b10fafef"
	ownerDisplayName = "GoFakeS3"
)

// serveACL accepts Put*Acl without touching anything and answers Get*Acl
// with the owner holding FULL_CONTROL.
func (f *Front) serveACL(rw *responseWriter, r *http.Request, bucket, key string, body *requestBody) error {
	if key == "" {
		if err := f.checkBucket(bucket); err != nil {
			return err
		}
	} else if _, err := f.currentIdentity(bucket, key); err != nil {
		return err
	}
	switch r.Method {
	case http.MethodPut:
		if body != nil && len(body.data) > 0 {
			var in aclPolicy
			if xml.Unmarshal(body.data, &in) != nil {
				return newError(http.StatusBadRequest, "MalformedACLError", "The XML you provided was not well-formed or did not validate against our published schema")
			}
		}
		rw.WriteHeader(http.StatusOK)
		return nil
	case http.MethodGet:
		var out aclPolicy
		out.Xmlns = s3Xmlns
		out.Owner.ID, out.Owner.DisplayName = ownerID, ownerDisplayName
		out.Grants = append(out.Grants, struct {
			Grantee    aclGrantee `xml:"Grantee"`
			Permission string     `xml:"Permission"`
		}{aclGrantee{"http://www.w3.org/2001/XMLSchema-instance", "CanonicalUser", ownerID, ownerDisplayName}, "FULL_CONTROL"})
		return writeXML(rw, out)
	}
	return knownError(0, "MethodNotAllowed", "")
}

// writeXML writes v as an S3 XML document with status 200.
func writeXML(w http.ResponseWriter, v any) error {
	b, err := xml.Marshal(v)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/xml")
	w.Header().Set("Content-Length", strconv.Itoa(len(xml.Header)+len(b)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(xml.Header))
	_, _ = w.Write(b)
	return nil
}

package sigv4

import (
	"bufio"
	"crypto/sha256"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func sha256Sum(b []byte) []byte {
	s := sha256.Sum256(b)
	return s[:]
}

func FuzzParseAuthorization(f *testing.F) {
	f.Add("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")
	f.Add("AWS4-HMAC-SHA256 Credential=,,,=")
	f.Add("AWS AK:sig")
	f.Add("AWS4-ECDSA-P256-SHA256 Credential=a/b/c/d")
	f.Add("AWS4-HMAC-SHA256 Credential=a/20150830/r/s/aws4_request,Credential=b")
	f.Fuzz(func(t *testing.T, h string) {
		hd, err := ParseAuthorization(h)
		if err == nil {
			_, _ = ParseCredential(hd.Credential)
		}
		r := &http.Request{Method: "GET", URL: &url.URL{Path: "/"}, Header: http.Header{"Authorization": {h}, "X-Amz-Date": {"20150830T123600Z"}}, Host: "h"}
		v := Verifier{Keys: NewKeys(Credentials{AccessKeyID: "a", SecretAccessKey: "s"}, Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "s"}), Now: func() time.Time { return time.Date(2015, 8, 30, 12, 36, 0, 0, time.UTC) }}
		_, _ = v.Verify(r, []byte(h))
		_, _ = v.VerifyS3(r)
	})
}

func FuzzParsePresigned(f *testing.F) {
	f.Add(presignQuery("", ""))
	f.Add(presignQuery("X-Amz-Expires", "-1"))
	f.Add("X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=%ZZ&&=;&X-Amz-Signature")
	f.Add("a=%2&b=+%20")
	f.Fuzz(func(t *testing.T, rawQuery string) {
		q, _ := url.ParseQuery(rawQuery)
		_, _ = ParsePresigned(q)
		_ = canonicalQuery(rawQuery, true)
		r, err := http.ReadRequest(bufio.NewReader(strings.NewReader("GET /b/k?" + strings.NewReplacer(" ", "%20", "\r", "", "\n", "", "#", "%23").Replace(rawQuery) + " HTTP/1.1\r\nHost: h\r\n\r\n")))
		if err != nil {
			return
		}
		v := Verifier{Keys: NewKeys(Credentials{AccessKeyID: "AK", SecretAccessKey: "s"}), Now: func() time.Time { return time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC) }}
		_, _ = v.VerifyS3(r)
	})
}

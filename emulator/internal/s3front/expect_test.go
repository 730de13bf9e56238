package s3front

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strconv"
	"testing"
	"time"
)

// TestRawExpectContinueEmptyBody checks that an empty PUT sent with
// "Expect: 100-continue" gets 100 Continue before its final status, as from
// S3, and that the connection then serves a second expect-continue PUT with
// a body. botocore stalls for its read timeout on the second PUT when the
// first was answered without 100 Continue.
func TestRawExpectContinueEmptyBody(t *testing.T) {
	f := newTestFront(t)
	srv := newServer(t, f, false)
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(10 * time.Second)); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(conn)
	read := func(what string) *http.Response {
		t.Helper()
		resp, err := http.ReadResponse(br, &http.Request{Method: http.MethodPut})
		if err != nil {
			t.Fatalf("%s: read response: %v", what, err)
		}
		_ = readBody(t, resp.Body)
		return resp
	}
	head := func(key string, n int) string {
		return "PUT /" + testBucket + "/" + key + " HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: " + strconv.Itoa(n) + "\r\n\r\n"
	}

	if _, err := io.WriteString(conn, head("empty", 0)); err != nil {
		t.Fatal(err)
	}
	if resp := read("empty PUT"); resp.StatusCode != http.StatusContinue {
		t.Fatalf("empty PUT: first response %d, want 100 Continue", resp.StatusCode)
	}
	if resp := read("empty PUT"); resp.StatusCode != http.StatusOK || resp.Close {
		t.Fatalf("empty PUT: final response %d (close %v), want 200 keeping the connection", resp.StatusCode, resp.Close)
	}

	if _, err := io.WriteString(conn, head("one", 1)); err != nil {
		t.Fatal(err)
	}
	if resp := read("1-byte PUT"); resp.StatusCode != http.StatusContinue {
		t.Fatalf("1-byte PUT: first response %d, want 100 Continue", resp.StatusCode)
	}
	if _, err := io.WriteString(conn, "x"); err != nil {
		t.Fatal(err)
	}
	if resp := read("1-byte PUT"); resp.StatusCode != http.StatusOK {
		t.Fatalf("1-byte PUT: final response %d, want 200", resp.StatusCode)
	}
	get := rawExchange(t, srv, request(http.MethodGet, "/"+testBucket+"/one", nil, nil), false)
	mustEqualBytes(t, "GET", get.body, []byte("x"))
}

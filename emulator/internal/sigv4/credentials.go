package sigv4

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// ParseCredentialsFile reads an AWS shared credentials file
// (~/.aws/credentials): [profile] sections of key = value lines,
// comments starting with '#' or ';'. Every profile with an
// aws_access_key_id and aws_secret_access_key gives a key pair (with its
// aws_session_token, if any); other keys are ignored. A profile with
// only one of the two, or a file with no key pair, is an error.
func ParseCredentialsFile(r io.Reader) ([]Credentials, error) {
	type profile struct {
		name string
		line int
		c    Credentials
	}
	var ps []*profile
	var cur *profile
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if n == 1 {
			line = strings.TrimPrefix(line, "\uFEFF")
		}
		switch {
		case line == "" || line[0] == '#' || line[0] == ';':
			continue
		case line[0] == '[':
			name, ok := strings.CutSuffix(line, "]")
			name = strings.TrimSpace(strings.TrimPrefix(name, "["))
			if !ok || name == "" {
				return nil, fmt.Errorf("line %d: malformed section header %q", n, line)
			}
			cur = &profile{name: name, line: n}
			ps = append(ps, cur)
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			return nil, fmt.Errorf("line %d: want key = value", n)
		}
		if cur == nil {
			return nil, fmt.Errorf("line %d: %s outside of a [profile] section", n, strings.TrimSpace(k))
		}
		v = strings.TrimSpace(v)
		switch strings.ToLower(strings.TrimSpace(k)) {
		case "aws_access_key_id":
			cur.c.AccessKeyID = v
		case "aws_secret_access_key":
			cur.c.SecretAccessKey = v
		case "aws_session_token", "aws_security_token":
			cur.c.SessionToken = v
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	var out []Credentials
	for _, p := range ps {
		switch {
		case p.c.AccessKeyID == "" && p.c.SecretAccessKey == "":
			continue // a profile of other settings
		case p.c.AccessKeyID == "":
			return nil, fmt.Errorf("profile %q (line %d): aws_secret_access_key without aws_access_key_id", p.name, p.line)
		case p.c.SecretAccessKey == "":
			return nil, fmt.Errorf("profile %q (line %d): aws_access_key_id without aws_secret_access_key", p.name, p.line)
		}
		out = append(out, p.c)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no profile with aws_access_key_id and aws_secret_access_key")
	}
	return out, nil
}

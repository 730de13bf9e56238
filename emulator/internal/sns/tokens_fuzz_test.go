package sns_test

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/firetrail/firetrail/emulator/internal/awsapi"
	"github.com/firetrail/firetrail/emulator/internal/sns"
	"github.com/firetrail/firetrail/emulator/trail"
)

// checkSNS4xx fails unless err is nil or an AWS error with a 4xx.
func checkSNS4xx(t *testing.T, what string, err error) {
	t.Helper()
	if err == nil {
		return
	}
	ae, ok := err.(*awsapi.Error)
	if !ok || ae.Status < 400 || ae.Status >= 500 || ae.Code == "" || ae.Message == "" {
		t.Fatalf("%s: %#v, want an AWS 4xx", what, err)
	}
}

var nextTokenRE = regexp.MustCompile(`<NextToken>([^<]*)</NextToken>`)

// FuzzSNSNextToken sends any NextToken to the three listings, over 150
// topics and subscriptions (two pages): a 4xx, or an XML page whose own
// NextToken gives the next page.
func FuzzSNSNextToken(f *testing.F) {
	svc, _ := newQueryService(f, "")
	for i := range 150 {
		if _, err := svc.HandleQuery(f.Context(), caller, "CreateTopic", url.Values{"Name": {fmt.Sprintf("t%03d", i)}}); err != nil {
			f.Fatal(err)
		}
		if _, err := svc.HandleQuery(f.Context(), caller, "Subscribe", url.Values{"TopicArn": {"arn:aws:sns:eu-west-1:111122223333:t000"}, "Protocol": {"sqs"}, "Endpoint": {queueARN + fmt.Sprint(i)}}); err != nil {
			f.Fatal(err)
		}
	}
	actions := []string{"ListTopics", "ListSubscriptions", "ListSubscriptionsByTopic"}
	for i := range actions {
		out, err := svc.HandleQuery(f.Context(), caller, actions[i], url.Values{"TopicArn": {"arn:aws:sns:eu-west-1:111122223333:t000"}})
		if err != nil {
			f.Fatal(err)
		}
		m := nextTokenRE.FindSubmatch(out)
		if m == nil {
			f.Fatalf("%s: no NextToken in %s", actions[i], out)
		}
		f.Add(uint8(i), string(m[1]))
		f.Add(uint8(i), "YQ")
		f.Add(uint8(i), "!!")
	}
	f.Fuzz(func(t *testing.T, action uint8, token string) {
		a := actions[int(action)%len(actions)]
		form := url.Values{"NextToken": {token}, "TopicArn": {"arn:aws:sns:eu-west-1:111122223333:t000"}}
		out, err := svc.HandleQuery(t.Context(), caller, a, form)
		if err != nil {
			checkSNS4xx(t, a+" "+token, err)
			return
		}
		if err := xml.Unmarshal([]byte("<r>"+string(out)+"</r>"), new(struct{})); err != nil {
			t.Fatalf("%s %q: answer is not XML: %v\n%s", a, token, err, out)
		}
		if m := nextTokenRE.FindSubmatch(out); m != nil {
			form.Set("NextToken", xmlUnescape(t, string(m[1])))
			if _, err := svc.HandleQuery(t.Context(), caller, a, form); err != nil {
				t.Fatalf("%s: its own NextToken %q refused: %v", a, m[1], err)
			}
		}
	})
}

func xmlUnescape(t *testing.T, s string) string {
	var v string
	if err := xml.Unmarshal([]byte("<v>"+s+"</v>"), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// FuzzSNSConfirmToken sends any Token to ConfirmSubscription and any
// SubscriptionArn to Unsubscribe and GetSubscriptionAttributes: a 4xx, or
// success for the one pending subscription's real token.
func FuzzSNSConfirmToken(f *testing.F) {
	svc, _ := newQueryService(f, "")
	mustQuery(f, svc, "CreateTopic", "Name=a")
	sub := mustQuery(f, svc, "Subscribe", "TopicArn="+url.QueryEscape(topicA)+"&Protocol=sqs&Endpoint="+url.QueryEscape(queueARN))
	f.Add("00", topicA, sub)
	f.Add(strings.Repeat("ab", 64), topicA, topicA+":00000000-0000-0000-0000-000000000000")
	f.Add("", "arn:aws:sns:eu-west-1:111122223333:missing", "x")
	f.Fuzz(func(t *testing.T, token, topic, subARN string) {
		_, err := svc.HandleQuery(t.Context(), nil, "ConfirmSubscription", url.Values{"TopicArn": {topic}, "Token": {token}})
		checkSNS4xx(t, "ConfirmSubscription "+token, err)
		_, err = svc.HandleQuery(t.Context(), caller, "GetSubscriptionAttributes", url.Values{"SubscriptionArn": {subARN}})
		checkSNS4xx(t, "GetSubscriptionAttributes "+subARN, err)
		if subARN == topicA {
			return // keep the topic's subscription for the next inputs
		}
		_, err = svc.HandleQuery(t.Context(), nil, "Unsubscribe", url.Values{"SubscriptionArn": {subARN}})
		checkSNS4xx(t, "Unsubscribe "+subARN, err)
	})
}

// snsStateSeed is a state file as the service writes it: topics with
// attributes and tags, confirmed and pending subscriptions.
func snsStateSeed(tb testing.TB) []byte {
	path := filepath.Join(tb.TempDir(), "sns.json")
	svc, _ := newQueryService(tb, path)
	mustQuery(tb, svc, "CreateTopic", "Name=a&Attributes.entry.1.key=DisplayName&Attributes.entry.1.value=x&Tags.member.1.Key=k&Tags.member.1.Value=v")
	mustQuery(tb, svc, "Subscribe", "TopicArn="+url.QueryEscape(topicA)+"&Protocol=sqs&Endpoint="+url.QueryEscape(queueARN)+
		"&Attributes.entry.1.key=FilterPolicy&Attributes.entry.1.value=%7B%22a%22%3A%5B%7B%22numeric%22%3A%5B%22%3E%22%2C1%5D%7D%5D%7D&Attributes.entry.2.key=RawMessageDelivery&Attributes.entry.2.value=true")
	mustQuery(tb, svc, "Subscribe", "TopicArn="+url.QueryEscape(topicA)+"&Protocol=http&Endpoint="+url.QueryEscape("http://127.0.0.1:9/"))
	must(tb, svc.Close())
	b, err := os.ReadFile(path)
	must(tb, err)
	return b
}

// FuzzSNSStateLoad loads any state file: New refuses it, or loads it and
// saves (on Close) a file that loads and saves the same again.
func FuzzSNSStateLoad(f *testing.F) {
	f.Add(snsStateSeed(f))
	f.Add([]byte(`{"version":1,"seq":3,"topics":[{"arn":"arn:aws:sns:eu-west-1:111122223333:a","subscriptions":[{"arn":"x","protocol":"sqs","endpoint":"e","owner":"o","attributes":{"FilterPolicy":"{"}}]}]}`))
	f.Add([]byte(`{"topics":null}`))
	f.Add([]byte(`[]`))
	key := testKey(f)
	open := func(path string) (*sns.Service, error) {
		return sns.New(sns.Config{
			Region: "eu-west-1", Account: acct, SigningKey: key, Clock: trail.NewFakeClock(t0), Seed: 1,
			Backoff: time.Hour, Path: path, DeliverToQueue: (&queues{}).deliver,
			QueueExists: func(string) bool { return true },
		})
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		dir := t.TempDir()
		p1, p2 := filepath.Join(dir, "1.json"), filepath.Join(dir, "2.json")
		must(t, os.WriteFile(p1, b, 0o600))
		svc, err := open(p1)
		if err != nil {
			return
		}
		must(t, svc.Close())
		enc, err := os.ReadFile(p1)
		must(t, err)
		must(t, os.WriteFile(p2, enc, 0o600))
		svc2, err := open(p2)
		if err != nil {
			t.Fatalf("load(save(load(%q))): %v\n%s", b, err, enc)
		}
		must(t, svc2.Close())
		enc2, err := os.ReadFile(p2)
		must(t, err)
		if !bytes.Equal(enc, enc2) {
			t.Fatalf("round trip changed the state:\n%s\n%s", enc, enc2)
		}
	})
}

package sns

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"

	"github.com/firetrail/firetrail/emulator/trail"
)

// The state file (Config.Path): topics with their attributes and tags,
// and their SNS subscriptions with their confirmed state, token and
// attributes. S3 event endpoints and delivery counters are not saved.

type savedState struct {
	Version int          `json:"version"`
	Seq     uint64       `json:"seq"`
	Topics  []savedTopic `json:"topics"`
}

type savedTopic struct {
	ARN           string            `json:"arn"`
	Attributes    map[string]string `json:"attributes,omitempty"`
	Tags          map[string]string `json:"tags,omitempty"`
	Deleted       int64             `json:"subscriptionsDeleted,omitempty"`
	Subscriptions []savedSub        `json:"subscriptions,omitempty"`
}

type savedSub struct {
	ARN                       string            `json:"arn"`
	Protocol                  string            `json:"protocol"`
	Endpoint                  string            `json:"endpoint"`
	Owner                     string            `json:"owner"`
	Token                     string            `json:"token,omitempty"`
	Confirmed                 bool              `json:"confirmed"`
	AuthenticatedConfirmation bool              `json:"authenticatedConfirmation,omitempty"`
	AuthenticateOnUnsubscribe bool              `json:"authenticateOnUnsubscribe,omitempty"`
	Attributes                map[string]string `json:"attributes,omitempty"`
}

// save writes the state file, if any. Called with svc.mu held; a failure
// is logged.
func (svc *Service) save() {
	if svc.cfg.Path == "" {
		return
	}
	st := savedState{Version: 1, Seq: svc.seq}
	for _, t := range svc.topics {
		tt := savedTopic{ARN: t.arn, Attributes: t.attrs, Tags: t.tags, Deleted: t.deleted}
		for _, s := range t.subs {
			if s.s3 != nil {
				continue
			}
			tt.Subscriptions = append(tt.Subscriptions, savedSub{
				ARN: s.arn, Protocol: s.protocol, Endpoint: s.endpoint, Owner: s.owner, Token: s.token,
				Confirmed: s.confirmed.Load(), AuthenticatedConfirmation: s.authConfirm,
				AuthenticateOnUnsubscribe: s.authUnsub, Attributes: s.attrs,
			})
		}
		st.Topics = append(st.Topics, tt)
	}
	b, err := json.MarshalIndent(st, "", "  ")
	if err == nil {
		// Atomic (a temporary file renamed) and private, as every file
		// of the data directory.
		sink := trail.DirSink{Root: filepath.Dir(svc.cfg.Path), Mode: trail.PrivateFileMode}
		err = sink.Put(context.Background(), filepath.Base(svc.cfg.Path), b, nil)
	}
	if err != nil {
		svc.cfg.Logger.Error("sns: save state", "path", svc.cfg.Path, "err", err)
	}
}

// load reads the state file, if there is one, and starts the senders of
// the subscriptions it holds. Called from New.
func (svc *Service) load() error {
	if svc.cfg.Path == "" {
		return nil
	}
	b, err := os.ReadFile(svc.cfg.Path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("sns: load state: %w", err)
	}
	var st savedState
	if err := json.Unmarshal(b, &st); err != nil {
		return fmt.Errorf("sns: load state %s: %w", svc.cfg.Path, err)
	}
	svc.mu.Lock()
	defer svc.mu.Unlock()
	svc.seq = st.Seq
	for _, tt := range st.Topics {
		region, account, name, ok := parseTopicARN(tt.ARN)
		if !ok || svc.byARN[tt.ARN] != nil {
			return fmt.Errorf("sns: load state %s: bad topic %q", svc.cfg.Path, tt.ARN)
		}
		t := svc.addTopic(tt.ARN, region, account, name)
		maps.Copy(t.attrs, tt.Attributes)
		maps.Copy(t.tags, tt.Tags)
		t.deleted = tt.Deleted
		for _, ss := range tt.Subscriptions {
			s := &subscriber{
				topic: t, protocol: ss.Protocol, endpoint: ss.Endpoint, owner: ss.Owner, arn: ss.ARN, token: ss.Token,
				snsURL: svc.cfg.SNSURL, certURL: svc.cfg.SigningCertURL, attrs: map[string]string{}, loaded: true,
				authConfirm: ss.AuthenticatedConfirmation, authUnsub: ss.AuthenticateOnUnsubscribe,
			}
			if err := s.setAttributes(ss.Attributes); err != nil {
				return fmt.Errorf("sns: load state %s: subscription %s: %w", svc.cfg.Path, ss.ARN, err)
			}
			s.confirmed.Store(ss.Confirmed)
			svc.start(s)
			if s.token != "" {
				svc.byToken[s.token] = s
			}
		}
	}
	return nil
}

package main

import (
	"bytes"
	"context"
	"debug/elf"
	"fmt"
	"io"
	"maps"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/spf13/pflag"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	"github.com/firetrail/firetrail/emulator"
	"github.com/firetrail/firetrail/generator"
)

const (
	loadJobPath    = "../../deploy/k8s/load-job.yaml"
	servePath      = "../../deploy/k8s/serve.yaml"
	dockerfilePath = "../../deploy/Dockerfile"
	moduleRoot     = "../.."
)

// k8sManifest is what a file of deploy/k8s declares.
type k8sManifest struct {
	job        *batchv1.Job
	deployment *appsv1.Deployment
	configMaps map[string]*corev1.ConfigMap
	services   map[string]*corev1.Service
}

// readManifest decodes every document of the YAML file at path strictly:
// a field that the Kubernetes type does not have, or a field given twice,
// is an error, as is a kind other than a batch/v1 Job, an apps/v1
// Deployment (one of each at most), a v1 ConfigMap or a v1 Service.
func readManifest(t *testing.T, path string) k8sManifest {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	m := k8sManifest{configMaps: map[string]*corev1.ConfigMap{}, services: map[string]*corev1.Service{}}
	for i, doc := range regexp.MustCompile(`(?m)^---[ \t]*$`).Split(string(data), -1) {
		var tm metav1.TypeMeta
		if err := yaml.Unmarshal([]byte(doc), &tm); err != nil {
			t.Fatalf("%s: document %d: %v", path, i+1, err)
		}
		var obj any
		var name func() string
		switch tm.APIVersion + " " + tm.Kind {
		case " ":
			continue // comments only
		case "batch/v1 Job":
			if m.job != nil {
				t.Fatalf("%s: more than one Job", path)
			}
			m.job = new(batchv1.Job)
			obj = m.job
		case "apps/v1 Deployment":
			if m.deployment != nil {
				t.Fatalf("%s: more than one Deployment", path)
			}
			m.deployment = new(appsv1.Deployment)
			obj = m.deployment
		case "v1 ConfigMap":
			cm := new(corev1.ConfigMap)
			obj, name = cm, func() string { m.configMaps[cm.Name] = cm; return cm.Name }
		case "v1 Service":
			svc := new(corev1.Service)
			obj, name = svc, func() string { m.services[svc.Name] = svc; return svc.Name }
		default:
			t.Fatalf("%s: document %d: unexpected %s %s", path, i+1, tm.APIVersion, tm.Kind)
		}
		if err := yaml.UnmarshalStrict([]byte(doc), obj); err != nil {
			t.Fatalf("%s: document %d (%s): strict decoding: %v", path, i+1, tm.Kind, err)
		}
		if name != nil && name() == "" {
			t.Fatalf("%s: document %d: a %s without a name", path, i+1, tm.Kind)
		}
	}
	return m
}

// TestReadManifestIsStrict: a field that batch/v1 Job does not have fails
// the decoding, so a typo in the manifest cannot pass unnoticed.
func TestReadManifestIsStrict(t *testing.T) {
	data, err := os.ReadFile(loadJobPath)
	if err != nil {
		t.Fatal(err)
	}
	bad := strings.Replace(string(data), "  completionMode: Indexed\n", "  completionMode: Indexed\n  completionsMode: Indexed\n", 1)
	if bad == string(data) {
		t.Fatal("the manifest has no completionMode line to misspell")
	}
	var job batchv1.Job
	doc := bad[strings.Index(bad, "apiVersion: batch/v1"):]
	if err := yaml.UnmarshalStrict([]byte(doc), &job); err == nil || !strings.Contains(err.Error(), "completionsMode") {
		t.Fatalf("strict decoding of a Job with an unknown field: err = %v, want one naming completionsMode", err)
	}
}

// k8sVarRef is a $(VAR) reference in a container's args, or the escape $$.
var k8sVarRef = regexp.MustCompile(`\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)`)

// expandK8sVars expands $(VAR) references as the kubelet does in a
// container's command and args ($$ is a literal $), returning the names
// it could not resolve.
func expandK8sVars(s string, vars map[string]string) (string, []string) {
	var missing []string
	out := k8sVarRef.ReplaceAllStringFunc(s, func(ref string) string {
		if ref == "$$" {
			return "$"
		}
		name := ref[2 : len(ref)-1]
		v, ok := vars[name]
		if !ok {
			missing = append(missing, name)
			return ref
		}
		return v
	})
	return out, missing
}

// TestLoadJobManifest checks the shard wiring of deploy/k8s/load-job.yaml:
// an Indexed Job whose N pods (parallelism = completions = N) run
// `firetrail load --shard $(JOB_COMPLETION_INDEX)/N` with flags that the
// real command accepts, so that pod k delivers part k of N of one run.
func TestLoadJobManifest(t *testing.T) {
	m := readManifest(t, loadJobPath)
	if m.job == nil {
		t.Fatalf("%s: no batch/v1 Job", loadJobPath)
	}
	spec := m.job.Spec

	if spec.CompletionMode == nil || *spec.CompletionMode != batchv1.IndexedCompletion {
		t.Fatalf("completionMode = %v, want %s", spec.CompletionMode, batchv1.IndexedCompletion)
	}
	if spec.Completions == nil || spec.Parallelism == nil {
		t.Fatal("completions and parallelism must both be set")
	}
	n := int(*spec.Completions)
	if n < 1 || int(*spec.Parallelism) != n {
		t.Fatalf("parallelism %d, completions %d: want equal and >= 1", *spec.Parallelism, n)
	}
	if spec.BackoffLimitPerIndex == nil {
		t.Error("backoffLimitPerIndex is not set: a retried shard would count against the whole Job")
	}
	pod := spec.Template.Spec
	switch pod.RestartPolicy {
	case corev1.RestartPolicyNever:
	case corev1.RestartPolicyOnFailure:
		if spec.PodFailurePolicy != nil {
			t.Error("podFailurePolicy needs restartPolicy Never")
		}
	default:
		t.Errorf("restartPolicy %q: a Job's pods need Never or OnFailure", pod.RestartPolicy)
	}
	if len(pod.Containers) != 1 {
		t.Fatalf("%d containers, want 1", len(pod.Containers))
	}
	c := pod.Containers[0]
	if pfp := spec.PodFailurePolicy; pfp != nil {
		for _, r := range pfp.Rules {
			if r.OnExitCodes != nil && r.OnExitCodes.ContainerName != nil && *r.OnExitCodes.ContainerName != c.Name {
				t.Errorf("podFailurePolicy names container %q; the container is %q", *r.OnExitCodes.ContainerName, c.Name)
			}
		}
	}

	// The image is the one deploy/Dockerfile says to build.
	if want := dockerfileTag(t, readDockerfile(t)); c.Image != want {
		t.Errorf("image %q, want %q (the tag deploy/Dockerfile documents)", c.Image, want)
	}

	checkSecurity(t, pod.SecurityContext, c)
	for _, r := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
		if q, ok := c.Resources.Requests[r]; !ok || q.IsZero() {
			t.Errorf("no %s request", r)
		}
	}
	if q, ok := c.Resources.Limits[corev1.ResourceMemory]; !ok || q.IsZero() {
		t.Error("no memory limit")
	}

	vars := podVars(t, m, c)
	if len(c.Command) > 0 {
		t.Errorf("command %q replaces the image's entrypoint; give args only", c.Command)
	}

	// Each pod k parses its args with firetrail load's own flags and
	// delivers shard k of N of the run of one seed.
	for k := range n {
		args := podArgs(t, c, vars, k)
		if len(args) == 0 || args[0] != "load" {
			t.Fatalf("args %q: want firetrail load", args)
		}
		fs := commandFlagSet(loadCommand())
		if err := fs.Parse(args[1:]); err != nil {
			t.Fatalf("pod %d: firetrail %s: %v", k, strings.Join(args, " "), err)
		}
		if fs.NArg() > 0 {
			t.Fatalf("pod %d: load takes no arguments, got %q", k, fs.Args())
		}
		shard := fs.Lookup("shard").Value.String()
		gk, gn, err := generator.ParseShard(shard)
		if err != nil || gk != k || gn != n {
			t.Errorf("pod %d: --shard %q = %d/%d (%v), want %d/%d: N must equal completions", k, shard, gk, gn, err, k, n)
		}
		if !fs.Changed("seed") {
			t.Errorf("pod %d: no --seed: each shard would pick a random seed, and shards of different seeds are parts of different runs", k)
		}
		if !fs.Changed("events") && !fs.Changed("duration") {
			t.Errorf("pod %d: neither --events nor --duration", k)
		}
	}
}

// podVars returns the variables that the args of container c of the
// Job in m may use: its env and its ConfigMaps' keys (a Secret's keys are
// credentials, not args). JOB_COMPLETION_INDEX, if declared, must come
// from the Job controller's annotation or label; podArgs sets it.
func podVars(t *testing.T, m k8sManifest, c corev1.Container) map[string]string {
	t.Helper()
	vars := map[string]string{}
	for _, from := range c.EnvFrom {
		if from.ConfigMapRef != nil {
			cm, ok := m.configMaps[from.ConfigMapRef.Name]
			if !ok {
				t.Fatalf("envFrom ConfigMap %q is not in the manifest", from.ConfigMapRef.Name)
			}
			for k, v := range cm.Data {
				vars[from.Prefix+k] = v
			}
		}
	}
	declaredIndex := false
	for _, ev := range c.Env {
		if ev.Name == "JOB_COMPLETION_INDEX" {
			declaredIndex = true
			fr := ev.ValueFrom
			want := []string{
				"metadata.annotations['" + batchv1.JobCompletionIndexAnnotation + "']",
				"metadata.labels['" + batchv1.JobCompletionIndexAnnotation + "']",
			}
			if ev.Value != "" || fr == nil || fr.FieldRef == nil || !slices.Contains(want, fr.FieldRef.FieldPath) {
				t.Errorf("JOB_COMPLETION_INDEX is %+v, want the downward API field %s", ev, want[0])
			}
			continue
		}
		if ev.ValueFrom == nil {
			vars[ev.Name] = ev.Value
		}
	}
	if !declaredIndex {
		t.Log("JOB_COMPLETION_INDEX is not declared: the Job controller adds it to Indexed Jobs' containers")
	}
	return vars
}

// podArgs returns the args of container c in the pod of completion index
// k, expanded from vars as the kubelet does.
func podArgs(t *testing.T, c corev1.Container, vars map[string]string, k int) []string {
	t.Helper()
	vars = maps.Clone(vars)
	vars["JOB_COMPLETION_INDEX"] = strconv.Itoa(k)
	args := make([]string, len(c.Args))
	for i, a := range c.Args {
		var missing []string
		if args[i], missing = expandK8sVars(a, vars); len(missing) > 0 {
			t.Fatalf("arg %q: $(%s) is neither in the container's env nor in its ConfigMap", a, strings.Join(missing, "), $("))
		}
	}
	return args
}

// TestE2EManifests runs deploy/k8s as a cluster would, in this process:
// serve with serve.yaml's args (on a loopback port, its data directory a
// temporary one), then load-job.yaml's N pods at once, each with its args
// expanded for its index from the ConfigMap (the endpoint that of this
// serve, fewer events), with the key pair the README puts in the Secret.
// Every pod exits 0, and together they deliver exactly the records of one
// unsharded run of the same args, each once, one creation date a session.
//
// Not parallel: load takes its credentials from the environment.
func TestE2EManifests(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: end to end")
	}
	sm := readManifest(t, servePath)
	if sm.deployment == nil || len(sm.deployment.Spec.Template.Spec.Containers) != 1 {
		t.Fatalf("%s: want a Deployment of one container", servePath)
	}
	var serveArgs []string
	for _, a := range sm.deployment.Spec.Template.Spec.Containers[0].Args[1:] {
		switch {
		case strings.HasPrefix(a, "--addr"): // startServe listens on 127.0.0.1:0
		case strings.HasPrefix(a, "--data-dir="):
			serveArgs = append(serveArgs, "--data-dir="+t.TempDir())
		default:
			serveArgs = append(serveArgs, a)
		}
	}
	srv := startServe(t, serveArgs...)
	setLoadEnv(t, emulator.DefaultAccessKeyID, emulator.DefaultSecretAccessKey)

	jm := readManifest(t, loadJobPath)
	if jm.job == nil || len(jm.job.Spec.Template.Spec.Containers) != 1 || jm.job.Spec.Completions == nil {
		t.Fatalf("%s: want a Job of one container with completions", loadJobPath)
	}
	c := jm.job.Spec.Template.Spec.Containers[0]
	n := int(*jm.job.Spec.Completions)
	const events = 2000
	vars := podVars(t, jm, c)
	vars["FIRETRAIL_ENDPOINT"] = srv.URL
	vars["FIRETRAIL_EVENTS"] = strconv.Itoa(events)
	// As the README says to set it: a moment after the Job is applied.
	vars["FIRETRAIL_START"] = time.Now().Add(time.Second).UTC().Format(time.RFC3339)
	bucket := vars["FIRETRAIL_BUCKET"] // serve's, as TestServeManifest checks

	runPod := func(args []string) (int, string) {
		var stdout, stderr syncBuffer
		code := run(context.Background(), args, strings.NewReader(""), &stdout, &stderr)
		return code, stdout.String() + stderr.String()
	}
	codes, outs := make([]int, n), make([]string, n)
	var wg sync.WaitGroup
	for k := range n {
		args := podArgs(t, c, vars, k)
		wg.Go(func() { codes[k], outs[k] = runPod(args) })
	}
	wg.Wait()
	for k := range n {
		if codes[k] != 0 {
			t.Fatalf("pod %d: exit %d\n%s", k, codes[k], outs[k])
		}
	}
	// The whole run, unsharded, into a prefix of its own.
	full := slices.DeleteFunc(podArgs(t, c, vars, 0), func(a string) bool { return strings.HasPrefix(a, "--shard") })
	if code, out := runPod(append(full, "--prefix=full")); code != 0 {
		t.Fatalf("unsharded run: exit %d\n%s", code, out)
	}

	s3c := goS3(t, &srv.serveInfo)
	fullIDs := eventIDSet(t, "unsharded run", readLogFiles(t, s3c, bucket, "full/"))
	podFiles := readLogFiles(t, s3c, bucket, "AWSLogs/")
	podIDs := eventIDSet(t, "the Job's pods", podFiles)
	checkSessions(t, "the Job's pods", podFiles)
	if len(fullIDs) != events {
		t.Fatalf("unsharded run delivered %d events, want %d", len(fullIDs), events)
	}
	if diff := cmp.Diff(fullIDs, podIDs); diff != "" {
		t.Errorf("eventIDs of the %d pods differ from those of the unsharded run (-unsharded +pods):\n%.3000s", n, diff)
	}
}

// commandFlagSet is the flag set of c, as run builds it.
func commandFlagSet(c command) *pflag.FlagSet {
	fs := pflag.NewFlagSet(c.name, pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	c.setup(fs)
	return fs
}

// TestServeManifest checks deploy/k8s/serve.yaml, the emulator that
// load-job.yaml delivers into as shipped: one replica of `firetrail serve`
// with flags it accepts, listening on all addresses with SigV4 checked,
// its data directory on a volume (the root file system is read-only), and
// a Service whose name and port are those of load-job.yaml's endpoint.
func TestServeManifest(t *testing.T) {
	m := readManifest(t, servePath)
	d := m.deployment
	if d == nil {
		t.Fatalf("%s: no apps/v1 Deployment", servePath)
	}
	if d.Spec.Replicas == nil || *d.Spec.Replicas != 1 {
		t.Errorf("replicas %v, want 1: each emulator has a state of its own", d.Spec.Replicas)
	}
	pod := d.Spec.Template.Spec
	if len(pod.Containers) != 1 {
		t.Fatalf("%d containers, want 1", len(pod.Containers))
	}
	c := pod.Containers[0]
	if want := dockerfileTag(t, readDockerfile(t)); c.Image != want {
		t.Errorf("image %q, want %q (the tag deploy/Dockerfile documents)", c.Image, want)
	}
	checkSecurity(t, pod.SecurityContext, c)
	labels := d.Spec.Template.Labels
	if d.Spec.Selector == nil || len(d.Spec.Selector.MatchLabels) == 0 {
		t.Fatal("the Deployment has no selector")
	}
	for k, v := range d.Spec.Selector.MatchLabels {
		if labels[k] != v {
			t.Errorf("selector %s=%s does not match the pod template's labels %v", k, v, labels)
		}
	}

	if len(c.Args) == 0 || c.Args[0] != "serve" || len(c.Command) > 0 {
		t.Fatalf("command %q args %q: want args serve ...", c.Command, c.Args)
	}
	fs := commandFlagSet(serveCommand())
	if err := fs.Parse(c.Args[1:]); err != nil {
		t.Fatalf("firetrail %s: %v", strings.Join(c.Args, " "), err)
	}
	host, portText, err := net.SplitHostPort(fs.Lookup("addr").Value.String())
	if err != nil {
		t.Fatalf("--addr: %v", err)
	}
	if ip := net.ParseIP(host); host != "" && (ip == nil || !ip.IsUnspecified()) {
		t.Errorf("--addr host %q: other pods reach only an unspecified address (0.0.0.0)", host)
	}
	port, err := strconv.Atoi(portText)
	if err != nil || port == 0 {
		t.Fatalf("--addr port %q: want a fixed port", portText)
	}
	if auth := fs.Lookup("auth").Value.String(); auth != "sigv4" {
		t.Errorf("--auth %s: on a cluster network, check signatures (sigv4)", auth)
	}
	dataDir := fs.Lookup("data-dir").Value.String()
	onVolume := false
	for _, vm := range c.VolumeMounts {
		if !vm.ReadOnly && (dataDir == vm.MountPath || strings.HasPrefix(dataDir, strings.TrimSuffix(vm.MountPath, "/")+"/")) {
			onVolume = slices.ContainsFunc(pod.Volumes, func(v corev1.Volume) bool { return v.Name == vm.Name })
		}
	}
	if dataDir == "" || !onVolume {
		t.Errorf("--data-dir %q is not on a writable volume: the root file system is read-only", dataDir)
	}
	var containerPort *corev1.ContainerPort
	for i, p := range c.Ports {
		if int(p.ContainerPort) == port {
			containerPort = &c.Ports[i]
		}
	}
	if containerPort == nil {
		t.Fatalf("no containerPort %d (--addr)", port)
	}

	if len(m.services) != 1 {
		t.Fatalf("%d Services, want 1", len(m.services))
	}
	var svc *corev1.Service
	for _, s := range m.services {
		svc = s
	}
	for k, v := range svc.Spec.Selector {
		if labels[k] != v {
			t.Errorf("Service selector %s=%s does not match the pod's labels %v", k, v, labels)
		}
	}
	if len(svc.Spec.Selector) == 0 {
		t.Error("the Service selects no pods")
	}
	var svcPort int32
	for _, p := range svc.Spec.Ports {
		tp := p.TargetPort
		if tp.String() == containerPort.Name || tp.IntValue() == port || (tp.String() == "0" && int(p.Port) == port) {
			svcPort = p.Port
		}
	}
	if svcPort == 0 {
		t.Fatalf("no port of Service %s leads to the container's port %d", svc.Name, port)
	}

	// load-job.yaml, as shipped, delivers here.
	job := readManifest(t, loadJobPath)
	for _, cm := range job.configMaps {
		ep, ok := cm.Data["FIRETRAIL_ENDPOINT"]
		if !ok {
			continue
		}
		u, err := url.Parse(ep)
		if err != nil {
			t.Fatalf("FIRETRAIL_ENDPOINT %q: %v", ep, err)
		}
		if want := fmt.Sprintf("%s:%d", svc.Name, svcPort); u.Scheme != "http" || u.Host != want {
			t.Errorf("load-job.yaml's FIRETRAIL_ENDPOINT %q: want http://%s, the Service of serve.yaml", ep, want)
		}
		if bucket := fs.Lookup("bucket").Value.String(); cm.Data["FIRETRAIL_BUCKET"] != bucket {
			t.Errorf("load-job.yaml's FIRETRAIL_BUCKET %q: serve's bucket is %q", cm.Data["FIRETRAIL_BUCKET"], bucket)
		}
	}
}

// checkSecurity checks that the pod runs as a non-root user with no way to
// gain privileges, a read-only root file system, no capabilities and the
// runtime's default seccomp profile.
func checkSecurity(t *testing.T, psc *corev1.PodSecurityContext, c corev1.Container) {
	t.Helper()
	if psc == nil {
		psc = &corev1.PodSecurityContext{}
	}
	sc := c.SecurityContext
	if sc == nil {
		t.Fatal("the container has no securityContext")
	}
	nonRoot := sc.RunAsNonRoot
	if nonRoot == nil {
		nonRoot = psc.RunAsNonRoot
	}
	if nonRoot == nil || !*nonRoot {
		t.Error("runAsNonRoot is not true")
	}
	for _, uid := range []*int64{psc.RunAsUser, sc.RunAsUser} {
		if uid != nil && *uid == 0 {
			t.Error("runAsUser 0")
		}
	}
	if sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
		t.Error("allowPrivilegeEscalation is not false")
	}
	if sc.Privileged != nil && *sc.Privileged {
		t.Error("privileged")
	}
	if sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
		t.Error("readOnlyRootFilesystem is not true")
	}
	if sc.Capabilities == nil || !slices.Contains(sc.Capabilities.Drop, "ALL") || len(sc.Capabilities.Add) > 0 {
		t.Errorf("capabilities %+v: want drop [ALL], add none", sc.Capabilities)
	}
	seccomp := sc.SeccompProfile
	if seccomp == nil {
		seccomp = psc.SeccompProfile
	}
	if seccomp == nil || seccomp.Type != corev1.SeccompProfileTypeRuntimeDefault {
		t.Errorf("seccompProfile %+v: want RuntimeDefault", seccomp)
	}
}

// dockerfile is deploy/Dockerfile: its comment lines and its instructions
// (continuation lines joined) by build stage.
type dockerfile struct {
	comments []string
	stages   []dockerStage
}

// dockerStage is one FROM and the instructions after it.
type dockerStage struct {
	from  string // image of FROM, without --platform
	name  string // AS name
	instr [][2]string
}

func readDockerfile(t *testing.T) dockerfile {
	t.Helper()
	data, err := os.ReadFile(dockerfilePath)
	if err != nil {
		t.Fatal(err)
	}
	var d dockerfile
	var cont string
	for line := range strings.Lines(string(data)) {
		line = strings.TrimRight(line, "\r\n")
		trimmed := strings.TrimSpace(line)
		if cont == "" && strings.HasPrefix(trimmed, "#") {
			d.comments = append(d.comments, strings.TrimSpace(strings.TrimPrefix(trimmed, "#")))
			continue
		}
		if body, ok := strings.CutSuffix(trimmed, `\`); ok {
			cont += body + " "
			continue
		}
		full := strings.TrimSpace(cont + trimmed)
		cont = ""
		if full == "" {
			continue
		}
		word, rest, _ := strings.Cut(full, " ")
		word, rest = strings.ToUpper(word), strings.TrimSpace(rest)
		if word == "FROM" {
			f := strings.Fields(rest)
			f = slices.DeleteFunc(f, func(s string) bool { return strings.HasPrefix(s, "--platform=") })
			st := dockerStage{from: f[0]}
			if len(f) == 3 && strings.EqualFold(f[1], "AS") {
				st.name = f[2]
			}
			d.stages = append(d.stages, st)
			continue
		}
		if len(d.stages) == 0 {
			if word == "ARG" {
				continue
			}
			t.Fatalf("Dockerfile: %s before FROM", word)
		}
		st := &d.stages[len(d.stages)-1]
		st.instr = append(st.instr, [2]string{word, rest})
	}
	if len(d.stages) < 2 {
		t.Fatalf("Dockerfile: %d stages, want a builder and a final one", len(d.stages))
	}
	return d
}

// dockerfileTag is the image tag that deploy/Dockerfile's comments say to
// build: docker build -f deploy/Dockerfile -t TAG .
func dockerfileTag(t *testing.T, d dockerfile) string {
	t.Helper()
	re := regexp.MustCompile(`^docker build -f deploy/Dockerfile -t (\S+) \.$`)
	for _, c := range d.comments {
		if m := re.FindStringSubmatch(c); m != nil {
			return m[1]
		}
	}
	t.Fatal("deploy/Dockerfile documents no `docker build -f deploy/Dockerfile -t TAG .` line")
	return ""
}

// shellWords splits a shell command line into words, with single and
// double quotes and backslash escapes (no expansions but $VAR and ${VAR}
// from vars; an unknown variable is an error).
func shellWords(s string, vars map[string]string) ([]string, error) {
	var words []string
	var w strings.Builder
	inWord := false
	quote := byte(0)
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case quote == '\'':
			if ch == '\'' {
				quote = 0
			} else {
				w.WriteByte(ch)
			}
		case ch == '\\' && i+1 < len(s):
			i++
			w.WriteByte(s[i])
			inWord = true
		case ch == '$' && quote != '\'':
			name, n := "", 0
			if rest := s[i+1:]; strings.HasPrefix(rest, "{") {
				end := strings.IndexByte(rest, '}')
				if end < 0 {
					return nil, fmt.Errorf("unclosed ${ in %q", s)
				}
				name, n = rest[1:end], end+1
			} else {
				name = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*`).FindString(rest)
				n = len(name)
			}
			v, ok := vars[name]
			if !ok {
				return nil, fmt.Errorf("unknown variable $%s in %q", name, s)
			}
			w.WriteString(v)
			inWord = true
			i += n
		case quote == '"':
			if ch == '"' {
				quote = 0
			} else {
				w.WriteByte(ch)
			}
		case ch == '\'' || ch == '"':
			quote = ch
			inWord = true
		case ch == ' ' || ch == '\t':
			if inWord {
				words = append(words, w.String())
				w.Reset()
				inWord = false
			}
		case ch == ';' || ch == '&' || ch == '|' || ch == '>' || ch == '<' || ch == '`':
			return nil, fmt.Errorf("shell operator %q in %q: keep the go build line a single command", ch, s)
		default:
			w.WriteByte(ch)
			inWord = true
		}
	}
	if quote != 0 {
		return nil, fmt.Errorf("unclosed quote in %q", s)
	}
	if inWord {
		words = append(words, w.String())
	}
	return words, nil
}

func TestShellWords(t *testing.T) {
	got, err := shellWords(`GOOS=$OS go build -ldflags="-s -w" -tags 'a b' -o ${OUT}/x ./cmd\ x`, map[string]string{"OS": "linux", "OUT": "/o"})
	want := []string{"GOOS=linux", "go", "build", "-ldflags=-s -w", "-tags", "a b", "-o", "/o/x", "./cmd x"}
	if err != nil || !slices.Equal(got, want) {
		t.Fatalf("shellWords = %q, %v; want %q", got, err, want)
	}
	for _, bad := range []string{`go build && rm x`, `go build "x`, `go build $NOPE`} {
		if _, err := shellWords(bad, nil); err == nil {
			t.Errorf("shellWords(%q): no error", bad)
		}
	}
}

// TestDockerfile checks deploy/Dockerfile without Docker: a golang builder
// of go.mod's Go version, a final distroless/static or scratch image run as
// a non-root user, and its documented tag the firetrail version; then it
// runs the builder's `go build` line, with the stage's ENV, and checks that
// the binary is static (no ELF interpreter, no dynamic section or needed
// library, so it runs on an image without libc), that -trimpath left no
// path of the build machine in it, and that it runs.
func TestDockerfile(t *testing.T) {
	d := readDockerfile(t)

	tag := dockerfileTag(t, d)
	if _, v, _ := strings.Cut(tag, ":"); v != version {
		t.Errorf("Dockerfile tag %q: want the version %s of cmd/firetrail", tag, version)
	}

	gomod, err := os.ReadFile(filepath.Join(moduleRoot, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	goVersion := regexp.MustCompile(`(?m)^go (\S+)$`).FindSubmatch(gomod)
	if goVersion == nil {
		t.Fatal("go.mod has no go line")
	}
	builder := d.stages[0]
	if want := "golang:" + string(goVersion[1]); builder.from != want && !strings.HasPrefix(builder.from, want+"-") {
		t.Errorf("builder FROM %s, want %s (go.mod's go version)", builder.from, want)
	}

	final := d.stages[len(d.stages)-1]
	if !strings.HasPrefix(final.from, "gcr.io/distroless/static") && final.from != "scratch" {
		t.Errorf("final FROM %s: want distroless/static or scratch (no libc, no shell)", final.from)
	}
	user := ""
	copied := false
	for _, in := range final.instr {
		switch in[0] {
		case "USER":
			user = in[1]
		case "COPY":
			copied = copied || strings.Contains(in[1], "--from="+builder.name+" ")
		}
	}
	if uid, _, _ := strings.Cut(user, ":"); uid == "" || uid == "0" || uid == "root" {
		t.Errorf("final stage USER %q: want a non-root user (numeric, so that runAsNonRoot can verify it)", user)
	} else if _, err := strconv.Atoi(uid); err != nil {
		t.Errorf("final stage USER %q: want a numeric UID, so that Kubernetes' runAsNonRoot can verify it", user)
	}
	if !copied {
		t.Errorf("the final stage copies nothing from the builder %q", builder.name)
	}

	// The builder's go build line, run here as the image build runs it.
	env := map[string]string{"TARGETOS": runtime.GOOS, "TARGETARCH": runtime.GOARCH}
	var build []string
	for _, in := range builder.instr {
		switch in[0] {
		case "ENV":
			words, err := shellWords(in[1], env)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range words {
				k, v, ok := strings.Cut(w, "=")
				if !ok {
					t.Fatalf("ENV %s: want KEY=VALUE pairs", in[1])
				}
				env[k] = v
			}
		case "RUN":
			if !strings.Contains(in[1], "go build") {
				continue
			}
			if build != nil {
				t.Fatal("the builder has two go build lines")
			}
			if build, err = shellWords(in[1], env); err != nil {
				t.Fatal(err)
			}
		}
	}
	if env["CGO_ENABLED"] != "0" {
		t.Errorf("builder ENV CGO_ENABLED=%q, want 0", env["CGO_ENABLED"])
	}
	if build == nil {
		t.Fatal("the builder has no RUN ... go build line")
	}
	cmdEnv := os.Environ()
	for k, v := range env {
		cmdEnv = append(cmdEnv, k+"="+v)
	}
	for len(build) > 0 && strings.Contains(build[0], "=") {
		cmdEnv = append(cmdEnv, build[0])
		build = build[1:]
	}
	if len(build) < 2 || build[0] != "go" || build[1] != "build" {
		t.Fatalf("RUN line %q: want go build", build)
	}
	if !slices.Contains(build, "-trimpath") {
		t.Error("go build without -trimpath")
	}
	if build[len(build)-1] != "./cmd/firetrail" {
		t.Errorf("go build builds %s, want ./cmd/firetrail", build[len(build)-1])
	}
	if testing.Short() {
		t.Skip("-short: not building the image's binary")
	}
	bin := filepath.Join(t.TempDir(), "firetrail")
	args := slices.Clone(build[1:])
	i := slices.Index(args, "-o")
	if i < 0 || i+1 >= len(args) {
		t.Fatalf("go build line %q has no -o", build)
	}
	args[i+1] = bin
	cmd := exec.Command("go", args...)
	cmd.Dir = moduleRoot
	cmd.Env = cmdEnv
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	checkStaticELF(t, bin)

	abs, err := filepath.Abs(moduleRoot)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(data, []byte(abs+string(filepath.Separator))) {
		t.Errorf("the binary holds the build directory %s: -trimpath did not apply", abs)
	}
	out, err := exec.Command(bin, "version").Output()
	if err != nil || !strings.HasPrefix(string(out), "firetrail "+version+"\n") {
		t.Errorf("firetrail version: %q, %v", out, err)
	}
}

// staticELFProblems lists why the ELF file at path is not statically
// linked: a PT_INTERP (program interpreter, i.e. ld.so), a PT_DYNAMIC, a
// needed shared library.
func staticELFProblems(path string) ([]string, error) {
	f, err := elf.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var problems []string
	for _, p := range f.Progs {
		switch p.Type {
		case elf.PT_INTERP:
			problems = append(problems, "a program interpreter (PT_INTERP)")
		case elf.PT_DYNAMIC:
			problems = append(problems, "a dynamic section (PT_DYNAMIC)")
		}
	}
	libs, err := f.ImportedLibraries()
	if err != nil {
		return nil, err
	}
	if len(libs) > 0 {
		problems = append(problems, fmt.Sprintf("needed libraries %q", libs))
	}
	return problems, nil
}

func checkStaticELF(t *testing.T, path string) {
	t.Helper()
	problems, err := staticELFProblems(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(problems) > 0 {
		t.Errorf("%s is not static: it has %s", path, strings.Join(problems, ", "))
	}
}

// TestStaticELFProblems: the check tells a dynamically linked executable
// (/bin/sh) from a static one (a Go program built with CGO_ENABLED=0,
// checked in TestDockerfile).
func TestStaticELFProblems(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("ELF only")
	}
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip(err)
	}
	sh, err = filepath.EvalSymlinks(sh)
	if err != nil {
		t.Fatal(err)
	}
	problems, err := staticELFProblems(sh)
	if err != nil {
		t.Fatal(err)
	}
	if len(problems) < 2 {
		t.Errorf("%s: problems %q, want PT_INTERP and PT_DYNAMIC at least (it is dynamically linked)", sh, problems)
	}
}

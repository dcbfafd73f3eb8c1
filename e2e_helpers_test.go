package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"network-broker/internal/lab"
)

// The end-to-end tests run this test binary as the broker: with
// NB_TEST_MAIN=1 TestMain runs main's run() instead of the tests, so the
// tests need no separate build and exercise exactly this code.
func TestMain(m *testing.M) {
	if os.Getenv("NB_TEST_MAIN") == "1" {
		os.Exit(run(os.Args[1:]))
	}
	os.Exit(m.Run())
}

// brokerEnv is the environment that makes the test binary the broker.
var brokerEnv = []string{"NB_TEST_MAIN=1"}

// recorder is a hook setup whose scripts record every run: one file per
// run holding the script's whole environment, named so that sorting gives
// the order of runs.
type recorder struct {
	dir string // configuration directory
	out string // where runs are recorded
}

// newRecorder makes a configuration directory with yaml as its
// network-broker.yaml and a recording script in each of dirs.
func newRecorder(t *testing.T, base, yaml string, dirs ...string) *recorder {
	t.Helper()
	r := &recorder{dir: filepath.Join(base, "etc-nb"), out: filepath.Join(base, "runs")}
	for _, d := range []string{r.dir, r.out} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(r.dir, configName), []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		r.addScript(t, d, "50-record", "")
	}
	return r
}

// addScript writes an executable script into dir.d that records its run,
// then runs extra shell code.
func (r *recorder) addScript(t *testing.T, dir, name, extra string) {
	t.Helper()
	p := filepath.Join(r.dir, dir)
	if err := os.MkdirAll(p, 0o755); err != nil {
		t.Fatal(err)
	}
	script := fmt.Sprintf(`#!/bin/sh
f=%s/$(date +%%s%%N)-%s-$$
env > "$f.tmp"
echo "HOOK_DIR=%s" >> "$f.tmp"
mv "$f.tmp" "$f.env"
%s
`, r.out, dir, dir, extra)
	if err := os.WriteFile(filepath.Join(p, name), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
}

// addRawScript writes an executable script with the given body.
func (r *recorder) addRawScript(t *testing.T, dir, name, body string) {
	t.Helper()
	p := filepath.Join(r.dir, dir)
	if err := os.MkdirAll(p, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(p, name), []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
}

// hookRun is one recorded run.
type hookRun struct {
	File string
	Dir  string
	Env  map[string]string
}

func (h hookRun) String() string {
	return fmt.Sprintf("%s LINK=%s STATE=%s OLD_STATE=%s", h.Dir, h.Env["LINK"], h.Env["STATE"], h.Env["OLD_STATE"])
}

// runs returns every recorded run in order.
func (r *recorder) runs(t *testing.T) []hookRun {
	t.Helper()
	ents, err := os.ReadDir(r.out)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		if strings.HasSuffix(e.Name(), ".env") {
			names = append(names, e.Name())
		}
	}
	sort.Slice(names, func(i, j int) bool { return runTime(names[i]) < runTime(names[j]) })
	var out []hookRun
	for _, n := range names {
		env := readEnvFile(t, filepath.Join(r.out, n))
		out = append(out, hookRun{File: n, Dir: env["HOOK_DIR"], Env: env})
	}
	return out
}

func runTime(name string) int64 {
	s, _, _ := strings.Cut(name, "-")
	v, _ := strconv.ParseInt(s, 10, 64)
	return v
}

func readEnvFile(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	env := map[string]string{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 256<<10), 256<<10)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), "="); ok {
			env[k] = v
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return env
}

// linkRuns filters runs of one link (and dir, when not empty).
func linkRuns(runs []hookRun, link, dir string) []hookRun {
	var out []hookRun
	for _, r := range runs {
		if r.Env["LINK"] == link && (dir == "" || r.Dir == dir) {
			out = append(out, r)
		}
	}
	return out
}

// waitRuns waits until cond holds for the recorded runs.
func (r *recorder) waitRuns(t *testing.T, timeout time.Duration, what string, cond func([]hookRun) bool) []hookRun {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		runs := r.runs(t)
		if cond(runs) {
			return runs
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s; runs so far:\n%s", what, runList(runs))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func runList(runs []hookRun) string {
	var b strings.Builder
	for _, r := range runs {
		fmt.Fprintf(&b, "  %s\n", r)
	}
	return b.String()
}

// startBroker runs the broker in the lab and waits for its "ready" log line.
func startBroker(t *testing.T, l *lab.Lab, name, dir string) *lab.Proc {
	t.Helper()
	p := l.Start(t, name, brokerEnv, os.Args[0], "-config-dir", dir)
	waitLog(t, p, "msg=ready", 10*time.Second)
	return p
}

// waitLog waits for text in a process's log.
func waitLog(t *testing.T, p *lab.Proc, text string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !strings.Contains(p.LogText(), text) {
		if p.Exited() {
			t.Fatalf("%s exited before logging %q:\n%s", p.Name, text, p.LogText())
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not log %q within %s:\n%s", p.Name, text, timeout, p.LogText())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

//go:build perf

package main

// TestPerfFigures measures issue 10's table for network-broker with the
// real components. It is a benchmark, not a pass/fail test: it is built
// only with -tags perf (so CI neither runs nor skips it) and runs only
// with NB_PERF=1 and prints each figure as "metric: NAME VALUE UNIT",
// with a "method:" line above saying how it was taken.

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"network-broker/internal/lab"
	"network-broker/internal/nstest"
	"network-broker/internal/perf"
	"network-broker/rtnl"
)

func TestPerfFigures(t *testing.T) {
	if os.Getenv("NB_PERF") != "1" {
		t.Skip("the end-to-end performance figures run only with NB_PERF=1 (make bench); they measure, they do not pass or fail")
	}
	nstest.RequireRoot(t)
	bin := perfBuild(t)
	t.Run("flaps", func(t *testing.T) { perfFlaps(t, bin) })
	t.Run("scale", func(t *testing.T) { perfScale(t, bin) })
	t.Run("storm", func(t *testing.T) { perfStorm(t, bin) })
}

func perfMethod(format string, args ...any) { fmt.Printf("method: "+format+"\n", args...) }

func perfMetric(name, value, unit string) { fmt.Printf("metric: %s %s %s\n", name, value, unit) }

func perfMS(d time.Duration) string { return strconv.FormatFloat(float64(d)/1e6, 'f', 2, 64) }

// perfBuild builds the broker as the Makefile does (static, stripped),
// so memory and start-up are those of the shipped binary, not of the test
// binary.
func perfBuild(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	os.Chmod(dir, 0o755)
	bin := filepath.Join(dir, "network-broker")
	cmd := exec.Command("go", "build", "-trimpath", "-buildvcs=false", "-ldflags=-s -w -buildid=", "-o", bin, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	st, err := os.Stat(bin)
	if err != nil {
		t.Fatal(err)
	}
	perfMethod("go build -trimpath -ldflags '-s -w' with CGO_ENABLED=0, as make build")
	perfMetric("binary_size", perf.MiB(st.Size()), "MiB")
	return bin
}

// perfBroker runs the release binary as a perf.Daemon whose marker is
// the "ready" log line; it is stopped when the test ends.
func perfBroker(t *testing.T, cmd *exec.Cmd) *perf.Daemon {
	t.Helper()
	d, err := perf.StartDaemon(cmd, "msg=ready", filepath.Join(t.TempDir(), "broker.log"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := d.Stop(10 * time.Second); err != nil {
			t.Error(err)
		}
	})
	return d
}

// perfReady returns the time from exec to "ready".
func perfReady(t *testing.T, d *perf.Daemon) time.Duration {
	t.Helper()
	took, err := d.WaitMarker(30 * time.Second)
	if err != nil {
		t.Fatalf("%v:\n%s", err, d.Log())
	}
	return took
}

// perfRecorder is a configuration directory whose state directories hold
// one perf.WriteRecorder script each: the same recording /bin/sh hook in
// each directory, as in the measurement.
type perfRecorder struct {
	dir, out string
}

var perfStateDirs = []string{"carrier.d", "configured.d", "degraded.d", "no-carrier.d", "routable.d"}

func newPerfRecorder(t *testing.T, yaml string) *perfRecorder {
	t.Helper()
	base, err := os.MkdirTemp("", "nbperf-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(base) })
	os.Chmod(base, 0o755) // the broker and its hooks run as nobody
	r := &perfRecorder{dir: filepath.Join(base, "etc"), out: filepath.Join(base, "runs.log")}
	if err := os.WriteFile(r.out, nil, 0o666); err != nil {
		t.Fatal(err)
	}
	os.Chmod(r.out, 0o666)
	for _, d := range perfStateDirs {
		if err := perf.WriteRecorder(filepath.Join(r.dir, d), "50-record", r.out); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(r.dir, configName), []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	return r
}

// runs returns the recorded runs ordered by start time.
func (r *perfRecorder) runs(t *testing.T) []perf.Run {
	runs, err := perf.ReadRuns(r.out)
	if err != nil {
		t.Fatal(err)
	}
	return runs
}

var perfOpDirs = map[string]bool{"carrier.d": true, "degraded.d": true, "no-carrier.d": true, "routable.d": true}

// perfLastStates returns each link's last operational and administrative
// state run.
func perfLastStates(runs []perf.Run) (op, admin map[string]string) {
	op, admin = map[string]string{}, map[string]string{}
	for _, r := range runs {
		if perfOpDirs[r.Dir] {
			op[r.Link] = r.State
		} else {
			admin[r.Link] = r.State
		}
	}
	return op, admin
}

// waitAll polls the runs until cond holds for every link.
func (r *perfRecorder) waitAll(t *testing.T, timeout time.Duration, what string, links []string, cond func(op, admin string) bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		op, admin := perfLastStates(r.runs(t))
		bad := ""
		for _, l := range links {
			if !cond(op[l], admin[l]) {
				bad = fmt.Sprintf("%s at %s/%s", l, op[l], admin[l])
				break
			}
		}
		if bad == "" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s: %s", what, bad)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// quiet waits until no run was recorded for d.
func (r *perfRecorder) quiet(t *testing.T, d time.Duration) {
	n, since := -1, time.Now()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if m := len(r.runs(t)); m != n {
			n, since = m, time.Now()
		} else if time.Since(since) >= d {
			return
		}
	}
}

func perfStat(t *testing.T, pid int) perf.Stat {
	t.Helper()
	s, err := perf.Read(pid)
	if err != nil {
		t.Fatalf("the broker is gone: %v", err)
	}
	return s
}

func perfMedian(d []time.Duration) time.Duration { return perf.Percentile(d, 50) }

// perfFlapLinks is how many networkd-managed links flap at once: the kernel
// holds a carrier loss back for up to a second, so 200 serial flaps
// would take minutes; N links flapping together give N flaps a round.
const perfFlapLinks, perfFlapsWanted = 20, 200

// perfFlaps measures start-to-ready, RSS, CPU per transition, signal to
// hook latency and hook runs per flap with real networkd.
func perfFlaps(t *testing.T, bin string) {
	files := lab.DefaultNetworkFiles()
	var names []string
	for i := 0; i < perfFlapLinks; i++ {
		n := fmt.Sprintf("pf%d", i)
		names = append(names, n)
		files["40-"+n+".network"] = fmt.Sprintf("[Match]\nName=%s\n[Network]\nAddress=10.81.%d.2/24\nLinkLocalAddressing=no\nIPv6AcceptRA=no\n", n, i)
	}
	l := lab.Up(t, lab.Options{NetworkFiles: files})
	var add, up, down []string
	for _, n := range names {
		add = append(add, fmt.Sprintf("link add %s type veth peer name %sp netns %s", n, n, l.SrvNS))
		up = append(up, "link set "+n+"p up")
		down = append(down, "link set "+n+"p down")
	}
	l.Exec(t, "ip", "-batch", faultBatch(t, add))
	upFile, downFile := faultBatch(t, up), faultBatch(t, down)
	l.SrvExec(t, "ip", "-batch", upFile)
	l.StartNetworkd(t)
	idx := map[string]int{}
	for _, n := range names {
		idx[n] = l.IfIndex(t, n)
		l.WaitLinkProperty(t, idx[n], "OperationalState", "routable", 20*time.Second)
	}
	rec := newPerfRecorder(t, "System:\n  User: nobody\n")

	// Start to ready, five times; the last one stays for the flaps.
	var wrap []time.Duration
	for i := 0; i < 5; i++ {
		s := time.Now()
		if err := l.Command(nil, "/bin/true").Run(); err != nil {
			t.Fatal(err)
		}
		wrap = append(wrap, time.Since(s))
	}
	var ready []time.Duration
	var b *perf.Daemon
	for i := 0; i < 5; i++ {
		b = perfBroker(t, l.Command(perfBrokerEnv(), bin, "-config-dir", rec.dir))
		if i == 4 {
			fmt.Printf("note: broker pid %d\n", b.PID())
		}
		ready = append(ready, perfReady(t, b))
		if i < 4 {
			b.Stop(10 * time.Second)
		}
	}
	perfMethod("exec of the release binary inside the lab (nsenter, privilege drop to nobody) until its \"ready\" log line arrives through a pipe: netlink dump, bus connect, ListLinks and GetAll of every link (%d links, networkd); 5 starts; the nsenter wrapper alone (exec of /bin/true) takes %s ms (median)", perfFlapLinks+4, perfMS(perfMedian(wrap)))
	perfMetric("start_to_ready_p50", perfMS(perfMedian(ready)), "ms")
	perfMetric("start_to_ready_max", perfMS(perf.Percentile(ready, 100)), "ms")

	time.Sleep(time.Second)
	s0 := perfStat(t, b.PID())
	perfMethod("VmRSS of the broker from /proc/PID/status 1 s after ready")
	perfMetric("rss_after_start", perf.MiB(s0.RSS), "MiB")

	mon := perfStartMonitor(t, l)
	rounds := perfFlapsWanted / perfFlapLinks
	s0 = perfStat(t, b.PID())
	phase := time.Now()
	for r := 0; r < rounds; r++ {
		perfFlapRound(t, l, rec, names, downFile, upFile)
	}
	rec.quiet(t, time.Second)
	s1 := perfStat(t, b.PID())
	phaseEnd := time.Now()
	time.Sleep(5 * time.Second)
	idle := perfStat(t, b.PID())

	// One link alone, as the peers were measured: no queueing behind
	// other links' hooks.
	serial := time.Now()
	for r := 0; r < 10; r++ {
		perfFlapRound(t, l, rec, names[:1], faultBatch(t, down[:1]), faultBatch(t, up[:1]))
		time.Sleep(300 * time.Millisecond)
	}
	rec.quiet(t, 500*time.Millisecond)
	serialEnd := time.Now()

	// The same flaps with empty hook directories: the daemon's own share.
	for _, d := range perfStateDirs {
		os.Remove(filepath.Join(rec.dir, d, "50-record"))
	}
	nl := perfCountNetlink(t, l.NS)
	e0 := perfStat(t, b.PID())
	empty := time.Now()
	for r := 0; r < 5; r++ {
		l.SrvExec(t, "ip", "-batch", downFile)
		time.Sleep(1500 * time.Millisecond)
		l.SrvExec(t, "ip", "-batch", upFile)
		time.Sleep(1500 * time.Millisecond)
	}
	e1 := perfStat(t, b.PID())
	emptyEnd := time.Now()
	nlEvents, nlOverruns := nl()
	sigs := perfStopMonitor(t, mon)
	runs := rec.runs(t)

	flaps := rounds * perfFlapLinks
	perfMethod("%d carrier flaps: %d veth links managed by networkd (static address) lose the carrier together (peer set down), hold it off > 1.2 s until every no-carrier.d ran, get it back and wait until routable.d and configured.d ran; %d rounds", flaps, perfFlapLinks, rounds)
	perfMetric("rss_after_flaps", perf.MiB(s1.RSS), "MiB")
	perfMetric("rss_peak", perf.MiB(s1.HWM), "MiB")
	perfMethod("VmRSS again after 5 s idle (the Go runtime returns freed pages gradually)")
	perfMetric("rss_after_flaps_idle", perf.MiB(idle.RSS), "MiB")
	perfReportCPU("", sigs, phase, phaseEnd, s0, s1)
	perfReportRunsPerFlap(runs, phase, phaseEnd, names, rounds)
	perfMethod("queued runs the broker dropped because a newer value of the same property of the same link superseded them (its log), over the whole run")
	perfMetric("superseded_runs", strconv.Itoa(strings.Count(b.Log(), "superseded by a newer state")), "count")
	perfReportLatency("_20links", sigs, runs, phase, phaseEnd, idx)
	perfMethod("10 flaps of one link alone (%s), as the peers' figures were taken", names[0])
	perfReportLatency("", sigs, runs, serial, serialEnd, idx)
	perfMethod("100 more flaps of the %d links with every hook directory empty (no script started): the daemon's CPU without the cost of starting hooks", perfFlapLinks)
	perfReportCPU("_nohooks", sigs, empty, emptyEnd, e0, e1)
	perfMethod("rtnetlink notifications in the lab namespace over those 100 flaps (an rtnl monitor of the same groups as the broker; %d overruns)", nlOverruns)
	perfMetric("netlink_events_nohooks", strconv.Itoa(nlEvents), "count")
}

// perfCountNetlink counts the rtnetlink notifications of the named netns
// (links, addresses, routes, rules: the broker's groups) until the
// returned function is called.
func perfCountNetlink(t *testing.T, ns string) (stop func() (events, overruns int)) {
	t.Helper()
	var m *rtnl.Monitor
	if err := (&nstest.NS{Name: ns}).Do(func() (err error) { m, err = rtnl.Subscribe(); return err }); err != nil {
		t.Fatal(err)
	}
	var n, over atomic.Int64
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			evs, err := m.Receive()
			switch {
			case errors.Is(err, rtnl.ErrOverrun):
				over.Add(1)
			case err != nil:
				return
			}
			n.Add(int64(len(evs)))
		}
	}()
	return func() (int, int) {
		m.Close()
		<-done
		return int(n.Load()), int(over.Load())
	}
}

// perfBrokerEnv passes NB_PERF_ENV (space-separated KEY=value, e.g.
// "GOGC=50") to the measured broker, for experiments with the runtime.
func perfBrokerEnv() []string { return strings.Fields(os.Getenv("NB_PERF_ENV")) }

// perfFlapRound takes the carrier of links away (downFile), holds it off
// for more than 1.2 s and until no-carrier.d ran on each, gives it back
// (upFile) and waits for routable.d and configured.d on each.
func perfFlapRound(t *testing.T, l *lab.Lab, rec *perfRecorder, links []string, downFile, upFile string) {
	t.Helper()
	l.SrvExec(t, "ip", "-batch", downFile)
	downAt := time.Now()
	rec.waitAll(t, 15*time.Second, "no-carrier.d", links, func(op, _ string) bool { return op == "no-carrier" })
	time.Sleep(time.Until(downAt.Add(1200 * time.Millisecond)))
	l.SrvExec(t, "ip", "-batch", upFile)
	rec.waitAll(t, 30*time.Second, "routable.d and configured.d", links, func(op, admin string) bool {
		return op == "routable" && admin == "configured"
	})
}

// perfStartMonitor runs dbus-monitor on the lab bus for networkd's signals.
func perfStartMonitor(t *testing.T, l *lab.Lab) *exec.Cmd {
	t.Helper()
	f, err := os.Create(filepath.Join(t.TempDir(), "monitor.txt"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("dbus-monitor", "--address", l.Bus,
		"type='signal',sender='org.freedesktop.network1',interface='org.freedesktop.DBus.Properties',member='PropertiesChanged'")
	cmd.Stdout = f
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	time.Sleep(300 * time.Millisecond) // let it become a monitor
	return cmd
}

func perfStopMonitor(t *testing.T, cmd *exec.Cmd) []perf.Signal {
	t.Helper()
	time.Sleep(200 * time.Millisecond)
	cmd.Process.Signal(syscall.SIGTERM)
	cmd.Wait()
	f, err := os.Open(cmd.Stdout.(*os.File).Name())
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sigs, err := perf.ParseMonitor(f)
	if err != nil {
		t.Fatal(err)
	}
	return sigs
}

// perfReportCPU divides the daemon's own CPU (utime+stime; reaped hooks
// count in cutime/cstime and are left out) by the transitions it handled.
func perfReportCPU(suffix string, sigs []perf.Signal, from, to time.Time, s0, s1 perf.Stat) {
	signals, changes := 0, 0
	for _, s := range sigs {
		if s.Time.Before(from) || s.Time.After(to) {
			continue
		}
		signals++
		if strings.HasPrefix(s.Path, ndLinkPath) {
			for _, p := range hookProps {
				if s.Props[p] != "" {
					changes++
				}
			}
		}
	}
	cpu := s1.CPU() - s0.CPU()
	perfMethod("utime+stime of the broker from /proc/PID/stat over the flaps (hooks are reaped children: cutime+cstime, excluded), divided by the link state transitions (OperationalState or AdministrativeState values in networkd's PropertiesChanged, from dbus-monitor) and by all PropertiesChanged signals; /proc counts in 10 ms ticks")
	perfMetric("daemon_cpu_total"+suffix, perfMS(cpu), "ms")
	perfMetric("hooks_cpu_total"+suffix, perfMS(s1.ChildCPU()-s0.ChildCPU()), "ms")
	perfMetric("transitions"+suffix, strconv.Itoa(changes), "count")
	perfMetric("signals"+suffix, strconv.Itoa(signals), "count")
	if changes > 0 {
		perfMetric("daemon_cpu_per_transition"+suffix, perfMS(cpu/time.Duration(changes)), "ms")
	}
	if signals > 0 {
		perfMetric("daemon_cpu_per_signal"+suffix, perfMS(cpu/time.Duration(signals)), "ms")
	}
}

// perfReportLatency pairs each hook run with the networkd signal that caused
// it: the last PropertiesChanged of that link with that state before the
// run started.
func perfReportLatency(suffix string, sigs []perf.Signal, runs []perf.Run, from, to time.Time, idx map[string]int) {
	var routable, all []time.Duration
	unmatched, notes, early := 0, 0, 0
	for _, r := range runs {
		if r.At.Before(from) || r.At.After(to) || idx[r.Link] == 0 {
			continue
		}
		prop := "AdministrativeState"
		if perfOpDirs[r.Dir] {
			prop = "OperationalState"
		}
		path := lab.LinkPath(idx[r.Link])
		// dbus-monitor stamps a signal when it gets round to it, which
		// can be after the broker already started the hook: a signal up
		// to 50 ms after the run still caused it (flaps are > 1 s apart).
		var cause time.Time
		for _, s := range sigs {
			if s.Time.After(r.At.Add(50 * time.Millisecond)) {
				break
			}
			if s.Path == path && s.Props[prop] == r.State {
				cause = s.Time
			}
		}
		if cause.IsZero() {
			unmatched++
			continue
		}
		d := r.At.Sub(cause)
		if d < 0 {
			early++
		}
		if d > 100*time.Millisecond && notes < 3 {
			notes++
			perfOutlier(sigs, r, path, d)
		}
		all = append(all, d)
		if r.Dir == "routable.d" {
			routable = append(routable, d)
		}
	}
	perfMethod("time from networkd's PropertiesChanged (its arrival at a dbus-monitor on the same bus) to the recording hook's start (date +%%s%%N in /bin/sh, after the shell's own start-up); %d routable.d runs, %d runs of all state directories, %d not matched, %d with the monitor's stamp after the hook's start (counted as negative: the monitor lags, so figures err low)", len(routable), len(all), unmatched, early)
	perfMetric("signal_to_hook_routable_p50"+suffix, perfMS(perf.Percentile(routable, 50)), "ms")
	perfMetric("signal_to_hook_routable_p95"+suffix, perfMS(perf.Percentile(routable, 95)), "ms")
	perfMetric("signal_to_hook_all_p50"+suffix, perfMS(perf.Percentile(all, 50)), "ms")
	perfMetric("signal_to_hook_all_p95"+suffix, perfMS(perf.Percentile(all, 95)), "ms")
}

// perfOutlier prints a slow run with the link's signals of the 3 s
// before it, so an outlier can be told from a mismatch.
func perfOutlier(sigs []perf.Signal, r perf.Run, path string, d time.Duration) {
	fmt.Printf("note: outlier %s ms: %s %s (old %s) started %s; signals of %s before it:\n", perfMS(d), r.Link, r.Dir, r.Old,
		r.At.Format("15:04:05.000000"), path)
	for _, s := range sigs {
		if s.Path == path && s.Time.After(r.At.Add(-3*time.Second)) && s.Time.Before(r.At.Add(time.Second)) {
			fmt.Printf("note:   %s %v\n", s.Time.Format("15:04:05.000000"), s.Props)
		}
	}
}

// perfReportRunsPerFlap counts the hook runs of the flapping links and checks
// that each flap gave exactly no-carrier, carrier, routable (operational)
// and configured (administrative), in that order.
func perfReportRunsPerFlap(runs []perf.Run, from, to time.Time, names []string, rounds int) {
	total, exact := 0, 0
	want := strings.Repeat("no-carrier carrier routable ", rounds)
	wantAdmin := strings.Repeat("configured ", rounds)
	for _, n := range names {
		var op, admin strings.Builder
		for _, r := range runs {
			if r.Link != n || r.At.Before(from) || r.At.After(to) {
				continue
			}
			total++
			if perfOpDirs[r.Dir] {
				op.WriteString(r.State + " ")
			} else {
				admin.WriteString(r.State + " ")
			}
		}
		if op.String() == want && admin.String() == wantAdmin {
			exact++
		} else {
			fmt.Printf("note: %s ran op %q admin %q\n", n, op.String(), admin.String())
		}
	}
	flaps := rounds * len(names)
	perfMethod("hook directory runs of the flapping links divided by flaps (hooks in carrier.d configured.d degraded.d no-carrier.d routable.d; expected 4: no-carrier, carrier, routable, configured); a link is in order when its runs are exactly that sequence for every flap")
	perfMetric("hook_runs_per_flap", strconv.FormatFloat(float64(total)/float64(flaps), 'f', 2, 64), "runs")
	perfMetric("links_in_exact_order", fmt.Sprintf("%d/%d", exact, len(names)), "links")
}

// perfScale measures start-to-ready and RSS with 10, 100 and 500 extra
// veth links (unmanaged by networkd, which still lists them), for the
// networkd and the kernel generator.
func perfScale(t *testing.T, bin string) {
	l := lab.Up(t, lab.Options{Networkd: true})
	gens := map[string]*perfRecorder{
		"networkd": newPerfRecorder(t, "System:\n  User: nobody\n"),
		"kernel":   newPerfRecorder(t, "System:\n  User: nobody\n  Generator: kernel\n"),
	}
	have := 0
	perfMethod("start to ready (as above, median of 3 starts) and VmRSS 0.5 s after ready, with N veth links added to the lab's 4 (their peers in the server namespace), for Generator systemd-networkd (ListLinks and GetAll of every link) and Generator kernel; beside them the time of `ip -d link show` in the namespace (exec included): the kernel's link dump, which the global RTNL lock can slow when other namespaces change")
	for _, n := range []int{10, 100, 500} {
		var add []string
		for i := have; i < n; i++ {
			add = append(add, fmt.Sprintf("link add sc%d type veth peer name sc%dp netns %s", i, i, l.SrvNS))
		}
		l.Exec(t, "ip", "-batch", faultBatch(t, add))
		have = n
		waitFor(t, 60*time.Second, fmt.Sprintf("networkd to list %d links", n+4), func() (bool, string) {
			f := strings.Fields(l.Busctl(t, "call", ndName, string(ndPath), ndManager, "ListLinks"))
			return len(f) > 1 && f[1] == strconv.Itoa(n+4), strings.Join(f[:min(2, len(f))], " ")
		})
		var dump []time.Duration
		for i := 0; i < 3; i++ {
			s := time.Now()
			if err := exec.Command("ip", "-n", l.NS, "-o", "-d", "link", "show").Run(); err != nil {
				t.Fatal(err)
			}
			dump = append(dump, time.Since(s))
		}
		perfMetric(fmt.Sprintf("ip_link_dump_%d_links", n), perfMS(perfMedian(dump)), "ms")
		for _, gen := range []string{"networkd", "kernel"} {
			var ready []time.Duration
			var rss int64
			for i := 0; i < 3; i++ {
				b := perfBroker(t, l.Command(perfBrokerEnv(), bin, "-config-dir", gens[gen].dir))
				ready = append(ready, perfReady(t, b))
				time.Sleep(500 * time.Millisecond)
				rss = max(rss, perfStat(t, b.PID()).RSS)
				b.Stop(10 * time.Second)
			}
			perfMetric(fmt.Sprintf("start_to_ready_%s_%d_links", gen, n), perfMS(perfMedian(ready)), "ms")
			perfMetric(fmt.Sprintf("rss_after_start_%s_%d_links", gen, n), perf.MiB(rss), "MiB")
		}
	}
}

// perfStormLinks networkd-managed links take part in the storm.
const perfStormLinks, perfStormRounds = 40, 10

// perfStorm flaps many links and adds and removes addresses in bursts,
// then measures the events handled per second of daemon CPU and checks
// that every link's last hook runs match networkd's final states.
func perfStorm(t *testing.T, bin string) {
	files := lab.DefaultNetworkFiles()
	var names []string
	for i := 0; i < perfStormLinks; i++ {
		n := fmt.Sprintf("st%d", i)
		names = append(names, n)
		files["40-"+n+".network"] = fmt.Sprintf("[Match]\nName=%s\n[Network]\nAddress=10.82.%d.2/24\nLinkLocalAddressing=no\nIPv6AcceptRA=no\n", n, i)
	}
	l := lab.Up(t, lab.Options{NetworkFiles: files})
	var add, up []string
	for _, n := range names {
		add = append(add, fmt.Sprintf("link add %s type veth peer name %sp netns %s", n, n, l.SrvNS))
		up = append(up, "link set "+n+"p up")
	}
	l.Exec(t, "ip", "-batch", faultBatch(t, add))
	l.SrvExec(t, "ip", "-batch", faultBatch(t, up))
	l.StartNetworkd(t)
	for _, n := range names {
		l.WaitLinkProperty(t, l.IfIndex(t, n), "OperationalState", "routable", 20*time.Second)
	}
	rec := newPerfRecorder(t, "System:\n  User: nobody\n")
	b := perfBroker(t, l.Command(perfBrokerEnv(), bin, "-config-dir", rec.dir))
	perfReady(t, b)
	mon := perfStartMonitor(t, l)
	nl := perfCountNetlink(t, l.NS)
	s0 := perfStat(t, b.PID())
	start := time.Now()
	for r := 0; r < perfStormRounds; r++ {
		var down, up, addrs, dels []string
		for i, n := range names {
			if (i+r)%3 == 0 {
				down = append(down, "link set "+n+"p down")
				up = append(up, "link set "+n+"p up")
			}
			for k := 0; k < 10; k++ {
				addrs = append(addrs, fmt.Sprintf("addr add 10.83.%d.%d/32 dev %s", i, 10+k, n))
				dels = append(dels, fmt.Sprintf("addr del 10.83.%d.%d/32 dev %s", i, 10+k, n))
			}
		}
		l.SrvExec(t, "ip", "-batch", faultBatch(t, down))
		l.Exec(t, "ip", "-batch", faultBatch(t, addrs))
		time.Sleep(400 * time.Millisecond)
		if r < perfStormRounds-1 {
			l.SrvExec(t, "ip", "-batch", faultBatch(t, up))
		}
		l.Exec(t, "ip", "-batch", faultBatch(t, dels))
		time.Sleep(400 * time.Millisecond)
	}
	// Wait for networkd and the hooks to settle, then compare.
	time.Sleep(2 * time.Second)
	rec.quiet(t, 2*time.Second)
	s1 := perfStat(t, b.PID())
	end := time.Now()
	events, overruns := nl()
	sigs := perfStopMonitor(t, mon)
	signals := 0
	for _, s := range sigs {
		if !s.Time.Before(start) && !s.Time.After(end) {
			signals++
		}
	}
	cpu := s1.CPU() - s0.CPU()
	perfMethod("storm: %d networkd links, %d rounds of: a third of the peers down, 10 addresses added to every link in one burst, 0.4 s, peers up (not in the last round), the addresses removed, 0.4 s; events are networkd's PropertiesChanged (dbus-monitor) plus rtnetlink notifications (an rtnl monitor, %d overruns) over the storm and settling; CPU is the broker's utime+stime", perfStormLinks, perfStormRounds, overruns)
	perfMetric("storm_events", strconv.Itoa(signals+events), "count")
	perfMetric("storm_signals", strconv.Itoa(signals), "count")
	perfMetric("storm_netlink_events", strconv.Itoa(events), "count")
	perfMetric("storm_daemon_cpu", perfMS(cpu), "ms")
	if cpu > 0 {
		perfMetric("storm_events_per_cpu_second", strconv.Itoa(int(float64(signals+events)/cpu.Seconds())), "events/s")
	}
	perfMetric("storm_rss", perf.MiB(s1.RSS), "MiB")
	op, admin := perfLastStates(rec.runs(t))
	match := 0
	for _, n := range names {
		idx := l.IfIndex(t, n)
		ndOp, ndAdmin := perfBusString(l.LinkProperty(t, idx, "OperationalState")), perfBusString(l.LinkProperty(t, idx, "AdministrativeState"))
		if op[n] == ndOp && (admin[n] == ndAdmin || admin[n] == "" && ndAdmin == "configured") {
			match++
		} else {
			fmt.Printf("note: %s: last hooks %s/%s, networkd %s/%s\n", n, op[n], admin[n], ndOp, ndAdmin)
		}
	}
	perfMethod("each link's last operational and administrative hook run compared with networkd's final OperationalState and AdministrativeState")
	perfMetric("storm_links_final_state_match", fmt.Sprintf("%d/%d", match, perfStormLinks), "links")
}

// perfBusString unquotes a string property as LinkProperty returns it.
func perfBusString(v string) string {
	return strings.Trim(strings.TrimPrefix(strings.TrimSpace(v), "s "), `"`)
}

package hooks

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// record is a thread-safe log of job runs and drops.
type record struct {
	mu      sync.Mutex
	ran     map[string][]string // key -> values in run order
	dropped map[string]int      // "key/class" -> count
}

func newRecord() *record {
	return &record{ran: map[string][]string{}, dropped: map[string]int{}}
}

func (r *record) run(key, value string) {
	r.mu.Lock()
	r.ran[key] = append(r.ran[key], value)
	r.mu.Unlock()
}

func (r *record) drop(key, class string) {
	r.mu.Lock()
	r.dropped[key+"/"+class]++
	r.mu.Unlock()
}

// gate is a job that blocks until released, so tests can hold a key busy.
type gate struct {
	started chan struct{}
	release chan struct{}
}

func newGate() *gate { return &gate{make(chan struct{}), make(chan struct{})} }

func (g *gate) job() { close(g.started); <-g.release }

// settle submits a last job per key and waits until all have run: jobs of
// one key run in order, so every earlier job of those keys is done then.
func settle(t *testing.T, q *Queue, keys ...string) {
	t.Helper()
	var wg sync.WaitGroup
	for _, k := range keys {
		wg.Add(1)
		q.Submit(k, "settle", wg.Done)
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(60 * time.Second): // hang detector only
		t.Fatal("queue did not run the settle jobs")
	}
}

// TestQueueSupersede: with a key busy, a pending job of a class is
// replaced by the newest of that class, which goes to the back; other
// classes keep their place, and each drop is reported.
func TestQueueSupersede(t *testing.T) {
	rec := newRecord()
	q := NewQueue(4, rec.drop)
	g := newGate()
	q.Submit("eth0", "Oper", g.job)
	<-g.started
	submit := func(class, value string) {
		q.Submit("eth0", class, func() { rec.run("eth0", class+"="+value) })
	}
	submit("Oper", "no-carrier")
	submit("Admin", "configuring")
	submit("Oper", "carrier")
	submit("Admin", "configured")
	submit("Routes", "1")
	submit("Oper", "routable")
	close(g.release)
	settle(t, q, "eth0")
	want := []string{"Admin=configured", "Routes=1", "Oper=routable"}
	if got := rec.ran["eth0"]; !slices.Equal(got, want) {
		t.Errorf("ran %q, want %q", got, want)
	}
	if want := map[string]int{"eth0/Oper": 2, "eth0/Admin": 1}; !maps(rec.dropped, want) {
		t.Errorf("dropped %v, want %v", rec.dropped, want)
	}
}

// maps reports whether a and b hold the same entries.
func maps(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestQueueRunningNotDropped: a job already running is never superseded;
// the new one runs after it.
func TestQueueRunningNotDropped(t *testing.T) {
	rec := newRecord()
	q := NewQueue(1, rec.drop)
	g := newGate()
	q.Submit("eth0", "Oper", func() { g.job(); rec.run("eth0", "first") })
	<-g.started
	q.Submit("eth0", "Oper", func() { rec.run("eth0", "second") })
	close(g.release)
	settle(t, q, "eth0")
	if got := rec.ran["eth0"]; !slices.Equal(got, []string{"first", "second"}) || len(rec.dropped) != 0 {
		t.Errorf("ran %q dropped %v, want both in order and no drop", got, rec.dropped)
	}
}

// TestQueueFlood submits many values of a few classes for many keys from
// several goroutines. Per key: one job at a time, values of a class in
// increasing order (never an older after a newer), the last value of
// every class runs, and every submission either ran or was reported
// dropped. Across keys: never more than the bound at once, and the bound
// is reached.
func TestQueueFlood(t *testing.T) {
	const (
		parallel = 4
		keys     = 32
		values   = 500
	)
	classes := []string{"Oper", "Admin", "Routes"}
	var (
		mu        sync.Mutex
		ran       = map[string][]int{} // key/class -> values in run order
		perKey    = map[string]int{}   // running jobs per key
		running   int
		maxSeen   int
		dropCount atomic.Int64
		total     atomic.Int64
	)
	q := NewQueue(parallel, func(key, class string) { dropCount.Add(1) })
	var submitters sync.WaitGroup
	for k := range keys {
		submitters.Add(1)
		go func() {
			defer submitters.Done()
			key := fmt.Sprintf("veth%d", k)
			for v := range values {
				for _, class := range classes {
					total.Add(1)
					q.Submit(key, class, func() {
						mu.Lock()
						perKey[key]++
						running++
						maxSeen = max(maxSeen, running)
						if perKey[key] != 1 {
							t.Errorf("%s: %d jobs at once", key, perKey[key])
						}
						ran[key+"/"+class] = append(ran[key+"/"+class], v)
						mu.Unlock()
						time.Sleep(50 * time.Microsecond) // let others overlap
						mu.Lock()
						perKey[key]--
						running--
						mu.Unlock()
					})
				}
			}
		}()
	}
	submitters.Wait()
	var all []string
	for k := range keys {
		all = append(all, fmt.Sprintf("veth%d", k))
	}
	settle(t, q, all...)
	mu.Lock()
	defer mu.Unlock()
	runs := 0
	for _, key := range all {
		for _, class := range classes {
			vs := ran[key+"/"+class]
			runs += len(vs)
			if !slices.IsSorted(vs) || len(vs) == 0 || vs[len(vs)-1] != values-1 {
				t.Errorf("%s/%s ran %v: want increasing, ending with %d", key, class, vs, values-1)
			}
		}
	}
	if int64(runs)+dropCount.Load() != total.Load() {
		t.Errorf("%d ran + %d dropped != %d submitted", runs, dropCount.Load(), total.Load())
	}
	if maxSeen > parallel {
		t.Errorf("%d keys ran at once, bound %d", maxSeen, parallel)
	}
	t.Logf("%d submitted, %d ran, %d dropped, at most %d at once", total.Load(), runs, dropCount.Load(), maxSeen)
}

// TestQueueBoundReached holds jobs until parallel keys run at once, and
// checks that one more key waits.
func TestQueueBoundReached(t *testing.T) {
	const parallel = 3
	q := NewQueue(parallel, nil)
	release := make(chan struct{})
	var started sync.WaitGroup
	started.Add(parallel)
	var extra atomic.Bool
	for i := range parallel {
		q.Submit(fmt.Sprint("k", i), "c", func() { started.Done(); <-release })
	}
	started.Wait() // all parallel keys run at once: the bound is usable
	extraDone := make(chan struct{})
	q.Submit("k-extra", "c", func() { extra.Store(true); close(extraDone) })
	q.mu.Lock()
	waiting := len(q.ready)
	q.mu.Unlock()
	if waiting != 1 || extra.Load() {
		t.Errorf("the extra key started (ready queue %d) while %d ran", waiting, parallel)
	}
	close(release)
	<-extraDone
	if err := q.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// TestQueueShutdown: running jobs finish, pending ones are dropped and
// reported, later submissions are refused and reported, and a context
// ending first is reported.
func TestQueueShutdown(t *testing.T) {
	rec := newRecord()
	q := NewQueue(2, rec.drop)
	g := newGate()
	q.Submit("eth0", "Oper", func() { g.job(); rec.run("eth0", "running") })
	<-g.started
	q.Submit("eth0", "Admin", func() { rec.run("eth0", "pending") })

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := q.Shutdown(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Shutdown with a job still running = %v, want DeadlineExceeded", err)
	}
	q.Submit("eth1", "Oper", func() { rec.run("eth1", "late") })

	shut := make(chan error, 1)
	go func() { shut <- q.Shutdown(context.Background()) }()
	select {
	case err := <-shut:
		t.Fatalf("Shutdown returned %v while a job was running", err)
	case <-time.After(20 * time.Millisecond):
	}
	close(g.release)
	if err := <-shut; err != nil {
		t.Fatal(err)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if !slices.Equal(rec.ran["eth0"], []string{"running"}) || len(rec.ran["eth1"]) != 0 {
		t.Errorf("ran %v, want only the running job", rec.ran)
	}
	if want := map[string]int{"eth0/Admin": 1, "eth1/Oper": 1}; !maps(rec.dropped, want) {
		t.Errorf("dropped %v, want %v", rec.dropped, want)
	}
	if err := q.Shutdown(context.Background()); err != nil {
		t.Errorf("second Shutdown on an idle queue: %v", err)
	}
}

// TestQueueDroppedMaySubmit: the dropped callback runs outside the lock.
func TestQueueDroppedMaySubmit(t *testing.T) {
	var q *Queue
	resubmitted := make(chan struct{})
	q = NewQueue(1, func(key, class string) {
		if class == "Oper" {
			q.Submit(key, "Dropped", func() { close(resubmitted) })
		}
	})
	g := newGate()
	q.Submit("eth0", "x", g.job)
	<-g.started
	q.Submit("eth0", "Oper", func() {})
	q.Submit("eth0", "Oper", func() {}) // drops the first; the callback submits
	close(g.release)
	select {
	case <-resubmitted:
	case <-time.After(60 * time.Second): // hang detector only
		t.Fatal("the job submitted from the dropped callback never ran")
	}
}

// TestQueueSubmitValue: value jobs never report a value twice in a row,
// and learn the value the scripts last saw.
func TestQueueSubmitValue(t *testing.T) {
	rec := newRecord()
	q := NewQueue(1, rec.drop)
	submit := func(class, old, value string) {
		q.SubmitValue("eth0", class, old, value, func(old string) {
			rec.run("eth0", class+":"+old+">"+value)
		})
	}
	// The first value job compares with the caller's old value.
	submit("Oper", "routable", "routable") // no change: dropped
	submit("Oper", "routable", "degraded")
	settle(t, q, "eth0")

	g := newGate()
	q.Submit("eth0", "busy", g.job)
	<-g.started
	submit("Oper", "degraded", "no-carrier")
	submit("Admin", "configured", "configuring")
	submit("Oper", "no-carrier", "degraded") // supersedes no-carrier, then repeats degraded
	submit("Admin", "configuring", "configured")
	close(g.release)
	settle(t, q, "eth0")

	g = newGate()
	q.Submit("eth0", "busy", g.job)
	<-g.started
	submit("Oper", "degraded", "no-carrier")
	submit("Oper", "no-carrier", "routable") // supersedes; runs with the old value last run
	close(g.release)
	settle(t, q, "eth0")

	q.Forget("eth0")
	submit("Oper", "off", "routable") // after Forget, the caller's old counts again
	settle(t, q, "eth0")

	want := []string{"Oper:routable>degraded", "Oper:degraded>routable", "Oper:off>routable"}
	if got := rec.ran["eth0"]; !slices.Equal(got, want) {
		t.Errorf("ran %q, want %q", got, want)
	}
	// Dropped: the first no-op, no-carrier superseded and degraded
	// repeated, both Admin values (configuring superseded, configured
	// equal to the caller's old), and no-carrier superseded again.
	if want := map[string]int{"eth0/Oper": 4, "eth0/Admin": 2}; !maps(rec.dropped, want) {
		t.Errorf("dropped %v, want %v", rec.dropped, want)
	}
}

// TestQueueValueFlood floods value jobs flipping between a few states for
// several keys: per key, no value runs twice in a row, each run's old is
// the previous run's value, and the last run shows the last value sent.
func TestQueueValueFlood(t *testing.T) {
	const keys, n = 8, 3000
	states := []string{"carrier", "no-carrier", "routable"}
	q := NewQueue(3, nil)
	var mu sync.Mutex
	type run struct{ old, value string }
	runs := map[string][]run{}
	lastSent := map[string]string{}
	var wg sync.WaitGroup
	for k := range keys {
		wg.Add(1)
		go func() {
			defer wg.Done()
			key := fmt.Sprint("eth", k)
			old := "off"
			seed := uint32(k*7919 + 1)
			for range n {
				seed = seed*1664525 + 1013904223 // LCG: cheap, repeatable
				value := states[(seed>>16)%uint32(len(states))]
				q.SubmitValue(key, "Oper", old, value, func(old string) {
					mu.Lock()
					runs[key] = append(runs[key], run{old, value})
					mu.Unlock()
				})
				old = value
			}
			mu.Lock()
			lastSent[key] = old
			mu.Unlock()
		}()
	}
	wg.Wait()
	var all []string
	for k := range keys {
		all = append(all, fmt.Sprint("eth", k))
	}
	settle(t, q, all...)
	mu.Lock()
	defer mu.Unlock()
	for _, key := range all {
		rs := runs[key]
		prev := "off"
		for i, r := range rs {
			if r.old != prev || r.value == prev {
				t.Fatalf("%s run %d: %s>%s after %s", key, i, r.old, r.value, prev)
			}
			prev = r.value
		}
		if prev != lastSent[key] {
			t.Errorf("%s: last run %s, last value sent %s", key, prev, lastSent[key])
		}
	}
}

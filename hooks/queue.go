package hooks

import (
	"context"
	"sync"
)

// Queue runs jobs submitted under a key (a link) and a class (the
// property a job reports, e.g. "OperationalState").
//
//   - Jobs of one key run one at a time, in submission order.
//   - Different keys run in parallel, at most parallel at once; a key
//     whose job ends goes behind the other waiting keys (round robin).
//   - A pending (not started) job is dropped when a newer job of the same
//     key and class is submitted. The newer job does not take the old
//     one's place but goes to the back of its key's queue: the latest
//     value of a property runs after everything submitted before it,
//     while jobs of other classes keep their place. So a key holds at
//     most one pending job per class.
//   - Jobs submitted with SubmitValue also never report the same value of
//     a class twice in a row (see there).
//   - Every dropped job is reported to the dropped callback, outside the
//     Queue's lock (it may call Submit).
type Queue struct {
	mu       sync.Mutex
	parallel int
	dropped  func(key, class string)
	keys     map[string]*keyQueue         // keys with a running or pending job
	ready    []string                     // keys with pending jobs and none running, FIFO
	running  int                          // keys with a running job
	last     map[string]map[string]string // key -> class -> value last started
	forgot   map[string]bool              // keys forgotten while they still had work
	closed   bool
	idle     chan struct{} // closed when running drops to 0 after Shutdown
}

// keyQueue is the pending work of one key.
type keyQueue struct {
	pending []job
	running bool
}

// job is one submitted piece of work: run for Submit, runValue for
// SubmitValue.
type job struct {
	class      string
	run        func()
	runValue   func(old string)
	value, old string
}

// drop is a dropped job to report once the lock is released.
type drop struct{ key, class string }

// NewQueue returns a queue running up to parallel keys at once (at least
// one). dropped, which may be nil, is told of every job that will not
// run: superseded, repeating a value, submitted after Shutdown, or
// pending at Shutdown.
func NewQueue(parallel int, dropped func(key, class string)) *Queue {
	if parallel < 1 {
		parallel = 1
	}
	if dropped == nil {
		dropped = func(string, string) {}
	}
	return &Queue{
		parallel: parallel,
		dropped:  dropped,
		keys:     make(map[string]*keyQueue),
		last:     make(map[string]map[string]string),
		forgot:   make(map[string]bool),
	}
}

// Submit queues fn under key and class. It never blocks: fn runs later on
// a goroutine of the Queue.
func (q *Queue) Submit(key, class string, fn func()) {
	q.submit(key, job{class: class, run: fn})
}

// SubmitValue queues fn, a job reporting that class has become value,
// whose value before was old as far as the caller knows. Superseding can
// make a value follow itself: with "carrier" running, "no-carrier"
// pending and "carrier" submitted, the pending job gives way and
// "carrier" would run twice in a row. So when a value job is about to
// start, the value of the last job of its key and class that started (or
// old, if none has) is compared with its own: equal, the job is dropped;
// different, fn runs with that previous value, which is the old state
// the scripts last saw. (A job superseding a pending one takes over that
// one's old.) It never blocks.
func (q *Queue) SubmitValue(key, class, old, value string, fn func(old string)) {
	q.submit(key, job{class: class, runValue: fn, value: value, old: old})
}

// Forget discards what the queue remembers of key's values (see
// SubmitValue), e.g. when a link is removed. Pending jobs stay.
func (q *Queue) Forget(key string) {
	q.mu.Lock()
	delete(q.last, key)
	if q.keys[key] != nil {
		// Its remaining jobs would record values again: forget those too
		// when the key runs dry, so removed keys leave nothing behind.
		q.forgot[key] = true
	}
	q.mu.Unlock()
}

// submit queues j under key and reports the jobs it displaced.
func (q *Queue) submit(key string, j job) {
	var drops []drop
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		q.dropped(key, j.class)
		return
	}
	k := q.keys[key]
	if k == nil {
		k = &keyQueue{}
		q.keys[key] = k
	}
	idle := !k.running && len(k.pending) == 0 // so not yet in q.ready
	for i, p := range k.pending {
		if p.class == j.class {
			if p.runValue != nil && j.runValue != nil {
				// The superseded job's old value is what came before
				// both, should no job of the class have started yet.
				j.old = p.old
			}
			k.pending = append(k.pending[:i], k.pending[i+1:]...)
			drops = append(drops, drop{key, j.class})
			break // at most one pending job per class
		}
	}
	k.pending = append(k.pending, j)
	if idle {
		q.ready = append(q.ready, key)
	}
	q.dispatch(&drops)
	q.mu.Unlock()
	q.report(drops)
}

// report tells the dropped callback about drops; called without the lock.
func (q *Queue) report(drops []drop) {
	for _, d := range drops {
		q.dropped(d.key, d.class)
	}
}

// dispatch starts the first job of ready keys while below the bound,
// adding jobs dropped on the way to drops. Called with q.mu held.
func (q *Queue) dispatch(drops *[]drop) {
	for q.running < q.parallel && len(q.ready) > 0 {
		key := q.ready[0]
		q.ready = q.ready[1:]
		k := q.keys[key]
		j, ok := q.next(key, k, drops)
		if !ok {
			delete(q.keys, key)
			continue
		}
		k.running = true
		q.running++
		go q.do(key, k, j)
	}
}

// next takes the first job of k that is to run, dropping value jobs that
// would repeat the last value started. Called with q.mu held.
func (q *Queue) next(key string, k *keyQueue, drops *[]drop) (job, bool) {
	for len(k.pending) > 0 {
		j := k.pending[0]
		k.pending = k.pending[1:]
		if j.runValue == nil {
			return j, true
		}
		classes := q.last[key]
		if classes == nil {
			classes = make(map[string]string)
			q.last[key] = classes
		}
		prev, seen := classes[j.class]
		if !seen {
			prev = j.old
		}
		if j.value == prev {
			*drops = append(*drops, drop{key, j.class})
			continue
		}
		classes[j.class] = j.value
		j.old = prev
		return j, true
	}
	return job{}, false
}

// do runs one job, then lets the key's next job (or another key) go.
func (q *Queue) do(key string, k *keyQueue, j job) {
	defer q.done(key, k)
	if j.runValue != nil {
		j.runValue(j.old)
		return
	}
	j.run()
}

// done records the end of a key's running job.
func (q *Queue) done(key string, k *keyQueue) {
	var drops []drop
	q.mu.Lock()
	k.running = false
	q.running--
	if len(k.pending) > 0 {
		q.ready = append(q.ready, key)
	} else {
		delete(q.keys, key)
		if q.forgot[key] {
			delete(q.forgot, key)
			delete(q.last, key)
		}
	}
	q.dispatch(&drops)
	if q.closed && q.running == 0 && q.idle != nil {
		close(q.idle)
		q.idle = nil
	}
	q.mu.Unlock()
	q.report(drops)
}

// Shutdown stops taking work, drops the pending jobs (reporting each),
// and waits until the running jobs have returned or ctx is done, whose
// error it then returns. Jobs are not interrupted: a job that runs
// scripts ends when they do, bounded by the Runner's timeouts. Shutdown
// may be called more than once.
func (q *Queue) Shutdown(ctx context.Context) error {
	var drops []drop
	q.mu.Lock()
	q.closed = true
	for key, k := range q.keys {
		for _, j := range k.pending {
			drops = append(drops, drop{key, j.class})
		}
		k.pending = nil
		if !k.running {
			delete(q.keys, key)
		}
	}
	q.ready = nil
	idle := q.idle
	if q.running == 0 {
		idle = make(chan struct{})
		close(idle)
	} else if idle == nil {
		idle = make(chan struct{})
		q.idle = idle
	}
	q.mu.Unlock()
	q.report(drops)
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

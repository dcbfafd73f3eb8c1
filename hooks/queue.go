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
//   - Every dropped job is reported to the dropped callback, outside the
//     Queue's lock (it may call Submit).
type Queue struct {
	mu       sync.Mutex
	parallel int
	dropped  func(key, class string)
	keys     map[string]*keyQueue // keys with a running or pending job
	ready    []string             // keys with pending jobs and none running, FIFO
	running  int                  // keys with a running job
	closed   bool
	idle     chan struct{} // closed when running drops to 0 after Shutdown
}

// keyQueue is the pending work of one key.
type keyQueue struct {
	pending []job
	running bool
}

// job is one submitted piece of work.
type job struct {
	class string
	run   func()
}

// NewQueue returns a queue running up to parallel keys at once (at least
// one). dropped, which may be nil, is told of every job that will not
// run: superseded, submitted after Shutdown, or pending at Shutdown.
func NewQueue(parallel int, dropped func(key, class string)) *Queue {
	if parallel < 1 {
		parallel = 1
	}
	if dropped == nil {
		dropped = func(string, string) {}
	}
	return &Queue{parallel: parallel, dropped: dropped, keys: make(map[string]*keyQueue)}
}

// Submit queues fn under key and class. It never blocks: fn runs later on
// a goroutine of the Queue.
func (q *Queue) Submit(key, class string, fn func()) {
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		q.dropped(key, class)
		return
	}
	k := q.keys[key]
	if k == nil {
		k = &keyQueue{}
		q.keys[key] = k
	}
	idle := !k.running && len(k.pending) == 0 // so not yet in q.ready
	superseded := false
	for i, j := range k.pending {
		if j.class == class {
			k.pending = append(k.pending[:i], k.pending[i+1:]...)
			superseded = true
			break // at most one pending job per class
		}
	}
	k.pending = append(k.pending, job{class: class, run: fn})
	if idle {
		q.ready = append(q.ready, key)
	}
	q.dispatch()
	q.mu.Unlock()
	if superseded {
		q.dropped(key, class)
	}
}

// dispatch starts the first job of ready keys while below the bound.
// Called with q.mu held.
func (q *Queue) dispatch() {
	for q.running < q.parallel && len(q.ready) > 0 {
		key := q.ready[0]
		q.ready = q.ready[1:]
		k := q.keys[key]
		j := k.pending[0]
		k.pending = k.pending[1:]
		k.running = true
		q.running++
		go q.do(key, k, j)
	}
}

// do runs one job, then lets the key's next job (or another key) go.
func (q *Queue) do(key string, k *keyQueue, j job) {
	defer q.done(key, k)
	j.run()
}

// done records the end of a key's running job.
func (q *Queue) done(key string, k *keyQueue) {
	q.mu.Lock()
	defer q.mu.Unlock()
	k.running = false
	q.running--
	if len(k.pending) > 0 {
		q.ready = append(q.ready, key)
	} else {
		delete(q.keys, key)
	}
	q.dispatch()
	if q.closed && q.running == 0 && q.idle != nil {
		close(q.idle)
		q.idle = nil
	}
}

// Shutdown stops taking work, drops the pending jobs (reporting each),
// and waits until the running jobs have returned or ctx is done, whose
// error it then returns. Jobs are not interrupted: a job that runs
// scripts ends when they do, bounded by the Runner's timeouts. Shutdown
// may be called more than once.
func (q *Queue) Shutdown(ctx context.Context) error {
	q.mu.Lock()
	q.closed = true
	var drops []job
	var dropKeys []string
	for key, k := range q.keys {
		for _, j := range k.pending {
			drops = append(drops, j)
			dropKeys = append(dropKeys, key)
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
	for i, j := range drops {
		q.dropped(dropKeys[i], j.class)
	}
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

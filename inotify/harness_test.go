package inotify

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// hangGuard bounds every wait so a broken watcher fails the test instead of
// hanging it; it is not a performance assertion.
const hangGuard = 10 * time.Second

type readResult struct {
	evs []Event
	err error
}

// harness owns a Watcher and a goroutine that feeds its Read results into
// a channel, so tests can wait with a hang guard.
type harness struct {
	t        *testing.T
	w        *Watcher
	results  chan readResult
	sentinel int
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	w, err := New()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return startHarness(t, w)
}

// startHarness starts the goroutine that reads w until it is closed.
func startHarness(t *testing.T, w *Watcher) *harness {
	h := &harness{t: t, w: w, results: make(chan readResult, 1024)}
	go func() {
		for {
			evs, err := w.Read()
			h.results <- readResult{evs, err}
			if errors.Is(err, ErrClosed) {
				return
			}
		}
	}()
	return h
}

// next returns the next Read result or fails the test after hangGuard.
func (h *harness) next() readResult {
	h.t.Helper()
	select {
	case r := <-h.results:
		return r
	case <-time.After(hangGuard):
		h.t.Fatalf("no inotify event within %v", hangGuard)
		return readResult{}
	}
}

// sync creates a sentinel directory in dir and returns every event seen
// before the sentinel's Create, leaving sentinel events out. Since the
// kernel queue is ordered, this collects exactly the effects of the
// operations the test did before.
func (h *harness) sync(dir string) []Event {
	h.t.Helper()
	h.sentinel++
	name := ".sentinel-" + strconv.Itoa(h.sentinel)
	if err := os.Mkdir(filepath.Join(dir, name), 0o700); err != nil {
		h.t.Fatal(err)
	}
	var got []Event
	for {
		r := h.next()
		if r.err != nil {
			h.t.Fatalf("Read: %v", r.err)
		}
		for _, e := range r.evs {
			if e.Name == name && e.Mask&Create != 0 {
				return got
			}
			if !strings.HasPrefix(e.Name, ".sentinel-") {
				got = append(got, e)
			}
		}
	}
}

// until reads until an event matches want, returning all events read.
func (h *harness) until(want func(Event) bool) []Event {
	h.t.Helper()
	var got []Event
	for {
		r := h.next()
		if r.err != nil {
			h.t.Fatalf("Read: %v", r.err)
		}
		got = append(got, r.evs...)
		for _, e := range r.evs {
			if want(e) {
				return got
			}
		}
	}
}

// has reports whether evs holds an event for name with all bits of mask.
// Identical consecutive events coalesce in the kernel, so tests check
// presence and order, never counts.
func has(evs []Event, dir, name string, mask uint32) bool {
	return index(evs, dir, name, mask) >= 0
}

func index(evs []Event, dir, name string, mask uint32) int {
	for i, e := range evs {
		if e.Dir == dir && e.Name == name && e.Mask&mask == mask {
			return i
		}
	}
	return -1
}

func mustHave(t *testing.T, step string, evs []Event, dir, name string, masks ...uint32) {
	t.Helper()
	last := -1
	for _, m := range masks {
		i := index(evs[last+1:], dir, name, m)
		if i < 0 {
			t.Fatalf("%s: want %s %s after position %d, got %v", step, name, MaskString(m), last, evs)
		}
		last += 1 + i
	}
}

func write(t *testing.T, path string, flag int, data string) {
	t.Helper()
	f, err := os.OpenFile(path, flag, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(data); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// maxQueued reads the kernel's queue limit; the overflow test needs more
// events than that.
func maxQueued(t *testing.T) int {
	t.Helper()
	b, err := os.ReadFile("/proc/sys/fs/inotify/max_queued_events")
	if err != nil {
		t.Fatalf("reading the queue limit: %v", err)
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatalf("parsing the queue limit %q: %v", b, err)
	}
	return n
}

// TestOverflow queues more events than max_queued_events without reading,

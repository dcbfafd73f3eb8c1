package hooks

import (
	"sync"
	"testing"
	"time"
)

// TestForgetWhileRunning: a key forgotten while its jobs still run or wait
// leaves no remembered value once it runs dry (removed links must not
// accumulate).
func TestForgetWhileRunning(t *testing.T) {
	q := NewQueue(1, nil)
	release := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(2)
	q.SubmitValue("k", "c", "", "a", func(string) { <-release; wg.Done() })
	q.SubmitValue("k", "d", "", "b", func(string) { wg.Done() })
	q.Forget("k")
	close(release)
	wg.Wait()
	deadline := time.Now().Add(5 * time.Second)
	for {
		q.mu.Lock()
		n, f := len(q.last), len(q.forgot)
		busy := q.keys["k"] != nil
		q.mu.Unlock()
		if !busy {
			if n != 0 || f != 0 {
				t.Fatalf("after Forget and the last job: %d remembered keys, %d forgotten marks", n, f)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the key never ran dry")
		}
		time.Sleep(time.Millisecond)
	}
}

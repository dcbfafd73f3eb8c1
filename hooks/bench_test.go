package hooks

import (
	"context"
	"fmt"
	"testing"
)

// BenchmarkRunTrivial measures one hook start: checks, fork/exec of
// "#!/bin/sh\nexit 0" through /proc/self/fd/3, exit, reaping.
func BenchmarkRunTrivial(b *testing.B) {
	dir := b.TempDir()
	writeScript(b, dir, "trivial", "exit 0")
	scripts, _, err := Discover(dir)
	if err != nil || len(scripts) != 1 {
		b.Fatalf("Discover: %v %v", scripts, err)
	}
	r := &Runner{}
	env := []string{"PATH=/usr/bin:/bin", "LINK=eth0"}
	for b.Loop() {
		if res := r.Run(context.Background(), scripts[0], env); res.Err != nil || res.ExitCode != 0 {
			b.Fatalf("%+v", res)
		}
	}
}

// BenchmarkQueueFlood measures Submit under a flood from parallel
// goroutines: 64 keys, 3 classes, jobs doing nothing, 8 keys at once.
func BenchmarkQueueFlood(b *testing.B) {
	q := NewQueue(8, nil)
	keys := make([]string, 64)
	for i := range keys {
		keys[i] = fmt.Sprint("veth", i)
	}
	classes := []string{"OperationalState", "AdministrativeState", "Routes"}
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			q.Submit(keys[i%len(keys)], classes[i%len(classes)], func() {})
			i++
		}
	})
	b.StopTimer()
	if err := q.Shutdown(context.Background()); err != nil {
		b.Fatal(err)
	}
}

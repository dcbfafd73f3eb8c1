package hooks

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestRunDirStop: after Stop closes, the running script finishes (it is
// not killed) and the later ones are not started.
func TestRunDirStop(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(t.TempDir(), "out")
	write := func(name, body string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	write("10-slow", "sleep 0.3; echo slow-done >> "+out)
	write("20-next", "echo next >> "+out)
	stop := make(chan struct{})
	r := &Runner{Stop: stop}
	go func() { time.Sleep(100 * time.Millisecond); close(stop) }()
	res := r.RunDir(context.Background(), dir, nil, nil)
	if len(res) != 2 || res[0].ExitCode != 0 || !errors.Is(res[1].Err, ErrStopped) {
		t.Fatalf("results %+v", res)
	}
	data, _ := os.ReadFile(out)
	if string(data) != "slow-done\n" {
		t.Errorf("output %q: want the running script finished and the next not started", data)
	}
}

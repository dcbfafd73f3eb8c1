package nstest

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"
)

func inode(t *testing.T, path string) uint64 {
	t.Helper()
	var st syscall.Stat_t
	if err := syscall.Stat(path, &st); err != nil {
		t.Fatalf("stat %s: %v", path, err)
	}
	return st.Ino
}

func TestNamespaceLifecycle(t *testing.T) {
	RequireRoot(t)
	rootNS := inode(t, "/proc/self/ns/net")
	var name string
	t.Run("inside", func(t *testing.T) {
		n := New(t)
		name = n.Name
		if !strings.HasPrefix(n.Name, "nbt-") {
			t.Fatalf("name %q: want prefix nbt-", n.Name)
		}
		if out := n.IP(t, "link", "show", "lo"); !strings.Contains(out, "UP") {
			t.Fatalf("lo not up in %s: %s", n.Name, out)
		}
		n.IP(t, "link", "add", "nbt0", "type", "veth", "peer", "name", "nbt1")
		if out := n.Run(t, "cat", "/proc/net/dev"); !strings.Contains(out, "nbt0") {
			t.Fatalf("Run: nbt0 not in /proc/net/dev of %s: %s", n.Name, out)
		}
		want := inode(t, "/run/netns/"+n.Name)
		var got uint64
		if err := n.Do(func() error {
			got = inode(t, "/proc/thread-self/ns/net")
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if got != want || got == rootNS {
			t.Fatalf("Do ran in netns inode %d, want %d (root is %d)", got, want, rootNS)
		}
		sentinel := errors.New("sentinel")
		if err := n.Do(func() error { return sentinel }); !errors.Is(err, sentinel) {
			t.Fatalf("Do returned %v, want f's error", err)
		}
		if _, err := os.Stat("/sys/class/net/nbt0"); err == nil {
			t.Fatal("nbt0 visible in the root namespace")
		}
	})
	if _, err := os.Stat("/run/netns/" + name); !os.IsNotExist(err) {
		t.Fatalf("namespace %s not removed after the test: %v", name, err)
	}
	if got := inode(t, "/proc/self/ns/net"); got != rootNS {
		t.Fatalf("process netns changed: %d, want %d", got, rootNS)
	}
}

// TestRequireRootGuard checks both branches of the guard for a non-root
// user: skip normally, fail under CI=true.
func TestRequireRootGuard(t *testing.T) {
	for _, ci := range []string{"", "true"} {
		t.Setenv("CI", ci)
		ft := &fakeTB{TB: t}
		func() {
			defer func() { _ = recover() }() // fakeTB stops the call like Fatal/Skip
			requireRoot(ft, 1000)
		}()
		if ft.fatal != (ci == "true") || ft.skipped != (ci != "true") {
			t.Errorf("CI=%q: fatal %v skipped %v", ci, ft.fatal, ft.skipped)
		}
		if ci == "true" && !strings.Contains(ft.msg, "CI=true") {
			t.Errorf("CI failure message %q does not say why", ft.msg)
		}
	}
	ft := &fakeTB{TB: t}
	requireRoot(ft, 0)
	if ft.fatal || ft.skipped {
		t.Error("root was refused")
	}
}

// fakeTB records Fatalf and Skip instead of acting on the real test, and
// stops the caller with a panic as the real ones stop the goroutine.
type fakeTB struct {
	testing.TB
	fatal, skipped bool
	msg            string
}

func (f *fakeTB) Helper() {}

func (f *fakeTB) Fatalf(format string, args ...any) {
	f.fatal, f.msg = true, fmt.Sprintf(format, args...)
	panic("fatal")
}

func (f *fakeTB) Skip(args ...any) {
	f.skipped = true
	panic("skip")
}

package nstest

import (
	"errors"
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

func TestRequireRootUnderCI(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("only meaningful when not root; as root RequireRoot passes")
	}
	t.Setenv("CI", "true")
	ft := &fakeTB{TB: t}
	func() {
		defer func() { recover() }()
		RequireRoot(ft)
	}()
	if !ft.fatal {
		t.Fatal("RequireRoot with CI=true did not fail")
	}
}

// fakeTB records Fatalf instead of stopping the real test.
type fakeTB struct {
	testing.TB
	fatal bool
}

func (f *fakeTB) Helper() {}
func (f *fakeTB) Fatalf(string, ...any) {
	f.fatal = true
	panic("fatal")
}

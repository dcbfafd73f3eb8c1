package hooks

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// needRoot skips a test that needs root, or fails it when CI=true: in CI
// a skipped root test would hide a regression.
func needRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() == 0 {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("this test needs root (euid is %d) and CI=true forbids skipping", os.Geteuid())
	}
	t.Skipf("this test needs root (euid is %d): it changes file owners or capabilities", os.Geteuid())
}

// writeScript writes an executable /bin/sh script name with body into dir
// and returns its path. The mode is set explicitly (the umask is ignored).
func writeScript(t testing.TB, dir, name, body string) string {
	t.Helper()
	return writeFile(t, dir, name, "#!/bin/sh\n"+body+"\n", 0o755)
}

// writeFile writes content into dir/name with exactly mode, a Unix mode
// (0o4000 is setuid; os.FileMode has its own bits for those).
func writeFile(t testing.TB, dir, name, content string, mode uint32) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	chmod(t, path, mode)
	return path
}

// chmod sets the Unix mode of path.
func chmod(t testing.TB, path string, mode uint32) {
	t.Helper()
	if err := unix.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

// collector gathers the lines a Runner delivers.
type collector struct {
	mu    sync.Mutex
	lines []Line
}

// add is a Runner.Output.
func (c *collector) add(l Line) {
	c.mu.Lock()
	c.lines = append(c.lines, l)
	c.mu.Unlock()
}

// texts returns the delivered texts of stream.
func (c *collector) texts(stream string) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for _, l := range c.lines {
		if l.Stream == stream {
			out = append(out, l.Text)
		}
	}
	return out
}

// script returns the Script for dir/name as Discover would.
func script(t *testing.T, dir, name string) *Script {
	t.Helper()
	scripts, skips, err := Discover(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range scripts {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("Discover(%s) did not return %s; skipped: %v", dir, name, skips)
	return nil
}

// pidGone waits (up to a generous deadline, this is not a timing check)
// until pid no longer exists or is a zombie waiting for its new parent to
// reap it, and reports whether that happened.
func pidGone(pid int) bool {
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if err != nil {
			return true
		}
		// The state follows the command name, which is in parentheses.
		s := string(b)
		if i := strings.LastIndexByte(s, ')'); i >= 0 && strings.HasPrefix(s[i:], ") Z") {
			return true
		}
		time.Sleep(20 * time.Millisecond)
	}
	return false
}

// atoi parses a decimal PID printed by a script.
func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		t.Fatalf("want a number, got %q", s)
	}
	return n
}

package lab

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// recordTB records Skip and Fatal instead of acting on them.
type recordTB struct {
	testing.TB
	skipped, fatal string
}

func (r *recordTB) Helper()                      {}
func (r *recordTB) Skip(args ...any)             { r.skipped = fmt.Sprint(args...) }
func (r *recordTB) Fatal(args ...any)            { r.fatal = fmt.Sprint(args...) }
func (r *recordTB) Skipf(f string, args ...any)  { r.skipped = fmt.Sprintf(f, args...) }
func (r *recordTB) Fatalf(f string, args ...any) { r.fatal = fmt.Sprintf(f, args...) }

// TestRequireCI checks the guard: with something missing it skips and
// names the fix, but with CI=true it fails instead.
func TestRequireCI(t *testing.T) {
	t.Setenv("NB_LAB_CACHE", t.TempDir()) // no unpacked resolved here
	for _, ci := range []string{"", "true"} {
		t.Setenv("CI", ci)
		r := &recordTB{TB: t}
		Require(r)
		got := r.skipped
		if ci == "true" {
			got = r.fatal
		}
		if got == "" || (ci == "true") != (r.skipped == "") {
			t.Errorf("CI=%q: skipped %q, fatal %q; want exactly one of them", ci, r.skipped, r.fatal)
		}
		if os.Geteuid() == 0 && !strings.Contains(got, "testdeps.sh") {
			t.Errorf("CI=%q: message %q does not name testdeps.sh", ci, got)
		}
	}
}

package main

import (
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"network-broker/internal/nstest"
)

// needTool skips (fails under CI) when a tool the test runs is missing.
func needTool(t *testing.T, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s missing (make deps installs it)", tool)
			}
			t.Skipf("%s missing (make deps installs it)", tool)
		}
	}
}

func runCmd(t *testing.T, dir string, argv ...string) string {
	t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %v\n%s", argv, err, out)
	}
	return string(out)
}

// TestMakeInstall installs into a temporary DESTDIR, checks the tree,
// that a second install keeps the administrator's configuration, and that
// uninstall removes what install added but the configuration and scripts.
func TestMakeInstall(t *testing.T) {
	needTool(t, "make", "install")
	dest := t.TempDir()
	runCmd(t, ".", "make", "install", "DESTDIR="+dest)
	want := map[string]os.FileMode{
		"usr/bin/network-broker":                             0o755,
		"etc/network-broker/network-broker.yaml":             0o644,
		"lib/systemd/system/network-broker.service":          0o644,
		"usr/share/man/man8/network-broker.8":                0o644,
		"usr/share/polkit-1/rules.d/50-network-broker.rules": 0o644,
		"usr/lib/sysusers.d/network-broker.conf":             0o644,
		"etc/network-broker/routable.d":                      0o755 | os.ModeDir,
		"etc/network-broker/routes-modified.d":               0o755 | os.ModeDir,
		"etc/network-broker/manager.d":                       0o755 | os.ModeDir,
	}
	for p, mode := range want {
		st, err := os.Stat(filepath.Join(dest, p))
		if err != nil {
			t.Errorf("not installed: %s", p)
			continue
		}
		if st.Mode() != mode {
			t.Errorf("%s: mode %v, want %v", p, st.Mode(), mode)
		}
	}
	conf := filepath.Join(dest, "etc/network-broker/network-broker.yaml")
	os.WriteFile(conf, []byte("System:\n  LogLevel: debug\n"), 0o644)
	script := filepath.Join(dest, "etc/network-broker/routable.d/50-mine")
	os.WriteFile(script, []byte("#!/bin/sh\n"), 0o755)
	runCmd(t, ".", "make", "install", "DESTDIR="+dest)
	if data, _ := os.ReadFile(conf); string(data) != "System:\n  LogLevel: debug\n" {
		t.Errorf("a second install overwrote the configuration: %q", data)
	}
	runCmd(t, ".", "make", "uninstall", "DESTDIR="+dest)
	for p := range want {
		_, err := os.Stat(filepath.Join(dest, p))
		kept := p == "etc/network-broker/network-broker.yaml" || p == "etc/network-broker/routable.d"
		if kept && err != nil {
			t.Errorf("uninstall removed the administrator's %s", p)
		}
		if !kept && err == nil {
			t.Errorf("uninstall left %s", p)
		}
	}
	if _, err := os.Stat(script); err != nil {
		t.Errorf("uninstall removed a script: %v", err)
	}
}

// TestBuildStaticReproducible: make build gives a static binary (no
// interpreter), and two builds, the second without network, give the
// same bytes.
func TestBuildStaticReproducible(t *testing.T) {
	needTool(t, "make")
	runCmd(t, ".", "make", "build")
	first, err := os.ReadFile("bin/network-broker")
	if err != nil {
		t.Fatal(err)
	}
	f, err := elf.Open("bin/network-broker")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP || p.Type == elf.PT_DYNAMIC {
			t.Errorf("binary is not static: has %v", p.Type)
		}
	}
	f.Close()
	os.Remove("bin/network-broker")
	// The second build may not reach any module proxy: it needs no network
	// once the modules are in the cache.
	cmd := exec.Command("make", "build")
	cmd.Env = append(os.Environ(), "GOPROXY=off", "GOFLAGS=-mod=readonly")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("offline build: %v\n%s", err, out)
	}
	second, _ := os.ReadFile("bin/network-broker")
	if string(first) != string(second) {
		t.Errorf("two builds differ (%d and %d bytes)", len(first), len(second))
	}
	t.Logf("stripped static binary: %d bytes", len(first))
}

// TestRunsInEmptyRoot runs the binary in a chroot holding only itself and
// its configuration, as in an initramfs: -check-config, and -dump with the
// kernel generator inside a fresh network namespace.
func TestRunsInEmptyRoot(t *testing.T) {
	nstest.RequireRoot(t)
	needTool(t, "make", "chroot")
	runCmd(t, ".", "make", "build")
	root := t.TempDir()
	bin, _ := os.ReadFile("bin/network-broker")
	os.WriteFile(filepath.Join(root, "network-broker"), bin, 0o755)
	os.MkdirAll(filepath.Join(root, "etc/network-broker"), 0o755)
	os.WriteFile(filepath.Join(root, "etc/network-broker/network-broker.yaml"),
		[]byte("System:\n  Generator: kernel\n  User: root\n"), 0o644)
	out := runCmd(t, ".", "chroot", root, "/network-broker", "-check-config")
	if !strings.Contains(out, "Generator: kernel") {
		t.Errorf("-check-config in the empty root:\n%s", out)
	}
	ns := nstest.New(t)
	out = ns.Run(t, "chroot", root, "/network-broker", "-dump")
	if !strings.Contains(out, `"Name":"lo"`) {
		t.Errorf("-dump in the empty root:\n%s", out)
	}
}

// TestUnitSecurity checks the unit with systemd's offline tools: the
// exposure score stays at 2.5 or below, and the unit parses cleanly.
func TestUnitSecurity(t *testing.T) {
	needTool(t, "systemd-analyze")
	out, _ := exec.Command("systemd-analyze", "security", "--offline=yes", "network-broker.service").CombinedOutput()
	i := strings.Index(string(out), "Overall exposure level for network-broker.service: ")
	if i < 0 {
		t.Fatalf("no score:\n%s", out)
	}
	f := strings.Fields(string(out)[i+len("Overall exposure level for network-broker.service: "):])
	score, err := strconv.ParseFloat(f[0], 64)
	if err != nil || score > 2.5 {
		t.Errorf("exposure %q, want at most 2.5", f[0])
	}
	t.Logf("exposure level %.1f", score)
	// verify checks that the binary named in ExecStart exists: point it
	// at an installed copy.
	dest := t.TempDir()
	runCmd(t, ".", "make", "install", "DESTDIR="+dest)
	unit, err := os.ReadFile("network-broker.service")
	if err != nil {
		t.Fatal(err)
	}
	unitPath := filepath.Join(t.TempDir(), "network-broker.service")
	os.WriteFile(unitPath, []byte(strings.ReplaceAll(string(unit), "/usr/bin/network-broker",
		filepath.Join(dest, "usr/bin/network-broker"))), 0o644)
	out, err = exec.Command("systemd-analyze", "verify", "--man=no", unitPath).CombinedOutput()
	if err != nil || len(strings.TrimSpace(string(out))) > 0 {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
}

// TestManPageLint renders the man page with warnings enabled.
func TestManPageLint(t *testing.T) {
	needTool(t, "mandoc", "man")
	if out, err := exec.Command("mandoc", "-Tlint", "network-broker.8").CombinedOutput(); err != nil || len(out) > 0 {
		t.Errorf("mandoc -Tlint: %v\n%s", err, out)
	}
	cmd := exec.Command("man", "--warnings", "-l", "network-broker.8")
	cmd.Env = append(os.Environ(), "MANWIDTH=80", "LC_ALL=C.UTF-8")
	out, err := cmd.CombinedOutput()
	if err != nil || strings.Contains(string(out), "warning") {
		t.Errorf("man --warnings: %v\n%s", err, out)
	}
}

package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func writeConfig(t *testing.T, text string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, configName), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestConfigDefaultsWhenMissing(t *testing.T) {
	c, err := loadConfig(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if c.File != "" || c.Generator != genNetworkd || !c.EmitJSON || c.RouteTableBase != 1000 ||
		c.HookTimeout != 30*time.Second || c.LogLevel != "info" || c.LogFormat != "text" || len(c.Links) != 0 {
		t.Errorf("defaults wrong: %+v", c)
	}
	if !strings.Contains(c.String(), "not found: defaults") {
		t.Errorf("effective config does not say defaults are used:\n%s", c)
	}
}

func TestConfigDocumentedKeys(t *testing.T) {
	dir := writeConfig(t, `System:
  LogLevel: debug              # comment
  LogFormat: json
  Generator: dhclient
  HookTimeout: 5s
  HookParallel: 2
  StartupTriggers: true
  RoutesDebounce: 100ms
Network:
  Links: eth0 eth1
  RoutingPolicyRules:
    - eth1
    - "eth2"
  RouteTableBase: 2000
  RulePriority: 500
  EmitJSON: false
  UseDNS: true
  UseDomain: yes_is_not_bool_in_1_2
`)
	_, err := loadConfig(dir)
	if err == nil || !strings.Contains(err.Error(), "network-broker.yaml:18:14: want true or false") {
		t.Fatalf("want a position for a YAML 1.1 boolean, got %v", err)
	}
	os.WriteFile(filepath.Join(dir, configName), bytes.Replace(mustRead(t, filepath.Join(dir, configName)),
		[]byte("yes_is_not_bool_in_1_2"), []byte("true"), 1), 0o644)
	c, err := loadConfig(dir)
	if err != nil {
		t.Fatal(err)
	}
	if c.LogLevel != "debug" || c.LogFormat != "json" || c.Generator != genDhclient || c.HookTimeout != 5*time.Second ||
		c.HookParallel != 2 || !c.StartupTriggers || c.RoutesDebounce != 100*time.Millisecond ||
		!slices.Equal(c.Links, []string{"eth0", "eth1"}) || !slices.Equal(c.RoutingPolicyRules, []string{"eth1", "eth2"}) ||
		c.RouteTableBase != 2000 || c.RulePriority != 500 || c.EmitJSON || !c.UseDNS || !c.UseDomain || c.UseHostname {
		t.Errorf("keys not applied: %+v", c)
	}
}

func mustRead(t *testing.T, p string) []byte {
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestConfigErrorsHavePositions(t *testing.T) {
	for _, tc := range []struct{ text, want string }{
		{"System:\n  LogLevel: loud\n", ":2:13: bad value \"loud\""},
		{"System:\n  Loglevel: info\n", ":2:3: unknown key System.Loglevel"},
		{"Sys:\n  LogLevel: info\n", ":1:1: unknown section \"Sys\""},
		{"Network:\n  Links: [eth0, 'a/b']\n", ":2:17: bad interface name \"a/b\""},
		{"Network:\n  Links: abcdefghijklmnop\n", "bad interface name"},
		{"Network:\n  RouteTableBase: -1\n", ":2:19: want an integer"},
		{"Network:\n  RouteTableBase: 253\n", ":2:19: want an integer from 256"},
		{"Network:\n  EmitJSON: 1\n", ":2:13: want true or false"},
		{"Network:\n  LeaseFiles: relative.leases\n", "want an absolute path"},
		{"Network:\n  LeaseFiles: /var/lib/*/x.leases\n", "patterns only in the file name"},
		{"Network:\n  LeaseFiles: /var/li\\b/x*.leases\n", "patterns only in the file name"},
		{"System:\n  HookTimeout: forever\n", "want a duration"},
		{"System: &a\n  LogLevel: info\n", ":1:9:"},
		{"System:\n\tLogLevel: info\n", ":2:1:"},
		{"System:\n  LogLevel: info\n  LogLevel: debug\n", ":3:3:"},
		{"- a\n- b\n", ":1:1: want a mapping"},
		{"Network:\n  Links:\n    - [a]\n", "want a string in the list"},
	} {
		_, err := loadConfig(writeConfig(t, tc.text))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: want error containing %q, got %v", tc.text, tc.want, err)
		}
		if err != nil && !strings.Contains(err.Error(), configName+":") {
			t.Errorf("%q: error %q does not name the file", tc.text, err)
		}
	}
}

// TestConfigEffectiveRoundTrip reads the printed effective configuration
// back: it must give the same configuration.
func TestConfigEffectiveRoundTrip(t *testing.T) {
	c, err := loadConfig(writeConfig(t, "Network:\n  Links: [eth0, \"it's\"]\n  UseDNS: true\nSystem:\n  HookTimeout: 90s\n"))
	if err != nil {
		t.Fatal(err)
	}
	again, err := loadConfig(writeConfig(t, c.String()))
	if err != nil {
		t.Fatalf("effective configuration does not parse: %v\n%s", err, c)
	}
	again.Dir, again.File = c.Dir, c.File
	if !slices.Equal(again.Links, []string{"eth0", "it's"}) || again.String() != c.String() {
		t.Errorf("round trip changed the configuration:\n%s\nvs\n%s", c, again)
	}
}

func TestLinkSelectedExactNames(t *testing.T) {
	c := defaultConfig("/x")
	if !c.linkSelected("eth0") || c.linkSelected("lo") {
		t.Errorf("without Links every link but lo is selected")
	}
	c.Links = []string{"eth1", "lo"}
	for name, want := range map[string]bool{"eth1": true, "eth10": false, "eth": false, "": false, "lo": true} {
		if c.linkSelected(name) != want {
			t.Errorf("linkSelected(%q) = %v, want %v", name, !want, want)
		}
	}
}

func TestCheckConfigCommand(t *testing.T) {
	dir := writeConfig(t, "System:\n  LogLevel: warn\n")
	out, code := captureRun(t, "-check-config", "-config-dir", dir)
	if code != 0 || !strings.Contains(out, "LogLevel: warn") {
		t.Errorf("-check-config: exit %d, output:\n%s", code, out)
	}
	dir = writeConfig(t, "System:\n  LogLevel: warn\n  Bogus: 1\n")
	out, code = captureRun(t, "--check-config", "--config-dir", dir)
	if code == 0 || !strings.Contains(out, "network-broker.yaml:3:3: unknown key System.Bogus") {
		t.Errorf("-check-config on a bad file: exit %d, output:\n%s", code, out)
	}
}

// captureRun runs the command line in a child process (this test binary
// as the broker) and returns its combined output and exit code.
func captureRun(t *testing.T, args ...string) (string, int) {
	t.Helper()
	cmd := brokerCommand(args...)
	out, err := cmd.CombinedOutput()
	code := 0
	if err != nil {
		code = cmd.ProcessState.ExitCode()
		if code < 0 {
			t.Fatalf("%v: %v", args, err)
		}
	}
	return string(out), code
}

// brokerCommand runs this test binary as the broker (see TestMain).
func brokerCommand(args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), brokerEnv...)
	return cmd
}

// TestSampleConfigIsTheDefaults: the shipped sample parses and says
// exactly the defaults.
func TestSampleConfigIsTheDefaults(t *testing.T) {
	data, err := os.ReadFile("network-broker.yaml")
	if err != nil {
		t.Fatal(err)
	}
	c, err := loadConfig(writeConfig(t, string(data)))
	if err != nil {
		t.Fatal(err)
	}
	d := defaultConfig(c.Dir)
	d.File = c.File
	if c.String() != d.String() {
		t.Errorf("sample differs from the defaults:\n%s\nvs\n%s", c, d)
	}
}

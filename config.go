package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"network-broker/yaml"
)

// configName is the file read from the configuration directory.
const configName = "network-broker.yaml"

// Generator names: where link states come from.
const (
	genNetworkd = "systemd-networkd"
	genDhclient = "dhclient"
	genKernel   = "kernel"
)

// Config is the effective configuration: the file's values over the defaults.
type Config struct {
	Dir  string // configuration directory holding the file and the hook directories
	File string // path of the file read; empty when it does not exist

	LogLevel        string
	LogFormat       string
	Generator       string
	HookTimeout     time.Duration
	HookParallel    int
	StartupTriggers bool
	RoutesDebounce  time.Duration
	User            string

	Links              []string // exact names; empty = all links except lo
	RoutingPolicyRules []string
	RouteTableBase     uint32
	RulePriority       uint32
	EmitJSON           bool
	UseDNS             bool
	UseDomain          bool
	UseHostname        bool
	LeaseFiles         []string // paths or path.Match patterns
}

// defaultConfig returns the documented defaults (DESIGN.md §4, README).
func defaultConfig(dir string) *Config {
	return &Config{
		Dir:            dir,
		LogLevel:       "info",
		LogFormat:      "text",
		Generator:      genNetworkd,
		HookTimeout:    30 * time.Second,
		HookParallel:   4,
		RoutesDebounce: 250 * time.Millisecond,
		User:           "network-broker",
		RouteTableBase: 1000,
		RulePriority:   10000,
		EmitJSON:       true,
		LeaseFiles: []string{
			"/var/lib/dhclient/dhclient.leases",
			"/var/lib/dhcp/dhclient*.leases",
		},
	}
}

// configError is an error at a place in the configuration file.
type configError struct {
	File      string
	Line, Col int
	Msg       string
}

func (e *configError) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("%s: %s", e.File, e.Msg)
	}
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg)
}

// loadConfig reads DIR/network-broker.yaml. A missing file yields the
// defaults with File empty; every other problem is a *configError.
func loadConfig(dir string) (*Config, error) {
	c := defaultConfig(dir)
	path := filepath.Join(dir, configName)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return c, nil
	}
	if err != nil {
		return nil, &configError{File: path, Msg: err.Error()}
	}
	c.File = path
	if err := c.parse(data); err != nil {
		return nil, err
	}
	return c, nil
}

// parse applies a configuration document to c.
func (c *Config) parse(data []byte) error {
	root, err := yaml.Parse(data)
	if err != nil {
		var ye *yaml.Error
		if errors.As(err, &ye) {
			return &configError{File: c.File, Line: ye.Line, Col: ye.Column, Msg: ye.Msg}
		}
		return &configError{File: c.File, Msg: err.Error()}
	}
	if root == nil {
		return nil
	}
	if root.Kind != yaml.MappingNode {
		return c.errAt(root, "want a mapping with the sections System and Network")
	}
	sections := map[string]map[string]func(*yaml.Node) error{
		"System":  c.systemKeys(),
		"Network": c.networkKeys(),
	}
	for _, p := range root.Pairs {
		keys, ok := sections[p.Key.Text]
		if !ok {
			return c.errAt(p.Key, fmt.Sprintf("unknown section %q (want System or Network)", p.Key.Text))
		}
		if err := c.section(p, keys); err != nil {
			return err
		}
	}
	return c.check()
}

// section applies the keys of one section.
func (c *Config) section(sec yaml.Pair, keys map[string]func(*yaml.Node) error) error {
	v := sec.Value
	if v.Kind == yaml.ScalarNode && v.Value == nil {
		return nil // "System:" with nothing under it
	}
	if v.Kind != yaml.MappingNode {
		return c.errAt(v, fmt.Sprintf("section %s: want a mapping", sec.Key.Text))
	}
	for _, p := range v.Pairs {
		set, ok := keys[p.Key.Text]
		if !ok {
			return c.errAt(p.Key, fmt.Sprintf("unknown key %s.%s", sec.Key.Text, p.Key.Text))
		}
		if p.Value.Kind == yaml.ScalarNode && p.Value.Value == nil {
			continue // an empty value keeps the default
		}
		if err := set(p.Value); err != nil {
			return err
		}
	}
	return nil
}

func (c *Config) systemKeys() map[string]func(*yaml.Node) error {
	return map[string]func(*yaml.Node) error{
		"LogLevel":        c.enum(&c.LogLevel, "debug", "info", "warn", "error", "fatal"),
		"LogFormat":       c.enum(&c.LogFormat, "text", "json"),
		"Generator":       c.enum(&c.Generator, genNetworkd, genDhclient, genKernel),
		"HookTimeout":     c.duration(&c.HookTimeout),
		"HookParallel":    c.intRange(&c.HookParallel, 1, 64),
		"StartupTriggers": c.boolean(&c.StartupTriggers),
		"RoutesDebounce":  c.duration(&c.RoutesDebounce),
		"User":            c.str(&c.User),
	}
}

func (c *Config) networkKeys() map[string]func(*yaml.Node) error {
	return map[string]func(*yaml.Node) error{
		"Links":              c.names(&c.Links),
		"RoutingPolicyRules": c.names(&c.RoutingPolicyRules),
		// From 256 so base+ifindex never lands on main (254), local (255)
		// or default (253); below 2^32-2^24 so it does not wrap.
		"RouteTableBase": c.uint32Range(&c.RouteTableBase, 256, 0xFF000000),
		"RulePriority":   c.uint32Range(&c.RulePriority, 1, 32765),
		"EmitJSON":       c.boolean(&c.EmitJSON),
		"UseDNS":         c.boolean(&c.UseDNS),
		"UseDomain":      c.boolean(&c.UseDomain),
		"UseHostname":    c.boolean(&c.UseHostname),
		"LeaseFiles":     c.paths(&c.LeaseFiles),
	}
}

// check validates combinations after all keys are read.
func (c *Config) check() error {
	if c.User == "" {
		return &configError{File: c.File, Msg: "System.User must not be empty"}
	}
	return nil
}

func (c *Config) errAt(n *yaml.Node, msg string) error {
	return &configError{File: c.File, Line: n.Line, Col: n.Column, Msg: msg}
}

// scalar returns the text of a scalar node or an error naming the key's need.
func (c *Config) scalar(n *yaml.Node, want string) (string, error) {
	if n.Kind != yaml.ScalarNode {
		return "", c.errAt(n, "want "+want)
	}
	return n.Text, nil
}

func (c *Config) enum(dst *string, allowed ...string) func(*yaml.Node) error {
	return func(n *yaml.Node) error {
		s, err := c.scalar(n, "one of "+strings.Join(allowed, ", "))
		if err != nil {
			return err
		}
		for _, a := range allowed {
			if s == a {
				*dst = s
				return nil
			}
		}
		return c.errAt(n, fmt.Sprintf("bad value %q, want one of %s", s, strings.Join(allowed, ", ")))
	}
}

func (c *Config) str(dst *string) func(*yaml.Node) error {
	return func(n *yaml.Node) error {
		s, err := c.scalar(n, "a string")
		if err == nil {
			*dst = s
		}
		return err
	}
}

func (c *Config) boolean(dst *bool) func(*yaml.Node) error {
	return func(n *yaml.Node) error {
		b, ok := n.Value.(bool)
		if n.Kind != yaml.ScalarNode || !ok {
			return c.errAt(n, fmt.Sprintf("want true or false, got %q", n.Text))
		}
		*dst = b
		return nil
	}
}

func (c *Config) intRange(dst *int, lo, hi int) func(*yaml.Node) error {
	return func(n *yaml.Node) error {
		i, ok := n.Value.(int)
		if n.Kind != yaml.ScalarNode || !ok || i < lo || i > hi {
			return c.errAt(n, fmt.Sprintf("want an integer from %d to %d, got %q", lo, hi, n.Text))
		}
		*dst = i
		return nil
	}
}

func (c *Config) uint32Range(dst *uint32, lo, hi uint32) func(*yaml.Node) error {
	return func(n *yaml.Node) error {
		i, ok := n.Value.(int)
		if n.Kind != yaml.ScalarNode || !ok || i < int(lo) || i > int(hi) {
			return c.errAt(n, fmt.Sprintf("want an integer from %d to %d, got %q", lo, hi, n.Text))
		}
		*dst = uint32(i)
		return nil
	}
}

// duration accepts Go durations ("30s", "1m30s", "250ms") or whole seconds.
func (c *Config) duration(dst *time.Duration) func(*yaml.Node) error {
	return func(n *yaml.Node) error {
		s, err := c.scalar(n, "a duration such as 30s or 250ms")
		if err != nil {
			return err
		}
		d, err := time.ParseDuration(s)
		if err != nil {
			secs, err2 := strconv.Atoi(s)
			if err2 != nil {
				return c.errAt(n, fmt.Sprintf("want a duration such as 30s or 250ms, got %q", s))
			}
			d = time.Duration(secs) * time.Second
		}
		if d <= 0 || d > 24*time.Hour {
			return c.errAt(n, fmt.Sprintf("duration %q out of range (0 to 24h)", s))
		}
		*dst = d
		return nil
	}
}

// list reads a space-separated string or a sequence of strings.
func (c *Config) list(n *yaml.Node) ([]string, []*yaml.Node, error) {
	switch n.Kind {
	case yaml.ScalarNode:
		f := strings.Fields(n.Text)
		nodes := make([]*yaml.Node, len(f))
		for i := range f {
			nodes[i] = n
		}
		return f, nodes, nil
	case yaml.SequenceNode:
		var out []string
		var nodes []*yaml.Node
		for _, it := range n.Items {
			if it.Kind != yaml.ScalarNode || it.Value == nil {
				return nil, nil, c.errAt(it, "want a string in the list")
			}
			for _, f := range strings.Fields(it.Text) {
				out = append(out, f)
				nodes = append(nodes, it)
			}
		}
		return out, nodes, nil
	}
	return nil, nil, c.errAt(n, "want a space-separated string or a list")
}

// names reads interface names; each must be a valid kernel name.
func (c *Config) names(dst *[]string) func(*yaml.Node) error {
	return func(n *yaml.Node) error {
		l, nodes, err := c.list(n)
		if err != nil {
			return err
		}
		for i, s := range l {
			if !validIfname(s) {
				return c.errAt(nodes[i], fmt.Sprintf("bad interface name %q", s))
			}
		}
		*dst = l
		return nil
	}
}

// paths reads absolute paths or patterns.
func (c *Config) paths(dst *[]string) func(*yaml.Node) error {
	return func(n *yaml.Node) error {
		l, nodes, err := c.list(n)
		if err != nil {
			return err
		}
		for i, s := range l {
			if !filepath.IsAbs(s) {
				return c.errAt(nodes[i], fmt.Sprintf("lease file %q: want an absolute path", s))
			}
			if _, err := filepath.Match(filepath.Base(s), ""); err != nil {
				return c.errAt(nodes[i], fmt.Sprintf("lease file %q: bad pattern", s))
			}
			if strings.ContainsAny(filepath.Dir(s), "*?[") {
				return c.errAt(nodes[i], fmt.Sprintf("lease file %q: patterns only in the file name", s))
			}
		}
		*dst = l
		return nil
	}
}

// validIfname mirrors the kernel's dev_valid_name: 1 to 15 bytes, not "."
// or "..", no '/', ':' or white space.
func validIfname(s string) bool {
	if s == "" || len(s) > 15 || s == "." || s == ".." {
		return false
	}
	for i := 0; i < len(s); i++ {
		if b := s[i]; b == '/' || b == ':' || b <= ' ' || b == 0x7f {
			return false
		}
	}
	return true
}

// String prints the effective configuration as a YAML document that this
// program reads back unchanged.
func (c *Config) String() string {
	var b strings.Builder
	src := c.File
	if src == "" {
		src = filepath.Join(c.Dir, configName) + " (not found: defaults)"
	}
	fmt.Fprintf(&b, "# effective configuration from %s\n", src)
	fmt.Fprintf(&b, "System:\n")
	fmt.Fprintf(&b, "  LogLevel: %s\n  LogFormat: %s\n  Generator: %s\n", c.LogLevel, c.LogFormat, c.Generator)
	fmt.Fprintf(&b, "  HookTimeout: %s\n  HookParallel: %d\n  StartupTriggers: %t\n", c.HookTimeout, c.HookParallel, c.StartupTriggers)
	fmt.Fprintf(&b, "  RoutesDebounce: %s\n  User: %s\n", c.RoutesDebounce, quote(c.User))
	fmt.Fprintf(&b, "Network:\n")
	fmt.Fprintf(&b, "  Links: %s\n  RoutingPolicyRules: %s\n", quoteList(c.Links), quoteList(c.RoutingPolicyRules))
	fmt.Fprintf(&b, "  RouteTableBase: %d\n  RulePriority: %d\n", c.RouteTableBase, c.RulePriority)
	fmt.Fprintf(&b, "  EmitJSON: %t\n  UseDNS: %t\n  UseDomain: %t\n  UseHostname: %t\n", c.EmitJSON, c.UseDNS, c.UseDomain, c.UseHostname)
	fmt.Fprintf(&b, "  LeaseFiles: %s\n", quoteList(c.LeaseFiles))
	return b.String()
}

// quote writes a single-quoted YAML scalar.
func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// quoteList writes a list as a flow sequence of single-quoted strings.
func quoteList(l []string) string {
	q := make([]string, len(l))
	for i, s := range l {
		q[i] = quote(s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// linkSelected reports whether hooks run for the link named name: exact
// names only; with no list every link but lo.
func (c *Config) linkSelected(name string) bool {
	if len(c.Links) == 0 {
		return name != "lo"
	}
	return contains(c.Links, name)
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

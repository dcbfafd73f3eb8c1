package main

import (
	"errors"
	"io/fs"
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
		return e.File + ": " + e.Msg
	}
	return e.File + ":" + strconv.Itoa(e.Line) + ":" + strconv.Itoa(e.Col) + ": " + e.Msg
}

// loadConfig reads DIR/network-broker.yaml. A missing file yields the
// defaults with File empty; every other problem is a *configError.
func loadConfig(dir string) (*Config, error) {
	c := defaultConfig(dir)
	path := filepath.Join(dir, configName)
	data, err := readFile(path)
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
	for _, p := range root.Pairs {
		if name := p.Key.Text; name != "System" && name != "Network" {
			return c.errAt(p.Key, quoted("unknown section ", name, " (want System or Network)"))
		}
		if err := c.section(p); err != nil {
			return err
		}
	}
	return c.check()
}

// section applies the keys of one section.
func (c *Config) section(sec yaml.Pair) error {
	v := sec.Value
	if v.Kind == yaml.ScalarNode && v.Value == nil {
		return nil // "System:" with nothing under it
	}
	if v.Kind != yaml.MappingNode {
		return c.errAt(v, "section "+sec.Key.Text+": want a mapping")
	}
	for _, p := range v.Pairs {
		set := configSetter(sec.Key.Text, p.Key.Text)
		if set == nil {
			return c.errAt(p.Key, "unknown key "+sec.Key.Text+"."+p.Key.Text)
		}
		if p.Value.Kind == yaml.ScalarNode && p.Value.Value == nil {
			continue // an empty value keeps the default
		}
		if err := set(c, p.Value); err != nil {
			return err
		}
	}
	return nil
}

// configKey is one key of the file: its section, its name, how its value
// is read into the Config and how String writes it.
type configKey struct {
	section, name string
	set           func(c *Config, n *yaml.Node) error
	get           func(c *Config) string
}

// configKeys are all the keys, in the order String writes them. The
// functions take the Config as an argument instead of closing over it, so
// the table is laid out at build time rather than built, closure by
// closure, on every parse.
var configKeys = []configKey{
	{"System", "LogLevel",
		func(c *Config, n *yaml.Node) error {
			return c.enum(n, &c.LogLevel, "debug", "info", "warn", "error", "fatal")
		},
		func(c *Config) string { return c.LogLevel }},
	{"System", "LogFormat",
		func(c *Config, n *yaml.Node) error { return c.enum(n, &c.LogFormat, "text", "json") },
		func(c *Config) string { return c.LogFormat }},
	{"System", "Generator",
		func(c *Config, n *yaml.Node) error {
			return c.enum(n, &c.Generator, genNetworkd, genDhclient, genKernel)
		},
		func(c *Config) string { return c.Generator }},
	{"System", "HookTimeout",
		func(c *Config, n *yaml.Node) error { return c.duration(n, &c.HookTimeout) },
		func(c *Config) string { return c.HookTimeout.String() }},
	{"System", "HookParallel",
		func(c *Config, n *yaml.Node) error { return c.intRange(n, &c.HookParallel, 1, 64) },
		func(c *Config) string { return strconv.Itoa(c.HookParallel) }},
	{"System", "StartupTriggers",
		func(c *Config, n *yaml.Node) error { return c.boolean(n, &c.StartupTriggers) },
		func(c *Config) string { return strconv.FormatBool(c.StartupTriggers) }},
	{"System", "RoutesDebounce",
		func(c *Config, n *yaml.Node) error { return c.duration(n, &c.RoutesDebounce) },
		func(c *Config) string { return c.RoutesDebounce.String() }},
	{"System", "User",
		func(c *Config, n *yaml.Node) error { return c.str(n, &c.User) },
		func(c *Config) string { return quote(c.User) }},

	{"Network", "Links",
		func(c *Config, n *yaml.Node) error { return c.names(n, &c.Links) },
		func(c *Config) string { return quoteList(c.Links) }},
	{"Network", "RoutingPolicyRules",
		func(c *Config, n *yaml.Node) error { return c.names(n, &c.RoutingPolicyRules) },
		func(c *Config) string { return quoteList(c.RoutingPolicyRules) }},
	// From 256 so base+ifindex never lands on main (254), local (255)
	// or default (253); below 2^32-2^24 so it does not wrap.
	{"Network", "RouteTableBase",
		func(c *Config, n *yaml.Node) error { return c.uint32Range(n, &c.RouteTableBase, 256, 0xFF000000) },
		func(c *Config) string { return strconv.FormatUint(uint64(c.RouteTableBase), 10) }},
	{"Network", "RulePriority",
		func(c *Config, n *yaml.Node) error { return c.uint32Range(n, &c.RulePriority, 1, 32765) },
		func(c *Config) string { return strconv.FormatUint(uint64(c.RulePriority), 10) }},
	{"Network", "EmitJSON",
		func(c *Config, n *yaml.Node) error { return c.boolean(n, &c.EmitJSON) },
		func(c *Config) string { return strconv.FormatBool(c.EmitJSON) }},
	{"Network", "UseDNS",
		func(c *Config, n *yaml.Node) error { return c.boolean(n, &c.UseDNS) },
		func(c *Config) string { return strconv.FormatBool(c.UseDNS) }},
	{"Network", "UseDomain",
		func(c *Config, n *yaml.Node) error { return c.boolean(n, &c.UseDomain) },
		func(c *Config) string { return strconv.FormatBool(c.UseDomain) }},
	{"Network", "UseHostname",
		func(c *Config, n *yaml.Node) error { return c.boolean(n, &c.UseHostname) },
		func(c *Config) string { return strconv.FormatBool(c.UseHostname) }},
	{"Network", "LeaseFiles",
		func(c *Config, n *yaml.Node) error { return c.paths(n, &c.LeaseFiles) },
		func(c *Config) string { return quoteList(c.LeaseFiles) }},
}

// configSetter returns how key name of section is read, or nil for a key
// the section does not have.
func configSetter(section, name string) func(*Config, *yaml.Node) error {
	for _, k := range configKeys {
		if k.section == section && k.name == name {
			return k.set
		}
	}
	return nil
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

func (c *Config) enum(n *yaml.Node, dst *string, allowed ...string) error {
	want := "one of " + strings.Join(allowed, ", ")
	s, err := c.scalar(n, want)
	if err != nil {
		return err
	}
	for _, a := range allowed {
		if s == a {
			*dst = s
			return nil
		}
	}
	return c.errAt(n, quoted("bad value ", s, ", want "+want))
}

func (c *Config) str(n *yaml.Node, dst *string) error {
	s, err := c.scalar(n, "a string")
	if err == nil {
		*dst = s
	}
	return err
}

func (c *Config) boolean(n *yaml.Node, dst *bool) error {
	b, ok := n.Value.(bool)
	if n.Kind != yaml.ScalarNode || !ok {
		return c.errAt(n, quoted("want true or false, got ", n.Text, ""))
	}
	*dst = b
	return nil
}

func (c *Config) intRange(n *yaml.Node, dst *int, lo, hi int64) error {
	i, ok := n.Value.(int)
	if n.Kind != yaml.ScalarNode || !ok || int64(i) < lo || int64(i) > hi {
		return c.errAt(n, wantInteger(lo, hi, n.Text))
	}
	*dst = i
	return nil
}

func wantInteger(lo, hi int64, got string) string {
	return quoted("want an integer from "+strconv.FormatInt(lo, 10)+" to "+strconv.FormatInt(hi, 10)+", got ", got, "")
}

func (c *Config) uint32Range(n *yaml.Node, dst *uint32, lo, hi uint32) error {
	i := int(*dst)
	err := c.intRange(n, &i, int64(lo), int64(hi))
	*dst = uint32(i) // unchanged on error
	return err
}

// duration accepts Go durations ("30s", "1m30s", "250ms") or whole seconds.
func (c *Config) duration(n *yaml.Node, dst *time.Duration) error {
	s, err := c.scalar(n, "a duration such as 30s or 250ms")
	if err != nil {
		return err
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		secs, err2 := strconv.Atoi(s)
		if err2 != nil {
			return c.errAt(n, quoted("want a duration such as 30s or 250ms, got ", s, ""))
		}
		d = time.Duration(secs) * time.Second
	}
	if d <= 0 || d > 24*time.Hour {
		return c.errAt(n, quoted("duration ", s, " out of range (0 to 24h)"))
	}
	*dst = d
	return nil
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
func (c *Config) names(n *yaml.Node, dst *[]string) error {
	l, nodes, err := c.list(n)
	if err != nil {
		return err
	}
	for i, s := range l {
		if !validIfname(s) {
			return c.errAt(nodes[i], quoted("bad interface name ", s, ""))
		}
	}
	*dst = l
	return nil
}

// paths reads absolute paths or patterns.
func (c *Config) paths(n *yaml.Node, dst *[]string) error {
	l, nodes, err := c.list(n)
	if err != nil {
		return err
	}
	for i, s := range l {
		problem := ""
		if !filepath.IsAbs(s) {
			problem = "want an absolute path"
		} else if _, err := filepath.Match(filepath.Base(s), ""); err != nil {
			problem = "bad pattern"
		} else if strings.ContainsAny(filepath.Dir(s), `*?[\`) { // a backslash would escape
			problem = "patterns only in the file name"
		}
		if problem != "" {
			return c.errAt(nodes[i], quoted("lease file ", s, ": "+problem))
		}
	}
	*dst = l
	return nil
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
	src := c.File
	if src == "" {
		src = filepath.Join(c.Dir, configName) + " (not found: defaults)"
	}
	b := []byte("# effective configuration from " + src + "\n")
	for i, k := range configKeys {
		if i == 0 || k.section != configKeys[i-1].section {
			b = append(b, k.section+":\n"...)
		}
		b = append(b, "  "+k.name+": "+k.get(c)+"\n"...)
	}
	return string(b)
}

// quote writes a single-quoted YAML scalar.
func quote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'" // doubled, as YAML escapes it
}

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

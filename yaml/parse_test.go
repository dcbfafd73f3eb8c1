package yaml

import (
	"errors"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"
)

// equalValue compares two decoded values; NaN equals NaN.
func equalValue(a, b any) bool {
	switch a := a.(type) {
	case map[string]any:
		bm, ok := b.(map[string]any)
		if !ok || len(a) != len(bm) {
			return false
		}
		for k, v := range a {
			if w, ok := bm[k]; !ok || !equalValue(v, w) {
				return false
			}
		}
		return true
	case []any:
		bs, ok := b.([]any)
		if !ok || len(a) != len(bs) {
			return false
		}
		for i := range a {
			if !equalValue(a[i], bs[i]) {
				return false
			}
		}
		return true
	case float64:
		bf, ok := b.(float64)
		return ok && (a == bf && math.Signbit(a) == math.Signbit(bf) || math.IsNaN(a) && math.IsNaN(bf))
	}
	return a == b
}

// m and s shorten the expected values below.
type m = map[string]any
type s = []any

// valueTests are inputs in the subset and the values they decode to.
var valueTests = []struct {
	name, in string
	want     any
}{
	{"empty", "", nil},
	{"comments only", "# a\n\n   # b\n", nil},
	{"start marker only", "---\n", nil},
	{"null forms", "a: ~\nb: null\nc: Null\nd: NULL\ne:\nf: \"\"", m{"a": nil, "b": nil, "c": nil, "d": nil, "e": nil, "f": ""}},
	{"bools", "[true, True, TRUE, false, False, FALSE, yes, no, on, tRUE]", s{true, true, true, false, false, false, "yes", "no", "on", "tRUE"}},
	{"ints", "[0, -17, +5, 012, 0o17, 0x1F, 0xff, 9223372036854775807, -9223372036854775808]",
		s{0, -17, 5, 12, 15, 31, 255, math.MaxInt64, math.MinInt64}},
	{"not ints", "[1_000, 0b101, 0o8, 0x, 0xG, +0x1, -0o1, 1 2]", s{"1_000", "0b101", "0o8", "0x", "0xG", "+0x1", "-0o1", "1 2"}},
	{"floats", "[1.5, -.5, +.5, 1e3, 1E-2, 1., -0.0, .inf, -.Inf, +.INF]",
		s{1.5, -0.5, 0.5, 1000.0, 0.01, 1.0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), math.Inf(1)}},
	{"nan", "- .nan\n- .NaN\n- .NAN\n", s{math.NaN(), math.NaN(), math.NaN()}},
	{"not floats", "[., 1e, e3, .e3, 1.2.3, 0x1p3, inf, nan, .Nan, 1,5]", s{".", "1e", "e3", ".e3", "1.2.3", "0x1p3", "inf", "nan", ".Nan", 1, 5}},
	{"quoted are strings", `[ "true", '1', "~", '', "null" ]`, s{"true", "1", "~", "", "null"}},
	{"double escapes", `"\0\a\b\t\	\n\v\f\r\e\ \"\/\\\N\_\L\P"`, "\x00\a\b\t\t\n\v\f\r\x1b \"/\\\u0085\u00a0\u2028\u2029"},
	{"hex escapes", `"\x41\u00e9\U0001F600\xff"`, "Aé😀\u00ff"},
	{"single quotes", `'it''s "here" \n'`, `it's "here" \n`},
	{"plain with indicators inside", "a: b#c d:e -f ?g [h] {i} 'j' \"k\" %l @m", m{"a": "b#c d:e -f ?g [h] {i} 'j' \"k\" %l @m"}},
	{"comment after value", "a: b # c: d\nb: 'x' # y\nc: [1] #\n", m{"a": "b", "b": "x", "c": s{1}}},
	{"url value", "url: http://example.org:80/a#frag", m{"url": "http://example.org:80/a#frag"}},
	{"nested", "a:\n  b:\n    c: 1\n  d: [x, y]\ne:\n- 1\n- f: 2\n  g: 3\n- - 4\n  - 5\n-\n  h: 6\n",
		m{"a": m{"b": m{"c": 1}, "d": s{"x", "y"}}, "e": s{1, m{"f": 2, "g": 3}, s{4, 5}, m{"h": 6}}}},
	{"sequence at key indentation", "a:\n- 1\n- 2\nb: 3\n", m{"a": s{1, 2}, "b": 3}},
	{"compact in compact", "- a:\n  - x\n  b: y\n- - - z\n", s{m{"a": s{"x"}, "b": "y"}, s{s{"z"}}}},
	{"empty entries", "-\n- \n- # c\n-\n  - 1\n", s{nil, nil, nil, s{1}}},
	{"empty values", "a:\nb:  # c\nc:\n  d:\n", m{"a": nil, "b": nil, "c": m{"d": nil}}},
	{"flow mapping", "{a: 1, 'b': x, \"c\":2, d, e: , f:}", m{"a": 1, "b": "x", "c": 2, "d": nil, "e": nil, "f": nil}},
	{"flow trailing comma", "[a, b, ]", s{"a", "b"}},
	{"flow empty", "a: []\nb: {}\nc: [ ]", m{"a": s{}, "b": m{}, "c": s{}}},
	{"flow colon in plain", "[a:b, http://x, :c]", s{"a:b", "http://x", ":c"}},
	{"keys are text", "1: a\n0x2: b\ntrue: c\n~: d\n", m{"1": "a", "0x2": "b", "true": "c", "~": "d"}},
	{"quoted key with spaces before colon", "\"a b\"  : 1\n'c' : 2", m{"a b": 1, "c": 2}},
	{"document markers", "--- # start\na: 1\n... # end\n# trailing comment\n", m{"a": 1}},
	{"crlf", "a: 1\r\nb:\r\n- x\r\n", m{"a": 1, "b": s{"x"}}},
	{"byte order mark", "\ufeffa: 1\n", m{"a": 1}},
	{"tabs in comments and quotes", "a: \"x\ty\" # \tc\n\t# tab comment line\n", m{"a": "x\ty"}},
	{"trailing tabs", "a: b\t\nc:\t\n- d \t# e\n- \t\nf: [g]\t\nh: 'i'\t#j\n", m{"a": "b", "c": s{"d", nil}, "f": s{"g"}, "h": "i"}},
	{"unicode", "ключ: значение ☮\n", m{"ключ": "значение ☮"}},
	{"root scalar", "  hello world  \n", "hello world"},
	{"trailing spaces", "a: b   \nc: [d]   \n", m{"a": "b", "c": s{"d"}}},
}

func TestUnmarshalValues(t *testing.T) {
	for _, tt := range valueTests {
		t.Run(tt.name, func(t *testing.T) {
			var got any
			if err := Unmarshal([]byte(tt.in), &got); err != nil {
				t.Fatalf("Unmarshal(%q): %v", tt.in, err)
			}
			if !equalValue(got, tt.want) {
				t.Errorf("Unmarshal(%q)\ngot  %#v\nwant %#v", tt.in, got, tt.want)
			}
		})
	}
}

// errorTests are inputs outside the subset or invalid, and their errors.
var errorTests = []struct{ in, want string }{
	{"a: &x b", "1:4: anchors are not supported"},
	{"a: *x", "1:4: aliases are not supported"},
	{"a: !!str b", "1:4: tags are not supported"},
	{"- !t b", "1:3: tags are not supported"},
	{"&a a: b", "1:1: anchors are not supported"},
	{"a: |\n  b\n", "1:4: block scalars are not supported"},
	{"a: >-\n  b\n", "1:4: block scalars are not supported"},
	{"? a\n: b\n", "1:1: complex keys are not supported"},
	{"[a]: b", "1:4: flow collections as mapping keys are not supported"},
	{"{a: 1}: b", "1:7: flow collections as mapping keys are not supported"},
	{"a: 1\n---\nb: 2\n", "2:1: several documents are not supported"},
	{"a: 1\n...\nb: 2\n", "3:1: several documents are not supported (content after '...')"},
	{"%YAML 1.2\n---\na: 1\n", "1:1: directives are not supported"},
	{"--- a\n", "1:5: content after '---' on the same line is not supported"},
	{"a:\n\tb: 1\n", "2:1: tabs as indentation are not supported"},
	{"a:\n  \tb: 1\n", "2:3: tabs as indentation are not supported"},
	{"a:\tb", "1:3: tabs are only supported in quoted scalars, comments and at the end of a line"},
	{"a: b\tc", "1:5: tabs are only supported in quoted scalars, comments and at the end of a line"},
	{"- a: \tb", "1:6: tabs are only supported in quoted scalars, comments and at the end of a line"},
	{"a: [b]\tc", "1:7: tabs are only supported in quoted scalars, comments and at the end of a line"},
	{"a: 1\na: 2\n", "2:1: duplicate key \"a\" (first on line 1)"},
	{"'a': 1\n\"a\": 2\n", "2:1: duplicate key \"a\" (first on line 1)"},
	{"1: a\n0x1: b\n", "2:1: duplicate key \"0x1\" (first on line 1)"},
	{"~: a\nnull: b\n", "2:1: duplicate key \"null\" (first on line 1)"},
	{"{a: 1, a: 2}", "1:8: duplicate key \"a\" (first on line 1)"},
	{"a: b\n  c\n", "2:3: multi-line plain scalars are not supported"},
	{"- a\n  b\n", "2:3: multi-line plain scalars are not supported"},
	{"a\nb\n", "2:1: multi-line plain scalars are not supported"},
	{"a: \"b\n  c\"\n", "1:4: multi-line double-quoted scalars are not supported (no closing quote on this line)"},
	{"a: 'b\n  c'\n", "1:4: multi-line single-quoted scalars are not supported (no closing quote on this line)"},
	{"a: \"b\\\n  c\"\n", "1:6: multi-line double-quoted scalars are not supported (escaped line break)"},
	{"a: \"b\"\n  c\n", "2:3: unexpected indentation after the scalar on line 1"},
	{"a: [b,\n  c]\n", "1:4: multi-line flow collections are not supported (no closing ']' on this line)"},
	{"a: [b, # c\n  c]\n", "1:4: multi-line flow collections are not supported (no closing ']' on this line)"},
	{"a: {b: # c\n  c}\n", "1:4: multi-line flow collections are not supported (no closing '}' on this line)"},
	{"a: [b, [c]]", "1:8: nested flow collections are not supported"},
	{"a: {b: {c: d}}", "1:8: nested flow collections are not supported"},
	{"[a: b]", "1:3: mappings inside flow sequences are not supported"},
	{"[a, , b]", "1:5: empty entries in flow collections are not allowed"},
	{"[a b c", "1:1: multi-line flow collections are not supported (no closing ']' on this line)"},
	{"{a: b c: d}", "1:8: want ',' or '}' in flow collection, got ':'"},
	{"a: b: c", "1:5: mapping values are not allowed here"},
	{"a: - b", "1:4: a block sequence cannot start here"},
	{"a: 1\n- b\n", "2:1: want a mapping key (\"key: value\") at column 1, got a sequence entry"},
	{"a: 1\nb\n", "2:1: want a mapping key (\"key: value\") at column 1"},
	{"- a\nb: 1\n", "2:1: unexpected content after the end of the document's root node"},
	{"a:\n    b: 1\n  c: 2\n", "3:3: bad indentation: want a key at column 1"},
	{"- a\n - b\n", "2:2: multi-line plain scalars are not supported"},
	{"a: \"b\" c", "1:8: unexpected 'c' after the value"},
	{"a: \"b\"#c", "1:7: unexpected '#' after the value"},
	{": a", "1:1: empty keys are not supported"},
	{"a: @b", "1:4: reserved indicator '@' cannot start a scalar"},
	{"a: `b", "1:4: reserved indicator '`' cannot start a scalar"},
	{"a: %b", "1:4: directives are not supported"},
	{"a: ]", "1:4: unexpected ']'"},
	{"a: \"\\q\"", "1:5: unknown escape \\q in double-quoted scalar"},
	{"a: \"\\x4\"", "1:5: escape \\x needs 2 hex digits"},
	{"a: \"\\uD800\"", "1:5: escape \\uD800 is not a Unicode scalar value"},
	{"a: \"\\U00110000\"", "1:5: escape \\U00110000 is not a Unicode scalar value"},
	{"a: 99999999999999999999", "1:4: integer 99999999999999999999 is out of range"},
	{"a: 0x8000000000000000", "1:4: integer 0x8000000000000000 is out of range"},
	{"a: 1e999", "1:4: float 1e999 is out of range"},
	{"a: \x00", "1:4: character U+0000 is not allowed"},
	{"a: \x1b", "1:4: character U+001B is not allowed"},
	{"a: \u0080", "1:4: character U+0080 is not allowed"},
	{"a: b\u00e9\xff", "1:6: invalid UTF-8"},
	{"a: 1\rb: 2", "1:5: carriage return without line feed is not supported"},
	{"a: \ufeff", "1:4: character U+FEFF is not allowed"},
	{strings.Repeat("k", 1025) + ": v", "1:1: keys longer than 1024 characters are not supported"},
}

func TestParseErrors(t *testing.T) {
	for _, tt := range errorTests {
		root, err := Parse([]byte(tt.in))
		var perr *Error
		switch {
		case err == nil:
			t.Errorf("Parse(%q) = %v, want error %q", tt.in, root, tt.want)
		case !errors.As(err, &perr):
			t.Errorf("Parse(%q) error %T, want *Error", tt.in, err)
		case err.Error() != tt.want:
			t.Errorf("Parse(%q)\nerror %q\nwant  %q", tt.in, err, tt.want)
		}
	}
}

func TestLimits(t *testing.T) {
	ok := strings.Repeat("- ", MaxDepth) + "x\n"
	if _, err := Parse([]byte(ok)); err != nil {
		t.Errorf("depth %d: %v", MaxDepth, err)
	}
	deep := strings.Repeat("- ", MaxDepth+1) + "x\n"
	if _, err := Parse([]byte(deep)); err == nil || !strings.Contains(err.Error(), "nesting deeper than") {
		t.Errorf("depth %d: err = %v, want nesting error", MaxDepth+1, err)
	}
	var b strings.Builder
	for i := 0; i <= MaxDepth; i++ {
		fmt.Fprintf(&b, "%sk:\n", strings.Repeat(" ", i))
	}
	if _, err := Parse([]byte(b.String())); err == nil || !strings.Contains(err.Error(), "nesting deeper than") {
		t.Errorf("indented depth %d: err = %v, want nesting error", MaxDepth+1, err)
	}
	big := []byte("# " + strings.Repeat("x", MaxSize-3) + "\n")
	if _, err := Parse(big); err != nil {
		t.Errorf("input of MaxSize bytes: %v", err)
	}
	if _, err := Parse(append(big, 'a')); err == nil || err.Error() != fmt.Sprintf("1:1: input is %d bytes, more than the %d supported", MaxSize+1, MaxSize) {
		t.Errorf("input of MaxSize+1 bytes: err = %v", err)
	}
}

func TestPositions(t *testing.T) {
	in := "# c\n" +
		"a: 1\n" +
		"ключ: [x, 'y']\n" +
		"b:\n" +
		"  - \"q\"\n" +
		"  - k: v\n" +
		"    e:\n" +
		"c: {d: }\n"
	root, err := Parse([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	at := func(n *Node, line, col int, what string) {
		t.Helper()
		if n.Line != line || n.Column != col {
			t.Errorf("%s at %d:%d, want %d:%d", what, n.Line, n.Column, line, col)
		}
	}
	at(root, 2, 1, "root mapping")
	at(root.Pairs[0].Key, 2, 1, "key a")
	at(root.Pairs[0].Value, 2, 4, "value 1")
	at(root.Pairs[1].Key, 3, 1, "key ключ")
	at(root.Pairs[1].Value, 3, 7, "flow sequence")
	at(root.Pairs[1].Value.Items[1], 3, 11, "'y' (columns count characters)")
	seq := root.Pairs[2].Value
	at(seq, 5, 3, "block sequence")
	at(seq.Items[0], 5, 5, "\"q\"")
	at(seq.Items[1], 6, 5, "compact mapping")
	at(seq.Items[1].Pairs[1].Value, 7, 6, "empty value (its ':')")
	at(root.Pairs[3].Value.Pairs[0].Value, 8, 6, "empty flow value (its ':')")
	if k := root.Pairs[1].Value.Items[1]; !k.Quoted || k.Text != "y" || k.Value != "y" {
		t.Errorf("'y' = %+v, want quoted string y", k)
	}
	if k := root.Pairs[0].Value; k.Quoted || k.Text != "1" || k.Value != 1 || k.Kind != ScalarNode {
		t.Errorf("1 = %+v, want plain int 1", k)
	}
}

func TestUnmarshalTarget(t *testing.T) {
	var m map[string]any
	if err := Unmarshal([]byte("a: 1"), &m); err == nil || !strings.Contains(err.Error(), "*map[string]interface {}") {
		t.Errorf("Unmarshal into *map: err = %v, want one naming the type", err)
	}
	if err := Unmarshal([]byte("a: 1"), (*any)(nil)); err == nil {
		t.Error("Unmarshal into a nil *any: no error")
	}
	v := any("old")
	if err := Unmarshal([]byte("# nothing\n"), &v); err != nil || v != nil {
		t.Errorf("empty document: v = %#v, err = %v; want nil, nil", v, err)
	}
	v = "old"
	if err := Unmarshal([]byte("a: [\n"), &v); err == nil || v != "old" {
		t.Errorf("bad document: v = %#v, err = %v; want v untouched and an error", v, err)
	}
}

func TestKindString(t *testing.T) {
	for k, want := range map[Kind]string{ScalarNode: "scalar", MappingNode: "mapping", SequenceNode: "sequence", 0: "Kind(0)"} {
		if got := k.String(); got != want {
			t.Errorf("Kind(%d).String() = %q, want %q", int(k), got, want)
		}
	}
}

func TestSampleConfig(t *testing.T) {
	data, err := os.ReadFile("testdata/network-broker.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var got any
	if err := Unmarshal(data, &got); err != nil {
		t.Fatal(err)
	}
	want := m{
		"System": m{"LogLevel": "info", "LogFormat": "text", "Generator": "systemd-networkd"},
		"Network": m{"Links": "eth0 eth1", "RoutingPolicyRules": "eth1", "EmitJSON": true,
			"UseDNS": false, "UseDomain": false, "UseHostname": false, "RouteTableBase": 1000,
			"LeaseFiles":      s{"/var/lib/dhclient/dhclient.leases", "/var/lib/dhcp/dhclient.eth0.leases"},
			"HookTimeout":     "30s",
			"StartupTriggers": s{"routable", "configured"}},
	}
	if !equalValue(got, want) {
		t.Errorf("sample config\ngot  %#v\nwant %#v", got, want)
	}
}

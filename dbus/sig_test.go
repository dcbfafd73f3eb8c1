package dbus

import (
	"strings"
	"testing"
)

// libdbusSignatures is signature_tests[] from freedesktop/dbus
// test/internals/dbus-marshal-validate-util.c (AFL-2.1 or GPL-2+), as
// stored by the search index (file id 364596307); want "" = DBUS_VALID,
// otherwise a word of our error for the libdbus reason.
var libdbusSignatures = []struct{ sig, want string }{
	{"", ""}, {"sss", ""}, {"i", ""}, {"b", ""}, {"ai", ""}, {"(i)", ""},
	{"w", "invalid type code"},
	{"a", "missing type"},
	{"aaaaaa", "missing type"},
	{"ii(ii)a", "missing type"},
	{"ia", "missing type"},
	{strings.Repeat("a", 78), "nested arrays"},
	{strings.Repeat("(", 74) + "ii" + strings.Repeat(")", 74), "nested structs"},
	{")", "invalid type code"},
	{"i)", "invalid type code"},
	{"a)", "invalid type code"},
	{"(", "not closed"},
	{"(i", "not closed"},
	{"(iiiii", "not closed"},
	{"(ai", "not closed"},
	{"()", "empty struct"},
	{"(())", "empty struct"},
	{"a()", "empty struct"},
	{"i()", "empty struct"},
	{"()i", "empty struct"},
	{"(a)", "invalid type code"},
	{"a{ia}", "invalid type code"},
	{"a{}", "basic key"},
	{"a{aii}", "basic key"},
	{" ", "invalid type code"},
	{"not a valid signature", "invalid type code"},
	{"123", "invalid type code"},
	{".", "invalid type code"},
	{"a{(ii)i}", "basic key"},
	{"a{i}", "exactly two"},
	{"{is}", "outside an array"},
	{"a{isi}", "exactly two"},
}

func TestLibdbusSignatures(t *testing.T) {
	for _, c := range libdbusSignatures {
		err := checkSignature(c.sig)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%q: %v, want valid", c.sig, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%q: %v, want an error containing %q", c.sig, err, c.want)
		}
	}
}

// TestSignatureLimits: systemd src/libsystemd/sd-bus/test-bus-signature.c
// (LGPL-2.1+): 32 arrays + d valid, 33 arrays + u invalid, 32 nested
// structs valid; plus 33 structs, dict entries counting as structs, and
// the 255-byte length cap.
func TestSignatureLimits(t *testing.T) {
	nest := func(n int, inner string) string {
		return strings.Repeat("(", n) + inner + strings.Repeat(")", n)
	}
	cases := []struct {
		sig string
		ok  bool
	}{
		{strings.Repeat("a", 32) + "d", true},
		{strings.Repeat("a", 33) + "u", false},
		{nest(32, "u"), true},
		{nest(33, "u"), false},
		{strings.Repeat("a", 32) + nest(32, "y"), true},
		{"a{s" + nest(31, "y") + "}", true},
		{"a{s" + nest(32, "y") + "}", false},
		{strings.Repeat("y", 255), true},
		{strings.Repeat("y", 256), false},
	}
	for _, c := range cases {
		if err := checkSignature(c.sig); (err == nil) != c.ok {
			t.Errorf("%.40q (%d bytes): %v, want ok=%v", c.sig, len(c.sig), err, c.ok)
		}
	}
	if checkSingle("ii") == nil || checkSingle("") == nil || checkSingle("a{sv}") != nil {
		t.Error("checkSingle: want exactly one complete type")
	}
	if n := countTypes("sa{sv}as(ii)v"); n != 5 {
		t.Errorf("countTypes = %d, want 5", n)
	}
}

func TestNames(t *testing.T) {
	// Valid/invalid lists from dbus-marshal-validate-util.c (see above).
	// libdbus quirks left out on purpose: unique names ":0", ":a", ":",
	// ":.a" pass libdbus but break the specification's "at least two
	// elements" rule; we follow the specification.
	validPaths := []string{"/", "/foo/bar", "/foo", "/foo/bar/baz"}
	invalidPaths := []string{"bar", "bar/baz", "/foo/bar/", "/foo/", "foo/", "boo//blah", "//", "///",
		"foo///blah/", "Hello World", "", "   ", "foo bar"}
	validIfaces := []string{"org.freedesktop.Foo", "Bar.Baz", "Blah.Blah.Blah.Blah.Blah", "a.b",
		"a.b.c.d.e.f.g", "a0.b1.c2.d3.e4.f5.g6", "abc123.foo27"}
	invalidIfaces := []string{".", "", "..", ".Foo.Bar", "..Foo.Bar", "Foo.Bar.", "Foo.Bar..", "Foo",
		"9foo.bar.baz", "foo.bar..baz", "foo.bar...baz", "foo.bar.b..blah", ":", ":0-1", "10",
		":11.34324", "0.0.0", "0..0", "foo.Bar.%", "foo.Bar!!", "!Foo.bar.bz", "foo.$.blah", "   ", "foo bar",
		strings.Repeat("abc.def", 37)}
	validUnique := []string{":0.1", ":000.2222", ":abce.freedesktop.blah", ":1.14"}
	invalidUnique := []string{":!", ":blah.", ":blah..org", ":blah.org..", ":..blah.org", "", "   ", "foo bar",
		":" + strings.Repeat("abc", 86)}
	validMembers := []string{"Hello", "Bar", "foobar", "_foobar", "foo89"}
	invalidMembers := []string{"9Hello", "10", "1", "foo-bar", "blah.org", ".blah", "blah.", "Hello.", "!foo",
		"", "   ", "foo bar", strings.Repeat("abc", 86)}
	check := func(kind string, f func(string) error, names []string, ok bool) {
		for _, n := range names {
			if err := f(n); (err == nil) != ok {
				t.Errorf("%s %.30q: %v, want ok=%v", kind, n, err, ok)
			}
		}
	}
	check("path", checkObjectPath, validPaths, true)
	check("path", checkObjectPath, invalidPaths, false)
	check("interface", checkInterface, validIfaces, true)
	check("interface", checkInterface, invalidIfaces, false)
	check("error name", checkErrorName, validIfaces, true)
	check("bus name", checkBusName, validIfaces, true)
	check("bus name", checkBusName, append(validUnique, "org.freedesktop-x.a-b"), true)
	check("bus name", checkBusName, invalidUnique, false)
	check("member", checkMember, validMembers, true)
	check("member", checkMember, invalidMembers, false)
	for _, n := range invalidIfaces {
		if !strings.HasPrefix(n, ":") && checkBusName(n) == nil && !strings.Contains(n, "-") {
			t.Errorf("bus name %q accepted", n)
		}
	}
}

func TestPathEscape(t *testing.T) {
	for in, want := range map[string]string{"2": "_32", "12": "_312", "": "_", "eth0": "eth0",
		"veth-dh": "veth_2ddh", "a b": "a_20b"} {
		if got := PathEscape(in); got != want {
			t.Errorf("PathEscape(%q) = %q, want %q", in, got, want)
		}
		if !ObjectPath("/x/" + PathEscape(in)).Valid() {
			t.Errorf("PathEscape(%q) is not a valid path element", in)
		}
	}
}

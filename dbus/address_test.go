package dbus

import (
	"reflect"
	"testing"
)

func TestParseAddress(t *testing.T) {
	cases := []struct {
		in   string
		want []Address
		bad  bool
	}{
		{in: "unix:path=/run/dbus/system_bus_socket",
			want: []Address{{"unix", map[string]string{"path": "/run/dbus/system_bus_socket"}}}},
		{in: "unix:abstract=/tmp/dbus-XyZ,guid=0123456789abcdef0123456789abcdef;unix:path=/x%20y%3b",
			want: []Address{
				{"unix", map[string]string{"abstract": "/tmp/dbus-XyZ", "guid": "0123456789abcdef0123456789abcdef"}},
				{"unix", map[string]string{"path": "/x y;"}},
			}},
		{in: ";;tcp:host=localhost,port=1;", want: []Address{{"tcp", map[string]string{"host": "localhost", "port": "1"}}}},
		{in: "unix:", want: []Address{{"unix", map[string]string{}}}},
		{in: "", bad: true},
		{in: "unix", bad: true},
		{in: ":path=/x", bad: true},
		{in: "unix:path", bad: true},
		{in: "unix:=x", bad: true},
		{in: "unix:path=/a,path=/b", bad: true},
		{in: "unix:path=/a b", bad: true},  // space must be escaped
		{in: "unix:path=/a%2", bad: true},  // truncated escape
		{in: "unix:path=/a%zz", bad: true}, // not hex
	}
	for _, c := range cases {
		got, err := ParseAddress(c.in)
		if c.bad {
			if err == nil {
				t.Errorf("%q: accepted as %v", c.in, got)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("%q: %v, %v; want %v", c.in, got, err, c.want)
		}
	}
	v := "/tmp/a b;c,d=e%f\xff"
	a, err := ParseAddress("unix:path=" + EscapeValue(v))
	if err != nil || a[0].Params["path"] != v {
		t.Errorf("EscapeValue round trip: %v, %v", a, err)
	}
}

func TestSystemBusAddress(t *testing.T) {
	t.Setenv("DBUS_SYSTEM_BUS_ADDRESS", "")
	if got := SystemBusAddress(); got != DefaultSystemBusAddress {
		t.Errorf("default = %q", got)
	}
	t.Setenv("DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/tmp/x")
	if got := SystemBusAddress(); got != "unix:path=/tmp/x" {
		t.Errorf("from env = %q", got)
	}
}

func TestDialErrors(t *testing.T) {
	for _, addr := range []string{"tcp:host=localhost,port=1", "unix:tmpdir=/tmp",
		"unix:path=/nonexistent/bus.sock", "unix:path=/a,abstract=b"} {
		if c, err := Dial(addr); err == nil {
			c.Close()
			t.Errorf("Dial(%q) succeeded", addr)
		}
	}
}

func TestMatchRuleString(t *testing.T) {
	// The specification's example (message-bus-routing-match-rules): both
	// spellings mean arg0..3 = ' \ , \\ ; we produce the fully quoted one.
	r := MatchRule{Args: map[int]string{0: "'", 1: `\`, 2: ",", 3: `\\`}}
	if got, want := r.String(), `arg0=''\''',arg1='\',arg2=',',arg3='\\'`; got != want {
		t.Errorf("String() = %s\nwant       %s", got, want)
	}
	// The original broker's rule, tightened as protocols.md §1.5 suggests.
	r = PropertiesChangedRule("org.freedesktop.network1", "/org/freedesktop/network1")
	want := "type='signal',sender='org.freedesktop.network1',interface='org.freedesktop.DBus.Properties'," +
		"member='PropertiesChanged',path_namespace='/org/freedesktop/network1'"
	if r.String() != want {
		t.Errorf("String() = %s\nwant       %s", r.String(), want)
	}
	// resolved's rule as captured on Debian 12 (protocols.md §1.5), same key order.
	r = NameOwnerChangedRule(":1.32")
	want = "type='signal',sender='org.freedesktop.DBus',interface='org.freedesktop.DBus'," +
		"member='NameOwnerChanged',path='/org/freedesktop/DBus',arg0=':1.32'"
	if r.String() != want {
		t.Errorf("String() = %s\nwant       %s", r.String(), want)
	}
	for _, bad := range []MatchRule{
		{Path: "/a", PathNamespace: "/a"},
		{Args: map[int]string{64: "x"}},
		{Args: map[int]string{-1: "x"}},
		{Type: "sig"},
	} {
		if _, err := bad.checkedString(); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
}

func TestMatchRuleMatches(t *testing.T) {
	m := &Message{Type: TypeSignal, Sender: ":1.14", Path: "/org/freedesktop/network1/link/_32",
		Interface: PropertiesInterface, Member: "PropertiesChanged", Signature: "sa{sv}as",
		Body: []any{"org.freedesktop.network1.Link", []DictEntry{}, []any{}}}
	yes := []MatchRule{
		{},
		PropertiesChangedRule(":1.14", "/org/freedesktop/network1"),
		{PathNamespace: "/"},
		{Path: "/org/freedesktop/network1/link/_32", Args: map[int]string{0: "org.freedesktop.network1.Link"}},
	}
	no := []MatchRule{
		PropertiesChangedRule("org.freedesktop.network1", ""), // SENDER is the unique name
		{PathNamespace: "/org/freedesktop/network"},
		{Type: "method_call"},
		{Args: map[int]string{1: "x"}},
		{Args: map[int]string{5: "x"}},
		{Destination: ":1.1"},
	}
	for _, r := range yes {
		if !r.Matches(m) {
			t.Errorf("%s does not match", r)
		}
	}
	for _, r := range no {
		if r.Matches(m) {
			t.Errorf("%s matches", r)
		}
	}
}

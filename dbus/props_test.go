package dbus

import "testing"

func TestParsePropertiesChangedRejects(t *testing.T) {
	good := samplePropertiesChanged()
	if iface, ch, inval, err := ParsePropertiesChanged(good); err != nil || iface != "org.freedesktop.network1.Link" ||
		len(ch) != 4 || ch["OperationalState"] != (Variant{"s", "routable"}) || len(inval) != 0 {
		t.Fatalf("sample: %q %v %v %v", iface, ch, inval, err)
	}
	dup := samplePropertiesChanged()
	dup.Body[1] = []DictEntry{{"A", Variant{"s", "x"}}, {"A", Variant{"s", "y"}}}
	wrongSig := samplePropertiesChanged()
	wrongSig.Signature, wrongSig.Body = "sa{sv}", wrongSig.Body[:2]
	wrongMember := samplePropertiesChanged()
	wrongMember.Member = "PropertiesChanging"
	call := samplePropertiesChanged()
	call.Type = TypeMethodCall
	for name, m := range map[string]*Message{"duplicate key": dup, "signature": wrongSig,
		"member": wrongMember, "method call": call} {
		if _, _, _, err := ParsePropertiesChanged(m); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// TestMismatchedBrackets: the CVE-2022-42010 class (libdbus accepted some
// signatures with mismatched '(' and '{').
func TestMismatchedBrackets(t *testing.T) {
	for _, sig := range []string{"a{s(}", "(a{sv)}", "a{sv)", "(i}", "a{s(i})", "((i)", "a{sa{sv}", "{", "}"} {
		if err := checkSignature(sig); err == nil {
			t.Errorf("%q accepted", sig)
		}
	}
}

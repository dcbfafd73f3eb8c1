package dbus

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestBusHelloAndBusMethods(t *testing.T) {
	b := startBus(t)
	c := dialBus(t, b)
	if !strings.HasPrefix(c.UniqueName(), ":1.") {
		t.Fatalf("unique name %q, want :1.N", c.UniqueName())
	}
	if len(c.GUID()) != 32 {
		t.Errorf("server GUID %q, want 32 hex digits", c.GUID())
	}
	ctx := ctxT(t, 5*time.Second)
	body, err := c.Call(ctx, busName, busPath, busInterface, "GetId", "")
	if err != nil {
		t.Fatal(err)
	}
	if id, ok := oneString(body); !ok || len(id) != 32 || checkGUID(id) != nil {
		t.Errorf("GetId = %#v, want 32 hex digits", body)
	}
	owner, err := c.GetNameOwner(ctx, c.UniqueName())
	if err != nil || owner != c.UniqueName() {
		t.Errorf("GetNameOwner(own name) = %q, %v", owner, err)
	}
	_, err = c.GetNameOwner(ctx, "org.example.Nobody")
	if !IsError(err, ErrorNameHasNoOwner) {
		t.Errorf("GetNameOwner(unowned) error %v, want %s", err, ErrorNameHasNoOwner)
	}
	var de *Error
	if !errors.As(err, &de) || !strings.Contains(de.Message, "org.example.Nobody") {
		t.Errorf("error message %v does not name the bus name", err)
	}
	// NameAcquired(unique name) arrives unsolicited, interleaved with replies.
	m := waitSignal(t, c, 5*time.Second, func(m *Message) bool { return m.Member == "NameAcquired" })
	if s, _ := oneString(m.Body); s != c.UniqueName() || m.Sender != busName {
		t.Errorf("NameAcquired %#v from %s", m.Body, m.Sender)
	}
	_, err = c.Call(ctx, "org.example.Nobody", "/", "org.example.X", "Y", "")
	if !IsError(err, ErrorServiceUnknown) {
		t.Errorf("call to unknown name: %v, want %s", err, ErrorServiceUnknown)
	}
}

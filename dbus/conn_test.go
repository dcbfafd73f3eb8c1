package dbus

import (
	"context"
	"errors"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestSignalsBetweenConnections: one connection emits, others receive
// through match rules, in both byte orders. dbus-daemon forwards a
// big-endian message unchanged, unless some connection has an argN rule: to
// evaluate it libdbus swaps the message to native order in place, for every
// recipient (observed with 1.14.10). So byte order is checked first, before
// the arg0 rule exists.
func TestSignalsBetweenConnections(t *testing.T) {
	b := startBus(t)
	a, r, rArg := dialBus(t, b), dialBus(t, b), dialBus(t, b)
	ctx := ctxT(t, 10*time.Second)
	plain := MatchRule{Type: "signal", Sender: a.UniqueName(), Interface: "org.example.Test",
		PathNamespace: "/org/example"}
	withArg := plain
	withArg.Args = map[int]string{0: `it's \ here`}
	if err := r.AddMatch(ctx, plain); err != nil {
		t.Fatalf("AddMatch %s: %v", plain, err)
	}
	emits := []struct {
		path ObjectPath
		arg0 string
	}{
		{"/org/examples", `it's \ here`},    // outside the namespace: nobody
		{"/org/example/x", "other"},         // r only
		{"/org/example/x/y", `it's \ here`}, // both
	}
	isPing := func(m *Message) bool { return m.Member == "Ping" }
	for _, argRule := range []bool{false, true} {
		if argRule {
			if err := rArg.AddMatch(ctx, withArg); err != nil {
				t.Fatalf("AddMatch %s: %v", withArg, err)
			}
		}
		for _, order := range orders {
			a.SetByteOrder(order)
			for i, e := range emits {
				if err := a.Emit(ctx, e.path, "org.example.Test", "Ping", "si", e.arg0, int32(i)); err != nil {
					t.Fatal(err)
				}
			}
			for _, want := range []int32{1, 2} {
				m := waitSignal(t, r, 5*time.Second, isPing)
				if n, _ := m.Body[1].(int32); n != want || m.Sender != a.UniqueName() ||
					!argRule && m.Order != order {
					t.Errorf("%v plain: got %v in %v from %s; want %d in %v from %s",
						order, m.Body, m.Order, m.Sender, want, order, a.UniqueName())
				}
				if !plain.Matches(m) || (want == 1) == withArg.Matches(m) {
					t.Errorf("local Matches disagrees with the bus for %v", m.Body)
				}
			}
			if argRule {
				m := waitSignal(t, rArg, 5*time.Second, isPing)
				if n, _ := m.Body[1].(int32); n != 2 {
					t.Errorf("%v arg0 rule: got %v, want arg 2", order, m.Body)
				}
			}
		}
	}
	if err := r.RemoveMatch(ctx, plain); err != nil {
		t.Fatal(err)
	}
	if err := r.RemoveMatch(ctx, plain); !IsError(err, "org.freedesktop.DBus.Error.MatchRuleNotFound") {
		t.Errorf("second RemoveMatch: %v, want MatchRuleNotFound", err)
	}
}

func TestErrorsTimeoutsProperties(t *testing.T) {
	b := startBus(t)
	startPeer(t, b)
	c := dialBus(t, b)
	ctx := ctxT(t, 20*time.Second)

	_, err := c.Call(ctx, peerName, peerPath, peerIface, "Fail", "s", "it broke")
	var de *Error
	if !errors.As(err, &de) || de.Name != "org.example.Peer.Error.Failed" || de.Message != "it broke" {
		t.Errorf("Fail: %#v, want org.example.Peer.Error.Failed \"it broke\"", err)
	}

	short, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	// DeadlineExceeded (not the reply "slept") shows the call ended at its
	// deadline, before the reply.
	_, err = c.Call(short, peerName, peerPath, peerIface, "Sleep", "d", 1.5)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Sleep past the deadline: %v, want context.DeadlineExceeded", err)
	}
	// The late reply must be dropped quietly and the connection stay usable.
	time.Sleep(1500 * time.Millisecond)
	body, err := c.Call(ctx, peerName, peerPath, peerIface, "Sleep", "d", 0.01)
	if s, _ := oneString(body); err != nil || s != "slept" {
		t.Errorf("call after a timeout: %#v, %v", body, err)
	}

	v, err := c.GetProperty(ctx, peerName, peerPath, peerIface, "Name")
	if err != nil || v.Sig != "s" || v.Value != "peer" {
		t.Errorf("Get Name = %v, %v", v, err)
	}
	_, err = c.GetProperty(ctx, peerName, peerPath, peerIface, "Nope")
	if !IsError(err, ErrorUnknownProperty) {
		t.Errorf("Get Nope: %v, want %s", err, ErrorUnknownProperty)
	}
	all, err := c.GetAllProperties(ctx, peerName, peerPath, peerIface)
	if err != nil || len(all) != 2 || all["Count"] != (Variant{"u", uint32(1)}) {
		t.Errorf("GetAll = %v, %v", all, err)
	}

	owner, err := c.GetNameOwner(ctx, peerName)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.AddMatch(ctx, PropertiesChangedRule(peerName, string(peerPath))); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Call(ctx, peerName, peerPath, peerIface, "SetProp", "sv", "Count", Variant{"u", uint32(9)}); err != nil {
		t.Fatal(err)
	}
	m := waitSignal(t, c, 5*time.Second, func(m *Message) bool { return m.Member == "PropertiesChanged" })
	iface, changed, inval, err := ParsePropertiesChanged(m)
	if err != nil || iface != peerIface || changed["Count"] != (Variant{"u", uint32(9)}) ||
		len(inval) != 1 || inval[0] != "Ghost" || m.Sender != owner {
		t.Errorf("PropertiesChanged = %q %v %v %v from %s (owner %s)", iface, changed, inval, err, m.Sender, owner)
	}
}

func TestNameOwnerChanged(t *testing.T) {
	b := startBus(t)
	watcher, svc := dialBus(t, b), dialBus(t, b)
	ctx := ctxT(t, 10*time.Second)
	const name = "org.example.Watched"
	if owner, err := watcher.WatchNameOwner(ctx, name); err != nil || owner != "" {
		t.Fatalf("WatchNameOwner before anyone owns it = %q, %v", owner, err)
	}
	code, err := svc.RequestName(ctx, name, NameFlagDoNotQueue)
	if err != nil || code != RequestNamePrimaryOwner {
		t.Fatalf("RequestName = %d, %v", code, err)
	}
	isNOC := func(m *Message) bool { return m.Member == "NameOwnerChanged" }
	n, old, nw, err := ParseNameOwnerChanged(waitSignal(t, watcher, 5*time.Second, isNOC))
	if err != nil || n != name || old != "" || nw != svc.UniqueName() {
		t.Errorf("appeared: %q %q %q %v", n, old, nw, err)
	}
	other := dialBus(t, b)
	if owner, err := other.WatchNameOwner(ctx, name); err != nil || owner != svc.UniqueName() {
		t.Errorf("WatchNameOwner while owned = %q, %v; want %s", owner, err, svc.UniqueName())
	}
	svc.Close()
	n, old, nw, err = ParseNameOwnerChanged(waitSignal(t, watcher, 5*time.Second, isNOC))
	if err != nil || n != name || old != svc.UniqueName() || nw != "" {
		t.Errorf("vanished: %q %q %q %v", n, old, nw, err)
	}
	// A peer cannot fake the bus's signal: SENDER is checked.
	fake := &Message{Type: TypeSignal, Sender: ":1.99", Path: busPath, Interface: busInterface,
		Member: "NameOwnerChanged", Signature: "sss", Body: []any{name, "", ":1.99"}}
	if _, _, _, err := ParseNameOwnerChanged(fake); err == nil {
		t.Error("NameOwnerChanged from a peer was accepted")
	}
}

// TestDaemonKilledMidCall stops the daemon so a call hangs, kills it, and
// expects the call to fail, Done to fire and Signals to close.
func TestDaemonKilledMidCall(t *testing.T) {
	b := startBus(t)
	c := dialBus(t, b)
	if err := b.cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	res := make(chan error, 1)
	go func() {
		_, err := c.Call(context.Background(), busName, busPath, busInterface, "GetId", "")
		res <- err
	}()
	time.Sleep(100 * time.Millisecond)
	b.kill()
	select {
	case err := <-res:
		if err == nil || !strings.Contains(err.Error(), "connection lost") {
			t.Errorf("call error %v, want connection lost", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("call still hanging 5 s after the daemon died")
	}
	select {
	case <-c.Done():
	case <-time.After(time.Second):
		t.Fatal("Done not closed")
	}
	if c.Err() == nil || errors.Is(c.Err(), ErrClosed) {
		t.Errorf("Err = %v, want the lost connection", c.Err())
	}
	for range c.Signals() { // drains NameAcquired, then must be closed
	}
	if _, err := c.Call(context.Background(), busName, busPath, busInterface, "GetId", ""); err == nil {
		t.Error("call on a dead connection succeeded")
	}
}

func TestSignalOverflowAndIncomingCalls(t *testing.T) {
	b := startBus(t)
	a, r := dialBus(t, b), dialBus(t, b)
	ctx := ctxT(t, 20*time.Second)
	if err := r.AddMatch(ctx, MatchRule{Type: "signal", Sender: a.UniqueName()}); err != nil {
		t.Fatal(err)
	}
	n := SignalQueueLen + 200
	for i := range n {
		if err := a.Emit(ctx, "/x", "org.example.Flood", "Drop", "u", uint32(i)); err != nil {
			t.Fatal(err)
		}
	}
	// Nobody reads r.Signals(); its reader must keep going, so calls work.
	if _, err := a.Call(ctx, r.UniqueName(), "/", "org.freedesktop.DBus.Peer", "Ping", ""); err != nil {
		t.Errorf("Ping to the flooded connection: %v", err)
	}
	select {
	case <-r.Overflow():
	case <-time.After(5 * time.Second):
		t.Fatal("no overflow notice")
	}
	if r.Dropped() == 0 {
		t.Error("Dropped() = 0 after overflow")
	}
	if _, err := r.Call(ctx, busName, busPath, busInterface, "GetId", ""); err != nil {
		t.Errorf("call on the flooded connection: %v", err)
	}
	_, err := a.Call(ctx, r.UniqueName(), "/obj", "org.example.X", "Nope", "")
	if !IsError(err, ErrorUnknownMethod) {
		t.Errorf("unknown method on a client: %v, want %s", err, ErrorUnknownMethod)
	}
	r.Close()
	if !errors.Is(r.Err(), ErrClosed) {
		t.Errorf("Err after Close = %v, want ErrClosed", r.Err())
	}
	if _, err := r.Call(ctx, busName, busPath, busInterface, "GetId", ""); !errors.Is(err, ErrClosed) {
		t.Errorf("call after Close: %v, want ErrClosed", err)
	}
}

package dbus

import (
	"bufio"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The peer in testdata/peer.py is written with python3-dbus (libdbus), an
// independent implementation. allSig and allValues mirror its ALL and
// values(); describe mirrors its describe().
const allSig = "ybnqiuxtdsogayasaia{sv}(isb)a(iiay)va{oa{sv}}aav"

func allValues() []any {
	return []any{
		byte(200), true, int16(-300), uint16(65000), int32(-70000), uint32(4000000000),
		int64(-1 << 40), uint64(1<<63 + 5), 3.5, "h\u00e9llo \u2603 \U0001F600",
		ObjectPath("/org/example/peer/_31"), Signature("a{sv}"),
		[]byte{0, 1, 255},
		[]any{"a", "", "c"},
		[]any{},
		[]DictEntry{
			{"OperationalState", Variant{"s", "routable"}},
			{"BitRates", Variant{"(tt)", Struct{uint64(1<<64 - 1), uint64(1<<64 - 1)}}},
		},
		Struct{int32(7), "seven", false},
		[]any{
			Struct{int32(2), int32(2), []byte{10, 77, 0, 1}},
			Struct{int32(4), int32(2), []byte{192, 168, 52, 1}},
		},
		Variant{"v", Variant{"s", "deep"}},
		[]DictEntry{{ObjectPath("/a"), []DictEntry{{"k", Variant{"u", uint32(1)}}}}},
		[]any{[]any{Variant{"b", true}}, []any{}},
	}
}

// describe renders decoded Go values in peer.py's describe() format.
func describe(v any) string {
	switch x := v.(type) {
	case byte:
		return "y:" + strconv.Itoa(int(x))
	case bool:
		if x {
			return "b:1"
		}
		return "b:0"
	case int16:
		return fmt.Sprintf("n:%d", x)
	case uint16:
		return fmt.Sprintf("q:%d", x)
	case int32:
		return fmt.Sprintf("i:%d", x)
	case uint32:
		return fmt.Sprintf("u:%d", x)
	case int64:
		return fmt.Sprintf("x:%d", x)
	case uint64:
		return fmt.Sprintf("t:%d", x)
	case float64:
		return "d:" + strconv.FormatFloat(x, 'g', -1, 64)
	case string:
		return "s:" + hex.EncodeToString([]byte(x))
	case ObjectPath:
		return "o:" + string(x)
	case Signature:
		return "g:" + string(x)
	case Variant:
		return "v<" + describe(x.Value) + ">"
	case []byte:
		parts := make([]string, len(x))
		for i, b := range x {
			parts[i] = describe(b)
		}
		return "a[" + strings.Join(parts, ",") + "]"
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = describe(e)
		}
		return "a[" + strings.Join(parts, ",") + "]"
	case Struct:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = describe(e)
		}
		return "(" + strings.Join(parts, ",") + ")"
	case []DictEntry:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = describe(e.Key) + "=" + describe(e.Value)
		}
		return "{" + strings.Join(parts, ",") + "}"
	}
	return fmt.Sprintf("?%T", v)
}

func describeAll(vals []any) string {
	parts := make([]string, len(vals))
	for i, v := range vals {
		parts[i] = describe(v)
	}
	return strings.Join(parts, ";")
}

// startPeer runs testdata/peer.py on the bus and waits for "ready".
func startPeer(t testing.TB, b *testBus) {
	t.Helper()
	py := needTool(t, "/usr/bin/python3")
	if err := exec.Command(py, "-c", "import dbus, gi").Run(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("python3-dbus or python3-gi missing (CI=true): %v", err)
		}
		t.Skipf("python3-dbus or python3-gi missing: %v", err)
	}
	cmd := exec.Command(py, "testdata/peer.py", b.addr)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill() // the PID we started
		cmd.Wait()
		if t.Failed() && stderr.Len() > 0 {
			t.Logf("peer.py stderr:\n%s", stderr.String())
		}
	})
	ready := make(chan string, 1)
	go func() {
		s, _ := bufio.NewReader(out).ReadString('\n')
		ready <- s
	}()
	select {
	case s := <-ready:
		if strings.TrimSpace(s) != "ready" {
			t.Fatalf("peer.py said %q, want ready", s)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("peer.py not ready within 15 s")
	}
}

const (
	peerName  = "org.example.Peer"
	peerPath  = ObjectPath("/org/example/Peer")
	peerIface = "org.example.Peer"
)

var orders = []binary.ByteOrder{binary.LittleEndian, binary.BigEndian}

// TestInteropPython exchanges every type with python3-dbus in both
// directions and both byte orders, through a real dbus-daemon (which
// forwards big-endian messages without swapping them).
func TestInteropPython(t *testing.T) {
	b := startBus(t)
	startPeer(t, b)
	c := dialBus(t, b)
	ctx := ctxT(t, 30*time.Second)
	want := allValues()

	t.Run("python to Go", func(t *testing.T) {
		got, err := c.Call(ctx, peerName, peerPath, peerIface, "Make", "")
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Make:\n got %#v\nwant %#v", got, want)
		}
	})
	for _, order := range orders {
		c.SetByteOrder(order)
		t.Run(fmt.Sprintf("Go to python %v", order), func(t *testing.T) {
			got, err := c.Call(ctx, peerName, peerPath, peerIface, "Describe", allSig, want...)
			if err != nil {
				t.Fatal(err)
			}
			if s, _ := oneString(got); s != describeAll(want) {
				t.Errorf("python decoded\n %s\nwant\n %s", s, describeAll(want))
			}
		})
		t.Run(fmt.Sprintf("echo %v", order), func(t *testing.T) {
			got, err := c.Call(ctx, peerName, peerPath, peerIface, "Echo", allSig, want...)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Echo:\n got %#v\nwant %#v", got, want)
			}
		})
		t.Run(fmt.Sprintf("signal Go to python %v", order), func(t *testing.T) {
			if err := c.Emit(ctx, "/org/example/Go", peerIface, "Probe", allSig, want...); err != nil {
				t.Fatal(err)
			}
			// The signal and the next call travel the same socket in order.
			got, err := c.Call(ctx, peerName, peerPath, peerIface, "LastSignal", "")
			if err != nil {
				t.Fatal(err)
			}
			if s, _ := oneString(got); s != describeAll(want) {
				t.Errorf("python received\n %s\nwant\n %s", s, describeAll(want))
			}
		})
	}
	c.SetByteOrder(binary.LittleEndian)

	t.Run("signal python to Go", func(t *testing.T) {
		rule := MatchRule{Type: "signal", Sender: peerName, Interface: peerIface, Member: "All"}
		if err := c.AddMatch(ctx, rule); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Call(ctx, peerName, peerPath, peerIface, "EmitAll", ""); err != nil {
			t.Fatal(err)
		}
		m := waitSignal(t, c, 10*time.Second, func(m *Message) bool { return m.Member == "All" })
		if !reflect.DeepEqual(m.Body, want) {
			t.Errorf("All:\n got %#v\nwant %#v", m.Body, want)
		}
		owner, err := c.GetNameOwner(ctx, peerName)
		if err != nil || m.Sender != owner {
			t.Errorf("signal SENDER %q, owner %q (%v): want the unique name", m.Sender, owner, err)
		}
		if err := c.RemoveMatch(ctx, rule); err != nil {
			t.Fatal(err)
		}
	})
}

package dbus

import (
	"bufio"
	"encoding/binary"
	"io"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// fakeBus is a scripted server on a unix socket of the test's own: it
// authenticates the client, answers Hello, then runs script. A conforming
// dbus-daemon never forwards malformed bodies (protocols.md §1.x), so this
// is how a client meets hostile input in tests.
type fakeBus struct {
	addr string
}

const fakeGUID = "0123456789abcdef0123456789abcdef"

func startFakeBus(t *testing.T, script func(c net.Conn, r *bufio.Reader)) *fakeBus {
	t.Helper()
	dir, err := os.MkdirTemp("", "dbf")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	path := filepath.Join(dir, "s")
	l, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	accepted := make(chan net.Conn, 1)
	t.Cleanup(func() {
		l.Close()
		select {
		case c := <-accepted:
			c.Close()
		default:
		}
	})
	fb := &fakeBus{addr: "unix:path=" + path}
	go func() {
		c, err := l.Accept()
		if err != nil {
			return
		}
		accepted <- c
		r := bufio.NewReader(c)
		if _, err := r.ReadString('\n'); err != nil { // NUL AUTH EXTERNAL ...
			return
		}
		io.WriteString(c, "OK "+fakeGUID+"\r\n")
		for { // libdbus asks NEGOTIATE_UNIX_FD before BEGIN
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			if line == "BEGIN\r\n" {
				break
			}
			io.WriteString(c, "ERROR \"not supported\"\r\n")
		}
		b, err := readMessage(r)
		if err != nil {
			return
		}
		hello, err := DecodeMessage(b)
		if err != nil || hello.Member != "Hello" {
			return
		}
		reply := &Message{Type: TypeMethodReturn, Serial: 1, ReplySerial: hello.Serial,
			Sender: busName, Destination: ":1.5", Signature: "s", Body: []any{":1.5"}}
		out, _ := reply.Encode(binary.LittleEndian)
		c.Write(out)
		script(c, r)
	}()
	return fb
}

func mustEncode(t *testing.T, m *Message, order binary.ByteOrder) []byte {
	t.Helper()
	b, err := m.Encode(order)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func waitDone(t *testing.T, c *Conn, want string) {
	t.Helper()
	select {
	case <-c.Done():
		if err := c.Err(); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Err() = %v, want it to mention %q", err, want)
		}
	case <-time.After(5 * time.Second):
		t.Fatalf("connection not dropped (want %q)", want)
	}
}

// TestMalformedIncomingDropsConnection: any malformed message ends the
// connection and Done fires with the reason; a pending call fails.
func TestMalformedIncomingDropsConnection(t *testing.T) {
	boolTwo := rawMessage(4, 0, signalFields("b"), []byte{2, 0, 0, 0})
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"boolean 2", boolTwo, "boolean is 2"},
		{"bad endianness", []byte("xxxxxxxxxxxxxxxx"), "endianness"},
		{"over 128 MiB", func() []byte {
			b := rawMessage(4, 0, signalFields(""), nil)
			binary.LittleEndian.PutUint32(b[4:], maxMessageLen)
			return b
		}(), "exceeds"},
		{"header claims 100 MiB then EOF", func() []byte {
			b := rawMessage(4, 0, signalFields("ay"), nil)
			binary.LittleEndian.PutUint32(b[4:], 100<<20)
			return b
		}(), "EOF"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fb := startFakeBus(t, func(conn net.Conn, r *bufio.Reader) {
				// Let the pending call below get sent first.
				time.Sleep(50 * time.Millisecond)
				conn.Write(c.data)
				conn.(*net.UnixConn).CloseWrite()
			})
			var before runtime.MemStats
			runtime.ReadMemStats(&before)
			conn, err := Dial(fb.addr)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			_, err = conn.Call(ctxT(t, 5*time.Second), "org.example.X", "/", "org.example.X", "Y", "")
			if err == nil {
				t.Error("pending call succeeded")
			}
			waitDone(t, conn, c.want)
			var after runtime.MemStats
			runtime.ReadMemStats(&after)
			if grew := after.TotalAlloc - before.TotalAlloc; grew > 16<<20 {
				t.Errorf("allocated %d MiB for a message that never came", grew>>20)
			}
		})
	}
}

// TestBenignIncoming: unknown types, unknown flags, stray replies and calls
// to us leave the connection up; signals still arrive.
func TestBenignIncoming(t *testing.T) {
	answered := make(chan *Message, 1)
	fb := startFakeBus(t, func(conn net.Conn, r *bufio.Reader) {
		conn.Write(rawMessage(123, 0, nil, nil))
		conn.Write(rawMessage(4, 0xf0, signalFields("", field(0x40, "s", leStr("x"))), nil))
		stray := &Message{Type: TypeMethodReturn, Serial: 7, ReplySerial: 999, Sender: busName}
		conn.Write(mustEncode(t, stray, binary.BigEndian))
		call := &Message{Type: TypeMethodCall, Serial: 8, Path: "/", Interface: "org.example.X",
			Member: "Y", Sender: ":1.9"}
		conn.Write(mustEncode(t, call, binary.BigEndian))
		if b, err := readMessage(r); err == nil {
			m, _ := DecodeMessage(b)
			answered <- m
		}
		sig := &Message{Type: TypeSignal, Serial: 9, Path: "/a", Interface: "a.b", Member: "Last",
			Sender: ":1.9", Signature: "s", Body: []any{"ok"}}
		conn.Write(mustEncode(t, sig, binary.BigEndian))
	})
	c, err := Dial(fb.addr + ",guid=" + fakeGUID)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if c.UniqueName() != ":1.5" {
		t.Errorf("UniqueName = %q", c.UniqueName())
	}
	select {
	case m := <-answered:
		if m == nil || m.Type != TypeError || m.ErrorName != ErrorUnknownMethod || m.ReplySerial != 8 {
			t.Errorf("reply to an incoming call: %#v", m)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("incoming call not answered")
	}
	var got []string
	m := waitSignal(t, c, 5*time.Second, func(m *Message) bool { got = append(got, m.Member); return m.Member == "Last" })
	if m.Order != binary.BigEndian || m.Body[0] != "ok" || len(got) != 2 {
		t.Errorf("signals %v, last %#v", got, m)
	}
	if c.Err() != nil {
		t.Errorf("connection dropped: %v", c.Err())
	}
}

func TestDialFailures(t *testing.T) {
	fb := startFakeBus(t, func(net.Conn, *bufio.Reader) {})
	if _, err := Dial(fb.addr + ",guid=ffffffffffffffffffffffffffffffff"); err == nil ||
		!strings.Contains(err.Error(), "GUID") {
		t.Errorf("GUID mismatch: %v", err)
	}
	// A server that answers Hello with an error.
	dir := t.TempDir()
	path := filepath.Join(dir, "s")
	if len(path) > 100 {
		t.Skip("temp dir too long for a socket path")
	}
	l, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		c, err := l.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		r := bufio.NewReader(c)
		r.ReadString('\n')
		io.WriteString(c, "REJECTED EXTERNAL\r\n")
		r.ReadString('\n')
		io.WriteString(c, "REJECTED EXTERNAL\r\n")
		time.Sleep(100 * time.Millisecond)
	}()
	if _, err := Dial("unix:path=" + path); err == nil || !strings.Contains(err.Error(), "rejected") {
		t.Errorf("rejected auth: %v", err)
	}
}

// TestWriteDeadline: a peer that stops reading makes a send block; the
// context deadline must end it (the socket file is poller-backed), and a
// message cut short must drop the connection rather than corrupt the stream.
func TestWriteDeadline(t *testing.T) {
	stall := make(chan struct{})
	fb := startFakeBus(t, func(net.Conn, *bufio.Reader) { <-stall })
	defer close(stall)
	c, err := Dial(fb.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	big := make([]byte, 1<<20)
	var sendErr error
	for i := 0; i < 64 && sendErr == nil; i++ {
		ctx := ctxT(t, 300*time.Millisecond)
		sendErr = c.Emit(ctx, "/a", "a.b", "Big", "ay", big)
	}
	if sendErr == nil {
		t.Fatal("64 MiB went into a socket nobody reads")
	}
	if !strings.Contains(sendErr.Error(), "deadline") && !strings.Contains(sendErr.Error(), "timeout") {
		t.Errorf("send error %v, want a deadline", sendErr)
	}
	waitDone(t, c, "cut short")
}

// TestDialAddressList: entries are tried in order (a dead path, an
// unsupported transport, then a working one); unix:abstract= works too.
func TestDialAddressList(t *testing.T) {
	fb := startFakeBus(t, func(net.Conn, *bufio.Reader) {})
	c, err := Dial("unix:path=/nonexistent/dbt.sock;tcp:host=localhost,port=1;" + fb.addr)
	if err != nil {
		t.Fatalf("Dial with a working third entry: %v", err)
	}
	c.Close()

	name := "dbt-abstract-" + strconv.Itoa(os.Getpid())
	l, err := net.Listen("unix", "@"+name)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	accepted := make(chan bool, 1)
	go func() {
		conn, err := l.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		r := bufio.NewReader(conn)
		line, _ := r.ReadString('\n')
		accepted <- strings.HasPrefix(line, "\x00AUTH EXTERNAL ")
		io.WriteString(conn, "REJECTED EXTERNAL\r\n")
		r.ReadString('\n')
		io.WriteString(conn, "REJECTED EXTERNAL\r\n")
	}()
	if _, err := Dial("unix:abstract=" + name); err == nil || !strings.Contains(err.Error(), "rejected") {
		t.Errorf("abstract dial: %v, want the server's rejection", err)
	}
	if !<-accepted {
		t.Error("no AUTH EXTERNAL over the abstract socket")
	}
}

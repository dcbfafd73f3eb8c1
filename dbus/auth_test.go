package dbus

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// authStep is one exchange of a conversation as the server sees it: wait
// for the client line expect (checked when non-empty), then send reply
// (raw bytes, "\r\n" included; skipped when empty).
type authStep struct{ expect, reply string }

const testUIDHex = "31303030" // uid 1000 as hex of ASCII "1000" (auth-mechanisms-external)

// authConversations are the freedesktop/dbus test/data/auth/*.auth-script
// server scripts (AFL-2.1 or GPL-2+; read from aosp-mirror/platform_external_dbus
// at 5970d04af540af4825958272cba950c0b7dff15d, 27b694f6, 4db285c8) turned
// around so the test plays the server, plus the client states of the
// specification (auth-protocol) and hostile replies.
var authConversations = []struct {
	name    string
	steps   []authStep
	guid    string // wanted result; "" = an error containing errText
	errText string
	rest    string // bytes that must stay buffered for the message reader
	hangup  bool   // the server closes after its script
}{
	{name: "external-successful", steps: []authStep{
		{"AUTH EXTERNAL " + testUIDHex, "OK 0123456789abcdef0123456789abcdef\r\n"},
		{"BEGIN", ""}}, guid: "0123456789abcdef0123456789abcdef"},
	{name: "external-failed (no credentials)", steps: []authStep{
		{"AUTH EXTERNAL " + testUIDHex, "REJECTED EXTERNAL\r\n"},
		{"AUTH EXTERNAL", "REJECTED EXTERNAL\r\n"}}, errText: "rejected EXTERNAL"},
	{name: "fallback (REJECTED lists EXTERNAL, bare AUTH, DATA)", steps: []authStep{
		{"AUTH EXTERNAL " + testUIDHex, "REJECTED EXTERNAL DBUS_COOKIE_SHA1 DBUS_TEST_NONEXISTENT_MECH\r\n"},
		{"AUTH EXTERNAL", "DATA\r\n"},
		{"DATA", "OK 1234deadbeef\r\n"},
		{"BEGIN", ""}}, guid: "1234deadbeef"},
	{name: "rejected without EXTERNAL", steps: []authStep{
		{"AUTH EXTERNAL " + testUIDHex, "REJECTED DBUS_COOKIE_SHA1 ANONYMOUS\r\n"}}, errText: "offers"},
	{name: "extra-bytes after OK", steps: []authStep{
		{"AUTH EXTERNAL " + testUIDHex, "OK 0123456789abcdef0123456789abcdef\r\nl\x04\x01\x01"},
		{"BEGIN", ""}}, guid: "0123456789abcdef0123456789abcdef", rest: "l\x04\x01\x01"},
	{name: "ERROR then CANCEL, retry", steps: []authStep{
		{"AUTH EXTERNAL " + testUIDHex, "ERROR \"no\"\r\n"},
		{"CANCEL", "REJECTED EXTERNAL\r\n"},
		{"AUTH EXTERNAL", "OK abcd\r\n"},
		{"BEGIN", ""}}, guid: "abcd"},
	{name: "DATA while waiting for OK", steps: []authStep{
		{"AUTH EXTERNAL " + testUIDHex, "DATA 6869\r\n"},
		{"CANCEL", "REJECTED EXTERNAL\r\n"},
		{"AUTH EXTERNAL", "OK abcd\r\n"},
		{"BEGIN", ""}}, guid: "abcd"},
	{name: "OK after CANCEL", steps: []authStep{
		{"AUTH EXTERNAL " + testUIDHex, "ERROR\r\n"},
		{"CANCEL", "OK abcd\r\n"}}, errText: "after CANCEL"},
	{name: "unknown command", steps: []authStep{
		{"AUTH EXTERNAL " + testUIDHex, "AGREE_UNIX_FD\r\n"},
		{`ERROR "unknown command"`, "OK abcd\r\n"},
		{"BEGIN", ""}}, guid: "abcd"},
	{name: "endless chatter", steps: []authStep{
		{"AUTH EXTERNAL " + testUIDHex, strings.Repeat("WHAT\r\n", 20)}}, errText: "no OK after"},
	{name: "LF only", steps: []authStep{
		{"AUTH EXTERNAL " + testUIDHex, "OK abcd\n"}}, errText: `\r\n`},
	{name: "non-ASCII", steps: []authStep{
		{"AUTH EXTERNAL " + testUIDHex, "OK ab\xffcd\r\n"}}, errText: "printable"},
	{name: "NUL in line", steps: []authStep{
		{"AUTH EXTERNAL " + testUIDHex, "OK ab\x00cd\r\n"}}, errText: "printable"},
	{name: "line too long", steps: []authStep{
		{"AUTH EXTERNAL " + testUIDHex, "OK " + strings.Repeat("ab", 3000) + "\r\n"}}, errText: "longer than"},
	{name: "lower-case command", steps: []authStep{
		{"AUTH EXTERNAL " + testUIDHex, "ok abcd\r\n"}}, errText: "[A-Z_]+"},
	{name: "GUID not hex", steps: []authStep{
		{"AUTH EXTERNAL " + testUIDHex, "OK xyz\r\n"}}, errText: "not hex"},
	{name: "OK without GUID", steps: []authStep{
		{"AUTH EXTERNAL " + testUIDHex, "OK\r\n"}}, errText: "not hex"},
	{name: "empty line", steps: []authStep{
		{"AUTH EXTERNAL " + testUIDHex, "\r\n"}}, errText: "empty line"},
	{name: "EOF", steps: []authStep{
		{"AUTH EXTERNAL " + testUIDHex, ""}}, errText: "EOF", hangup: true},
}

// socketpair returns both ends of a connected AF_UNIX stream pair.
func socketpair(t *testing.T) (*os.File, *os.File) {
	t.Helper()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	a, b := os.NewFile(uintptr(fds[0]), "client"), os.NewFile(uintptr(fds[1]), "server")
	t.Cleanup(func() { a.Close(); b.Close() })
	return a, b
}

func TestAuthConversations(t *testing.T) {
	for _, c := range authConversations {
		t.Run(c.name, func(t *testing.T) {
			cf, sf := socketpair(t)
			type result struct {
				guid string
				err  error
				rest []byte
			}
			done := make(chan result, 1)
			go func() {
				r := bufio.NewReader(cf)
				guid, err := authenticate(r, cf, 1000)
				rest, _ := r.Peek(r.Buffered())
				done <- result{guid, err, rest}
			}()
			sr := bufio.NewReader(sf)
			if nul, err := sr.ReadByte(); err != nil || nul != 0 {
				t.Fatalf("first byte %#x, %v; want NUL", nul, err)
			}
			for i, s := range c.steps {
				line, err := sr.ReadString('\n')
				if err != nil {
					t.Fatalf("step %d: reading the client: %v", i, err)
				}
				if got := strings.TrimSuffix(line, "\r\n"); got != s.expect || !strings.HasSuffix(line, "\r\n") {
					t.Fatalf("step %d: client sent %q, want %q", i, line, s.expect+"\r\n")
				}
				if s.reply != "" {
					io.WriteString(sf, s.reply)
				}
			}
			go io.Copy(io.Discard, sr) // whatever the client says after the script
			if c.hangup {
				sf.Close()
			}
			res := <-done
			if c.guid != "" {
				if res.err != nil || res.guid != c.guid {
					t.Fatalf("got %q, %v; want GUID %q", res.guid, res.err, c.guid)
				}
			} else if res.err == nil || !strings.Contains(res.err.Error(), c.errText) {
				t.Fatalf("got %q, %v; want an error containing %q", res.guid, res.err, c.errText)
			}
			if c.guid != "" && string(res.rest) != c.rest {
				t.Errorf("bytes left for the message reader %q, want %q", res.rest, c.rest)
			}
		})
	}
}

// FuzzAuth feeds arbitrary server output to the client side: it must end
// (the input is finite), never panic, and only succeed with a hex GUID.
func FuzzAuth(f *testing.F) {
	for _, c := range authConversations {
		var server []byte
		for _, s := range c.steps {
			server = append(server, s.reply...)
		}
		f.Add(server)
	}
	f.Fuzz(func(t *testing.T, server []byte) {
		var sent bytes.Buffer
		guid, err := authenticate(bufio.NewReader(bytes.NewReader(server)), &sent, 0)
		if err == nil && checkGUID(guid) != nil {
			t.Fatalf("accepted GUID %q", guid)
		}
		if !bytes.HasPrefix(sent.Bytes(), []byte("\x00AUTH EXTERNAL 30\r\n")) {
			t.Fatalf("client opened with %q", sent.Bytes())
		}
		if sent.Len() > 64*(maxAuthLines+1) {
			t.Fatalf("client wrote %d bytes", sent.Len())
		}
	})
}

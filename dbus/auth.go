package dbus

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// The client side of auth-protocol with the EXTERNAL mechanism
// (auth-mechanisms-external): the server learns our uid from the socket
// credentials, we only state it.

// maxAuthLines bounds the conversation so a hostile server cannot keep us
// talking forever; a real one needs 1 or 2 lines.
const maxAuthLines = 16

// authState follows the client states of the specification.
type authState int

const (
	waitingForData   authState = iota // sent a bare AUTH, a challenge may come
	waitingForOK                      // sent AUTH with an initial response
	waitingForReject                  // sent CANCEL
)

// authenticate runs the conversation: the NUL byte, AUTH EXTERNAL with the
// uid as initial response, then bare AUTH EXTERNAL once more if rejected
// (the server may then ask with an empty DATA challenge). It returns the
// server GUID after sending BEGIN. Bytes the server sent after OK stay in r
// for the message reader.
func authenticate(r *bufio.Reader, w io.Writer, uid int) (string, error) {
	attempts := []string{
		"AUTH EXTERNAL " + hex.EncodeToString([]byte(strconv.Itoa(uid))),
		"AUTH EXTERNAL",
	}
	states := []authState{waitingForOK, waitingForData}
	if _, err := io.WriteString(w, "\x00"+attempts[0]+"\r\n"); err != nil {
		return "", fmt.Errorf("dbus: auth: %w", err)
	}
	state, next := states[0], 1
	send := func(line string) error {
		if _, err := io.WriteString(w, line+"\r\n"); err != nil {
			return fmt.Errorf("dbus: auth: %w", err)
		}
		return nil
	}
	for range maxAuthLines {
		cmd, arg, err := readAuthLine(r)
		if err != nil {
			return "", err
		}
		if state == waitingForReject && cmd != "REJECTED" {
			return "", fmt.Errorf("dbus: auth: got %s after CANCEL, want REJECTED", cmd)
		}
		switch cmd {
		case "OK":
			if err := checkGUID(arg); err != nil {
				return "", err
			}
			return arg, send("BEGIN")
		case "REJECTED":
			if next >= len(attempts) || !hasMech(arg, "EXTERNAL") {
				return "", fmt.Errorf("dbus: auth: server rejected EXTERNAL (it offers %q)", arg)
			}
			state = states[next]
			err = send(attempts[next])
			next++
		case "DATA":
			if state == waitingForData {
				// Empty response: "use the credentials of the socket".
				state, err = waitingForOK, send("DATA")
			} else {
				state, err = waitingForReject, send("CANCEL")
			}
		case "ERROR":
			state, err = waitingForReject, send("CANCEL")
		default:
			err = send("ERROR \"unknown command\"")
		}
		if err != nil {
			return "", err
		}
	}
	return "", fmt.Errorf("dbus: auth: no OK after %d lines", maxAuthLines)
}

// readAuthLine reads one "\r\n"-terminated ASCII line of at most the reader's
// buffer size and splits it into command and argument.
func readAuthLine(r *bufio.Reader) (cmd, arg string, err error) {
	line, err := r.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		return "", "", fmt.Errorf("dbus: auth: line longer than %d bytes", r.Size())
	}
	if err != nil {
		return "", "", fmt.Errorf("dbus: auth: reading the server's reply: %w", err)
	}
	body, ok := bytes.CutSuffix(line, []byte("\r\n"))
	if !ok {
		return "", "", fmt.Errorf("dbus: auth: line %q does not end in \\r\\n", line)
	}
	for _, c := range body {
		if c < 0x20 || c > 0x7e {
			return "", "", fmt.Errorf("dbus: auth: line %q: byte %#x is not printable ASCII", body, c)
		}
	}
	cmd, arg, _ = strings.Cut(string(body), " ")
	for i := 0; i < len(cmd); i++ {
		if c := cmd[i]; (c < 'A' || c > 'Z') && c != '_' {
			return "", "", fmt.Errorf("dbus: auth: line %q: command is not [A-Z_]+", body)
		}
	}
	if cmd == "" {
		return "", "", fmt.Errorf("dbus: auth: empty line from server")
	}
	return cmd, arg, nil
}

func hasMech(list, mech string) bool {
	for _, m := range strings.Fields(list) {
		if m == mech {
			return true
		}
	}
	return false
}

// checkGUID accepts a non-empty even-length hex string (the specification's
// GUID is 32 hex digits; old servers and test scripts send other lengths).
func checkGUID(g string) error {
	if _, err := hex.DecodeString(g); err != nil || g == "" {
		return fmt.Errorf("dbus: auth: OK %q: server GUID is not hex", g)
	}
	return nil
}

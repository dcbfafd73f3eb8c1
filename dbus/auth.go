package dbus

import (
	"bufio"
	"bytes"
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
		"AUTH EXTERNAL " + hexString(strconv.Itoa(uid)),
		"AUTH EXTERNAL",
	}
	states := []authState{waitingForOK, waitingForData}
	if err := writeAuthLine(w, "\x00"+attempts[0]); err != nil {
		return "", err
	}
	state, next := states[0], 1
	for range maxAuthLines {
		cmd, arg, err := readAuthLine(r)
		if err != nil {
			return "", err
		}
		if state == waitingForReject && cmd != "REJECTED" {
			return "", textError("dbus: auth: got " + cmd + " after CANCEL, want REJECTED")
		}
		var reply string
		switch cmd {
		case "OK":
			if err := checkGUID(arg); err != nil {
				return "", err
			}
			return arg, writeAuthLine(w, "BEGIN")
		case "REJECTED":
			if next >= len(attempts) || !hasMech(arg, "EXTERNAL") {
				return "", textError(quoted("dbus: auth: server rejected EXTERNAL (it offers ", arg, ")"))
			}
			state, reply = states[next], attempts[next]
			next++
		case "DATA":
			if state == waitingForData {
				// Empty response: "use the credentials of the socket".
				state, reply = waitingForOK, "DATA"
			} else {
				state, reply = waitingForReject, "CANCEL"
			}
		case "ERROR":
			state, reply = waitingForReject, "CANCEL"
		default:
			reply = "ERROR \"unknown command\""
		}
		if err := writeAuthLine(w, reply); err != nil {
			return "", err
		}
	}
	return "", textError("dbus: auth: no OK after " + strconv.Itoa(maxAuthLines) + " lines")
}

func writeAuthLine(w io.Writer, line string) error {
	if _, err := io.WriteString(w, line+"\r\n"); err != nil {
		return wrap("dbus: auth", err)
	}
	return nil
}

// readAuthLine reads one "\r\n"-terminated ASCII line of at most the reader's
// buffer size and splits it into command and argument.
func readAuthLine(r *bufio.Reader) (cmd, arg string, err error) {
	line, err := r.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		return "", "", textError("dbus: auth: line longer than " + strconv.Itoa(r.Size()) + " bytes")
	}
	if err != nil {
		return "", "", wrap("dbus: auth: reading the server's reply", err)
	}
	body, ok := bytes.CutSuffix(line, []byte("\r\n"))
	if !ok {
		return "", "", textError(quoted("dbus: auth: line ", string(line), ` does not end in \r\n`))
	}
	for _, c := range body {
		if c < 0x20 || c > 0x7e {
			return "", "", textError(quoted("dbus: auth: line ", string(body),
				": byte 0x"+strconv.FormatUint(uint64(c), 16)+" is not printable ASCII"))
		}
	}
	cmd, arg, _ = strings.Cut(string(body), " ")
	for i := 0; i < len(cmd); i++ {
		if c := cmd[i]; (c < 'A' || c > 'Z') && c != '_' {
			return "", "", textError(quoted("dbus: auth: line ", string(body), ": command is not [A-Z_]+"))
		}
	}
	if cmd == "" {
		return "", "", textError("dbus: auth: empty line from server")
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
	ok := g != "" && len(g)%2 == 0
	for i := 0; ok && i < len(g); i++ {
		_, ok = unhex(g[i])
	}
	if !ok {
		return textError(quoted("dbus: auth: OK ", g, ": server GUID is not hex"))
	}
	return nil
}

// hexString is hex.EncodeToString of s: two lower-case digits a byte.
func hexString(s string) string {
	const digits = "0123456789abcdef"
	b := make([]byte, 0, 2*len(s))
	for i := 0; i < len(s); i++ {
		b = append(b, digits[s[i]>>4], digits[s[i]&15])
	}
	return string(b)
}

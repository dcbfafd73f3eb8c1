package perf

import (
	"bufio"
	"io"
	"strconv"
	"strings"
	"time"
)

// Signal is one signal as dbus-monitor printed it: the time it arrived at
// the monitor, its path and member, and the string values of the
// a{sv} dictionaries in its body (PropertiesChanged's changed properties).
type Signal struct {
	Time   time.Time
	Sender string
	Path   string
	Member string
	Props  map[string]string
}

// ParseMonitor reads dbus-monitor's default output ("signal time=SEC.USEC
// sender=... path=...; interface=...; member=..." followed by the indented
// body) and returns the signals in order. Other messages (method calls,
// returns) are skipped; a dictionary entry whose value is not a plain
// string is left out of Props.
func ParseMonitor(r io.Reader) ([]Signal, error) {
	var out []Signal
	var cur *Signal
	key := ""
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 64<<20)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, " ") {
			if cur != nil {
				out = append(out, *cur)
				cur = nil
			}
			if strings.HasPrefix(line, "signal ") {
				cur = parseHead(line)
			}
			key = ""
			continue
		}
		if cur == nil {
			continue
		}
		f := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(f, "string \""):
			key = unquote(strings.TrimPrefix(f, "string "))
		case key != "" && strings.HasPrefix(f, "variant"):
			v := strings.TrimSpace(strings.TrimPrefix(f, "variant"))
			if strings.HasPrefix(v, "string \"") {
				cur.Props[key] = unquote(strings.TrimPrefix(v, "string "))
			}
			key = ""
		default:
			key = ""
		}
	}
	if cur != nil {
		out = append(out, *cur)
	}
	return out, sc.Err()
}

// parseHead reads the first line of a signal.
func parseHead(line string) *Signal {
	s := &Signal{Props: map[string]string{}}
	for _, f := range strings.Fields(line) {
		k, v, ok := strings.Cut(strings.TrimSuffix(f, ";"), "=")
		if !ok {
			continue
		}
		switch k {
		case "time":
			s.Time = parseTime(v)
		case "sender":
			s.Sender = v
		case "path":
			s.Path = v
		case "member":
			s.Member = v
		}
	}
	return s
}

// parseTime reads SEC.USEC.
func parseTime(v string) time.Time {
	sec, frac, _ := strings.Cut(v, ".")
	s, err1 := strconv.ParseInt(sec, 10, 64)
	frac = (frac + "000000000")[:9]
	ns, err2 := strconv.ParseInt(frac, 10, 64)
	if err1 != nil || err2 != nil {
		return time.Time{}
	}
	return time.Unix(s, ns)
}

// unquote strips dbus-monitor's double quotes (it does not escape).
func unquote(s string) string {
	s = strings.TrimPrefix(s, "\"")
	return strings.TrimSuffix(s, "\"")
}

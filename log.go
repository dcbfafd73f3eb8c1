package main

import (
	"io"
	"os"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"
)

// Log levels, in increasing severity.
const (
	levelDebug = iota
	levelInfo
	levelWarn
	levelError
	levelFatal
)

var levelNames = []string{"debug", "info", "warn", "error", "fatal"}

// logger writes one line per record, as logfmt or as a JSON object. It is a
// few dozen lines instead of log/slog to keep the binary small.
type logger struct {
	mu    sync.Mutex
	w     io.Writer
	level int
	json  bool
	now   func() time.Time
	buf   []byte
}

func newLogger(w io.Writer, level, format string) *logger {
	l := &logger{w: w, now: time.Now}
	l.configure(level, format)
	return l
}

// configure changes level and format (on reload).
func (l *logger) configure(level, format string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.level = levelInfo
	for i, n := range levelNames {
		if n == level {
			l.level = i
		}
	}
	l.json = format == "json"
}

func (l *logger) Debug(msg string, kv ...any) { l.log(levelDebug, msg, kv) }
func (l *logger) Info(msg string, kv ...any)  { l.log(levelInfo, msg, kv) }
func (l *logger) Warn(msg string, kv ...any)  { l.log(levelWarn, msg, kv) }
func (l *logger) Error(msg string, kv ...any) { l.log(levelError, msg, kv) }

// Fatal logs and exits with status 1.
func (l *logger) Fatal(msg string, kv ...any) {
	l.log(levelFatal, msg, kv)
	os.Exit(1)
}

// log writes msg and the key/value pairs kv (keys are strings).
func (l *logger) log(level int, msg string, kv []any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if level < l.level {
		return
	}
	b := l.buf[:0]
	ts := l.now().UTC().Format("2006-01-02T15:04:05.000Z07:00")
	if l.json {
		b = append(b, '{')
		b = appendJSONPair(b, "time", ts, false)
		b = appendJSONPair(b, "level", levelNames[level], true)
		b = appendJSONPair(b, "msg", msg, true)
		for i := 0; i+1 < len(kv); i += 2 {
			b = appendJSONPair(b, toString(kv[i]), toString(kv[i+1]), true)
		}
		b = append(b, '}', '\n')
	} else {
		b = appendLogfmt(b, "time", ts, false)
		b = appendLogfmt(b, "level", levelNames[level], true)
		b = appendLogfmt(b, "msg", msg, true)
		for i := 0; i+1 < len(kv); i += 2 {
			b = appendLogfmt(b, toString(kv[i]), toString(kv[i+1]), true)
		}
		b = append(b, '\n')
	}
	l.w.Write(b)
	if cap(b) <= 64<<10 {
		l.buf = b
	}
}

func toString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case int:
		return strconv.Itoa(x)
	case int32:
		return strconv.Itoa(int(x))
	case uint32:
		return strconv.FormatUint(uint64(x), 10)
	case uint64:
		return strconv.FormatUint(x, 10)
	case uint16:
		return strconv.FormatUint(uint64(x), 10)
	case uint8:
		return strconv.FormatUint(uint64(x), 10)
	case int64:
		return strconv.FormatInt(x, 10)
	case bool:
		return strconv.FormatBool(x)
	case time.Duration:
		return x.String()
	case error:
		if x == nil {
			return ""
		}
		return x.Error()
	case interface{ String() string }:
		return x.String()
	case nil:
		return ""
	}
	return "?"
}

func appendJSONPair(b []byte, k, v string, comma bool) []byte {
	if comma {
		b = append(b, ',')
	}
	b = appendJSONString(b, k)
	b = append(b, ':')
	return appendJSONString(b, v)
}

// appendLogfmt writes k=v, quoting v when it holds spaces, quotes, '=' or
// control characters, or is empty.
func appendLogfmt(b []byte, k, v string, space bool) []byte {
	if space {
		b = append(b, ' ')
	}
	b = append(b, k...)
	b = append(b, '=')
	if !needsQuote(v) {
		return append(b, v...)
	}
	return appendJSONString(b, v) // JSON string quoting is a valid logfmt quoting
}

func needsQuote(s string) bool {
	if s == "" {
		return true
	}
	for _, r := range s {
		if r <= ' ' || r == '"' || r == '=' || r == '\\' || r == 0x7f || r == utf8.RuneError {
			return true
		}
	}
	return false
}

package yaml

import "fmt"

// MaxSize is the largest input Parse and Unmarshal accept, in bytes.
const MaxSize = 1 << 20

// MaxDepth is how deeply collections may nest.
const MaxDepth = 64

// maxKeyLen is YAML 1.2's limit on implicit keys (§7.4, 1024 characters).
const maxKeyLen = 1024

// Error is a parse error at a 1-based line and column (counted in
// characters, not bytes).
type Error struct {
	Line, Column int
	Msg          string
}

// Error returns "LINE:COL: msg".
func (e *Error) Error() string {
	return fmt.Sprintf("%d:%d: %s", e.Line, e.Column, e.Msg)
}

// errAt returns an *Error at line l and 0-based column col.
func errAt(l line, col int, format string, args ...any) error {
	return &Error{Line: l.num, Column: col + 1, Msg: fmt.Sprintf(format, args...)}
}

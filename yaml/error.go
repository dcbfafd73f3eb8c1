package yaml

import "strconv"

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
	return strconv.Itoa(e.Line) + ":" + strconv.Itoa(e.Column) + ": " + e.Msg
}

// errAt returns an *Error at line l and 0-based column col.
func errAt(l line, col int, msg string) error {
	return &Error{Line: l.num, Column: col + 1, Msg: msg}
}

package yaml

import (
	"strconv"
	"strings"
)

// isFlowIndicator reports whether r is one of YAML's flow indicators.
func isFlowIndicator(r rune) bool {
	return r == ',' || r == '[' || r == ']' || r == '{' || r == '}'
}

// at returns t[i], or 0 past the end of the line.
func at(t []rune, i int) rune {
	if i < len(t) {
		return t[i]
	}
	return 0
}

// isSpace reports whether r separates tokens (0 is the end of the line).
func isSpace(r rune) bool { return r == ' ' || r == '\t' || r == 0 }

// restBlank reports whether only spaces, tabs and maybe a comment follow
// column i: trailing white space is never content, tabs included.
func restBlank(t []rune, i int) bool {
	start := i
	for i < len(t) && (t[i] == ' ' || t[i] == '\t') {
		i++
	}
	return i == len(t) || (t[i] == '#' && (i == 0 || i > start || t[i-1] == ' ' || t[i-1] == '\t'))
}

// skipSpaces returns the first column at or after i that is not a space.
func skipSpaces(t []rune, i int) int {
	for i < len(t) && t[i] == ' ' {
		i++
	}
	return i
}

// checkPlainStart rejects what cannot start a plain scalar (YAML 1.2
// ns-plain-first), naming the unsupported feature where there is one.
func checkPlainStart(l line, col int, flow bool) error {
	t := l.text
	c, next := t[col], at(t, col+1)
	var msg string
	switch c {
	case '&':
		msg = "anchors are not supported"
	case '*':
		msg = "aliases are not supported"
	case '!':
		msg = "tags are not supported"
	case '|', '>':
		msg = "block scalars are not supported"
	case '%':
		msg = "directives are not supported"
	case '@', '`':
		msg = "reserved indicator " + strconv.QuoteRune(c) + " cannot start a scalar"
	case '\t':
		msg = "tabs are only supported in quoted scalars, comments and at the end of a line"
	case ',', '[', ']', '{', '}', '#', '"', '\'':
		msg = "unexpected " + strconv.QuoteRune(c)
	case '-', '?', ':':
		if next == '\t' {
			return errAt(l, col+1, "tabs are only supported in quoted scalars, comments and at the end of a line")
		}
		if !isSpace(next) && !(flow && isFlowIndicator(next)) {
			return nil
		}
		switch {
		case c == '?':
			msg = "complex keys are not supported"
		case c == ':':
			msg = "empty keys are not supported"
		case flow:
			msg = "block sequences are not supported inside flow collections"
		default:
			msg = "a block sequence cannot start here"
		}
	default:
		return nil
	}
	return errAt(l, col, msg)
}

// scanPlain scans the single-line plain scalar at col. It stops before a
// ": " value indicator, a " #" comment, the end of the line and, in flow
// collections, a flow indicator. It returns the node and the stop column.
func scanPlain(l line, col int, flow bool) (*Node, int, error) {
	if err := checkPlainStart(l, col, flow); err != nil {
		return nil, 0, err
	}
	t := l.text
	i := col
	for ; i < len(t); i++ {
		c := t[i]
		if c == '\t' {
			if restBlank(t, i) {
				break // trailing white space
			}
			return nil, 0, errAt(l, i, "tabs are only supported in quoted scalars, comments and at the end of a line")
		}
		if c == ':' {
			next := at(t, i+1)
			if isSpace(next) || (flow && isFlowIndicator(next)) {
				break
			}
		}
		if c == '#' && t[i-1] == ' ' {
			break
		}
		if flow && isFlowIndicator(c) {
			break
		}
	}
	end := i
	for end > col && t[end-1] == ' ' {
		end--
	}
	text := string(t[col:end])
	v, err := resolve(text)
	if err != nil {
		return nil, 0, errAt(l, col, err.Error())
	}
	return &Node{Kind: ScalarNode, Line: l.num, Column: col + 1, Value: v, Text: text}, i, nil
}

// scanQuoted scans the single- or double-quoted scalar at col and returns
// it and the column after its closing quote.
func scanQuoted(l line, col int) (*Node, int, error) {
	var text string
	var end int
	var err error
	if l.text[col] == '"' {
		text, end, err = scanDouble(l, col)
	} else {
		text, end, err = scanSingle(l, col)
	}
	if err != nil {
		return nil, 0, err
	}
	return &Node{Kind: ScalarNode, Line: l.num, Column: col + 1, Value: text, Text: text, Quoted: true}, end, nil
}

// scanSingle decodes a single-quoted scalar, where a doubled quote stands
// for one quote (§7.3.2).
func scanSingle(l line, col int) (string, int, error) {
	t := l.text
	var b strings.Builder
	for i := col + 1; i < len(t); i++ {
		if t[i] != '\'' {
			b.WriteRune(t[i])
			continue
		}
		if at(t, i+1) != '\'' {
			return b.String(), i + 1, nil
		}
		b.WriteRune('\'')
		i++
	}
	return "", 0, errAt(l, col, "multi-line single-quoted scalars are not supported (no closing quote on this line)")
}

// scanDouble decodes a double-quoted scalar with the escapes of §5.7.
func scanDouble(l line, col int) (string, int, error) {
	t := l.text
	var b strings.Builder
	for i := col + 1; i < len(t); i++ {
		switch t[i] {
		case '"':
			return b.String(), i + 1, nil
		case '\\':
			r, n, err := unescape(l, i)
			if err != nil {
				return "", 0, err
			}
			b.WriteRune(r)
			i += n
		default:
			b.WriteRune(t[i])
		}
	}
	return "", 0, errAt(l, col, "multi-line double-quoted scalars are not supported (no closing quote on this line)")
}

// simpleEscape decodes the one-character escapes of YAML 1.2 §5.7.
// A switch rather than a map: it needs no initialisation at start-up.
func simpleEscape(c rune) (rune, bool) {
	switch c {
	case '0':
		return 0, true
	case 'a':
		return '\a', true
	case 'b':
		return '\b', true
	case 't', '\t':
		return '\t', true
	case 'n':
		return '\n', true
	case 'v':
		return '\v', true
	case 'f':
		return '\f', true
	case 'r':
		return '\r', true
	case 'e':
		return 0x1B, true
	case ' ', '"', '/', '\\':
		return c, true
	case 'N':
		return 0x85, true
	case '_':
		return 0xA0, true
	case 'L':
		return 0x2028, true
	case 'P':
		return 0x2029, true
	}
	return 0, false
}

// hexDigits is how many hex digits the escapes \x, \u and \U take, or 0.
func hexDigits(c rune) int {
	switch c {
	case 'x':
		return 2
	case 'u':
		return 4
	case 'U':
		return 8
	}
	return 0
}

// unescape decodes the escape whose backslash is at column i and returns
// the rune and how many characters after the backslash it used.
func unescape(l line, i int) (rune, int, error) {
	t := l.text
	if i+1 >= len(t) {
		return 0, 0, errAt(l, i, "multi-line double-quoted scalars are not supported (escaped line break)")
	}
	c := t[i+1]
	if r, ok := simpleEscape(c); ok {
		return r, 1, nil
	}
	digits := hexDigits(c)
	if digits == 0 {
		return 0, 0, errAt(l, i, "unknown escape \\"+string(c)+" in double-quoted scalar")
	}
	// The digits and at least the closing quote must follow on this line.
	v, ok := rune(0), i+1+digits < len(t)
	if ok {
		v, ok = hexRune(t[i+2 : i+2+digits])
	}
	if !ok {
		return 0, 0, errAt(l, i, "escape \\"+string(c)+" needs "+strconv.Itoa(digits)+" hex digits")
	}
	if !validRune(v) {
		return 0, 0, errAt(l, i, "escape \\"+string(c)+string(t[i+2:i+2+digits])+" is not a Unicode scalar value")
	}
	return v, 1 + digits, nil
}

// hexRune returns the value of the hex digits ds, or false if one is not
// a hex digit.
func hexRune(ds []rune) (rune, bool) {
	var v rune
	for _, d := range ds {
		h := hexValue(d)
		if h < 0 {
			return 0, false
		}
		v = v<<4 | rune(h)
	}
	return v, true
}

// validRune reports whether r is a Unicode scalar value (no surrogates).
func validRune(r rune) bool {
	return r >= 0 && r <= 0x10FFFF && (r < 0xD800 || r > 0xDFFF)
}

// hexValue returns the value of the hex digit d, or -1.
func hexValue(d rune) int {
	switch {
	case d >= '0' && d <= '9':
		return int(d - '0')
	case d >= 'a' && d <= 'f':
		return int(d-'a') + 10
	case d >= 'A' && d <= 'F':
		return int(d-'A') + 10
	}
	return -1
}

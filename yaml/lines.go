package yaml

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// line is one content line of the document: blank lines, comment lines and
// document markers are gone before the parser sees the lines.
type line struct {
	num    int    // 1-based line number
	text   []rune // the line without its line break
	indent int    // number of leading spaces
}

// splitLines checks every character of data and returns its content lines.
// It enforces MaxSize, one document, no directives and no tab indentation.
func splitLines(data []byte) ([]line, error) {
	if len(data) > MaxSize {
		return nil, &Error{Line: 1, Column: 1, Msg: "input is " + strconv.Itoa(len(data)) + " bytes, more than the " + strconv.Itoa(MaxSize) + " supported"}
	}
	raw, err := decodeLines(data)
	if err != nil {
		return nil, err
	}
	var out []line
	started, ended := false, false
	for _, l := range raw {
		blank, err := isBlank(l)
		if err != nil {
			return nil, err
		}
		if blank {
			continue
		}
		switch {
		case ended:
			return nil, errAt(l, l.indent, "several documents are not supported (content after '...')")
		case isMarker(l.text, '-') && started:
			return nil, errAt(l, 0, "several documents are not supported")
		case isMarker(l.text, '-'), isMarker(l.text, '.'):
			marker, start := "...", l.text[0] == '-'
			if start {
				marker = "---"
			}
			if err := restIsComment(l, 3, marker); err != nil {
				return nil, err
			}
			if start {
				started = true
			} else {
				ended = true
			}
			continue
		case l.indent == 0 && l.text[0] == '%':
			return nil, errAt(l, 0, "directives are not supported")
		}
		started = true
		out = append(out, l)
	}
	return out, nil
}

// decodeLines splits data into lines of runes, rejecting invalid UTF-8,
// non-printable characters (YAML 1.2 §5.1) and bare carriage returns.
func decodeLines(data []byte) ([]line, error) {
	if len(data) >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF {
		data = data[3:] // a byte order mark may start the stream
	}
	var out []line
	cur := line{num: 1}
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		i += size
		var msg string
		switch {
		case r == utf8.RuneError && size == 1:
			msg = "invalid UTF-8"
		case r == '\r' && i < len(data) && data[i] == '\n':
			continue // CRLF: the LF ends the line
		case r == '\r':
			msg = "carriage return without line feed is not supported"
		case r == '\n':
			out = append(out, finishLine(cur))
			cur = line{num: cur.num + 1}
			continue
		case !printable(r):
			msg = "character U+" + codePoint(r) + " is not allowed"
		default:
			cur.text = append(cur.text, r)
			continue
		}
		return nil, errAt(cur, len(cur.text), msg)
	}
	if len(cur.text) > 0 {
		out = append(out, finishLine(cur))
	}
	return out, nil
}

// finishLine counts the leading spaces of l.
func finishLine(l line) line {
	for l.indent < len(l.text) && l.text[l.indent] == ' ' {
		l.indent++
	}
	return l
}

// printable reports whether YAML 1.2 §5.1 c-printable allows r inside a
// line. The byte order mark is allowed only at the start of the stream.
func printable(r rune) bool {
	switch {
	case r == '\t', r == 0x85:
		return true
	case r < 0x20, r == 0x7F:
		return false
	case r < 0x7F:
		return true
	case r < 0xA0, r == 0xFEFF:
		return false
	case r <= 0xD7FF:
		return true
	case r < 0xE000:
		return false
	default:
		return r <= 0xFFFD || (r >= 0x10000 && r <= 0x10FFFF)
	}
}

// isBlank reports whether l holds only white space and maybe a comment. A
// tab before content would be indentation, which is not supported.
func isBlank(l line) (bool, error) {
	i := l.indent
	for i < len(l.text) && (l.text[i] == ' ' || l.text[i] == '\t') {
		i++
	}
	if i == len(l.text) || l.text[i] == '#' {
		return true, nil
	}
	if i > l.indent {
		return false, errAt(l, l.indent, "tabs as indentation are not supported")
	}
	return false, nil
}

// isMarker reports whether t is a document marker line made of c ("---" or
// "...") at column 1.
func isMarker(t []rune, c rune) bool {
	if len(t) < 3 || t[0] != c || t[1] != c || t[2] != c {
		return false
	}
	return len(t) == 3 || t[3] == ' ' || t[3] == '\t'
}

// restIsComment checks that only white space and a comment follow column col.
func restIsComment(l line, col int, what string) error {
	i := col
	for i < len(l.text) && (l.text[i] == ' ' || l.text[i] == '\t') {
		i++
	}
	if i < len(l.text) && (l.text[i] != '#' || i == col) {
		return errAt(l, i, "content after '"+what+"' on the same line is not supported")
	}
	return nil
}

// codePoint writes r as %04X does: upper-case hex, at least four digits.
func codePoint(r rune) string {
	s := strings.ToUpper(strconv.FormatInt(int64(r), 16))
	if len(s) < 4 {
		s = strings.Repeat("0", 4-len(s)) + s
	}
	return s
}

package yaml

import (
	"math"
	"os"
	"strconv"
	"strings"
	"testing"
)

// FuzzUnmarshal checks that no input panics or hangs, that every error has
// a position, that node positions point at the nodes in the source, and
// that whatever parses survives a round trip: the tree written back as YAML
// (emit) parses to the same value and writes the same text again.
func FuzzUnmarshal(f *testing.F) {
	for _, c := range loadSuite(f) {
		f.Add([]byte(c.YAML))
	}
	if data, err := os.ReadFile("testdata/network-broker.yaml"); err == nil {
		f.Add(data)
	} else {
		f.Fatal(err)
	}
	for _, tt := range valueTests {
		f.Add([]byte(tt.in))
	}
	for _, tt := range errorTests {
		f.Add([]byte(tt.in))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		root, err := Parse(data)
		if err != nil {
			if e, ok := err.(*Error); !ok || e.Line < 1 || e.Column < 1 || e.Msg == "" {
				t.Fatalf("error without a position: %#v", err)
			}
			return
		}
		checkPositions(t, sourceLines(data), root)
		if longQuotedKey(root) {
			return // the key limit counts source characters; quoting may exceed it
		}
		text := emit(root)
		again, err := Parse([]byte(text))
		if err != nil {
			t.Fatalf("re-parse of\n%s\nfailed: %v\n(from %q)", text, err, data)
		}
		if !equalValue(root.Decode(), again.Decode()) {
			t.Fatalf("round trip changed the value:\n%#v\n%#v\n(from %q)", root.Decode(), again.Decode(), data)
		}
		if text2 := emit(again); text2 != text {
			t.Fatalf("emit not stable:\n%s\n---\n%s", text, text2)
		}
	})
}

// sourceLines splits data into lines of runes the way the parser counts
// columns (after a byte order mark, without line breaks).
func sourceLines(data []byte) [][]rune {
	text := strings.TrimPrefix(string(data), "\ufeff")
	var out [][]rune
	for _, l := range strings.Split(text, "\n") {
		out = append(out, []rune(strings.TrimSuffix(l, "\r")))
	}
	return out
}

// checkPositions checks that every node's Line and Column point at where it
// starts in the source: its text, its opening quote or bracket, or its "-".
func checkPositions(t *testing.T, src [][]rune, n *Node) {
	if n == nil {
		return
	}
	if n.Line < 1 || n.Line > len(src) || n.Column < 1 || n.Column > len(src[n.Line-1])+1 {
		t.Fatalf("node %+v: position outside the input", n)
	}
	rest := string(src[n.Line-1][n.Column-1:])
	ok := true
	switch {
	case n.Kind == ScalarNode && n.Quoted:
		ok = strings.HasPrefix(rest, "\"") || strings.HasPrefix(rest, "'")
	case n.Kind == ScalarNode:
		ok = strings.HasPrefix(rest, n.Text)
	case n.Kind == SequenceNode:
		ok = strings.HasPrefix(rest, "-") || strings.HasPrefix(rest, "[")
	case len(n.Pairs) > 0:
		k := n.Pairs[0].Key
		ok = strings.HasPrefix(rest, "{") || (k.Line == n.Line && k.Column == n.Column)
	default:
		ok = strings.HasPrefix(rest, "{")
	}
	if !ok {
		t.Fatalf("%s at %d:%d, but the source there is %q", n.Kind, n.Line, n.Column, rest)
	}
	for _, p := range n.Pairs {
		checkPositions(t, src, p.Key)
		checkPositions(t, src, p.Value)
	}
	for _, it := range n.Items {
		checkPositions(t, src, it)
	}
}

// longQuotedKey reports whether some key of n grows past maxKeyLen when quoted.
func longQuotedKey(n *Node) bool {
	if n == nil {
		return false
	}
	for _, p := range n.Pairs {
		if len([]rune(quote(p.Key.Text))) > maxKeyLen || longQuotedKey(p.Value) {
			return true
		}
	}
	for _, it := range n.Items {
		if longQuotedKey(it) {
			return true
		}
	}
	return false
}

// emit writes n as block YAML in the supported subset: every string
// double-quoted, other scalars in their canonical core-schema form.
func emit(n *Node) string {
	if n == nil {
		return ""
	}
	var b strings.Builder
	if n.Kind == ScalarNode || isEmptyCollection(n) {
		b.WriteString(emitInline(n))
		b.WriteByte('\n')
		return b.String()
	}
	emitBlock(&b, n, "")
	return b.String()
}

// emitBlock writes the non-empty collection n, each entry on its own line.
func emitBlock(b *strings.Builder, n *Node, indent string) {
	entry := func(head string, v *Node) {
		b.WriteString(indent + head)
		if v.Kind == ScalarNode || isEmptyCollection(v) {
			b.WriteString(" " + emitInline(v) + "\n")
			return
		}
		b.WriteByte('\n')
		emitBlock(b, v, indent+"  ")
	}
	for _, p := range n.Pairs {
		entry(quote(p.Key.Text)+":", p.Value)
	}
	for _, it := range n.Items {
		entry("-", it)
	}
}

func isEmptyCollection(n *Node) bool {
	return n.Kind != ScalarNode && len(n.Pairs) == 0 && len(n.Items) == 0
}

// emitInline writes a scalar or an empty collection.
func emitInline(n *Node) string {
	switch n.Kind {
	case MappingNode:
		return "{}"
	case SequenceNode:
		return "[]"
	}
	switch v := n.Value.(type) {
	case nil:
		return "null"
	case bool:
		return strconv.FormatBool(v)
	case int:
		return strconv.Itoa(v)
	case float64:
		return formatFloat(v)
	case string:
		return quote(v)
	}
	panic("unexpected scalar value")
}

// formatFloat writes f so that the core schema reads it back as a float.
func formatFloat(f float64) string {
	switch {
	case math.IsNaN(f):
		return ".nan"
	case math.IsInf(f, 1):
		return ".inf"
	case math.IsInf(f, -1):
		return "-.inf"
	}
	s := strconv.FormatFloat(f, 'g', -1, 64)
	if !strings.ContainsAny(s, ".e") {
		s += ".0"
	}
	return s
}

// quote double-quotes s, escaping what the parser does not take raw.
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\t' || printable(r):
			b.WriteRune(r)
		case r <= 0xFF:
			b.WriteString(`\x` + hex(int(r), 2))
		case r <= 0xFFFF:
			b.WriteString(`\u` + hex(int(r), 4))
		default:
			b.WriteString(`\U` + hex(int(r), 8))
		}
	}
	b.WriteByte('"')
	return b.String()
}

// hex formats v with n hex digits.
func hex(v, n int) string {
	s := strconv.FormatInt(int64(v), 16)
	return strings.Repeat("0", n-len(s)) + s
}

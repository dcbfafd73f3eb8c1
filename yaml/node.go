package yaml

import (
	"errors"
	"strconv"
)

// Kind tells what a Node holds.
type Kind int

// The kinds of node.
const (
	ScalarNode Kind = iota + 1
	MappingNode
	SequenceNode
)

// String returns the kind's name as used in error messages.
func (k Kind) String() string {
	switch k {
	case ScalarNode:
		return "scalar"
	case MappingNode:
		return "mapping"
	case SequenceNode:
		return "sequence"
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Node is one node of the document with its position, so that callers can
// report errors in the configuration's terms at the right place.
type Node struct {
	Kind         Kind
	Line, Column int     // 1-based position of the node's first character; for an empty value, of its ':' or '-'
	Value        any     // scalars: nil, bool, int, float64 or string (core schema; quoted = string)
	Text         string  // scalars: the source text after unquoting and escapes
	Quoted       bool    // scalars: single- or double-quoted in the source
	Pairs        []Pair  // mappings, in document order
	Items        []*Node // sequences
}

// Pair is one entry of a mapping. Key is a scalar node.
type Pair struct {
	Key, Value *Node
}

// Parse parses one YAML document and returns its root node, or nil (and no
// error) for a document without content. Errors are *Error.
func Parse(data []byte) (*Node, error) {
	lines, err := splitLines(data)
	if err != nil || len(lines) == 0 {
		return nil, err
	}
	p := &parser{lines: lines}
	root, err := p.node(lines[0].indent, -1)
	if err != nil {
		return nil, err
	}
	if p.i < len(p.lines) {
		l := p.lines[p.i]
		return nil, errAt(l, l.indent, "unexpected content after the end of the document's root node")
	}
	return root, nil
}

// Unmarshal parses data and stores its value in *v, which must be a *any:
// mappings become map[string]any (keys are their text), sequences []any,
// scalars nil, bool, int, float64 or string. An empty document stores nil.
func Unmarshal(data []byte, v any) error {
	out, ok := v.(*any)
	if !ok || out == nil {
		return errors.New("yaml: Unmarshal needs a non-nil *any, got " + typeName(v))
	}
	root, err := Parse(data)
	if err != nil {
		return err
	}
	*out = root.Decode()
	return nil
}

// typeName names the type of v as %T would, for the values a caller is
// likely to pass by mistake. Naming any type needs reflect, which this
// package keeps out of the binary, so other types are only "another type".
func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "<nil>"
	case *any:
		return "*interface {}"
	case map[string]any:
		return "map[string]interface {}"
	case *map[string]any:
		return "*map[string]interface {}"
	case []any:
		return "[]interface {}"
	case *[]any:
		return "*[]interface {}"
	}
	return "another type"
}

// Decode returns the plain Go value of n as Unmarshal would store it.
func (n *Node) Decode() any {
	if n == nil {
		return nil
	}
	switch n.Kind {
	case MappingNode:
		m := make(map[string]any, len(n.Pairs))
		for _, p := range n.Pairs {
			m[p.Key.Text] = p.Value.Decode()
		}
		return m
	case SequenceNode:
		s := make([]any, len(n.Items))
		for i, it := range n.Items {
			s[i] = it.Decode()
		}
		return s
	}
	return n.Value
}

package yaml

import "strconv"

// scanFlow parses a flow sequence ("[a, b]") or flow mapping ("{a: 1}") of
// scalars that starts at col and closes on the same line. It returns the
// node and the column after the closing bracket.
func scanFlow(l line, col int) (*Node, int, error) {
	n := &Node{Line: l.num, Column: col + 1}
	closing := ']'
	if l.text[col] == '{' {
		n.Kind, closing = MappingNode, '}'
	} else {
		n.Kind = SequenceNode
	}
	keys := keySet{}
	i := col + 1
	for {
		i = skipSpaces(l.text, i)
		if at(l.text, i) == closing {
			return n, i + 1, nil
		}
		if err := checkFlowItem(l, col, i, closing); err != nil {
			return nil, 0, err
		}
		var err error
		if n.Kind == MappingNode {
			i, err = flowPair(l, i, n, keys)
		} else {
			i, err = flowItem(l, i, n)
		}
		if err != nil {
			return nil, 0, err
		}
		i = skipSpaces(l.text, i)
		switch c := at(l.text, i); {
		case c == closing:
			return n, i + 1, nil
		case c == ',':
			i++
		case i == len(l.text):
			return nil, 0, unclosedFlow(l, col, closing)
		case c == ':' && n.Kind == SequenceNode:
			return nil, 0, errAt(l, i, "mappings inside flow sequences are not supported")
		default:
			return nil, 0, errAt(l, i, "want ',' or "+strconv.QuoteRune(closing)+" in flow collection, got "+strconv.QuoteRune(c))
		}
	}
}

// checkFlowItem rejects what cannot start an entry of the flow collection
// opened at col and closed by closing: the end of the line, a comment, an empty entry, nesting.
func checkFlowItem(l line, col, i int, closing rune) error {
	var msg string
	switch c := at(l.text, i); {
	case i == len(l.text), c == '#':
		return unclosedFlow(l, col, closing)
	case c == ',':
		msg = "empty entries in flow collections are not allowed"
	case c == '[', c == '{':
		msg = "nested flow collections are not supported"
	case c == ']', c == '}':
		msg = "unexpected " + strconv.QuoteRune(c) + " in flow collection"
	default:
		return nil
	}
	return errAt(l, i, msg)
}

// unclosedFlow reports a flow collection opened at col that closing does
// not close on its line.
func unclosedFlow(l line, col int, closing rune) error {
	return errAt(l, col, "multi-line flow collections are not supported (no closing "+strconv.QuoteRune(closing)+" on this line)")
}

// flowScalar scans the quoted or plain scalar at i in a flow collection.
func flowScalar(l line, i int) (*Node, int, error) {
	if c := l.text[i]; c == '"' || c == '\'' {
		return scanQuoted(l, i)
	}
	return scanPlain(l, i, true)
}

// flowItem appends the scalar at i to the flow sequence n.
func flowItem(l line, i int, n *Node) (int, error) {
	item, end, err := flowScalar(l, i)
	if err != nil {
		return 0, err
	}
	n.Items = append(n.Items, item)
	return end, nil
}

// flowPair appends the "key: value", "key:" or "key" entry at i to the flow
// mapping n; a missing value is null.
func flowPair(l line, i int, n *Node, keys keySet) (int, error) {
	key, end, err := flowScalar(l, i)
	if err != nil {
		return 0, err
	}
	if end-i > maxKeyLen {
		return 0, errAt(l, i, "keys longer than "+strconv.Itoa(maxKeyLen)+" characters are not supported")
	}
	if err := keys.add(key); err != nil {
		return 0, err
	}
	var v *Node
	colon := skipSpaces(l.text, end)
	j := skipSpaces(l.text, colon+1)
	switch c := at(l.text, j); {
	case at(l.text, colon) != ':':
		v, j = emptyNode(l, end), end
	case c == ',' || c == '}':
		v = emptyNode(l, colon)
	default:
		if err := checkFlowItem(l, n.Column-1, j, '}'); err != nil {
			return 0, err
		}
		if v, j, err = flowScalar(l, j); err != nil {
			return 0, err
		}
	}
	n.Pairs = append(n.Pairs, Pair{Key: key, Value: v})
	return j, nil
}

package yaml

import "strconv"

// parser walks the content lines once, top-down. Block nodes are found by
// indentation: a node that starts on line i at column c owns the following
// lines indented more than its parent's column.
type parser struct {
	lines []line
	i     int // the current line
	depth int // nesting of collections, bounded by MaxDepth
}

// cur returns the current line and whether there is one.
func (p *parser) cur() (line, bool) {
	if p.i < len(p.lines) {
		return p.lines[p.i], true
	}
	return line{}, false
}

// node parses the block node starting at column col of the current line.
// Lines that continue it must be indented more than parent.
func (p *parser) node(col, parent int) (*Node, error) {
	l, _ := p.cur()
	if isSeqEntry(l.text, col) {
		if err := p.enter(l, col); err != nil {
			return nil, err
		}
		n, err := p.sequence(col)
		p.leave()
		return n, err
	}
	key, after, err := scanKey(l, col)
	if err != nil {
		return nil, err
	}
	if key != nil {
		if err := p.enter(l, col); err != nil {
			return nil, err
		}
		n, err := p.mapping(col, key, after)
		p.leave()
		return n, err
	}
	n, err := inlineValue(l, col)
	if err != nil {
		return nil, err
	}
	p.i++
	return n, p.checkEnd(n, parent)
}

// enter counts one more level of block collections, up to MaxDepth.
func (p *parser) enter(l line, col int) error {
	if p.depth++; p.depth > MaxDepth {
		return errAt(l, col, "nesting deeper than "+strconv.Itoa(MaxDepth)+" levels is not supported")
	}
	return nil
}

// leave ends a level that enter counted.
func (p *parser) leave() { p.depth-- }

// checkEnd rejects a line after the single-line node n that would continue
// it: indented more than parent.
func (p *parser) checkEnd(n *Node, parent int) error {
	next, ok := p.cur()
	if !ok || next.indent <= parent {
		return nil
	}
	if n.Kind == ScalarNode && !n.Quoted {
		return errAt(next, next.indent, "multi-line plain scalars are not supported")
	}
	return errAt(next, next.indent, "unexpected indentation after the "+n.Kind.String()+" on line "+strconv.Itoa(n.Line))
}

// isSeqEntry reports whether a block sequence entry ("-" then a space or
// the end of the line) starts at col.
func isSeqEntry(t []rune, col int) bool {
	return at(t, col) == '-' && (col+1 == len(t) || t[col+1] == ' ')
}

// sequence parses a block sequence whose entries are at column col.
func (p *parser) sequence(col int) (*Node, error) {
	l, _ := p.cur()
	s := &Node{Kind: SequenceNode, Line: l.num, Column: col + 1}
	for {
		item, err := p.entry(col)
		if err != nil {
			return nil, err
		}
		s.Items = append(s.Items, item)
		l, ok := p.cur()
		if !ok || l.indent < col || (l.indent == col && !isSeqEntry(l.text, col)) {
			return s, nil
		}
		if l.indent > col {
			return nil, errAt(l, l.indent, "bad indentation: want a sequence entry at column "+strconv.Itoa(col+1))
		}
	}
}

// entry parses the sequence entry whose "-" is at col of the current line.
func (p *parser) entry(col int) (*Node, error) {
	l, _ := p.cur()
	if !restBlank(l.text, col+1) {
		return p.node(skipSpaces(l.text, col+1), col) // compact: "- value", "- k: v", "- - x"
	}
	p.i++
	if next, ok := p.cur(); ok && next.indent > col {
		return p.node(next.indent, col)
	}
	return emptyNode(l, col), nil
}

// emptyNode is the null value of an entry or key whose indicator is at col.
func emptyNode(l line, col int) *Node {
	return &Node{Kind: ScalarNode, Line: l.num, Column: col + 1}
}

// mapping parses a block mapping whose keys are at column col; the first
// key is already scanned and its ':' ends before column after.
func (p *parser) mapping(col int, key *Node, after int) (*Node, error) {
	m := &Node{Kind: MappingNode, Line: key.Line, Column: key.Column}
	keys := keySet{}
	for {
		if err := keys.add(key); err != nil {
			return nil, err
		}
		v, err := p.value(col, after)
		if err != nil {
			return nil, err
		}
		m.Pairs = append(m.Pairs, Pair{Key: key, Value: v})
		l, ok := p.cur()
		if !ok || l.indent < col {
			return m, nil
		}
		if l.indent > col {
			return nil, errAt(l, l.indent, "bad indentation: want a key at column "+strconv.Itoa(col+1))
		}
		if isSeqEntry(l.text, col) {
			return nil, errAt(l, col, "want a mapping key (\"key: value\") at column "+strconv.Itoa(col+1)+", got a sequence entry")
		}
		if key, after, err = scanKey(l, col); err != nil {
			return nil, err
		}
		if key == nil {
			return nil, errAt(l, col, "want a mapping key (\"key: value\") at column "+strconv.Itoa(col+1))
		}
	}
}

// value parses the value of the mapping entry whose ':' ends before column
// after on the current line; the mapping's keys are at column col.
func (p *parser) value(col, after int) (*Node, error) {
	l, _ := p.cur()
	if !restBlank(l.text, after) {
		n, err := inlineValue(l, skipSpaces(l.text, after))
		if err != nil {
			return nil, err
		}
		p.i++
		return n, p.checkEnd(n, col)
	}
	p.i++
	next, ok := p.cur()
	switch {
	case ok && next.indent > col:
		return p.node(next.indent, col)
	case ok && next.indent == col && isSeqEntry(next.text, col):
		// "key:\n- a": a sequence may sit at its key's indentation.
		return p.node(col, col-1)
	}
	return emptyNode(l, after-1), nil
}

// scanKey returns the implicit key ("key:" then a space or the end of the
// line) at col and the column after its ':', or a nil node if there is none.
func scanKey(l line, col int) (*Node, int, error) {
	t := l.text
	var key *Node
	var end int
	var err error
	switch t[col] {
	case '[', '{':
		return nil, 0, nil // inlineValue reports a flow collection used as a key
	case '"', '\'':
		key, end, err = scanQuoted(l, col)
		end = skipSpaces(t, end)
	default:
		key, end, err = scanPlain(l, col, false)
	}
	if err != nil || at(t, end) != ':' || !isSpace(at(t, end+1)) {
		return nil, 0, err
	}
	if end-col > maxKeyLen {
		return nil, 0, errAt(l, col, "keys longer than "+strconv.Itoa(maxKeyLen)+" characters are not supported")
	}
	return key, end + 1, nil
}

// inlineValue parses the scalar or flow collection at col, which must be
// the last thing on its line but for a comment.
func inlineValue(l line, col int) (*Node, error) {
	var n *Node
	var end int
	var err error
	switch l.text[col] {
	case '[', '{':
		n, end, err = scanFlow(l, col)
	case '"', '\'':
		n, end, err = scanQuoted(l, col)
	default:
		n, end, err = scanPlain(l, col, false)
	}
	if err != nil {
		return nil, err
	}
	return n, checkLineEnd(l, end, n.Kind != ScalarNode)
}

// checkLineEnd checks that only white space and a comment follow column end.
func checkLineEnd(l line, end int, flow bool) error {
	if restBlank(l.text, end) {
		return nil
	}
	j := skipSpaces(l.text, end)
	var msg string
	switch c := at(l.text, j); {
	case c == ':' && flow:
		msg = "flow collections as mapping keys are not supported"
	case c == ':':
		msg = "mapping values are not allowed here"
	case c == '\t':
		msg = "tabs are only supported in quoted scalars, comments and at the end of a line"
	default:
		msg = "unexpected " + strconv.QuoteRune(c) + " after the value"
	}
	return errAt(l, j, msg)
}

// keySet finds duplicate keys: by text, and by value for plain scalars
// such as 1 and 0x1 that YAML resolves to the same key.
type keySet map[any]*Node

// nullKey stands for the null value as a key (~, null, or nothing).
type nullKey struct{}

// add records k or reports that it repeats an earlier key.
func (s keySet) add(k *Node) error {
	if err := s.claim("text:"+k.Text, k); err != nil {
		return err
	}
	switch v := k.Value.(type) {
	case nil:
		return s.claim(nullKey{}, k)
	case string:
		return nil
	default:
		return s.claim(v, k)
	}
}

// claim records k under id or reports the key that holds id already.
func (s keySet) claim(id any, k *Node) error {
	if first, dup := s[id]; dup {
		return &Error{Line: k.Line, Column: k.Column, Msg: "duplicate key " + strconv.Quote(k.Text) + " (first on line " + strconv.Itoa(first.Line) + ")"}
	}
	s[id] = k
	return nil
}

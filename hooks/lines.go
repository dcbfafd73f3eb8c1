package hooks

import (
	"bytes"
	"sync"
)

// lineSplitter cuts a byte stream into lines of at most max bytes. A line
// longer than max is delivered in pieces of max bytes, so memory per
// stream stays at max however the script writes.
type lineSplitter struct {
	max  int
	buf  []byte
	emit func(text []byte, complete bool) // complete: a newline ended it
}

// write feeds p to the splitter.
func (s *lineSplitter) write(p []byte) {
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i >= 0 && len(s.buf)+i <= s.max {
			s.buf = append(s.buf, p[:i]...)
			s.emit(s.buf, true)
			s.buf = s.buf[:0]
			p = p[i+1:]
			continue
		}
		room := s.max - len(s.buf)
		if i < 0 && len(p) <= room {
			// Keep a full buffer pending: a newline may come next, and
			// a line of exactly max bytes is then one line, not two.
			s.buf = append(s.buf, p...)
			return
		}
		// More than room bytes before the next newline or the end.
		s.buf = append(s.buf, p[:room]...)
		p = p[room:]
		s.emit(s.buf, false)
		s.buf = s.buf[:0]
	}
}

// flush delivers a last line that had no newline.
func (s *lineSplitter) flush() {
	if len(s.buf) > 0 {
		s.emit(s.buf, false)
		s.buf = s.buf[:0]
	}
}

// outputBudget delivers the lines of one run to out until max bytes (each
// line counting its length plus one) have been delivered; from then on
// lines are only counted. Calls to out are serialised.
type outputBudget struct {
	mu      sync.Mutex
	left    int
	dropped int
	script  string
	out     func(Line)
}

// line delivers or counts one line of stream.
func (b *outputBudget) line(stream string, text []byte) {
	if b.out == nil {
		return
	}
	text = bytes.TrimSuffix(text, []byte("\r"))
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(text)+1 > b.left {
		// Once one line is dropped all later ones are too, so the
		// delivered output is always a prefix of what was written.
		b.left = 0
		b.dropped++
		return
	}
	b.left -= len(text) + 1
	b.out(Line{Script: b.script, Stream: stream, Text: string(text)})
}

// droppedLines returns the number of lines not delivered.
func (b *outputBudget) droppedLines() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.dropped
}

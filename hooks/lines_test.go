package hooks

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// piece is one emitted piece of a lineSplitter.
type piece struct {
	text     string
	complete bool
}

// split feeds chunks to a splitter with max and returns the pieces.
func split(max int, chunks ...string) []piece {
	var got []piece
	s := lineSplitter{max: max, emit: func(b []byte, complete bool) {
		got = append(got, piece{string(b), complete})
	}}
	for _, c := range chunks {
		s.write([]byte(c))
	}
	s.flush()
	return got
}

func TestLineSplitter(t *testing.T) {
	tests := []struct {
		name   string
		max    int
		chunks []string
		want   []piece
	}{
		{"empty", 4, nil, nil},
		{"one", 4, []string{"ab\n"}, []piece{{"ab", true}}},
		{"no newline", 4, []string{"ab"}, []piece{{"ab", false}}},
		{"empty lines", 4, []string{"\n\n"}, []piece{{"", true}, {"", true}}},
		{"exactly max", 4, []string{"abcd\n"}, []piece{{"abcd", true}}},
		{"exactly max, newline later", 4, []string{"abcd", "\n"}, []piece{{"abcd", true}}},
		{"max+1", 4, []string{"abcde\n"}, []piece{{"abcd", false}, {"e", true}}},
		{"two max", 4, []string{"abcdefgh\n"}, []piece{{"abcd", false}, {"efgh", true}}},
		{"split across writes", 4, []string{"a", "b\nc", "d\n"}, []piece{{"ab", true}, {"cd", true}}},
		{"long across writes", 3, []string{"ab", "cd", "ef", "g"}, []piece{{"abc", false}, {"def", false}, {"g", false}}},
		{"crlf kept for the budget", 8, []string{"a\r\n"}, []piece{{"a\r", true}}},
	}
	for _, tt := range tests {
		if got := split(tt.max, tt.chunks...); !slices.Equal(got, tt.want) {
			t.Errorf("%s: got %+v, want %+v", tt.name, got, tt.want)
		}
	}
}

func TestOutputBudget(t *testing.T) {
	var got []Line
	b := &outputBudget{left: 10, script: "s", out: func(l Line) { got = append(got, l) }}
	for _, text := range []string{"abcd", "ef\r", "gh", "i", ""} {
		b.line("stdout", []byte(text))
	}
	// "abcd" costs 5, "ef" 3, "gh" would need 3 of the 2 left: it and all
	// later lines are dropped, even "i" that would fit.
	want := []Line{{"s", "stdout", "abcd"}, {"s", "stdout", "ef"}}
	if !slices.Equal(got, want) || b.droppedLines() != 3 {
		t.Errorf("delivered %q, dropped %d; want %q and 3", got, b.droppedLines(), want)
	}
}

// FuzzLineSplitter checks the splitter's promises on any input cut into
// any two writes: pieces are at most max bytes, hold no newline, a piece
// cut short is exactly max bytes, and the pieces give back the input.
func FuzzLineSplitter(f *testing.F) {
	files, _ := filepath.Glob("testdata/*")
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, uint16(len(b)/2), uint16(80))
	}
	f.Add([]byte("a\nbb\n\nccc"), uint16(1), uint16(1))
	f.Fuzz(func(t *testing.T, in []byte, cut, max uint16) {
		m := int(max%300) + 1
		c := int(cut) % (len(in) + 1)
		got := split(m, string(in[:c]), string(in[c:]))
		var back bytes.Buffer
		for i, p := range got {
			if len(p.text) > m || strings.IndexByte(p.text, '\n') >= 0 {
				t.Fatalf("piece %q: longer than %d or holds a newline", p.text, m)
			}
			if !p.complete && i != len(got)-1 && len(p.text) != m {
				t.Fatalf("cut piece %q: %d bytes, want %d", p.text, len(p.text), m)
			}
			back.WriteString(p.text)
			if p.complete {
				back.WriteByte('\n')
			}
		}
		if !bytes.Equal(back.Bytes(), in) {
			t.Fatalf("pieces %+v do not give back %q", got, in)
		}
	})
}

package yaml

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// suiteCase is one case of github.com/yaml/yaml-test-suite as stored in
// testdata/yaml-test-suite (see the README there for provenance).
type suiteCase struct {
	ID   string // "229Q", or "SM9W/01" for the second case of a file
	Name string
	Fail bool    // the input is not valid YAML
	YAML string  // the input
	Tree string  // the expected event stream; empty when only the input is stored
	JSON *string // the expected value as JSON, when there is one
}

// suiteFile is the layout of one testdata/yaml-test-suite/<ID>.json file.
type suiteFile struct {
	ID    string                       `json:"id"`
	Name  string                       `json:"name"`
	Cases []map[string]json.RawMessage `json:"cases"`
}

// loadSuite reads every stored case. A case inherits the yaml, tree and
// json it does not set from the case before it, and a field set to null is
// dropped, as the suite's own bin/suite-to-data.pl does. Unlike that script,
// fail is not inherited: 2G84 lists valid cases after failing ones.
func loadSuite(t testing.TB) []suiteCase {
	files, err := filepath.Glob("testdata/yaml-test-suite/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no suite files: %v", err)
	}
	var out []suiteCase
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		var f suiteFile
		if err := json.Unmarshal(data, &f); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		fields := map[string]json.RawMessage{}
		for i, c := range f.Cases {
			delete(fields, "fail")
			for k, v := range c {
				if string(v) == "null" {
					delete(fields, k)
				} else {
					fields[k] = v
				}
			}
			sc, err := makeCase(f, i, fields)
			if err != nil {
				t.Fatalf("%s case %d: %v", name, i, err)
			}
			out = append(out, sc)
		}
	}
	return out
}

// makeCase builds case i of f from its (inherited) fields.
func makeCase(f suiteFile, i int, fields map[string]json.RawMessage) (suiteCase, error) {
	sc := suiteCase{ID: f.ID, Name: f.Name}
	if len(f.Cases) > 1 {
		sc.ID = fmt.Sprintf("%s/%02d", f.ID, i)
	}
	if v, ok := fields["fail"]; ok {
		if err := json.Unmarshal(v, &sc.Fail); err != nil {
			return sc, err
		}
	}
	if err := json.Unmarshal(fields["yaml"], &sc.YAML); err != nil {
		return sc, fmt.Errorf("yaml: %v", err)
	}
	if v, ok := fields["tree"]; ok {
		if err := json.Unmarshal(v, &sc.Tree); err != nil {
			return sc, fmt.Errorf("tree: %v", err)
		}
	}
	if v, ok := fields["json"]; ok {
		sc.JSON = new(string)
		if err := json.Unmarshal(v, sc.JSON); err != nil {
			return sc, err
		}
	}
	return sc, nil
}

// inSubset lists the suite cases that use only what this package supports.
// They must parse to the suite's events and JSON; every other case must
// fail. The list was derived by running the parser over all stored cases
// and reading each accepted and each rejected valid case by hand.
var inSubset = map[string]bool{}

func init() {
	for _, id := range strings.Fields(`
		229Q 2EBW 3ALJ 3UYS 4GC6 4RWC 4UYU 4V8U 54T7 58MP
		5C5M 5KJE 5NYZ 5T43 65WH 6H3V 6SLA 7ZZ5 8CWC 8G76
		8QBE 93JH 98YD 9FMG 9J7A 9SHH 9U5K AVM7 AZ63 AZW3
		CPZ3 D88J D9TU DC7X DHP8 DK95/03 DK95/04 DK95/05 FQ7F G4RS
		H3Z8 HM87/00 HM87/01 HWV9 J5UC J7VC J9HZ JQ4R JR7V K4SU
		KH5V/00 KH5V/01 KH5V/02 KMK3 MXS3 P94K PBJ2 Q88A QT73 RLU9
		S4T7 S7BG SM9W/00 SSW6 SYW4 TE2A UDM2 UDR7 UKK6/01 YD5X
	`) {
		inSubset[id] = true
	}
}

// TestSuite runs every stored yaml-test-suite case: invalid YAML must be
// rejected, cases in the subset must give the suite's events and JSON, and
// cases outside the subset must be rejected with a position.
func TestSuite(t *testing.T) {
	cases := loadSuite(t)
	if len(cases) < 402 {
		t.Errorf("%d stored cases, want all 402 of the suite", len(cases))
	}
	seen := map[string]bool{}
	for _, c := range cases {
		seen[c.ID] = true
		t.Run(strings.ReplaceAll(c.ID, "/", "-"), func(t *testing.T) {
			root, err := Parse([]byte(c.YAML))
			var perr *Error
			if err != nil && (!errors.As(err, &perr) || perr.Line < 1 || perr.Column < 1) {
				t.Fatalf("error without a position: %v", err)
			}
			switch {
			case c.Fail && err == nil:
				t.Fatalf("%s: invalid YAML accepted:\n%s", c.Name, c.YAML)
			case c.Fail:
				return
			case err != nil && inSubset[c.ID]:
				t.Fatalf("%s: in the subset but rejected: %v\n%s", c.Name, err, c.YAML)
			case err != nil:
				return // outside the subset: rejected, as it must be
			case !inSubset[c.ID]:
				t.Errorf("%s: accepted but not listed in inSubset:\n%s", c.Name, c.YAML)
			}
			if c.Tree == "" {
				t.Fatalf("%s: accepted, but only the input of this case is stored: it is outside the subset and must be rejected", c.Name)
			}
			checkEvents(t, c, root)
			checkJSON(t, c, root)
		})
	}
	for id := range inSubset {
		if !seen[id] {
			t.Errorf("inSubset lists %s, which is not in testdata", id)
		}
	}
	t.Logf("%d cases, %d in the subset", len(cases), len(inSubset))
}

// checkEvents compares the event stream of root with the case's tree,
// ignoring the details the Node API does not keep: explicit "---" and
// "...", flow versus block style, and single versus double quotes.
func checkEvents(t *testing.T, c suiteCase, root *Node) {
	t.Helper()
	var want []string
	for _, ev := range strings.Split(strings.TrimSpace(c.Tree), "\n") {
		ev = strings.TrimSpace(ev)
		ev = strings.TrimSuffix(strings.TrimSuffix(ev, " ---"), " ...")
		ev = strings.TrimSuffix(strings.TrimSuffix(ev, " {}"), " []")
		if strings.HasPrefix(ev, "=VAL '") {
			ev = `=VAL "` + ev[len("=VAL '"):]
		}
		want = append(want, ev)
	}
	got := []string{"+STR", "+DOC"}
	if root == nil {
		if len(want) == 2 { // a stream without a document
			got = got[:1]
		} else {
			got = append(got, "=VAL :")
		}
	} else {
		got = appendEvents(got, root)
	}
	if len(got) > 1 {
		got = append(got, "-DOC")
	}
	got = append(got, "-STR")
	if g, w := strings.Join(got, "\n"), strings.Join(want, "\n"); g != w {
		t.Errorf("%s: events differ\ninput:\n%s\ngot:\n%s\nwant:\n%s", c.Name, c.YAML, g, w)
	}
}

// appendEvents appends the suite's event lines for n.
func appendEvents(evs []string, n *Node) []string {
	switch n.Kind {
	case MappingNode:
		evs = append(evs, "+MAP")
		for _, p := range n.Pairs {
			evs = appendEvents(appendEvents(evs, p.Key), p.Value)
		}
		return append(evs, "-MAP")
	case SequenceNode:
		evs = append(evs, "+SEQ")
		for _, it := range n.Items {
			evs = appendEvents(evs, it)
		}
		return append(evs, "-SEQ")
	}
	style := ":"
	if n.Quoted {
		style = `"`
	}
	return append(evs, "=VAL "+style+escapeEvent(n.Text))
}

// escapeEvent escapes a scalar the way test.event files do.
func escapeEvent(s string) string {
	r := strings.NewReplacer(`\`, `\\`, "\x00", `\0`, "\a", `\a`, "\b", `\b`, "\t", `\t`,
		"\n", `\n`, "\v", `\v`, "\f", `\f`, "\r", `\r`, "\x1b", `\e`)
	return r.Replace(s)
}

// checkJSON compares root's decoded value with the case's JSON.
func checkJSON(t *testing.T, c suiteCase, root *Node) {
	t.Helper()
	if c.JSON == nil {
		return
	}
	dec := json.NewDecoder(strings.NewReader(*c.JSON))
	var want []any
	for {
		var v any
		if err := dec.Decode(&v); err != nil {
			break
		}
		want = append(want, v)
	}
	got := jsonValue(root.Decode())
	switch {
	case len(want) == 0 && root == nil:
	case len(want) != 1:
		t.Errorf("%s: want %d JSON values, got one document", c.Name, len(want))
	case !equalValue(got, want[0]):
		t.Errorf("%s: value differs\ninput:\n%s\ngot:  %#v\nwant: %#v", c.Name, c.YAML, got, want[0])
	}
}

// jsonValue converts a decoded value to what encoding/json would produce.
func jsonValue(v any) any {
	switch v := v.(type) {
	case int:
		return float64(v)
	case map[string]any:
		m := map[string]any{}
		for k, x := range v {
			m[k] = jsonValue(x)
		}
		return m
	case []any:
		s := make([]any, len(v))
		for i, x := range v {
			s[i] = jsonValue(x)
		}
		return s
	}
	return v
}

package dbus

import (
	"slices"
	"strconv"
	"strings"
)

// MatchRule selects the signals the bus routes to us
// (message-bus-routing-match-rules). Empty fields match anything.
type MatchRule struct {
	Type          string // "signal", "method_call", ...
	Sender        string // bus name; the bus resolves a well-known name to its owner
	Interface     string
	Member        string
	Path          string
	PathNamespace string
	Destination   string
	Args          map[int]string // argN='value', N in 0..63, string arguments only
}

// String renders the rule with every value quoted: each value is put in
// single quotes, where a backslash is literal, and a quote is written as
// '\” (close, escaped quote, reopen).
func (r MatchRule) String() string {
	var parts []string
	for _, kv := range [...][2]string{
		{"type", r.Type}, {"sender", r.Sender}, {"interface", r.Interface}, {"member", r.Member},
		{"path", r.Path}, {"path_namespace", r.PathNamespace}, {"destination", r.Destination},
	} {
		if kv[1] != "" {
			parts = append(parts, kv[0]+"="+quoteMatchValue(kv[1]))
		}
	}
	keys := make([]int, 0, len(r.Args))
	for k := range r.Args {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		// An empty argN value is meaningful (matches ""), so it is kept.
		parts = append(parts, "arg"+strconv.Itoa(k)+"="+quoteMatchValue(r.Args[k]))
	}
	return strings.Join(parts, ",")
}

func quoteMatchValue(v string) string {
	return "'" + strings.ReplaceAll(v, "'", `'\''`) + "'"
}

// checkedString rejects what the bus would reject, with a clearer message.
func (r MatchRule) checkedString() (string, error) {
	if r.Path != "" && r.PathNamespace != "" {
		return "", textError("dbus: match rule: path and path_namespace together")
	}
	for k := range r.Args {
		if k < 0 || k > 63 {
			return "", textError("dbus: match rule: arg" + strconv.Itoa(k) + ": index not in 0..63")
		}
	}
	switch r.Type {
	case "", "signal", "method_call", "method_return", "error":
	default:
		return "", textError(quoted("dbus: match rule: type ", r.Type, " unknown"))
	}
	return r.String(), nil
}

// Matches applies the rule to a received message locally, so a caller can
// demultiplex Signals. Sender is compared literally: a rule naming a
// well-known name matches only if the message carries that name, and the
// bus puts unique names in SENDER (track the owner with GetNameOwner and
// NameOwnerChanged and compare with that).
func (r MatchRule) Matches(m *Message) bool {
	if r.Type != "" && r.Type != m.Type.String() ||
		r.Sender != "" && r.Sender != m.Sender ||
		r.Interface != "" && r.Interface != m.Interface ||
		r.Member != "" && r.Member != m.Member ||
		r.Path != "" && r.Path != string(m.Path) ||
		r.Destination != "" && r.Destination != m.Destination {
		return false
	}
	if ns := r.PathNamespace; ns != "" {
		p := string(m.Path)
		if p != ns && !strings.HasPrefix(p, strings.TrimSuffix(ns, "/")+"/") {
			return false
		}
	}
	for k, want := range r.Args {
		if k < 0 || k >= len(m.Body) {
			return false
		}
		if got, ok := m.Body[k].(string); !ok || got != want {
			return false
		}
	}
	return true
}

package main

// ISC dhclient lease files: the grammar of dhclient.conf(5) "LEASE
// DECLARATIONS", the lexer of common/conflex.c and the writer of
// common/print.c (quotify_string). See protocols.md §6.
//
// dhclient appends a `lease { … }` block per lease and rewrites the file in
// place, so a reader can see a half-written last block: it is ignored, never
// reported. A complete block with a bad declaration is reported with its
// position and skipped; the rest of the file is still parsed.

import (
	"maps"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// Lease is one complete `lease { … }` block of a dhclient lease file.
type Lease struct {
	Interface    string            // `interface "eth0";`
	FixedAddress string            // `fixed-address 192.0.2.10;`
	Options      map[string]string // option name -> value as written, unquoted and unescaped; lists keep their ',' ("a,b")
	OptionOrder  []string          // option names in file order, each once
	Renew        string            // as written: "4 2026/12/03 15:47:44", "epoch 1796312748" or "never"
	Rebind       string            // likewise
	Expire       string            // likewise
	Line         int               // line of the `lease` keyword
	Fields       map[string]string // every other declaration: filename, server-name, medium, script, name, bootp ("" value), unknown keywords
}

// LeaseError is a malformed statement or declaration, with the 1-based line
// and byte column where it starts.
type LeaseError struct {
	Line, Column int
	Msg          string
}

// Error formats e as "LINE:COL: message", for a caller to prefix the file name.
func (e LeaseError) Error() string {
	return strconv.Itoa(e.Line) + ":" + strconv.Itoa(e.Column) + ": " + e.Msg
}

// leaseTimerOptions change on every renewal without changing the lease's
// meaning (the real capture shows T1 53 -> 60, T2 98 -> 105), so Equal
// ignores them.
var leaseTimerOptions = map[string]bool{"dhcp-lease-time": true, "dhcp-renewal-time": true, "dhcp-rebinding-time": true}

// ParseLeases returns every complete `lease {}` block of a dhclient lease
// file in file order, and an error for each malformed block or statement.
// `lease6` blocks and `default-duid` are recognised and skipped; a final
// half-written block or statement is ignored without error.
func ParseLeases(data []byte) (leases []Lease, errs []LeaseError) {
	p := leaseParser{toks: lexAll(data)}
	for p.peek(0).kind != lexEOF {
		t, block := p.peek(0), p.peek(1).isPunct('{')
		switch {
		case block && t.isWord("lease"):
			if l, ok := p.lease(); ok {
				leases = append(leases, l)
			}
		case block && t.isWord("lease6"):
			p.pos += 2
			p.skipBlock(1)
		default:
			p.statement()
		}
	}
	return leases, p.errs
}

// LastLeases returns the last complete lease of each interface: dhclient
// appends, so the last block is the current one.
func LastLeases(leases []Lease) map[string]Lease {
	last := make(map[string]Lease)
	for _, l := range leases {
		last[l.Interface] = l
	}
	return last
}

type leaseParser struct {
	toks []lexToken // always ends with one lexEOF token
	pos  int
	errs []LeaseError
}

// peek returns the token n ahead, or the final EOF token.
func (p *leaseParser) peek(n int) lexToken {
	if p.pos+n >= len(p.toks) {
		return p.toks[len(p.toks)-1]
	}
	return p.toks[p.pos+n]
}

func (p *leaseParser) errorAt(t lexToken, msg string) LeaseError {
	return LeaseError{Line: t.line, Column: t.col, Msg: msg}
}

// lease parses a block at `lease {`. It reports ok only for a block that is
// closed and free of errors; the first error of a closed block is recorded,
// and an unclosed block (the file ends inside it) is dropped silently.
func (p *leaseParser) lease() (Lease, bool) {
	l := Lease{Line: p.peek(0).line, Options: map[string]string{}, Fields: map[string]string{}}
	p.pos += 2
	var first *LeaseError
	for {
		t := p.peek(0)
		switch {
		case t.kind == lexEOF:
			return Lease{}, false
		case t.isPunct('}'):
			p.pos++
			if first != nil {
				p.errs = append(p.errs, *first)
				return Lease{}, false
			}
			return l, true
		}
		err, complete := p.decl(&l)
		if !complete {
			return Lease{}, false
		}
		if err != nil && first == nil {
			first = err
		}
	}
}

// decl reads one declaration up to its ';' and applies it to l. complete is
// false when the file ends first.
func (p *leaseParser) decl(l *Lease) (err *LeaseError, complete bool) {
	kw := p.peek(0)
	if kw.isPunct(';') {
		p.pos++ // an empty declaration: harmless
		return nil, true
	}
	start := p.pos
	for {
		t := p.peek(0)
		switch {
		case t.kind == lexEOF:
			return nil, false
		case t.isPunct('}'):
			// Leave the '}' to close the block.
			e := p.errorAt(t, "declaration at "+strconv.Itoa(kw.line)+":"+strconv.Itoa(kw.col)+": want ';' before '}'")
			return &e, true
		case t.isPunct('{'):
			p.pos++
			if !p.skipBlock(1) {
				return nil, false
			}
			e := p.errorAt(t, "unexpected '{' inside a lease block")
			return &e, true
		case t.isPunct(';'):
			p.pos++
			args := p.toks[start+1 : p.pos-1]
			at, msg := kw, ""
			if kw.kind != lexWord {
				msg = "want a declaration keyword, got " + kw.String()
			} else if msg = leaseApply(l, kw.text, args); len(args) > 0 {
				at = args[0] // a bad argument is reported where it starts
			}
			if msg != "" {
				e := p.errorAt(at, msg)
				return &e, true
			}
			return nil, true
		}
		p.pos++
	}
}

// skipBlock skips tokens until depth closing braces were seen; false when
// the file ends first.
func (p *leaseParser) skipBlock(depth int) bool {
	for depth > 0 {
		t := p.peek(0)
		if t.kind == lexEOF {
			return false
		}
		p.pos++
		if t.isPunct('{') {
			depth++
		} else if t.isPunct('}') {
			depth--
		}
	}
	return true
}

// statement consumes a top-level statement other than a lease block. Only
// `default-duid` is known; anything else is reported, except a statement
// the file ends in that may be the start of a known one being written.
func (p *leaseParser) statement() {
	first := p.peek(0)
	terminated := p.skipStatement()
	var msg string
	switch {
	case first.isPunct(';'): // empty statement: harmless
	case first.isPunct('}'):
		msg = "unexpected '}' outside a block"
	case !terminated:
		if first.kind != lexWord || !leaseKeywordPrefix(first.text) {
			msg = "unterminated statement starting with " + first.String()
		}
	case first.isWord("default-duid"):
	case first.isWord("lease") || first.isWord("lease6"):
		msg = first.text + ": want '{' after the keyword"
	default:
		msg = "unknown statement " + first.String() + ": want lease, lease6 or default-duid"
	}
	if msg != "" {
		p.errs = append(p.errs, p.errorAt(first, msg))
	}
}

// skipStatement consumes tokens through the first ';', '}' or balanced
// { } block; false when the file ends first.
func (p *leaseParser) skipStatement() bool {
	for {
		t := p.peek(0)
		if t.kind == lexEOF {
			return false
		}
		p.pos++
		switch {
		case t.isPunct(';'), t.isPunct('}'):
			return true
		case t.isPunct('{'):
			return p.skipBlock(1)
		}
	}
}

// leaseKeywordPrefix reports whether a word cut off by the end of the file
// may be the start of a top-level keyword being written.
func leaseKeywordPrefix(w string) bool {
	return strings.HasPrefix("lease6", w) || strings.HasPrefix("default-duid", w)
}

// leaseApply stores one declaration (keyword kw, arguments args without the
// ';') in l, checking the shapes the grammar allows. It returns what is
// wrong with the arguments, or "".
func leaseApply(l *Lease, kw string, args []lexToken) string {
	first := lexToken{kind: lexEOF} // the first argument, if any
	if len(args) > 0 {
		first = args[0]
	}
	switch kw {
	case "interface", "filename", "server-name", "medium", "script", "name":
		if len(args) != 1 || first.kind != lexString {
			return kw + ": want one quoted string, got " + leaseDescribe(args)
		}
		if kw == "interface" {
			l.Interface = first.text
		} else {
			l.Fields[kw] = first.text
		}
	case "fixed-address":
		a, ok := parseIPv4(first.text)
		if len(args) != 1 || first.kind != lexWord || !ok {
			return "fixed-address: want an IPv4 address, got " + leaseDescribe(args)
		}
		l.FixedAddress = a.String()
	case "option":
		if first.kind != lexWord {
			return "option: want an option name, got " + first.String()
		}
		if _, seen := l.Options[first.text]; !seen {
			l.OptionOrder = append(l.OptionOrder, first.text)
		}
		l.Options[first.text] = leaseJoin(args[1:])
	case "renew", "rebind", "expire":
		v, ok := leaseDate(args)
		if !ok {
			return kw + ": want W YYYY/MM/DD HH:MM:SS, epoch N or never, got " + leaseDescribe(args)
		}
		switch kw {
		case "renew":
			l.Renew = v
		case "rebind":
			l.Rebind = v
		default:
			l.Expire = v
		}
	case "bootp":
		if len(args) != 0 {
			return "bootp: want ';', got " + first.String()
		}
		l.Fields["bootp"] = ""
	default:
		// Unknown declarations (e.g. `vendor option space "x";`) are
		// kept, not rejected: newer dhclients may write more.
		l.Fields[kw] = leaseJoin(args)
	}
	return ""
}

// leaseJoin renders argument tokens as written: strings unquoted, list
// items joined by ',' and other neighbours by one space.
func leaseJoin(args []lexToken) string {
	var b strings.Builder
	afterComma := true
	for _, a := range args {
		if a.isPunct(',') {
			b.WriteByte(',')
			afterComma = true
			continue
		}
		if !afterComma {
			b.WriteByte(' ')
		}
		b.WriteString(a.text)
		afterComma = false
	}
	return b.String()
}

// leaseDescribe names the arguments for an error message.
func leaseDescribe(args []lexToken) string {
	if len(args) == 0 {
		return "nothing"
	}
	parts := make([]string, len(args))
	for i, a := range args {
		parts[i] = a.String()
	}
	return strings.Join(parts, " ")
}

// leaseDate checks a renew/rebind/expire value and returns it as written:
// "W YYYY/MM/DD HH:MM:SS" (UTC, weekday 0-6), "epoch N" or "never".
func leaseDate(args []lexToken) (string, bool) {
	for _, a := range args {
		if a.kind != lexWord {
			return "", false
		}
	}
	switch {
	case len(args) == 1 && args[0].text == "never":
		return "never", true
	case len(args) == 2 && args[0].text == "epoch":
		if _, err := strconv.ParseUint(args[1].text, 10, 63); err != nil {
			return "", false
		}
		return "epoch " + args[1].text, true
	case len(args) == 3:
		w := args[0].text
		if len(w) != 1 || w[0] < '0' || w[0] > '6' {
			return "", false
		}
		if _, ok := parseLeaseDate(args[1].text + " " + args[2].text); !ok {
			return "", false
		}
		return w + " " + args[1].text + " " + args[2].text, true
	}
	return "", false
}

// DNS returns the lease's name servers (option domain-name-servers);
// entries that are not IPv4 addresses (all a DHCPv4 option holds) are left out.
func (l *Lease) DNS() []netip.Addr { return leaseAddrs(l.Options["domain-name-servers"]) }

// Routers returns the lease's routers (option routers); entries that are
// not IPv4 addresses are left out.
func (l *Lease) Routers() []netip.Addr { return leaseAddrs(l.Options["routers"]) }

// Domain returns option domain-name as written, e.g. "dh.lab.example".
func (l *Lease) Domain() string { return l.Options["domain-name"] }

// Hostname returns option host-name as written.
func (l *Lease) Hostname() string { return l.Options["host-name"] }

// Search returns the names of option domain-search, e.g.
// ["dh.lab.example.", "lab.example."] (they end in '.').
func (l *Lease) Search() []string {
	var out []string
	for _, s := range strings.Split(l.Options["domain-search"], ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// parseIPv4 reads dotted-decimal IPv4 as netip.ParseAddr does (four
// fields of 0-255, no leading zeros). A DHCPv4 lease holds nothing else,
// and netip.ParseAddr's IPv6, zone and error code costs the binary 28 KB.
func parseIPv4(s string) (netip.Addr, bool) {
	var ip [4]byte
	field, digits := 0, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			if digits > 0 && ip[field] == 0 { // leading zero
				return netip.Addr{}, false
			}
			if v := int(ip[field])*10 + int(c-'0'); v <= 255 {
				ip[field], digits = byte(v), digits+1
			} else {
				return netip.Addr{}, false
			}
		case c == '.' && digits > 0 && field < 3:
			field, digits = field+1, 0
		default:
			return netip.Addr{}, false
		}
	}
	if field != 3 || digits == 0 {
		return netip.Addr{}, false
	}
	return netip.AddrFrom4(ip), true
}

func leaseAddrs(list string) []netip.Addr {
	var out []netip.Addr
	for _, s := range strings.Split(list, ",") {
		if a, ok := parseIPv4(strings.TrimSpace(s)); ok {
			out = append(out, a)
		}
	}
	return out
}

// Equal reports whether l and o carry the same lease: interface, address,
// options and other fields. It ignores what a renewal changes without
// changing the lease: option order, the line, renew/rebind/expire and the
// timer options dhcp-lease-time, dhcp-renewal-time, dhcp-rebinding-time.
func (l *Lease) Equal(o Lease) bool {
	return l.Interface == o.Interface && l.FixedAddress == o.FixedAddress &&
		maps.Equal(l.Fields, o.Fields) &&
		leaseOptionsIn(l.Options, o.Options) && leaseOptionsIn(o.Options, l.Options)
}

// leaseOptionsIn reports whether every option of a but the timer options
// is in b with the same value.
func leaseOptionsIn(a, b map[string]string) bool {
	for k, v := range a {
		if w, ok := b[k]; (!ok || w != v) && !leaseTimerOptions[k] {
			return false
		}
	}
	return true
}

// leaseEnvKeys maps DHCP_LEASE keys to lease options, in output order.
var leaseEnvKeys = []struct{ key, option string }{
	{"NETMASK", "subnet-mask"},
	{"BROADCAST", "broadcast-address"},
	{"ROUTER", "routers"},
	{"DNS", "domain-name-servers"},
	{"DOMAIN", "domain-name"},
	{"SEARCH", "domain-search"},
	{"HOSTNAME", "host-name"},
	{"NTP", "ntp-servers"},
	{"MTU", "interface-mtu"},
	{"ROUTES", "rfc3442-classless-static-routes"},
	{"LIFETIME", "dhcp-lease-time"},
	{"T1", "dhcp-renewal-time"},
	{"T2", "dhcp-rebinding-time"},
	{"SERVER", "dhcp-server-identifier"},
}

// Env renders the lease as the DHCP_LEASE value of a dhclient hook:
//
//	DHCP_LEASE is a space-separated list of KEY=value pairs, each key at
//	most once, in this order, and only when the lease has it:
//	  ADDRESS    fixed-address              192.168.51.10
//	  NETMASK    option subnet-mask         255.255.255.0
//	  BROADCAST  option broadcast-address   192.168.51.255
//	  ROUTER     option routers             192.168.51.1 (list: a,b)
//	  DNS        option domain-name-servers 192.168.51.1,192.168.51.53
//	  DOMAIN     option domain-name         dh.lab.example
//	  SEARCH     option domain-search       dh.lab.example.,lab.example.
//	  HOSTNAME   option host-name           client-dh
//	  NTP        option ntp-servers         192.168.51.1
//	  MTU        option interface-mtu       1500
//	  ROUTES     option rfc3442-classless-static-routes (or
//	             classless-static-routes) as written: 24,10,2,0,10,0,0,7
//	  LIFETIME   option dhcp-lease-time     seconds
//	  T1, T2     option dhcp-renewal-time, dhcp-rebinding-time, seconds
//	  SERVER     option dhcp-server-identifier
//	  RENEW, REBIND, EXPIRE  the lease times in UTC, RFC 3339
//	             (2026-12-03T15:47:44Z), or "never"
//	Lists are comma-separated without spaces. Any byte of a value other
//	than A-Z a-z 0-9 and . - _ : / , + @ is written as %XX (hex, as in
//	URLs), so values never contain spaces or '='; a space is %20.
func (l *Lease) Env() string {
	var pairs []string
	add := func(key, value string) { pairs = append(pairs, key+"="+leaseEnvEscape(value)) }
	if l.FixedAddress != "" {
		add("ADDRESS", l.FixedAddress)
	}
	for _, k := range leaseEnvKeys {
		v, ok := l.Options[k.option]
		if !ok && k.key == "ROUTES" {
			v, ok = l.Options["classless-static-routes"]
		}
		if ok {
			add(k.key, v)
		}
	}
	for _, t := range []struct{ key, when string }{{"RENEW", l.Renew}, {"REBIND", l.Rebind}, {"EXPIRE", l.Expire}} {
		if t.when != "" {
			add(t.key, leaseEnvTime(t.when))
		}
	}
	return strings.Join(pairs, " ")
}

// leaseEnvTime converts a lease time as written into RFC 3339 UTC; dhclient
// writes the weekday form in UTC (gmtime).
func leaseEnvTime(s string) string {
	if rest, ok := strings.CutPrefix(s, "epoch "); ok {
		if n, err := strconv.ParseInt(rest, 10, 64); err == nil {
			return time.Unix(n, 0).UTC().Format(time.RFC3339)
		}
	}
	if len(s) > 2 && s[1] == ' ' {
		if t, ok := parseLeaseDate(s[2:]); ok {
			return t.Format(time.RFC3339)
		}
	}
	return s
}

// leaseEnvEscape percent-encodes every byte outside the documented set.
func leaseEnvEscape(v string) string {
	const hex = "0123456789ABCDEF"
	b := make([]byte, 0, len(v))
	for i := 0; i < len(v); i++ {
		c := v[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte(".-_:/,+@", c) >= 0 {
			b = append(b, c)
			continue
		}
		b = append(b, '%', hex[c>>4], hex[c&0xf])
	}
	return string(b)
}

// lexKind is the class of a lease file token (common/conflex.c).
type lexKind int

const (
	lexEOF    lexKind = iota // end of input, or an unterminated string
	lexWord                  // bare word: keyword, name, number, address, date part
	lexString                // quoted string, unescaped
	lexPunct                 // one of { } ; ,
)

type lexToken struct {
	kind      lexKind
	text      string
	line, col int
}

func (t lexToken) isWord(w string) bool { return t.kind == lexWord && t.text == w }
func (t lexToken) isPunct(c byte) bool  { return t.kind == lexPunct && t.text[0] == c }

// String names a token for error messages.
func (t lexToken) String() string {
	switch t.kind {
	case lexEOF:
		return "end of file"
	case lexString:
		return "quoted string " + strconv.QuoteToASCII(t.text)
	case lexPunct:
		return "'" + t.text + "'"
	}
	return strconv.QuoteToASCII(t.text)
}

// lexer splits a lease file into tokens, tracking 1-based line and byte
// column.
type lexer struct {
	data      []byte
	pos       int
	line, col int
}

// lexAll returns every token of data followed by one lexEOF token. An
// unterminated string ends the tokens: it can only be a half-written tail.
func lexAll(data []byte) []lexToken {
	lx := lexer{data: data, line: 1, col: 1}
	var toks []lexToken
	for {
		t := lx.next()
		toks = append(toks, t)
		if t.kind == lexEOF {
			return toks
		}
	}
}

func (lx *lexer) advance() byte {
	c := lx.data[lx.pos]
	lx.pos++
	if c == '\n' {
		lx.line++
		lx.col = 1
	} else {
		lx.col++
	}
	return c
}

func (lx *lexer) next() lexToken {
	for lx.pos < len(lx.data) {
		c := lx.data[lx.pos]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			lx.advance()
		case c == '#':
			for lx.pos < len(lx.data) && lx.data[lx.pos] != '\n' {
				lx.advance()
			}
		case c == '"':
			return lx.str()
		case strings.IndexByte("{};,", c) >= 0:
			t := lexToken{kind: lexPunct, text: string(c), line: lx.line, col: lx.col}
			lx.advance()
			return t
		default:
			return lx.word()
		}
	}
	return lexToken{kind: lexEOF, line: lx.line, col: lx.col}
}

// lexWordEnd reports whether c ends a bare word.
func lexWordEnd(c byte) bool {
	return strings.IndexByte(" \t\n\r\f\v#\"{};,", c) >= 0
}

func (lx *lexer) word() lexToken {
	t := lexToken{kind: lexWord, line: lx.line, col: lx.col}
	start := lx.pos
	for lx.pos < len(lx.data) && !lexWordEnd(lx.data[lx.pos]) {
		lx.advance()
	}
	t.text = string(lx.data[start:lx.pos])
	return t
}

// str reads a quoted string with the escapes of conflex.c read_string:
// \t \r \n \b, \ooo (first digit 0-3, up to three digits), \xHH (one or
// two digits) and \c for any other c (so \" and \\).
func (lx *lexer) str() lexToken {
	t := lexToken{kind: lexString, line: lx.line, col: lx.col}
	lx.advance()
	var b []byte
	for lx.pos < len(lx.data) {
		c := lx.advance()
		switch c {
		case '"':
			t.text = string(b)
			return t
		case '\\':
			if lx.pos == len(lx.data) {
				return lexToken{kind: lexEOF, line: t.line, col: t.col}
			}
			b = append(b, lx.escape())
		default:
			b = append(b, c)
		}
	}
	return lexToken{kind: lexEOF, line: t.line, col: t.col}
}

// escape decodes what follows a backslash; at least one byte is there.
func (lx *lexer) escape() byte {
	c := lx.advance()
	switch {
	case c == 't':
		return '\t'
	case c == 'r':
		return '\r'
	case c == 'n':
		return '\n'
	case c == 'b':
		return '\b'
	case '0' <= c && c <= '3':
		v := c - '0'
		for i := 0; i < 2 && lx.pos < len(lx.data) && '0' <= lx.data[lx.pos] && lx.data[lx.pos] <= '7'; i++ {
			v = v*8 + lx.advance() - '0'
		}
		return v
	case c == 'x' && lx.pos < len(lx.data) && lexHex(lx.data[lx.pos]) >= 0:
		v := byte(lexHex(lx.advance()))
		if lx.pos < len(lx.data) && lexHex(lx.data[lx.pos]) >= 0 {
			v = v*16 + byte(lexHex(lx.advance()))
		}
		return v
	}
	return c
}

// lexHex returns the value of hex digit c, or -1.
func lexHex(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'f':
		return int(c-'a') + 10
	case 'A' <= c && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

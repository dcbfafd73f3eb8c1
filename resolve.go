package main

import (
	"context"
	"errors"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"network-broker/dbus"
)

const (
	resolveName   = "org.freedesktop.resolve1"
	resolvePath   = dbus.ObjectPath("/org/freedesktop/resolve1")
	resolveMgr    = "org.freedesktop.resolve1.Manager"
	hostnameName  = "org.freedesktop.hostname1"
	hostnamePath  = dbus.ObjectPath("/org/freedesktop/hostname1")
	hostnameIface = "org.freedesktop.hostname1"
)

// pushJob is one lease's values to hand to resolved and hostnamed.
type pushJob struct {
	index    int32
	link     string
	dns      []netip.Addr
	domains  []string
	hostname string
}

// pusher sends DHCP-learned DNS servers, domains and hostname to
// systemd-resolved and systemd-hostnamed (DESIGN.md §8), each only when its
// value changed since the last successful push; a failure is logged with the
// bus error name and retried on the next change. It has its own goroutine
// and bus connection, opened on first use, so the loop never waits on the
// bus.
type pusher struct {
	log     *logger
	cfg     func() *Config
	address string
	mu      sync.Mutex
	pending map[int32]pushJob // newest job per link, not yet pushed
	wake    chan struct{}
	conn    *dbus.Conn
	sent    map[string]string // "dns/3" -> value last pushed
	advised map[string]bool   // causes already explained in the log
}

func newPusher(log *logger, cfg func() *Config, address string) *pusher {
	return &pusher{log: log, cfg: cfg, address: address, pending: map[int32]pushJob{},
		wake: make(chan struct{}, 1), sent: map[string]string{}, advised: map[string]bool{}}
}

// lease queues the values of a lease; it never blocks the loop, and a
// newer lease of a link replaces one not pushed yet.
func (p *pusher) lease(index int32, link string, l Lease) {
	j := pushJob{index: index, link: link, dns: l.DNS(), hostname: l.Hostname()}
	if d := l.Domain(); d != "" {
		j.domains = append(j.domains, strings.TrimSuffix(d, "."))
	}
	for _, s := range l.Search() {
		if s = strings.TrimSuffix(s, "."); s != "" && !slices.Contains(j.domains, s) {
			j.domains = append(j.domains, s)
		}
	}
	p.mu.Lock()
	p.pending[index] = j
	p.mu.Unlock()
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// take removes and returns the pending jobs.
func (p *pusher) take() []pushJob {
	p.mu.Lock()
	defer p.mu.Unlock()
	jobs := make([]pushJob, 0, len(p.pending))
	for idx, j := range p.pending {
		jobs = append(jobs, j)
		delete(p.pending, idx)
	}
	return jobs
}

func (p *pusher) run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			if p.conn != nil {
				p.conn.Close()
			}
			return
		case <-p.wake:
			for _, j := range p.take() {
				p.push(ctx, j)
			}
		}
	}
}

// busMethod is a D-Bus method the pusher calls.
type busMethod struct {
	dest, iface, member string
	path                dbus.ObjectPath
	sig                 dbus.Signature
}

var (
	setLinkDNS     = &busMethod{resolveName, resolveMgr, "SetLinkDNS", resolvePath, "ia(iay)"}
	setLinkDomains = &busMethod{resolveName, resolveMgr, "SetLinkDomains", resolvePath, "ia(sb)"}
	setHostname    = &busMethod{hostnameName, hostnameIface, "SetHostname", hostnamePath, "sb"}
)

func (p *pusher) push(ctx context.Context, j pushJob) {
	cfg := p.cfg()
	index := itoa32(j.index)
	if cfg.UseDNS {
		p.call(ctx, "UseDNS", "dns/"+index, j.link, addrsKey(j.dns), setLinkDNS, j.index, dnsArg(j.dns))
	}
	if cfg.UseDomain {
		p.call(ctx, "UseDomain", "domains/"+index, j.link, strings.Join(j.domains, " "), setLinkDomains,
			j.index, domainsArg(j.domains))
	}
	if cfg.UseHostname && j.hostname != "" {
		// One hostname per machine: the key names no link.
		p.call(ctx, "UseHostname", "hostname", j.link, j.hostname, setHostname, j.hostname, false)
	}
}

// call makes one push unless the same value was already pushed under key.
// An empty value (a lease without servers or domains) clears what an
// earlier push set, and is not sent when there is nothing to clear.
func (p *pusher) call(ctx context.Context, option, key, link, value string, m *busMethod, args ...any) {
	if old, ok := p.sent[key]; (ok || value == "") && old == value {
		return
	}
	if err := p.dial(); err != nil {
		p.log.Error(option+": cannot connect to the system bus", "link", link, "err", err)
		return
	}
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	_, err := p.conn.Call(cctx, m.dest, m.path, m.iface, m.member, m.sig, args...)
	if err != nil {
		p.failed(option, m.member, link, err)
		delete(p.sent, key)
		return
	}
	p.sent[key] = value
	p.log.Info(option+": pushed", "link", link, "method", m.member, "value", value)
}

func (p *pusher) dial() error {
	if p.conn != nil {
		select {
		case <-p.conn.Done():
			p.conn = nil
		default:
			return nil
		}
	}
	c, err := dbus.Dial(p.address)
	if err != nil {
		return err
	}
	p.conn = c
	return nil
}

// failed logs a refused push with the bus error and, once per cause, what
// the administrator can do about it.
func (p *pusher) failed(option, member, link string, err error) {
	var de *dbus.Error
	if !errors.As(err, &de) {
		p.log.Error(option+": "+member+" failed", "link", link, "err", err)
		return
	}
	kv := []any{"link", link, "error", de.Name, "message", de.Message}
	advice := pushAdvice(de.Name, de.Message)
	if advice != "" && !p.advised[option+de.Name] {
		p.advised[option+de.Name] = true
		kv = append(kv, "hint", advice)
	}
	p.log.Error(option+": "+member+" refused", kv...)
}

// pushAdvice explains the refusals an unprivileged broker meets
// (real-components.md, polkit appendix).
func pushAdvice(name, msg string) string {
	switch {
	case name == "org.freedesktop.DBus.Error.AccessDenied" && strings.HasPrefix(msg, "Rejected send message"):
		return "the bus policy refuses the call; check the D-Bus policy of the service"
	case name == "org.freedesktop.DBus.Error.AccessDenied":
		return "no polkit daemon answered: install polkitd and the network-broker polkit rules file (make install puts it in /usr/share/polkit-1/rules.d)"
	case name == "org.freedesktop.DBus.Error.InteractiveAuthorizationRequired":
		return "polkit refused the daemon's user: install /usr/share/polkit-1/rules.d/50-network-broker.rules"
	case strings.HasSuffix(name, ".LinkBusy"):
		return "systemd-networkd manages this link; set DNS there (UseDNS is for links networkd leaves alone)"
	case name == "org.freedesktop.DBus.Error.ServiceUnknown" || name == "org.freedesktop.DBus.Error.NameHasNoOwner":
		return "the service is not running"
	}
	return ""
}

// dnsArg builds a(iay): (address family, address bytes) per server.
func dnsArg(addrs []netip.Addr) []any {
	out := make([]any, 0, len(addrs))
	for _, a := range addrs {
		fam := int32(unix.AF_INET)
		if a.Is6() && !a.Is4In6() {
			fam = unix.AF_INET6
		}
		out = append(out, dbus.Struct{fam, a.Unmap().AsSlice()})
	}
	return out
}

// domainsArg builds a(sb): search domains, none routing-only.
func domainsArg(domains []string) []any {
	out := make([]any, 0, len(domains))
	for _, d := range domains {
		out = append(out, dbus.Struct{d, false})
	}
	return out
}

func addrsKey(addrs []netip.Addr) string {
	s := make([]string, len(addrs))
	for i, a := range addrs {
		s[i] = a.String()
	}
	return strings.Join(s, " ")
}

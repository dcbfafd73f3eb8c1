package main

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"time"

	"network-broker/dbus"
)

const (
	ndName     = "org.freedesktop.network1"
	ndPath     = dbus.ObjectPath("/org/freedesktop/network1")
	ndManager  = "org.freedesktop.network1.Manager"
	ndLink     = "org.freedesktop.network1.Link"
	ndLinkPath = "/org/freedesktop/network1/link/"
	propsIface = "org.freedesktop.DBus.Properties"
	busName    = "org.freedesktop.DBus"
)

// networkdSource follows systemd-networkd over the system bus: a full read
// at start, after networkd (re)appears and after any loss, and
// PropertiesChanged signals from the current owner of the name between.
type networkdSource struct {
	log     *logger
	events  chan<- any
	address string // bus address; "" = system bus
	timeout time.Duration
}

// run keeps a bus connection, reconnecting with backoff until ctx ends.
// The backoff is reset only by a session that completed its first full
// read, so a networkd that answers badly is not hammered.
func (n *networkdSource) run(ctx context.Context) {
	backoff := 100 * time.Millisecond
	announced := false
	for ctx.Err() == nil {
		c, err := dbus.Dial(n.address)
		if err == nil {
			var synced bool
			synced, err = n.session(ctx, c)
			c.Close()
			if synced {
				backoff = 100 * time.Millisecond
				announced = true
			}
		}
		if ctx.Err() != nil {
			return
		}
		if announced && backoff == 100*time.Millisecond {
			n.log.Warn("lost the system bus, reconnecting", "err", err)
		} else {
			n.log.Warn("system bus connection failed, retrying", "err", err, "in", backoff)
		}
		if !announced {
			n.send(ctx, stateSync{up: false}) // do not hold readiness hostage
			announced = true
		}
		sleepCtx(ctx, backoff)
		backoff = min(backoff*2, 5*time.Second)
	}
}

// ndMatches are the signals a session asks the bus for: networkd's name
// changing owner, and property changes of its objects.
var ndMatches = []dbus.MatchRule{
	{Type: "signal", Sender: busName, Interface: busName, Member: "NameOwnerChanged",
		Path: "/org/freedesktop/DBus", Args: map[int]string{0: ndName}},
	{Type: "signal", Sender: ndName, Interface: propsIface, Member: "PropertiesChanged",
		PathNamespace: string(ndPath)},
}

// session serves one connection until it fails; synced tells whether
// the first full read got through.
func (n *networkdSource) session(ctx context.Context, c *dbus.Conn) (synced bool, err error) {
	for i := range ndMatches {
		r := &ndMatches[i]
		cctx, cancel := context.WithTimeout(ctx, n.timeout)
		err := c.AddMatch(cctx, *r)
		cancel()
		if err != nil {
			return false, wrap("add match "+r.String(), err)
		}
	}
	owner, err := n.resync(ctx, c)
	if err != nil {
		return false, err
	}
	for {
		select {
		case <-ctx.Done():
			return true, nil
		case <-c.Done():
			return true, c.Err()
		case <-c.Overflow():
			// Signals were dropped: state is truth, read it all again.
			// The signals still queued are older than that read and would
			// take the state back, so they go first.
			n.log.Warn("bus signals were dropped, resyncing", "dropped", c.Dropped(), "discarded", drainSignals(c))
			if owner, err = n.resync(ctx, c); err != nil {
				return true, err
			}
		case m, ok := <-c.Signals():
			if !ok {
				return true, c.Err()
			}
			if owner, err = n.signal(ctx, c, m, owner); err != nil {
				return true, err
			}
		}
	}
}

// signal handles one message; it returns the owner of networkd's name.
func (n *networkdSource) signal(ctx context.Context, c *dbus.Conn, m *dbus.Message, owner string) (string, error) {
	if m.Member == "NameOwnerChanged" && m.Sender == busName {
		name, _, newOwner, err := dbus.ParseNameOwnerChanged(m)
		if err != nil || name != ndName {
			return owner, nil
		}
		if newOwner == "" {
			n.log.Warn("systemd-networkd left the bus; keeping its last states")
			n.send(ctx, stateSync{up: false})
			return "", nil
		}
		n.log.Info("systemd-networkd appeared on the bus, resyncing", "owner", newOwner)
		return n.resync(ctx, c)
	}
	if m.Member != "PropertiesChanged" {
		return owner, nil
	}
	if owner == "" || m.Sender != owner {
		n.log.Debug("signal not from networkd's owner dropped", "sender", m.Sender, "path", string(m.Path))
		return owner, nil
	}
	iface, changed, _, err := dbus.ParsePropertiesChanged(m)
	if err != nil {
		n.log.Warn("malformed PropertiesChanged dropped", "sender", m.Sender, "path", string(m.Path), "err", err)
		return owner, nil
	}
	props := stringProps(changed)
	var ev any
	switch {
	case iface == ndManager && m.Path == ndPath:
		ev = managerStates(props)
	case iface == ndLink:
		idx, ok := linkIndexFromPath(m.Path)
		if !ok {
			n.log.Warn("PropertiesChanged on an unexpected path dropped", "path", string(m.Path))
			return owner, nil
		}
		ev = linkStates{index: idx, props: props}
	default:
		return owner, nil
	}
	n.send(ctx, ev)
	return owner, nil
}

// drainSignals discards the signals queued now; it returns how many.
func drainSignals(c *dbus.Conn) int {
	for n := 0; ; n++ {
		select {
		case _, ok := <-c.Signals():
			if !ok {
				return n
			}
		default:
			return n
		}
	}
}

// resync reads networkd's whole state and hands it to the loop.
func (n *networkdSource) resync(ctx context.Context, c *dbus.Conn) (string, error) {
	cctx, cancel := context.WithTimeout(ctx, n.timeout)
	owner, err := c.GetNameOwner(cctx, ndName)
	cancel()
	var de *dbus.Error
	if errors.As(err, &de) && de.Name == "org.freedesktop.DBus.Error.NameHasNoOwner" {
		n.log.Info("systemd-networkd is not on the bus; waiting for it")
		n.send(ctx, stateSync{up: false})
		return "", nil
	}
	if err != nil {
		return "", err
	}
	s, err := readNetworkd(ctx, n.timeout, c, owner)
	if err != nil {
		return "", err
	}
	n.send(ctx, s)
	return owner, nil
}

// readNetworkd reads ListLinks and the state properties of every link and
// of the manager, from the unique name owner; each call has its own
// timeout.
func readNetworkd(ctx context.Context, timeout time.Duration, c *dbus.Conn, owner string) (stateSync, error) {
	s := stateSync{up: true, links: map[int32]map[string]string{}}
	call := func() (context.Context, context.CancelFunc) { return context.WithTimeout(ctx, timeout) }
	cctx, cancel := call()
	body, err := c.Call(cctx, owner, ndPath, ndManager, "ListLinks", "")
	cancel()
	if err != nil {
		return s, wrap("ListLinks", err)
	}
	links, err := parseListLinks(body)
	if err != nil {
		return s, err
	}
	props, err := getAllLinks(ctx, timeout, c, owner, links)
	if err != nil {
		return s, err
	}
	for i, l := range links {
		if props[i] != nil {
			s.links[l.index] = props[i]
		}
	}
	cctx, cancel = call()
	mp, err := c.GetAllProperties(cctx, owner, ndPath, ndManager)
	cancel()
	if err != nil {
		return s, wrap("GetAll manager", err)
	}
	s.manager = stringProps(mp)
	return s, nil
}

// getAllParallel bounds the GetAll calls in flight at start and resync,
// well under dbus-daemon's limit of pending replies per connection.
const getAllParallel = 8

// getAllLinks reads the properties of every link, getAllParallel calls at
// a time: one after another, 500 links cost 500 round trips of mostly
// waiting. A link whose call gets an ERROR reply went away between
// ListLinks and GetAll and is left nil. Any other failure (a timeout, a
// lost bus) stops the remaining calls and is returned.
func getAllLinks(ctx context.Context, timeout time.Duration, c *dbus.Conn, owner string, links []ndLinkRef) ([]map[string]string, error) {
	props := make([]map[string]string, len(links))
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	var (
		wg    sync.WaitGroup
		once  sync.Once
		first error
	)
	for w := range min(getAllParallel, len(links)) {
		wg.Go(func() {
			for i := w; i < len(links) && ctx.Err() == nil; i += getAllParallel {
				cctx, cancel := context.WithTimeout(ctx, timeout)
				p, err := c.GetAllProperties(cctx, owner, links[i].path, ndLink)
				cancel()
				var de *dbus.Error
				switch {
				case err == nil:
					props[i] = stringProps(p)
				case !errors.As(err, &de):
					once.Do(func() { first = wrap("GetAll "+string(links[i].path), err); stop() })
				}
			}
		})
	}
	wg.Wait()
	if first == nil {
		first = ctx.Err() // the caller's ctx ended between two calls
	}
	return props, first
}

type ndLinkRef struct {
	index int32
	name  string
	path  dbus.ObjectPath
}

// parseListLinks decodes the a(iso) reply of ListLinks.
func parseListLinks(body []any) ([]ndLinkRef, error) {
	if len(body) != 1 {
		return nil, textError("ListLinks: want one a(iso) value, got " + strconv.Itoa(len(body)) + " values")
	}
	arr, ok := body[0].([]any)
	if !ok {
		return nil, textError("ListLinks: want an array of (iso)")
	}
	var out []ndLinkRef
	for i, e := range arr {
		var ref ndLinkRef
		var ok1, ok2, ok3 bool
		if st, _ := e.(dbus.Struct); len(st) == 3 {
			ref.index, ok1 = st[0].(int32)
			ref.name, ok2 = st[1].(string)
			ref.path, ok3 = st[2].(dbus.ObjectPath)
		}
		if !ok1 || !ok2 || !ok3 {
			return nil, textError("ListLinks: element " + strconv.Itoa(i) + ": want (iso)")
		}
		out = append(out, ref)
	}
	return out, nil
}

// stringProps keeps the string-valued state properties.
func stringProps(m map[string]dbus.Variant) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		if s, ok := v.Value.(string); ok && v.Sig == "s" {
			out[k] = s
		}
	}
	return out
}

// linkIndexFromPath reads N from /org/freedesktop/network1/link/_3N: bus
// path escaping writes a leading digit as _3X and any other byte outside
// [A-Za-z0-9] as _XX.
func linkIndexFromPath(p dbus.ObjectPath) (int32, bool) {
	s, ok := strings.CutPrefix(string(p), ndLinkPath)
	if !ok || s == "" {
		return 0, false
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '_' {
			b.WriteByte(s[i])
			continue
		}
		if i+3 > len(s) {
			return 0, false
		}
		v, err := strconv.ParseUint(s[i+1:i+3], 16, 8)
		if err != nil {
			return 0, false
		}
		b.WriteByte(byte(v))
		i += 2
	}
	idx, err := strconv.ParseInt(b.String(), 10, 32)
	if err != nil || idx <= 0 {
		return 0, false
	}
	return int32(idx), true
}

func (n *networkdSource) send(ctx context.Context, ev any) {
	select {
	case n.events <- ev:
	case <-ctx.Done():
	}
}

func sleepCtx(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

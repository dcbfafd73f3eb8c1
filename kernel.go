package main

import (
	"context"
	"errors"
	"net/netip"
	"time"

	"golang.org/x/sys/unix"

	"network-broker/rtnl"
)

// kernelSource forwards rtnetlink notifications to the loop and, at start
// and after every overrun, a full dump to diff against.
type kernelSource struct {
	log    *logger
	events chan<- any
	// dump is replaceable for fault tests.
	dump func() (kernelSync, error)
	// kick asks for a dump: the kernel flushes IPv4 routes without any
	// notification when an address goes or a link goes down.
	kick chan struct{}
}

// requestDump asks the kernel source for a fresh dump; never blocks.
func (k *kernelSource) requestDump() {
	select {
	case k.kick <- struct{}{}:
	default:
	}
}

// kicked serves dump requests, coalescing bursts (the first, at start,
// right away: readiness waits for it).
func (k *kernelSource) kicked(ctx context.Context) {
	delay := time.Duration(0)
	for {
		select {
		case <-ctx.Done():
			return
		case <-k.kick:
			sleepCtx(ctx, delay)
			delay = 20 * time.Millisecond
			if err := k.resync(ctx); err != nil {
				// The loop waits for this dump (it records events to replay
				// on it): ask again rather than leave it waiting.
				k.log.Error("netlink dump failed, trying again", "err", err)
				sleepCtx(ctx, time.Second)
				k.requestDump()
			}
		}
	}
}

// dumpKernel reads links, addresses and routes of every table.
func dumpKernel() (kernelSync, error) {
	c, err := rtnl.Dial()
	if err != nil {
		return kernelSync{}, err
	}
	defer c.Close()
	var s kernelSync
	if s.links, err = c.Links(); err != nil {
		return s, err
	}
	if s.addrs, err = c.Addresses(unix.AF_UNSPEC); err != nil {
		return s, err
	}
	if s.routes, err = c.Routes(unix.AF_UNSPEC); err != nil {
		return s, err
	}
	if s.rules, err = c.Rules(unix.AF_UNSPEC); err != nil {
		return s, err
	}
	return s, nil
}

// run subscribes and then asks for the first dump, so no change falls
// between the two. Every dump, the first, after an overrun or on request,
// is taken by one goroutine (kicked) that announces it with
// kernelDumpStart; the loop replays the events that arrive between the
// announcement and the dump on top of it, so a dump never overwrites a
// newer event.
func (k *kernelSource) run(ctx context.Context) error {
	m, err := rtnl.Subscribe(unix.RTNLGRP_LINK, unix.RTNLGRP_IPV4_IFADDR, unix.RTNLGRP_IPV6_IFADDR,
		unix.RTNLGRP_IPV4_ROUTE, unix.RTNLGRP_IPV6_ROUTE, unix.RTNLGRP_IPV4_RULE, unix.RTNLGRP_IPV6_RULE)
	if err != nil {
		return err
	}
	go func() {
		<-ctx.Done()
		m.Close()
	}()
	go k.kicked(ctx)
	k.requestDump()
	for {
		evs, err := m.Receive()
		if ctx.Err() != nil {
			return nil
		}
		if errors.Is(err, rtnl.ErrOverrun) {
			k.log.Warn("netlink overrun: events lost, resyncing", "err", err)
			k.requestDump()
			continue
		}
		if err != nil {
			return err
		}
		if len(evs) > 0 {
			select {
			case k.events <- kernelEvents(evs):
			case <-ctx.Done():
				return nil
			}
		}
	}
}

// resync announces and takes one dump, retrying on transient errors.
func (k *kernelSource) resync(ctx context.Context) error {
	select {
	case k.events <- kernelDumpStart{}:
	case <-ctx.Done():
		return nil
	}
	var err error
	for try := 0; try < 5; try++ {
		var s kernelSync
		if s, err = k.dump(); err == nil {
			select {
			case k.events <- s:
			case <-ctx.Done():
			}
			return nil
		}
		k.log.Warn("netlink dump failed", "err", err, "try", try+1)
		sleepCtx(ctx, time.Duration(try+1)*50*time.Millisecond)
	}
	return err
}

// maxReplay bounds the events kept while a dump is under way; past it the
// loop asks for another dump.
const maxReplay = 1 << 16

// startDump begins recording events to replay on the coming dump.
func (b *broker) startDump() {
	b.recording, b.replayLost = true, false
	b.replay = b.replay[:0]
}

// record keeps an event for the replay.
func (b *broker) record(e rtnl.Event) {
	if !b.recording {
		return
	}
	if len(b.replay) >= maxReplay {
		b.replayLost = true
		return
	}
	b.replay = append(b.replay, e)
}

// applyKernelSync replaces the kernel facts with a dump, replays the
// events that came after the dump was announced, and only then looks at
// the result: states, policy rules and routes-modified.d see the final
// state, never the dump's older one.
func (b *broker) applyKernelSync(s kernelSync) {
	oldRoutes := map[int32][]rtnl.Route{}
	for idx, l := range b.links {
		oldRoutes[idx] = l.routes
	}
	b.quiet = true
	seen := map[int32]bool{}
	for i := range s.links {
		kl := &s.links[i]
		seen[kl.Index] = true
		l := b.linkFor(kl.Index)
		b.setKernelLink(l, kl)
		l.addrs, l.routes = nil, nil
	}
	for idx, l := range b.links {
		if !l.inKern || !seen[idx] {
			b.removeLink(idx)
		}
	}
	// Only the links of the dump are left: each gets its addresses and
	// routes, and those of any other link are dropped.
	for i := range s.addrs {
		if l := b.links[s.addrs[i].Index]; l != nil {
			l.addrs = append(l.addrs, s.addrs[i])
		}
	}
	for i := range s.routes {
		r := &s.routes[i]
		for _, idx := range routeLinks(r) {
			if l := b.links[idx]; l != nil {
				l.routes = append(l.routes, *r)
			}
		}
	}
	if b.policy != nil {
		b.policy.setRules(s.rules)
	}
	replay := b.replay
	b.recording = false
	for i := range replay {
		b.applyKernelEvent(&replay[i])
	}
	b.replay = replay[:0]
	b.quiet = false
	if b.replayLost {
		b.requestDump()
	}

	for idx, l := range b.links {
		if !routesEqual(oldRoutes[idx], l.routes) {
			b.markRoutes(idx)
		}
		b.linkUpdated(l)
	}
	b.kernelSynced = true
	b.actOnLeases()
	if b.cfg.Generator == genKernel {
		b.statesSynced = true
	}
	if b.policy != nil {
		b.policy.resync(b.links)
	}
}

// setKernelLink records new kernel facts; a rename is logged, and states
// networkd reported before the kernel told of the link are applied.
func (b *broker) setKernelLink(l *link, kl *rtnl.Link) {
	if l.inKern && l.kernel.Name != kl.Name && b.ready {
		b.log.Info("link renamed", "ifindex", l.index, "old", l.kernel.Name, "link", kl.Name)
	}
	added := !l.inKern || l.kernel.Name != kl.Name
	if !l.inKern && b.ready && !b.quiet {
		b.log.Info("link added", "link", kl.Name, "ifindex", l.index)
	}
	oldMaster := l.kernel.Master
	l.kernel, l.inKern = *kl, true
	if p, ok := b.pendingStates[l.index]; ok {
		delete(b.pendingStates, l.index)
		b.setStates(l, p)
	}
	if oldMaster != 0 && oldMaster != kl.Master {
		b.masterChanged(oldMaster)
	}
	if added && len(b.leases) > 0 {
		b.actOnLeases() // a lease may have waited for this link
	}
}

// masterChanged re-derives a bridge or bond whose ports changed (kernel
// generator: a port that left may have held it at degraded-carrier).
func (b *broker) masterChanged(index int32) {
	if m := b.links[index]; m != nil && m.inKern && b.cfg.Generator == genKernel && !b.quiet {
		b.setStates(m, b.deriveStates(m))
	}
}

func (b *broker) removeLink(idx int32) {
	l := b.links[idx]
	if l == nil {
		return
	}
	if b.ready && l.inKern {
		b.log.Info("link removed", "link", l.name(), "ifindex", idx)
	}
	delete(b.links, idx)
	delete(b.routesDue, idx)
	delete(b.routesFirst, idx)
	delete(b.pendingStates, idx)
	if b.run != nil {
		b.run.forget(idx)
	}
	if b.policy != nil && !b.quiet {
		b.policy.linkGone(idx)
	}
	if l.kernel.Master != 0 {
		b.masterChanged(l.kernel.Master)
	}
}

// applyKernelEvent applies one notification. Addresses and routes of a
// link the kernel has not reported are dropped: the link's RTM_NEWLINK or
// the next dump brings them.
func (b *broker) applyKernelEvent(e *rtnl.Event) {
	b.record(*e)
	switch {
	case e.Link != nil && e.Type == unix.RTM_NEWLINK:
		if old := b.links[e.Link.Index]; old != nil && old.inKern && wentDown(old.kernel.Flags, e.Link.Flags) {
			b.requestDump()
		}
		b.setKernelLink(b.linkFor(e.Link.Index), e.Link)
		b.linkUpdated(b.links[e.Link.Index])
	case e.Link != nil && e.Type == unix.RTM_DELLINK:
		b.removeLink(e.Link.Index)
	case e.Addr != nil:
		l := b.links[e.Addr.Index]
		if l == nil || !l.inKern {
			return
		}
		if e.Type == unix.RTM_NEWADDR {
			l.addrs = upsertAddr(l.addrs, e.Addr)
		} else {
			l.addrs = deleteAddr(l.addrs, e.Addr)
			if e.Addr.Family == unix.AF_INET {
				b.flushPrefSrc(e.Addr.Addr)
			}
		}
		b.linkUpdated(l)
	case e.Rule != nil:
		if b.policy != nil {
			b.policy.ruleEvent(e.Type, e.Rule)
		}
	case e.Route != nil:
		b.applyRouteEvent(e.Type, e.Route)
	}
}

// applyRouteEvent updates the routes of the links a route uses. An IPv4
// RTM_NEWROUTE may replace a route of the same key (table, destination,
// metric) that used another gateway or link, without any RTM_DELROUTE, so
// such a route is removed from every link first.
func (b *broker) applyRouteEvent(typ uint16, r *rtnl.Route) {
	touched := map[int32]bool{}
	if typ == unix.RTM_NEWROUTE && r.Family == unix.AF_INET {
		for idx, l := range b.links {
			n := len(l.routes)
			l.routes = deleteFunc(l.routes, func(x *rtnl.Route) bool {
				return sameRouteKey4(x, r) && !identicalRoute(x, r)
			})
			if len(l.routes) != n {
				touched[idx] = true
			}
		}
	}
	for _, idx := range routeLinks(r) {
		l := b.links[idx]
		if l == nil || !l.inKern {
			continue
		}
		var changed bool
		if typ == unix.RTM_NEWROUTE {
			l.routes, changed = upsertRoute(l.routes, r)
		} else {
			l.routes, changed = deleteRoute(l.routes, r)
		}
		if changed {
			touched[idx] = true
		}
	}
	for idx := range touched {
		// An untouched link got a notification older than the last dump.
		if !b.ownRoute(r) {
			b.log.Debug("route changed", "ifindex", idx, "type", typ, "dst", r.Dst, "table", r.Table, "proto", r.Protocol)
			b.markRoutes(idx)
		}
		b.linkUpdated(b.links[idx])
	}
}

// flushPrefSrc does what the kernel does, without notifications, when an
// IPv4 address leaves the namespace (fib_sync_down_addr): every route
// using it as preferred source goes, in every table.
func (b *broker) flushPrefSrc(a netip.Addr) {
	for _, l := range b.links {
		for i := range l.addrs {
			if l.addrs[i].Addr == a {
				return // still on a link: the routes stay
			}
		}
	}
	for idx, l := range b.links {
		n := len(l.routes)
		l.routes = deleteFunc(l.routes, func(r *rtnl.Route) bool {
			return r.Family == unix.AF_INET && r.PrefSrc == a
		})
		if len(l.routes) != n {
			b.markRoutes(idx)
			b.linkUpdated(l)
		}
	}
}

// wentDown reports a link going administratively down: the kernel then
// flushes its IPv4 routes without notifications (fib_disable_ip). A lost
// carrier only marks them linkdown, with notifications, so carrier flaps
// cost no dump.
func wentDown(old, now uint32) bool {
	return old&unix.IFF_UP != 0 && now&unix.IFF_UP == 0
}

func (b *broker) requestDump() {
	if b.kernelDump != nil {
		b.kernelDump()
	}
}

// ownRoute reports routes in the broker's policy tables: they do not run
// routes-modified.d (the broker's own changes are not news).
func (b *broker) ownRoute(r *rtnl.Route) bool {
	return r.Protocol == policyProto && r.Table > b.cfg.RouteTableBase
}

// linkUpdated is called after any kernel fact of a link changed: the
// kernel generator re-derives states, policy rules follow addresses. While
// a dump is applied (quiet) nothing is derived: the final state is looked
// at once at the end.
func (b *broker) linkUpdated(l *link) {
	if l == nil || b.quiet || !l.inKern {
		return
	}
	if b.cfg.Generator == genKernel {
		b.setStates(l, b.deriveStates(l))
		if l.kernel.Master != 0 && l.kernel.Master != l.index {
			b.masterChanged(l.kernel.Master) // a port's carrier changes its master's
		}
	}
	if b.policy != nil {
		b.policy.linkChanged(l)
	}
}

package main

import (
	"context"
	"strconv"
	"time"

	"network-broker/rtnl"
)

// Events the sources send to the loop. Sources only decode and forward;
// every decision is taken here, from state (DESIGN.md §2).
type (
	// kernelSync is a full dump: links, addresses and routes.
	kernelSync struct {
		links  []rtnl.Link
		addrs  []rtnl.Address
		routes []rtnl.Route
		rules  []rtnl.Rule
	}
	// kernelDumpStart announces a dump: events from here on are replayed
	// on top of it.
	kernelDumpStart struct{}
	// kernelEvents are decoded rtnetlink notifications, in order.
	kernelEvents []rtnl.Event
	// stateSync is a full read of the state source (networkd, or the
	// kernel generator). up false: the source is gone; keep what we knew.
	stateSync struct {
		up      bool
		links   map[int32]map[string]string
		manager map[string]string
	}
	// linkStates are changed state values of one link.
	linkStates struct {
		index int32
		props map[string]string
	}
	// managerStates are changed manager state values.
	managerStates map[string]string
	// viewRequest asks for a copy of a link at hook start.
	viewRequest struct {
		index int32
		reply chan linkViewReply
	}
)

type linkViewReply struct {
	view linkView
	ok   bool
}

// broker is the event loop and the link table it owns.
type broker struct {
	cfg    *Config
	log    *logger
	events chan any
	views  chan viewRequest
	run    *hookRunner

	links   map[int32]*link
	manager map[string]string

	kernelSynced bool
	statesSynced bool
	ready        bool
	onReady      func()

	routesDue   map[int32]time.Time // debounced routes-modified.d per link
	routesFirst map[int32]time.Time // first unreported change per link
	policy      *policy             // routing policy rules; nil when unused

	leases      leaseSync        // dhclient: the current lease per interface
	leasesActed map[string]Lease // dhclient: the lease last acted on per interface
	push        *pusher          // resolved/hostnamed pushes; nil when unused
	startPusher func()           // creates push (at start or on a reload that needs it)
	kernelDump  func()           // asks the kernel source for a dump

	recording     bool                        // a dump is under way: events are recorded
	replay        []rtnl.Event                // events since the dump was announced
	replayLost    bool                        // too many to keep: another dump is needed
	quiet         bool                        // applying a dump: consequences wait for the end
	pendingStates map[int32]map[string]string // networkd states of links the kernel has not reported yet
}

func newBroker(cfg *Config, log *logger, run *hookRunner) *broker {
	return &broker{
		cfg: cfg, log: log, run: run,
		events:        make(chan any, 256),
		views:         make(chan viewRequest),
		links:         map[int32]*link{},
		manager:       map[string]string{},
		leasesActed:   map[string]Lease{},
		pendingStates: map[int32]map[string]string{},
		routesDue:     map[int32]time.Time{},
		routesFirst:   map[int32]time.Time{},
	}
}

// loop runs until ctx ends. It is the only goroutine touching b.links.
func (b *broker) loop(ctx context.Context) {
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case ev := <-b.events:
			b.apply(ev)
		case req := <-b.views:
			l, ok := b.links[req.index]
			if ok {
				req.reply <- linkViewReply{l.view(), true}
			} else {
				req.reply <- linkViewReply{}
			}
		case <-timer.C:
		}
		b.flushRoutes(time.Now())
		if next, ok := b.nextRoutesDue(); ok {
			timer.Reset(time.Until(next))
		}
	}
}

// apply dispatches one event.
func (b *broker) apply(ev any) {
	switch e := ev.(type) {
	case kernelDumpStart:
		b.startDump()
	case kernelSync:
		b.applyKernelSync(e)
	case kernelEvents:
		for i := range e {
			b.applyKernelEvent(&e[i])
		}
	case stateSync:
		b.applyStateSync(e)
	case linkStates:
		b.applyLinkStates(e.index, e.props)
	case managerStates:
		b.setManager(e)
	case leaseSync:
		b.applyLeases(e)
	case reloadEvent:
		b.cfg = e.cfg
		if b.push == nil && b.startPusher != nil && (e.cfg.UseDNS || e.cfg.UseDomain || e.cfg.UseHostname) {
			b.startPusher()
			for iface, l := range b.leasesActed { // push the current leases
				if link := b.linkByName(iface); link != nil {
					b.push.lease(link.index, iface, l)
				}
			}
		}
		if b.policy != nil {
			b.policy.resync(b.links)
		}
	}
	b.checkReady()
}

func (b *broker) linkFor(index int32) *link {
	l, ok := b.links[index]
	if !ok {
		l = newLink(index)
		b.links[index] = l
	}
	return l
}

// checkReady reports readiness once the kernel and the state source have
// both been read in full; with startup triggers each link's current state
// directories run then.
func (b *broker) checkReady() {
	if b.ready || !b.kernelSynced || !b.statesSynced {
		return
	}
	b.ready = true
	if b.cfg.StartupTriggers {
		for _, l := range b.links {
			for _, p := range hookProps {
				if v := l.states[p]; v != "" {
					b.submitState(l, p, "", v)
				}
			}
		}
	}
	if b.onReady != nil {
		b.onReady()
	}
}

// setStates applies new state values of a link and runs the hook
// directories of the properties that really changed.
func (b *broker) setStates(l *link, props map[string]string) {
	for _, p := range linkStateProps {
		v, ok := props[p]
		if !ok {
			continue
		}
		old := l.states[p]
		if v == old {
			continue
		}
		if !validStateValue(v) {
			b.log.Warn("invalid state value dropped", "link", l.name(), "ifindex", l.index, "property", p, "value", truncate(v, 64))
			continue
		}
		l.states[p] = v
		if b.ready {
			b.log.Info("link changed state", "link", l.name(), "ifindex", l.index, p, v, "old", old)
			if isHookProp(p) && v != "" {
				b.submitState(l, p, old, v)
			}
		}
	}
}

// validStateValue accepts what networkd's vocabularies look like: short,
// lower-case words joined by '-'. Anything else never reaches the state
// table, the environment or a path.
func validStateValue(v string) bool {
	if len(v) > 32 {
		return false
	}
	for i := 0; i < len(v); i++ {
		if c := v[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

func isHookProp(p string) bool { return p == "OperationalState" || p == "AdministrativeState" }

// setManager applies manager values; any real change runs manager.d once.
func (b *broker) setManager(props map[string]string) {
	changed := false
	for _, p := range managerStateProps {
		if v, ok := props[p]; ok && v != b.manager[p] && validStateValue(v) {
			b.manager[p] = v
			changed = true
		}
	}
	if changed && b.ready {
		b.log.Info("manager changed state", "OperationalState", b.manager["OperationalState"], "OnlineState", b.manager["OnlineState"])
		b.submitManager()
	}
}

// applyStateSync diffs a full read of the state source against what the
// loop knew: only real changes run hooks.
func (b *broker) applyStateSync(s stateSync) {
	if !s.up {
		b.statesSynced = true // nothing to wait for; values kept until the source is back
		return
	}
	for idx, l := range b.links {
		if _, ok := s.links[idx]; !ok && len(l.states) > 0 {
			l.states = map[string]string{} // the source no longer knows the link
		}
	}
	b.pendingStates = map[int32]map[string]string{}
	for idx, props := range s.links {
		b.applyLinkStates(idx, props)
	}
	b.setManager(s.manager)
	b.statesSynced = true
}

// applyLinkStates applies state values to a link the kernel knows; for
// one it does not know yet they wait (bounded) until it appears. networkd
// signals a link that is gone too (linger): that never creates one.
func (b *broker) applyLinkStates(index int32, props map[string]string) {
	if l := b.links[index]; l != nil && l.inKern {
		b.setStates(l, props)
		return
	}
	p := b.pendingStates[index]
	if p == nil {
		if len(b.pendingStates) >= 1024 {
			return
		}
		p = map[string]string{}
		b.pendingStates[index] = p
	}
	for k, v := range props {
		p[k] = v
	}
}

// submitState queues the run of <value>.d for a property change.
func (b *broker) submitState(l *link, prop, old, value string) {
	if l.name() == "" {
		return // not a link the kernel knows
	}
	if !knownStates[value] {
		b.log.Warn("state not in the known set, no hooks run", "link", l.name(), "ifindex", l.index, prop, value)
		return
	}
	b.run.submitLink(l.index, l.name(), prop, value, old)
}

func (b *broker) submitManager() {
	env := make([]string, 0, len(managerStateProps))
	for _, p := range managerStateProps {
		if v := b.manager[p]; v != "" {
			env = append(env, p+"="+v)
		}
	}
	b.run.submitManager(env)
}

// markRoutes schedules routes-modified.d for a link after the debounce;
// under endless churn it still runs every ten debounce periods.
func (b *broker) markRoutes(index int32) {
	if !b.ready {
		return
	}
	now := time.Now()
	first, ok := b.routesFirst[index]
	if !ok {
		first = now
		b.routesFirst[index] = now
	}
	due := now.Add(b.cfg.RoutesDebounce)
	if limit := first.Add(10 * b.cfg.RoutesDebounce); limit.Before(due) {
		due = limit
	}
	b.routesDue[index] = due
}

func (b *broker) flushRoutes(now time.Time) {
	for idx, due := range b.routesDue {
		if now.Before(due) {
			continue
		}
		delete(b.routesDue, idx)
		delete(b.routesFirst, idx)
		if l, ok := b.links[idx]; ok && l.inKern {
			b.run.submitRoutes(idx, l.name())
		}
	}
}

func (b *broker) nextRoutesDue() (time.Time, bool) {
	var next time.Time
	for _, due := range b.routesDue {
		if next.IsZero() || due.Before(next) {
			next = due
		}
	}
	return next, !next.IsZero()
}

// alive reports whether the loop answers within ctx (the watchdog).
func (b *broker) alive(ctx context.Context) bool {
	req := viewRequest{index: 0, reply: make(chan linkViewReply, 1)}
	select {
	case b.views <- req:
		return true
	case <-ctx.Done():
		return false
	}
}

// view asks the loop for a copy of a link; used by hook jobs at start.
func (b *broker) view(ctx context.Context, index int32) (linkView, bool) {
	req := viewRequest{index: index, reply: make(chan linkViewReply, 1)}
	select {
	case b.views <- req:
	case <-ctx.Done():
		return linkView{}, false
	}
	select {
	case r := <-req.reply:
		return r.view, r.ok
	case <-ctx.Done():
		return linkView{}, false
	}
}

func itoa32(i int32) string { return strconv.Itoa(int(i)) }

package main

import (
	"errors"
	"net/netip"
	"slices"

	"golang.org/x/sys/unix"

	"network-broker/rtnl"
)

// policyProto marks the rules and routes the broker creates (rtm_protocol
// and FRA_PROTOCOL). It is how a restarted broker recognises its own
// objects, and why it never touches anyone else's: everything it deletes
// carries this value and a table above RouteTableBase.
const policyProto = 250

// policy keeps, for each link in RoutingPolicyRules, table
// RouteTableBase+ifindex with the link's connected routes and default
// route, and the rules "from A lookup T" and "to A lookup T" for each of its
// addresses A (DESIGN.md §7). It works from the loop's state: desired
// objects are computed from the link table, actual ones are what the
// kernel reported (rules with policyProto, routes in the tables), and the
// difference is applied. It runs on the loop goroutine.
type policy struct {
	b     *broker
	log   *logger
	conn  policyConn
	rules []rtnl.Rule // the kernel's rules carrying policyProto
}

// policyConn is the part of rtnl.Conn the policy needs (a seam for fault tests).
type policyConn interface {
	AddRule(rtnl.Rule) error
	DeleteRule(rtnl.Rule) error
	AddRoute(rtnl.Route) error
	DeleteRoute(rtnl.Route) error
}

// table returns the policy table of a link.
func (p *policy) table(index int32) uint32 { return p.b.cfg.RouteTableBase + uint32(index) }

// managed reports whether a link gets policy rules.
func (p *policy) managed(l *link) bool {
	return l.inKern && contains(p.b.cfg.RoutingPolicyRules, l.name())
}

// ours reports whether a table number is in the broker's range.
func (p *policy) ours(table uint32) bool {
	return table > p.b.cfg.RouteTableBase && table-p.b.cfg.RouteTableBase <= 1<<24
}

// desired computes the rules and routes a link should have. Addresses of
// host or link scope get none.
func (p *policy) desired(l *link) (rules []rtnl.Rule, routes []rtnl.Route) {
	if !p.managed(l) {
		return nil, nil
	}
	t := p.table(l.index)
	up := l.kernel.Flags&unix.IFF_UP != 0 // the kernel refuses routes through a link that is down
	var families []uint8
	for i := range l.addrs {
		a := &l.addrs[i]
		if a.Scope >= unix.RT_SCOPE_LINK || !a.Addr.IsValid() {
			continue
		}
		rules = p.appendRules(rules, a.Family, netip.PrefixFrom(a.Addr, a.Addr.BitLen()), t)
		if !slices.Contains(families, a.Family) {
			families = append(families, a.Family)
		}
		if up {
			subnet := netip.PrefixFrom(a.Addr, int(a.PrefixLen)).Masked()
			routes = appendRoute(routes, rtnl.Route{Family: a.Family, Dst: subnet, PrefSrc: a.Addr, Table: t,
				Protocol: policyProto, Scope: unix.RT_SCOPE_LINK, Type: unix.RTN_UNICAST, OutIndex: l.index})
		}
	}
	if !up {
		return rules, routes
	}
	for _, fam := range families {
		if gw, ok := p.gateway(l, fam); ok {
			def := netip.PrefixFrom(netip.IPv4Unspecified(), 0)
			if fam == unix.AF_INET6 {
				def = netip.PrefixFrom(netip.IPv6Unspecified(), 0)
			}
			routes = appendRoute(routes, rtnl.Route{Family: fam, Dst: def, Gateway: gw, Table: t,
				Protocol: policyProto, Scope: unix.RT_SCOPE_UNIVERSE, Type: unix.RTN_UNICAST, OutIndex: l.index})
		}
	}
	return rules, routes
}

// appendRules adds the rules "from host lookup t" and "to host lookup t",
// with the broker's priority and protocol, unless they are already there.
func (p *policy) appendRules(rules []rtnl.Rule, family uint8, host netip.Prefix, t uint32) []rtnl.Rule {
	for _, r := range [...]rtnl.Rule{{Src: host}, {Dst: host}} {
		r.Family, r.Priority, r.Table, r.Protocol, r.Action = family, p.b.cfg.RulePriority, t, policyProto, unix.FR_ACT_TO_TBL
		if !hasRule(rules, &r) {
			rules = append(rules, r)
		}
	}
	return rules
}

// appendRoute adds a route unless one to the same destination is there:
// the kernel's key has no preferred source, so a second address in one
// subnet shares the first's.
func appendRoute(routes []rtnl.Route, r rtnl.Route) []rtnl.Route {
	for i := range routes {
		if routes[i].Family == r.Family && routes[i].Dst == r.Dst {
			return routes
		}
	}
	return append(routes, r)
}

// gateway finds the link's gateway: the lowest-metric default route through
// the link in any table that is not the broker's.
func (p *policy) gateway(l *link, fam uint8) (netip.Addr, bool) {
	var best *rtnl.Route
	for i := range l.routes {
		r := &l.routes[i]
		if r.Family != fam || r.Dst.Bits() != 0 || !r.Gateway.IsValid() || r.OutIndex != l.index || p.ours(r.Table) {
			continue
		}
		if best == nil || r.Priority < best.Priority {
			best = r
		}
	}
	if best == nil {
		return netip.Addr{}, false
	}
	return best.Gateway, true
}

// linkChanged reconciles one link after its kernel facts changed.
func (p *policy) linkChanged(l *link) {
	if !p.b.kernelSynced {
		return
	}
	p.reconcile(l.index, l)
}

// linkGone removes the rules of a removed link (its routes went with it).
func (p *policy) linkGone(index int32) {
	p.reconcile(index, nil)
}

// resync reconciles every link and removes objects of links and addresses
// that are gone (after a dump, at start and on reload).
func (p *policy) resync(links map[int32]*link) {
	tables := map[int32]bool{}
	for idx := range links {
		tables[idx] = true
	}
	for i := range p.rules {
		if t := p.rules[i].Table; p.ours(t) {
			tables[int32(t-p.b.cfg.RouteTableBase)] = true
		}
	}
	for idx := range tables {
		p.reconcile(idx, links[idx])
	}
}

// reconcile makes the kernel's rules and table for one link match the
// desired set; l is nil for a link that is gone.
func (p *policy) reconcile(index int32, l *link) {
	t := p.table(index)
	var wantRules []rtnl.Rule
	var wantRoutes, haveRoutes []rtnl.Route
	if l != nil {
		wantRules, wantRoutes = p.desired(l)
		for i := range l.routes {
			if r := &l.routes[i]; r.Table == t && r.Protocol == policyProto {
				haveRoutes = append(haveRoutes, *r)
			}
		}
	}
	var haveRules []rtnl.Rule
	for i := range p.rules {
		if r := &p.rules[i]; r.Table == t {
			haveRules = append(haveRules, *r)
		}
	}
	for i := range haveRules {
		if r := &haveRules[i]; !hasRule(wantRules, r) {
			p.apply("delete rule", p.conn.DeleteRule(*r), "table", t, "from", r.Src, "to", r.Dst)
		}
	}
	for i := range haveRoutes {
		if r := &haveRoutes[i]; !hasPolicyRoute(wantRoutes, r) {
			p.apply("delete route", p.conn.DeleteRoute(*r), "table", t, "dst", r.Dst, "gw", r.Gateway)
		}
	}
	for i := range wantRules {
		if r := &wantRules[i]; !hasRule(haveRules, r) {
			p.apply("add rule", p.conn.AddRule(*r), "table", t, "from", r.Src, "to", r.Dst, "priority", r.Priority)
		}
	}
	for i := range wantRoutes {
		if r := &wantRoutes[i]; !hasPolicyRoute(haveRoutes, r) {
			p.apply("add route", p.conn.AddRoute(*r), "table", t, "dst", r.Dst, "gw", r.Gateway)
		}
	}
}

// apply logs the outcome of one change. EEXIST and ENOENT/ESRCH mean the
// kernel already is where we wanted it (an event is still on its way).
func (p *policy) apply(what string, err error, kv ...any) {
	if err == nil {
		p.log.Info("policy routing: "+what, kv...)
		return
	}
	kv = append(kv, "err", err)
	if errors.Is(err, unix.EEXIST) || errors.Is(err, unix.ENOENT) || errors.Is(err, unix.ESRCH) {
		p.log.Debug("policy routing: "+what+": already done", kv...)
	} else {
		p.log.Error("policy routing: "+what+" failed", kv...)
	}
}

// ruleEvent records a rule notification (only the broker's own are kept).
func (p *policy) ruleEvent(typ uint16, r *rtnl.Rule) {
	if r.Protocol != policyProto {
		return
	}
	p.rules = deleteFunc(p.rules, func(x *rtnl.Rule) bool { return sameRule(x, r) })
	if typ == unix.RTM_NEWRULE {
		p.rules = append(p.rules, *r)
	} else if p.ours(r.Table) && p.b.kernelSynced {
		// Deleted by someone else while still wanted: put it back.
		idx := int32(r.Table - p.b.cfg.RouteTableBase)
		p.reconcile(idx, p.b.links[idx])
	}
}

// setRules replaces the known rules with a dump.
func (p *policy) setRules(rules []rtnl.Rule) {
	p.rules = p.rules[:0]
	for _, r := range rules {
		if r.Protocol == policyProto {
			p.rules = append(p.rules, r)
		}
	}
}

func sameRule(a, b *rtnl.Rule) bool {
	return a.Family == b.Family && a.Priority == b.Priority && a.Src == b.Src &&
		a.Dst == b.Dst && a.Table == b.Table
}

func samePolicyRoute(a, b *rtnl.Route) bool {
	return a.Family == b.Family && a.Dst == b.Dst && a.Table == b.Table &&
		a.Gateway == b.Gateway && a.OutIndex == b.OutIndex && a.PrefSrc == b.PrefSrc
}

// hasRule and hasPolicyRoute compare in place: rules and routes are big
// structs, and slices.ContainsFunc closures copied each one.
func hasRule(l []rtnl.Rule, r *rtnl.Rule) bool {
	for i := range l {
		if sameRule(&l[i], r) {
			return true
		}
	}
	return false
}

func hasPolicyRoute(l []rtnl.Route, r *rtnl.Route) bool {
	for i := range l {
		if samePolicyRoute(&l[i], r) {
			return true
		}
	}
	return false
}

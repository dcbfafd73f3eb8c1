package main

import (
	"net/netip"
	"slices"

	"network-broker/rtnl"
)

// The networkd properties the broker tracks per link (DESIGN.md §5). Only
// these two name hook directories; the others go into the environment.
var linkStateProps = []string{
	"OperationalState", "AdministrativeState", "CarrierState", "AddressState",
	"IPv4AddressState", "IPv6AddressState", "OnlineState",
}

// managerStateProps are the Manager's state properties (manager.d).
var managerStateProps = []string{
	"OperationalState", "CarrierState", "AddressState",
	"IPv4AddressState", "IPv6AddressState", "OnlineState",
}

// hookProps are the properties whose value names a hook directory.
var hookProps = []string{"OperationalState", "AdministrativeState"}

// knownStates is the fixed set of values that may name a hook directory
// (networkctl(1)). A value from outside is never used to build a path
// (CVE-2022-29799).
var knownStates = map[string]bool{
	// operational
	"missing": true, "off": true, "no-carrier": true, "dormant": true,
	"degraded-carrier": true, "carrier": true, "degraded": true,
	"enslaved": true, "routable": true,
	// administrative
	"pending": true, "initialized": true, "configuring": true,
	"configured": true, "unmanaged": true, "failed": true, "linger": true,
}

// link is everything the broker knows of one interface. The event loop owns
// it; hook jobs get copies (linkView).
type link struct {
	index  int32
	kernel rtnl.Link
	inKern bool // the kernel has reported the link
	addrs  []rtnl.Address
	routes []rtnl.Route
	states map[string]string // networkd's (or the kernel generator's) values
}

func newLink(index int32) *link {
	return &link{index: index, states: map[string]string{}}
}

// name returns the kernel name, or "" while the kernel has not said.
func (l *link) name() string { return l.kernel.Name }

// linkView is a copy of a link handed to a hook job.
type linkView struct {
	Index  int32
	Kernel rtnl.Link
	InKern bool
	Addrs  []rtnl.Address
	Routes []rtnl.Route
	States map[string]string
}

// view returns a copy of the link that a hook job may keep.
func (l *link) view() linkView {
	st := make(map[string]string, len(l.states))
	for k, v := range l.states {
		st[k] = v
	}
	return linkView{
		Index: l.index, Kernel: l.kernel, InKern: l.inKern,
		Addrs: slices.Clone(l.addrs), Routes: slices.Clone(l.routes), States: st,
	}
}

// shared returns the link as a view that shares its slices and map, for
// a reader done with it before the link changes again.
func (l *link) shared() linkView {
	return linkView{Index: l.index, Kernel: l.kernel, InKern: l.inKern, Addrs: l.addrs, Routes: l.routes, States: l.states}
}

// routeLinks lists the links a route uses: its output link and those of
// its nexthops.
func routeLinks(r *rtnl.Route) []int32 {
	var out []int32
	if r.OutIndex != 0 {
		out = append(out, r.OutIndex)
	}
	for _, nh := range r.Multipath {
		if nh.OutIndex != 0 && !slices.Contains(out, nh.OutIndex) {
			out = append(out, nh.OutIndex)
		}
	}
	return out
}

// sameAddr reports whether two addresses are the same kernel object
// (what RTM_DELADDR names).
func sameAddr(a, b *rtnl.Address) bool {
	return a.Family == b.Family && a.Index == b.Index && a.Addr == b.Addr &&
		a.PrefixLen == b.PrefixLen && a.Peer == b.Peer
}

// sameRoute reports whether two routes are the same kernel object: the
// kernel's key (table, destination, tos, metric) plus the output and
// gateway, which tell IPv6 multipath siblings apart. It compares the
// fields of routeID one by one: building two routeIDs to compare costs
// far more code at every inlined call.
func sameRoute(a, b *rtnl.Route) bool {
	return a.Family == b.Family && a.Table == b.Table && a.Priority == b.Priority && a.Dst == b.Dst &&
		a.Src == b.Src && a.Type == b.Type && a.OutIndex == b.OutIndex && a.Gateway == b.Gateway
}

// sameRouteKey4 compares the kernel's key of an IPv4 route (fib_table_insert:
// table, destination, tos, priority); the nexthop is not part of it.
func sameRouteKey4(a, b *rtnl.Route) bool {
	return a.Family == b.Family && a.Table == b.Table && a.Dst == b.Dst && a.Priority == b.Priority
}

// upsertAddr replaces a matching address or appends it.
func upsertAddr(l []rtnl.Address, a *rtnl.Address) []rtnl.Address {
	for i := range l {
		if sameAddr(&l[i], a) {
			l[i] = *a
			return l
		}
	}
	return append(l, *a)
}

func deleteAddr(l []rtnl.Address, a *rtnl.Address) []rtnl.Address {
	return deleteFunc(l, func(x *rtnl.Address) bool { return sameAddr(x, a) })
}

// upsertRoute replaces a matching route or appends it; changed is false
// when the same route was already there (a replayed notification).
func upsertRoute(l []rtnl.Route, r *rtnl.Route) (out []rtnl.Route, changed bool) {
	for i := range l {
		if sameRoute(&l[i], r) {
			changed = !identicalRoute(&l[i], r)
			l[i] = *r
			return l, changed
		}
	}
	return append(l, *r), true
}

// deleteRoute removes a route; changed is false when it was not there.
func deleteRoute(l []rtnl.Route, r *rtnl.Route) (out []rtnl.Route, changed bool) {
	n := len(l)
	l = deleteFunc(l, func(x *rtnl.Route) bool { return sameRoute(x, r) })
	return l, len(l) != n
}

// deleteFunc is slices.DeleteFunc with a predicate that takes a pointer:
// addresses, routes and rules are big structs, and DeleteFunc copies each
// one to ask about it.
func deleteFunc[S ~[]E, E any](s S, del func(*E) bool) S {
	n := 0
	for i := range s {
		if !del(&s[i]) {
			s[n] = s[i]
			n++
		}
	}
	clear(s[n:]) // drop the references the removed elements held
	return s[:n]
}

// identicalRoute compares every field.
func identicalRoute(a, b *rtnl.Route) bool {
	if !sameRoute(a, b) || a.PrefSrc != b.PrefSrc || a.Protocol != b.Protocol || a.Scope != b.Scope ||
		a.Flags != b.Flags || len(a.Multipath) != len(b.Multipath) {
		return false
	}
	for i := range a.Multipath {
		x, y := a.Multipath[i], b.Multipath[i]
		if x.Gateway != y.Gateway || x.OutIndex != y.OutIndex || x.Weight != y.Weight || x.Flags != y.Flags {
			return false
		}
	}
	return true
}

// routeID is a route's identity (see sameRoute), usable as a map key.
type routeID struct {
	family          uint8
	table, priority uint32
	dst, src        netip.Prefix
	typ             uint8
	out             int32
	gw              netip.Addr
}

func idOf(r *rtnl.Route) routeID {
	return routeID{r.Family, r.Table, r.Priority, r.Dst, r.Src, r.Type, r.OutIndex, r.Gateway}
}

// routesEqual compares two route lists as sets, in linear time (a link
// may hold thousands of routes).
func routesEqual(a, b []rtnl.Route) bool {
	if len(a) != len(b) {
		return false
	}
	set := make(map[routeID]int, len(a))
	for i := range a {
		set[idOf(&a[i])]++
	}
	for i := range b {
		id := idOf(&b[i])
		if set[id] == 0 {
			return false
		}
		set[id]--
	}
	return true
}

package main

import (
	"golang.org/x/sys/unix"

	"network-broker/rtnl"
)

// Generator kernel: states derived from rtnetlink alone, following
// networkctl(1)'s definitions as systemd-networkd computes them
// (link_update_operstate): a carrier state from the kernel operstate, flags
// and master, an address state from the scopes of the link's addresses, and
// the operational state from both.

// carrierState derives CarrierState: off, no-carrier, dormant, carrier or
// enslaved.
func carrierState(k *rtnl.Link) string {
	switch {
	case k.OperState == rtnl.OperDormant:
		return "dormant"
	case hasCarrier(k) && k.Master != 0:
		return "enslaved"
	case hasCarrier(k):
		return "carrier"
	case k.Flags&unix.IFF_UP != 0:
		return "no-carrier"
	}
	return "off"
}

// hasCarrier mirrors networkd's netif_has_carrier: operstate up, or
// unknown with IFF_LOWER_UP (veth, lo and many virtual links say unknown).
func hasCarrier(k *rtnl.Link) bool {
	return k.OperState == rtnl.OperUp ||
		(k.OperState == rtnl.OperUnknown && k.Flags&unix.IFF_LOWER_UP != 0)
}

// addressState derives an address state from the addresses of one family
// (family 0: both): routable for a global or site scope, degraded for
// link or host scope, off for none. Tentative addresses do not count yet.
func addressState(addrs []rtnl.Address, family uint8) string {
	best := "off"
	for _, a := range addrs {
		if family != 0 && a.Family != family {
			continue
		}
		if a.Flags&unix.IFA_F_TENTATIVE != 0 {
			continue
		}
		if a.Scope < unix.RT_SCOPE_LINK {
			return "routable"
		}
		best = "degraded"
	}
	return best
}

// deriveStates computes the kernel generator's state values of a link.
func deriveStates(l *link) map[string]string {
	carrier := carrierState(&l.kernel)
	addr := addressState(l.addrs, 0)
	op := carrier
	if carrier == "carrier" || carrier == "enslaved" {
		switch {
		case addr == "routable":
			op = "routable"
		case addr == "degraded" && carrier == "carrier":
			op = "degraded"
		}
	}
	return map[string]string{
		"OperationalState": op,
		"CarrierState":     carrier,
		"AddressState":     addr,
		"IPv4AddressState": addressState(l.addrs, unix.AF_INET),
		"IPv6AddressState": addressState(l.addrs, unix.AF_INET6),
	}
}

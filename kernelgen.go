package main

import (
	"golang.org/x/sys/unix"

	"network-broker/rtnl"
)

// Generator kernel: states derived from rtnetlink alone, the way
// systemd-networkd computes them (link_update_operstate in
// src/network/networkd-link.c; vocabulary of networkctl(1)):
//
//   - CarrierState: dormant when the kernel operstate is dormant; else, with
//     a carrier, enslaved for a port of a bridge or bond (IFF_SLAVE or a
//     master) and carrier otherwise; without one, no-carrier when the link
//     is up and off when it is down. A master with carrier whose port lacks
//     one is degraded-carrier.
//   - AddressState (and per family): routable with an address of global
//     scope, degraded with only link or site scope, off otherwise. Host
//     scope (127.0.0.1, ::1) and tentative addresses do not count.
//   - OperationalState: the carrier state while below carrier or with no
//     address; routable with a routable address; degraded for carrier with
//     degraded addresses; enslaved for an enslaved port with degraded ones.
//
// Differences from networkd: there is no AdministrativeState or
// OnlineState (nothing configures the links); networkd calls a bridge
// port enslaved only when its .network says Bridge=, the kernel view does
// for every port; networkd's "missing" and "pending" never occur.

// carrierOrder ranks carrier states as networkd's enum does.
var carrierOrder = map[string]int{"off": 0, "no-carrier": 1, "dormant": 2, "degraded-carrier": 3, "carrier": 4, "enslaved": 5}

// hasCarrier mirrors networkd's netif_has_carrier: operstate up, or
// unknown (not implemented by the driver) with IFF_LOWER_UP and not
// IFF_DORMANT.
func hasCarrier(k *rtnl.Link) bool {
	if k.OperState == rtnl.OperUp {
		return true
	}
	return k.OperState == rtnl.OperUnknown && k.Flags&unix.IFF_LOWER_UP != 0 && k.Flags&unix.IFF_DORMANT == 0
}

// carrierState derives a link's own carrier state.
func carrierState(k *rtnl.Link) string {
	switch {
	case k.OperState == rtnl.OperDormant:
		return "dormant"
	case hasCarrier(k) && (k.Flags&unix.IFF_SLAVE != 0 || k.Master != 0):
		return "enslaved"
	case hasCarrier(k):
		return "carrier"
	case k.Flags&unix.IFF_UP != 0:
		return "no-carrier"
	}
	return "off"
}

// addressState derives the address state from the addresses of one family
// (0: both).
func addressState(addrs []rtnl.Address, family uint8) string {
	best := "off"
	for i := range addrs {
		a := &addrs[i]
		if (family != 0 && a.Family != family) || a.Flags&unix.IFA_F_TENTATIVE != 0 {
			continue
		}
		switch {
		case a.Scope < unix.RT_SCOPE_SITE:
			return "routable"
		case a.Scope < unix.RT_SCOPE_HOST:
			best = "degraded"
		}
	}
	return best
}

// deriveStates computes the kernel generator's state values of a link;
// the ports of a master are looked up in the link table.
func (b *broker) deriveStates(l *link) map[string]string {
	carrier := carrierState(&l.kernel)
	if carrierOrder[carrier] >= carrierOrder["carrier"] {
		for _, port := range b.links {
			if port.inKern && port.kernel.Master == l.index && carrierOrder[carrierState(&port.kernel)] < carrierOrder["carrier"] {
				carrier = "degraded-carrier"
			}
		}
	}
	addr := addressState(l.addrs, 0)
	op := carrier
	switch {
	case carrierOrder[carrier] < carrierOrder["carrier"] || addr == "off":
	case addr == "routable":
		op = "routable"
	case carrier == "carrier":
		op = "degraded"
	default:
		op = "enslaved"
	}
	return map[string]string{
		"OperationalState": op,
		"CarrierState":     carrier,
		"AddressState":     addr,
		"IPv4AddressState": addressState(l.addrs, unix.AF_INET),
		"IPv6AddressState": addressState(l.addrs, unix.AF_INET6),
	}
}

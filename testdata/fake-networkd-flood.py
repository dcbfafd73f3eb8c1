#!/usr/bin/python3
"""A fake org.freedesktop.network1 that floods the broker with oversized
but valid signals (faults_e2e_test.go; derived from fake-networkd.py).

It owns the name, answers ListLinks and GetAll like networkd for one link
(configured, and the OperationalState it signalled last: routable at
first), waits a second for the broker's resync, then sends
PropertiesChanged for that link, in order:
  big    OperationalState=degraded with a string property of BIG MiB beside it
  wide   OperationalState=no-carrier in a dictionary of WIDE properties
  flood  N small signals alternating routable/degraded, as fast as it can
  final  OperationalState=carrier
then, after 2 s of quiet, OperationalState=degraded, and prints "done".
Usage: fake-networkd-flood.py BUS_ADDRESS IFINDEX IFNAME N BIG WIDE
"""
import sys

import dbus
import dbus.service
import dbus.lowlevel
import dbus.mainloop.glib
from gi.repository import GLib

addr, index, name = sys.argv[1], int(sys.argv[2]), sys.argv[3]
flood, big, wide_n = int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
NAME = "org.freedesktop.network1"
LINK_IFACE = "org.freedesktop.network1.Link"
PROPS = "org.freedesktop.DBus.Properties"
PATH = "/org/freedesktop/network1/link/_3" + str(index)


class Manager(dbus.service.Object):
    @dbus.service.method("org.freedesktop.network1.Manager", out_signature="a(iso)")
    def ListLinks(self):
        return [(dbus.Int32(index), name, dbus.ObjectPath(PATH))]

    @dbus.service.method(PROPS, in_signature="s", out_signature="a{sv}")
    def GetAll(self, iface):
        return {"OperationalState": "routable", "OnlineState": "online"}


# The state last signalled: a resync (after dropped signals) reads it.
current = {"OperationalState": "routable"}


class Link(dbus.service.Object):
    @dbus.service.method(PROPS, in_signature="s", out_signature="a{sv}")
    def GetAll(self, iface):
        return {"OperationalState": current["OperationalState"], "AdministrativeState": "configured",
                "CarrierState": "carrier", "AddressState": "routable"}


def signal(props):
    current["OperationalState"] = props["OperationalState"]
    m = dbus.lowlevel.SignalMessage(PATH, PROPS, "PropertiesChanged")
    m.append(LINK_IFACE, props, dbus.Array([], signature="s"), signature="sa{sv}as")
    bus.send_message(m)


def run():
    signal({"OperationalState": "degraded", "Junk": "j" * (big << 20)})
    wide = {"P%d" % i: "x" for i in range(wide_n)}
    wide["OperationalState"] = "no-carrier"
    signal(wide)
    for i in range(flood):
        signal({"OperationalState": "routable" if i % 2 == 0 else "degraded"})
    signal({"OperationalState": "carrier"})
    bus.flush()
    GLib.timeout_add(2000, settled)
    return False


def settled():
    signal({"OperationalState": "degraded"})
    bus.flush()
    print("done", flush=True)
    return False


dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)
bus = dbus.bus.BusConnection(addr)
bus.request_name(NAME, dbus.bus.NAME_FLAG_DO_NOT_QUEUE)
Manager(bus, "/org/freedesktop/network1")
Link(bus, PATH)
print("owned", flush=True)
GLib.timeout_add(1000, run)
GLib.MainLoop().run()

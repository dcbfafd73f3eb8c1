#!/usr/bin/python3
"""A hostile org.freedesktop.network1 for the broker's tests.

It owns the name (the lab bus lets root own any name), answers ListLinks and
GetAll like networkd for one link, then sends the PropertiesChanged signals
named on the command line, one every 50 ms, and finally prints "done".
Usage: fake-networkd.py BUS_ADDRESS IFINDEX IFNAME CASE...
"""
import sys

import dbus
import dbus.service
import dbus.lowlevel
import dbus.mainloop.glib
from gi.repository import GLib

addr, index, name = sys.argv[1], int(sys.argv[2]), sys.argv[3]
cases = sys.argv[4:]
NAME = "org.freedesktop.network1"
LINK_IFACE = "org.freedesktop.network1.Link"
PROPS = "org.freedesktop.DBus.Properties"


def link_path(i):
    return "/org/freedesktop/network1/link/_3" + str(i)


class Manager(dbus.service.Object):
    @dbus.service.method("org.freedesktop.network1.Manager", out_signature="a(iso)")
    def ListLinks(self):
        return [(dbus.Int32(index), name, dbus.ObjectPath(link_path(index)))]

    @dbus.service.method(PROPS, in_signature="s", out_signature="a{sv}")
    def GetAll(self, iface):
        return {"OperationalState": "routable", "OnlineState": "online"}


class Link(dbus.service.Object):
    @dbus.service.method(PROPS, in_signature="s", out_signature="a{sv}")
    def GetAll(self, iface):
        return {"OperationalState": "routable", "AdministrativeState": "configured",
                "CarrierState": "carrier", "AddressState": "routable"}


def signal(path, sig, *args):
    m = dbus.lowlevel.SignalMessage(path, PROPS, "PropertiesChanged")
    m.append(*args, signature=sig)
    bus.send_message(m)


def nested(depth):
    # a variant holding a variant ... holding a string
    return dbus.String("routable", variant_level=depth)


CASES = {
    # body that is not (sa{sv}as)
    "short-body": lambda: signal(link_path(index), "s", LINK_IFACE),
    # a state that is not a string
    "int-state": lambda: signal(link_path(index), "sa{sv}as", LINK_IFACE,
                                {"OperationalState": dbus.Int32(7, variant_level=1)}, []),
    # a state that would climb out of the configuration directory
    "traversal": lambda: signal(link_path(index), "sa{sv}as", LINK_IFACE,
                                {"OperationalState": "../../../../tmp/evil"}, []),
    # paths that name no link
    "bad-path": lambda: signal("/org/freedesktop/network1/link/_3abc", "sa{sv}as", LINK_IFACE,
                               {"OperationalState": "off"}, []),
    "huge-index": lambda: signal("/org/freedesktop/network1/link/_399999999999", "sa{sv}as",
                                 LINK_IFACE, {"OperationalState": "off"}, []),
    # one megabyte of state
    "huge-value": lambda: signal(link_path(index), "sa{sv}as", LINK_IFACE,
                                 {"OperationalState": "x" * (1 << 20)}, []),
    # variants nested as deep as the bus allows
    "deep": lambda: signal(link_path(index), "sa{sv}as", LINK_IFACE,
                           {"OperationalState": nested(60)}, []),
    # finally a good one: degraded
    "good": lambda: signal(link_path(index), "sa{sv}as", LINK_IFACE,
                           {"OperationalState": "degraded"}, []),
}

dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)
bus = dbus.bus.BusConnection(addr)
bus.request_name(NAME, dbus.bus.NAME_FLAG_DO_NOT_QUEUE)
Manager(bus, "/org/freedesktop/network1")
Link(bus, link_path(index))
loop = GLib.MainLoop()
print("owned", flush=True)
todo = list(cases)


def step():
    if not todo:
        print("done", flush=True)
        return False
    CASES[todo.pop(0)]()
    return True


def begin():
    GLib.timeout_add(50, step)
    return False


# Give the broker time to resync from us before the signals start.
GLib.timeout_add(1000, begin)
loop.run()

#!/usr/bin/python3
"""A fake org.freedesktop.network1 for the broker's start-up read
(networkd_getall_e2e_test.go).

It owns the name and lists N links (indexes 1..N). GetAll on a link
answers after DELAY ms, holding the call meanwhile, so the calls in flight
at once can be counted; link GONE answers UnknownObject (a link removed
between ListLinks and GetAll) and link HANG never answers. Each reply
prints "inflight M", the most calls held at once so far.
Usage: fake-networkd-getall.py BUS_ADDRESS N DELAY GONE HANG
"""
import sys

import dbus
import dbus.service
import dbus.mainloop.glib
from gi.repository import GLib

addr, n, delay, gone, hang = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
NAME = "org.freedesktop.network1"
PROPS = "org.freedesktop.DBus.Properties"
held = {"now": 0, "max": 0}


def path(i):
    return "/org/freedesktop/network1/link/_3" + str(i)


class Manager(dbus.service.Object):
    @dbus.service.method("org.freedesktop.network1.Manager", out_signature="a(iso)")
    def ListLinks(self):
        return [(dbus.Int32(i), "fk%d" % i, dbus.ObjectPath(path(i))) for i in range(1, n + 1)]

    @dbus.service.method(PROPS, in_signature="s", out_signature="a{sv}")
    def GetAll(self, iface):
        return {"OperationalState": "routable", "OnlineState": "online"}


class Link(dbus.service.Object):
    def __init__(self, bus, index):
        super().__init__(bus, path(index))
        self.index = index

    @dbus.service.method(PROPS, in_signature="s", out_signature="a{sv}",
                         async_callbacks=("reply", "error"))
    def GetAll(self, iface, reply, error):
        if self.index == hang:
            return
        held["now"] += 1
        held["max"] = max(held["max"], held["now"])

        def answer():
            held["now"] -= 1
            if self.index == gone:
                error(dbus.exceptions.DBusException("no such link", name="org.freedesktop.DBus.Error.UnknownObject"))
            else:
                reply({"OperationalState": "routable", "AdministrativeState": "configured",
                       "Description": "fk%d" % self.index})
            print("inflight", held["max"], flush=True)
            return False
        GLib.timeout_add(delay, answer)


dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)
bus = dbus.bus.BusConnection(addr)
bus.request_name(NAME, dbus.bus.NAME_FLAG_DO_NOT_QUEUE)
Manager(bus, "/org/freedesktop/network1")
links = [Link(bus, i) for i in range(1, n + 1)]
print("owned", flush=True)
GLib.MainLoop().run()

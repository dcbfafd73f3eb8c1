#!/usr/bin/python3
"""A D-Bus peer written with python3-dbus (libdbus), for interop tests of the
Go dbus package. Usage: peer.py BUS_ADDRESS. Prints "ready" once it owns
org.example.Peer. describe() defines the text format that the Go test
(interop_test.go, describe) reproduces from Go values.
"""
import sys

import dbus
import dbus.mainloop.glib
import dbus.service
from gi.repository import GLib

IFACE = 'org.example.Peer'
ALL = 'ybnqiuxtdsogayasaia{sv}(isb)a(iiay)va{oa{sv}}aav'


def describe(x):
    lvl = getattr(x, 'variant_level', 0)
    return 'v<' * lvl + base(x) + '>' * lvl


def base(x):
    # Order matters: Boolean, Byte and the integer types all subclass int,
    # ObjectPath and Signature subclass str.
    for cls, code in ((dbus.Boolean, 'b'), (dbus.Byte, 'y'), (dbus.Int16, 'n'),
                      (dbus.UInt16, 'q'), (dbus.Int32, 'i'), (dbus.UInt32, 'u'),
                      (dbus.Int64, 'x'), (dbus.UInt64, 't')):
        if isinstance(x, cls):
            return '%s:%d' % (code, int(x))
    if isinstance(x, dbus.Double):
        return 'd:%r' % float(x)
    if isinstance(x, dbus.ObjectPath):
        return 'o:' + str(x)
    if isinstance(x, dbus.Signature):
        return 'g:' + str(x)
    if isinstance(x, dbus.String):
        return 's:' + str(x).encode('utf-8').hex()
    if isinstance(x, dbus.Dictionary):
        return '{' + ','.join(describe(k) + '=' + describe(v) for k, v in x.items()) + '}'
    if isinstance(x, dbus.Struct):
        return '(' + ','.join(describe(v) for v in x) + ')'
    if isinstance(x, dbus.Array):
        return 'a[' + ','.join(describe(v) for v in x) + ']'
    raise TypeError('cannot describe %r' % (x,))


def values():
    """The fixed values Make returns and EmitAll sends, in ALL order."""
    return (
        dbus.Byte(200), dbus.Boolean(True), dbus.Int16(-300), dbus.UInt16(65000),
        dbus.Int32(-70000), dbus.UInt32(4000000000), dbus.Int64(-2 ** 40),
        dbus.UInt64(2 ** 63 + 5), dbus.Double(3.5), dbus.String('h\u00e9llo \u2603 \U0001F600'),
        dbus.ObjectPath('/org/example/peer/_31'), dbus.Signature('a{sv}'),
        dbus.Array([dbus.Byte(0), dbus.Byte(1), dbus.Byte(255)], signature='y'),
        dbus.Array(['a', '', 'c'], signature='s'),
        dbus.Array([], signature='i'),
        dbus.Dictionary({
            'OperationalState': dbus.String('routable', variant_level=1),
            'BitRates': dbus.Struct((dbus.UInt64(2 ** 64 - 1), dbus.UInt64(2 ** 64 - 1)),
                                    signature='tt', variant_level=1),
        }, signature='sv'),
        dbus.Struct((dbus.Int32(7), 'seven', dbus.Boolean(False)), signature='isb'),
        dbus.Array([
            dbus.Struct((dbus.Int32(2), dbus.Int32(2), dbus.Array([10, 77, 0, 1], signature='y'))),
            dbus.Struct((dbus.Int32(4), dbus.Int32(2), dbus.Array([192, 168, 52, 1], signature='y'))),
        ], signature='(iiay)'),
        dbus.String('deep', variant_level=2),
        dbus.Dictionary({dbus.ObjectPath('/a'): dbus.Dictionary(
            {'k': dbus.UInt32(1, variant_level=1)}, signature='sv')}, signature='oa{sv}'),
        dbus.Array([dbus.Array([dbus.Boolean(True, variant_level=1)], signature='v'),
                    dbus.Array([], signature='v')], signature='av'),
    )


class Peer(dbus.service.Object):
    def __init__(self, bus):
        super().__init__(bus, '/org/example/Peer')
        self.last_signal = ''
        self.props = {'Name': dbus.String('peer', variant_level=1),
                      'Count': dbus.UInt32(1, variant_level=1)}
        bus.add_signal_receiver(self.on_probe, signal_name='Probe', dbus_interface=IFACE,
                                byte_arrays=False)

    def on_probe(self, *args):
        self.last_signal = ';'.join(describe(a) for a in args)

    # dbus-python checks the signatures against the named parameters, so
    # the 21 arguments of ALL are spelled out.
    @dbus.service.method(IFACE, in_signature=ALL, out_signature=ALL)
    def Echo(self, a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15, a16, a17, a18, a19, a20):
        return (a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15, a16, a17, a18, a19, a20)

    @dbus.service.method(IFACE, in_signature=ALL, out_signature='s')
    def Describe(self, a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15, a16, a17, a18, a19, a20):
        return ';'.join(describe(a) for a in (a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15, a16, a17, a18, a19, a20))

    @dbus.service.method(IFACE, in_signature='', out_signature=ALL)
    def Make(self):
        return values()

    @dbus.service.method(IFACE, in_signature='', out_signature='')
    def EmitAll(self):
        self.All(*values())

    @dbus.service.signal(IFACE, signature=ALL)
    def All(self, a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15, a16, a17, a18, a19, a20):
        pass

    @dbus.service.method(IFACE, in_signature='', out_signature='s')
    def LastSignal(self):
        return self.last_signal

    @dbus.service.method(IFACE, in_signature='s', out_signature='')
    def Fail(self, text):
        raise dbus.exceptions.DBusException(text, name='org.example.Peer.Error.Failed')

    @dbus.service.method(IFACE, in_signature='d', out_signature='s',
                         async_callbacks=('ok', 'err'))
    def Sleep(self, secs, ok, err):
        GLib.timeout_add(int(secs * 1000), lambda: ok('slept') and False)

    @dbus.service.method(dbus.PROPERTIES_IFACE, in_signature='ss', out_signature='v')
    def Get(self, iface, prop):
        if iface != IFACE or prop not in self.props:
            raise dbus.exceptions.DBusException(
                'no property %s.%s' % (iface, prop),
                name='org.freedesktop.DBus.Error.UnknownProperty')
        return self.props[prop]

    @dbus.service.method(dbus.PROPERTIES_IFACE, in_signature='s', out_signature='a{sv}')
    def GetAll(self, iface):
        return dbus.Dictionary(self.props if iface == IFACE else {}, signature='sv')

    @dbus.service.method(IFACE, in_signature='sv', out_signature='')
    def SetProp(self, prop, value):
        self.props[prop] = value
        self.PropertiesChanged(IFACE, dbus.Dictionary({prop: value}, signature='sv'),
                               dbus.Array(['Ghost'], signature='s'))

    @dbus.service.signal(dbus.PROPERTIES_IFACE, signature='sa{sv}as')
    def PropertiesChanged(self, iface, changed, invalidated):
        pass


def main():
    dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)
    bus = dbus.bus.BusConnection(sys.argv[1])
    peer = Peer(bus)
    name = dbus.service.BusName(IFACE, bus, do_not_queue=True)
    print('ready', flush=True)
    GLib.MainLoop().run()
    del peer, name


if __name__ == '__main__':
    main()

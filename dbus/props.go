package dbus

import (
	"context"
)

// PropertiesInterface is org.freedesktop.DBus.Properties (standard-interfaces-properties).
const PropertiesInterface = "org.freedesktop.DBus.Properties"

// GetProperty calls Properties.Get(ss) and returns the variant.
func (c *Conn) GetProperty(ctx context.Context, dest string, path ObjectPath, iface, prop string) (Variant, error) {
	body, err := c.Call(ctx, dest, path, PropertiesInterface, "Get", "ss", iface, prop)
	if err != nil {
		return Variant{}, err
	}
	if len(body) == 1 {
		if v, ok := body[0].(Variant); ok {
			return v, nil
		}
	}
	return Variant{}, textError("dbus: Get " + iface + "." + prop + " on " + string(path) +
		": reply " + goSyntax(body) + ", want one variant")
}

// GetAllProperties calls Properties.GetAll(s) and returns the a{sv} as a map.
func (c *Conn) GetAllProperties(ctx context.Context, dest string, path ObjectPath, iface string) (map[string]Variant, error) {
	body, err := c.Call(ctx, dest, path, PropertiesInterface, "GetAll", "s", iface)
	if err != nil {
		return nil, err
	}
	if len(body) == 1 {
		if m, err := variantMap(body[0]); err == nil {
			return m, nil
		}
	}
	return nil, textError("dbus: GetAll " + iface + " on " + string(path) +
		": reply " + goSyntax(body) + ", want a{sv}")
}

// variantMap converts a decoded a{sv}. A duplicate key is corrupt data
// (message-protocol-marshaling) and refused.
func variantMap(v any) (map[string]Variant, error) {
	entries, ok := v.([]DictEntry)
	if !ok {
		return nil, textError("dbus: got " + typeName(v) + ", want a{sv}")
	}
	m := make(map[string]Variant, len(entries))
	for _, e := range entries {
		k, ok1 := e.Key.(string)
		val, ok2 := e.Value.(Variant)
		if !ok1 || !ok2 {
			return nil, textError("dbus: dict entry " + typeName(e.Key) + "/" + typeName(e.Value) + ", want string/variant")
		}
		if _, dup := m[k]; dup {
			return nil, textError(quoted("dbus: a{sv}: key ", k, " appears twice"))
		}
		m[k] = val
	}
	return m, nil
}

// ParsePropertiesChanged decodes the PropertiesChanged(sa{sv}as) signal.
// It checks the interface, member and signature; whether the sender is the
// service's current owner is the caller's check (compare m.Sender).
func ParsePropertiesChanged(m *Message) (iface string, changed map[string]Variant, invalidated []string, err error) {
	if m.Type != TypeSignal || m.Interface != PropertiesInterface || m.Member != "PropertiesChanged" {
		return "", nil, nil, textError("dbus: " + m.Type.String() + " " + m.Interface + "." + m.Member +
			" is not PropertiesChanged")
	}
	if m.Signature != "sa{sv}as" || len(m.Body) != 3 {
		return "", nil, nil, textError(quoted("dbus: PropertiesChanged with signature ", string(m.Signature), ", want sa{sv}as"))
	}
	iface, _ = m.Body[0].(string)
	if changed, err = variantMap(m.Body[1]); err != nil {
		return "", nil, nil, wrap("dbus: PropertiesChanged from "+m.Sender+" on "+string(m.Path), err)
	}
	names, _ := m.Body[2].([]any)
	invalidated = make([]string, 0, len(names))
	for _, n := range names {
		s, _ := n.(string)
		invalidated = append(invalidated, s)
	}
	return iface, changed, invalidated, nil
}

// ParseNameOwnerChanged decodes org.freedesktop.DBus.NameOwnerChanged(sss).
// It only accepts the signal from the bus itself (SENDER
// org.freedesktop.DBus), so a peer cannot fake an owner change. An empty
// oldOwner means the name appeared, an empty newOwner that it vanished.
func ParseNameOwnerChanged(m *Message) (name, oldOwner, newOwner string, err error) {
	if m.Type != TypeSignal || m.Interface != busInterface || m.Member != "NameOwnerChanged" {
		return "", "", "", textError("dbus: " + m.Type.String() + " " + m.Interface + "." + m.Member + " is not NameOwnerChanged")
	}
	if m.Sender != busName || m.Path != busPath {
		return "", "", "", textError("dbus: NameOwnerChanged from " + m.Sender + " on " + string(m.Path) +
			", want " + busName + " on " + string(busPath))
	}
	if m.Signature != "sss" || len(m.Body) != 3 {
		return "", "", "", textError(quoted("dbus: NameOwnerChanged with signature ", string(m.Signature), ", want sss"))
	}
	name, _ = m.Body[0].(string)
	oldOwner, _ = m.Body[1].(string)
	newOwner, _ = m.Body[2].(string)
	return name, oldOwner, newOwner, nil
}

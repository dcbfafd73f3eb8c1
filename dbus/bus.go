package dbus

import (
	"context"
)

// The bus itself (message-bus-messages).
const (
	busName      = "org.freedesktop.DBus"
	busPath      = ObjectPath("/org/freedesktop/DBus")
	busInterface = "org.freedesktop.DBus"
)

func oneString(body []any) (string, bool) {
	if len(body) != 1 {
		return "", false
	}
	s, ok := body[0].(string)
	return s, ok
}

// callBus calls a method of org.freedesktop.DBus.
func (c *Conn) callBus(ctx context.Context, member string, sig Signature, args ...any) ([]any, error) {
	return c.Call(ctx, busName, busPath, busInterface, member, sig, args...)
}

// AddMatch asks the bus to route signals matching r to this connection.
func (c *Conn) AddMatch(ctx context.Context, r MatchRule) error {
	rule, err := r.checkedString()
	if err != nil {
		return err
	}
	_, err = c.callBus(ctx, "AddMatch", "s", rule)
	return err
}

// RemoveMatch removes a rule added by AddMatch (the same rule value).
func (c *Conn) RemoveMatch(ctx context.Context, r MatchRule) error {
	rule, err := r.checkedString()
	if err != nil {
		return err
	}
	_, err = c.callBus(ctx, "RemoveMatch", "s", rule)
	return err
}

// GetNameOwner returns the unique name owning name; a name without owner
// gives an *Error named ErrorNameHasNoOwner (see IsError).
func (c *Conn) GetNameOwner(ctx context.Context, name string) (string, error) {
	body, err := c.callBus(ctx, "GetNameOwner", "s", name)
	if err != nil {
		return "", err
	}
	owner, ok := oneString(body)
	if !ok {
		return "", textError("dbus: GetNameOwner returned " + goSyntax(body) + ", want one string")
	}
	return owner, nil
}

// WatchNameOwner starts tracking who owns name: it adds the
// NameOwnerChangedRule match first, then asks GetNameOwner, so no change
// can fall between the two. It returns the current owner ("" when the name
// has none). Keep the owner up to date from ParseNameOwnerChanged and trust
// a service's signals only when their Sender equals it.
func (c *Conn) WatchNameOwner(ctx context.Context, name string) (string, error) {
	if err := c.AddMatch(ctx, NameOwnerChangedRule(name)); err != nil {
		return "", err
	}
	owner, err := c.GetNameOwner(ctx, name)
	if IsError(err, ErrorNameHasNoOwner) {
		return "", nil
	}
	return owner, err
}

// RequestName flags and replies (bus-messages-request-name).
const (
	NameFlagAllowReplacement = 0x1
	NameFlagReplaceExisting  = 0x2
	NameFlagDoNotQueue       = 0x4

	RequestNamePrimaryOwner = 1
	RequestNameInQueue      = 2
	RequestNameExists       = 3
	RequestNameAlreadyOwner = 4
)

// RequestName asks the bus for a well-known name and returns its reply code.
func (c *Conn) RequestName(ctx context.Context, name string, flags uint32) (uint32, error) {
	body, err := c.callBus(ctx, "RequestName", "su", name, flags)
	if err != nil {
		return 0, err
	}
	if len(body) == 1 {
		if code, ok := body[0].(uint32); ok {
			return code, nil
		}
	}
	return 0, textError("dbus: RequestName returned " + goSyntax(body) + ", want one uint32")
}

// ReleaseName gives a well-known name back.
func (c *Conn) ReleaseName(ctx context.Context, name string) error {
	_, err := c.callBus(ctx, "ReleaseName", "s", name)
	return err
}

// NameOwnerChangedRule matches the bus's NameOwnerChanged signals for one
// name (arg0), the way to learn that a service restarted.
func NameOwnerChangedRule(name string) MatchRule {
	return MatchRule{Type: "signal", Sender: busName, Path: string(busPath),
		Interface: busInterface, Member: "NameOwnerChanged", Args: map[int]string{0: name}}
}

// PropertiesChangedRule matches PropertiesChanged from sender under a path
// namespace ("" for any path).
func PropertiesChangedRule(sender, pathNamespace string) MatchRule {
	return MatchRule{Type: "signal", Sender: sender, Interface: PropertiesInterface,
		Member: "PropertiesChanged", PathNamespace: pathNamespace}
}

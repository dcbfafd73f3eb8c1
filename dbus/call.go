package dbus

import (
	"context"
	"strconv"
)

// withDefaultTimeout gives ctx a DefaultTimeout deadline when it has none,
// so no call can wait forever.
func withDefaultTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, DefaultTimeout)
}

// Call invokes a method and waits for its reply until ctx ends (or
// DefaultTimeout when ctx has no deadline). An ERROR reply comes back as
// *Error; a lost connection, a timeout or a cancellation as other errors.
// The reply body is returned as decoded; check its types before use.
func (c *Conn) Call(ctx context.Context, dest string, path ObjectPath, iface, member string, sig Signature, args ...any) ([]any, error) {
	reply, err := c.CallMessage(ctx, &Message{Type: TypeMethodCall, Destination: dest, Path: path,
		Interface: iface, Member: member, Signature: sig, Body: args})
	if err != nil {
		return nil, err
	}
	return reply.Body, nil
}

// CallMessage sends a METHOD_CALL and returns the METHOD_RETURN (ERROR
// replies become *Error). It sets m.Serial. A message flagged
// NO_REPLY_EXPECTED gets no reply: send it with Send.
func (c *Conn) CallMessage(ctx context.Context, m *Message) (*Message, error) {
	if m.Type != TypeMethodCall || m.Flags&FlagNoReplyExpected != 0 {
		return nil, textError("dbus: CallMessage wants a method call expecting a reply, got " + m.Type.String() +
			" with flags 0x" + strconv.FormatUint(uint64(m.Flags), 16))
	}
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	m.Serial = c.nextSerial()
	ch := make(chan *Message, 1)
	c.mu.Lock()
	c.pending[m.Serial] = ch
	c.mu.Unlock()
	// Failures before and after sending share one exit that drops the
	// pending entry.
	err := c.send(ctx, m)
	on := "" // once the call went out, the message names its destination
	if err == nil {
		select {
		case reply := <-ch:
			if reply.Type == TypeError {
				e := &Error{Name: reply.ErrorName}
				if len(reply.Body) > 0 {
					e.Message, _ = reply.Body[0].(string)
				}
				return nil, e
			}
			return reply, nil
		case <-ctx.Done():
			err = ctx.Err()
		case <-c.done:
			err = c.err
		}
		on = " on " + m.Destination
	}
	c.mu.Lock()
	delete(c.pending, m.Serial)
	c.mu.Unlock()
	return nil, wrap("dbus: call "+m.Interface+"."+m.Member+on, err)
}

// Emit sends a signal from this connection.
func (c *Conn) Emit(ctx context.Context, path ObjectPath, iface, member string, sig Signature, args ...any) error {
	_, err := c.Send(ctx, &Message{Type: TypeSignal, Flags: FlagNoReplyExpected, Path: path,
		Interface: iface, Member: member, Signature: sig, Body: args})
	return err
}

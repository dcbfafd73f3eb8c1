package dbus

import (
	"context"
	"errors"
	"os"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// Dial connects to the bus at address ("" means SystemBusAddress()),
// authenticates and sends Hello, within DefaultTimeout.
func Dial(address string) (*Conn, error) {
	return DialContext(context.Background(), address) // DialContext adds the DefaultTimeout
}

// DialContext is Dial bounded by ctx. The address entries are tried in
// order; only unix:path= and unix:abstract= are supported. A guid= in the
// address must match the server's.
func DialContext(ctx context.Context, address string) (*Conn, error) {
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	if address == "" {
		address = SystemBusAddress()
	}
	addrs, err := ParseAddress(address)
	if err != nil {
		return nil, err
	}
	var errs []error
	for _, a := range addrs {
		c, err := dialAddress(ctx, a)
		if err == nil {
			return c, nil
		}
		errs = append(errs, err)
	}
	return nil, errors.Join(errs...)
}

func dialAddress(ctx context.Context, a Address) (*Conn, error) {
	if a.Transport != "unix" {
		return nil, textError(quoted("dbus: transport ", a.Transport, " not supported"))
	}
	var name string
	switch path, abstract := a.Params["path"], a.Params["abstract"]; {
	case path != "" && abstract == "":
		name = path
		if strings.HasPrefix(name, "@") {
			name = "./" + name // x/sys would read a leading @ as abstract
		}
	case abstract != "" && path == "":
		name = "@" + abstract
	default:
		return nil, textError("dbus: unix address needs exactly one of path= or abstract=")
	}
	f, err := connectUnix(ctx, name)
	if err != nil {
		return nil, err
	}
	c := newConn(f)
	dl, _ := ctx.Deadline()
	f.SetDeadline(dl)
	c.guid, err = authenticate(c.r, f, os.Getuid())
	if guid := a.Params["guid"]; err == nil && guid != "" && guid != c.guid {
		err = textError("dbus: server GUID " + c.guid + ", address wants " + guid)
	}
	if err == nil {
		f.SetDeadline(time.Time{})
		go c.readLoop()
		err = c.hello(ctx)
	}
	if err != nil {
		c.Close() // closes f
		return nil, wrap("dbus: "+name, err)
	}
	return c, nil
}

// connectUnix opens a non-blocking stream socket, so os.NewFile returns a
// poller-backed file with working deadlines, without importing net.
func connectUnix(ctx context.Context, name string) (*os.File, error) {
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK, 0)
	if err != nil {
		return nil, wrap("dbus: socket", err)
	}
	sa := &unix.SockaddrUnix{Name: name}
	err = unix.Connect(fd, sa)
	// A full listen backlog gives EAGAIN on a non-blocking unix socket.
	for delay := time.Millisecond; err == unix.EAGAIN; delay = min(2*delay, 100*time.Millisecond) {
		select {
		case <-ctx.Done():
			err = ctx.Err()
		case <-time.After(delay):
			err = unix.Connect(fd, sa)
		}
	}
	if err != nil {
		unix.Close(fd)
		return nil, wrap("dbus: connect "+name, err)
	}
	return os.NewFile(uintptr(fd), "dbus:"+name), nil
}

// hello sends org.freedesktop.DBus.Hello, which must be the first message
// (bus-messages-hello), and keeps the unique name.
func (c *Conn) hello(ctx context.Context) error {
	body, err := c.Call(ctx, busName, busPath, busInterface, "Hello", "")
	if err != nil {
		return err
	}
	name, ok := oneString(body)
	if !ok || checkBusName(name) != nil || !strings.HasPrefix(name, ":") {
		return textError("dbus: Hello returned " + goSyntax(body) + ", want a unique name")
	}
	c.unique = name
	return nil
}

package dbus

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultTimeout bounds Dial and every call whose context has no deadline
// (libdbus uses the same 25 s).
const DefaultTimeout = 25 * time.Second

// SignalQueueLen is the capacity of the Signals channel.
const SignalQueueLen = 1024

// maxReplying bounds concurrent answers to incoming method calls.
const maxReplying = 16

// ErrClosed is Err's value after Close.
var ErrClosed = errors.New("dbus: connection closed")

// Conn is a connection to a message bus. All methods are safe for
// concurrent use. One goroutine reads the socket and routes replies to their
// callers and signals to Signals; it never blocks on a slow consumer.
type Conn struct {
	f      *os.File
	r      *bufio.Reader
	wlock  chan struct{} // one slot: a write lock that a context can abandon
	serial atomic.Uint32
	guid   string
	unique string

	mu      sync.Mutex
	order   binary.ByteOrder
	pending map[uint32]chan *Message

	signals  chan *Message
	overflow chan struct{}
	dropped  atomic.Uint64
	replying chan struct{} // bounds the goroutines answering incoming calls

	done     chan struct{}
	failOnce sync.Once
	err      error // set before done is closed
}

func newConn(f *os.File) *Conn {
	return &Conn{
		f:        f,
		r:        bufio.NewReaderSize(f, 4096),
		wlock:    make(chan struct{}, 1),
		order:    binary.LittleEndian,
		pending:  map[uint32]chan *Message{},
		signals:  make(chan *Message, SignalQueueLen),
		overflow: make(chan struct{}, 1),
		replying: make(chan struct{}, maxReplying),
		done:     make(chan struct{}),
	}
}

// UniqueName is the name the bus assigned in reply to Hello (":1.42").
func (c *Conn) UniqueName() string { return c.unique }

// GUID is the server GUID from the authentication.
func (c *Conn) GUID() string { return c.guid }

// Done is closed when the connection is lost or closed; Err says why.
func (c *Conn) Done() <-chan struct{} { return c.done }

// Err is nil while the connection is up, then the reason it went down
// (ErrClosed after Close).
func (c *Conn) Err() error {
	select {
	case <-c.done:
		return c.err
	default:
		return nil
	}
}

// Signals delivers every SIGNAL message the bus routes to this connection
// (those matching its match rules, plus signals addressed to it such as
// NameAcquired). The channel holds SignalQueueLen messages. When it is full
// the reader drops the new signal instead of waiting, counts it in Dropped
// and pokes Overflow: a caller that sees either must resynchronise its state
// from scratch. The channel is closed after Done.
func (c *Conn) Signals() <-chan *Message { return c.signals }

// Dropped counts signals lost because Signals was full.
func (c *Conn) Dropped() uint64 { return c.dropped.Load() }

// Overflow receives a value (at most one pending) after signals were dropped.
func (c *Conn) Overflow() <-chan struct{} { return c.overflow }

// SetByteOrder chooses the byte order of outgoing messages (default little
// endian); receivers must handle both.
func (c *Conn) SetByteOrder(order binary.ByteOrder) {
	c.mu.Lock()
	c.order = order
	c.mu.Unlock()
}

// Close shuts the connection down; pending calls fail with ErrClosed.
func (c *Conn) Close() error {
	c.fail(ErrClosed)
	return nil
}

// fail records the first reason, wakes everyone through done and closes the
// socket, which also ends the reader.
func (c *Conn) fail(err error) {
	c.failOnce.Do(func() {
		c.err = err
		close(c.done)
		c.f.Close()
	})
}

// readLoop owns the read side. Any malformed message drops the connection
// (message-protocol-handling-invalid).
func (c *Conn) readLoop() {
	defer close(c.signals)
	for {
		b, err := readMessage(c.r)
		var m *Message
		if err == nil {
			m, err = DecodeMessage(b)
		}
		if err != nil {
			select {
			case <-c.done: // closed on purpose: keep that reason
			default:
				c.fail(wrap("dbus: connection lost", err))
			}
			return
		}
		c.dispatch(m)
	}
}

// readMessage reads one message, growing the buffer as bytes arrive so a
// header that merely claims 128 MiB does not allocate it.
func readMessage(r io.Reader) ([]byte, error) {
	b := make([]byte, headerLen, 512)
	if _, err := io.ReadFull(r, b); err != nil {
		return nil, err
	}
	total, err := MessageLength(b)
	if err != nil {
		return nil, err
	}
	for len(b) < total {
		n := min(total-len(b), 1<<20)
		b = slices.Grow(b, n)[:len(b)+n]
		if _, err := io.ReadFull(r, b[len(b)-n:]); err != nil {
			return nil, err
		}
	}
	return b, nil
}

func (c *Conn) dispatch(m *Message) {
	switch m.Type {
	case TypeMethodReturn, TypeError:
		c.mu.Lock()
		ch := c.pending[m.ReplySerial]
		delete(c.pending, m.ReplySerial)
		c.mu.Unlock()
		if ch != nil {
			ch <- m // buffered 1, sole sender
		}
	case TypeSignal:
		select {
		case c.signals <- m:
		default:
			c.dropped.Add(1)
			select {
			case c.overflow <- struct{}{}:
			default:
			}
		}
	case TypeMethodCall:
		if m.Flags&FlagNoReplyExpected != 0 {
			return
		}
		select {
		case c.replying <- struct{}{}:
			go func() {
				defer func() { <-c.replying }()
				c.answer(m)
			}()
		default: // a flood of calls: the callers get no reply and time out
		}
	}
	// Other types are ignored (message-protocol-messages).
}

// answer replies to calls made to us: we export no objects, but answer Peer.Ping.
func (c *Conn) answer(call *Message) {
	reply := &Message{Type: TypeMethodReturn, ReplySerial: call.Serial, Destination: call.Sender,
		Flags: FlagNoReplyExpected}
	if call.Interface != "org.freedesktop.DBus.Peer" || call.Member != "Ping" {
		reply.Type = TypeError
		reply.ErrorName = ErrorUnknownMethod
		reply.Signature = "s"
		reply.Body = []any{"no method " + call.Interface + "." + call.Member + " on " + string(call.Path)}
	}
	// Send bounds the write by DefaultTimeout. Best effort: a failure here is
	// the connection's failure.
	c.Send(context.Background(), reply)
}

func (c *Conn) nextSerial() uint32 {
	for {
		if s := c.serial.Add(1); s != 0 {
			return s
		}
	}
}

// Send assigns m a serial, encodes it and writes it; it does not wait for a
// reply. Use it for signals and raw messages. Writing is bounded by ctx (or
// DefaultTimeout) like every call.
func (c *Conn) Send(ctx context.Context, m *Message) (uint32, error) {
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	m.Serial = c.nextSerial()
	return m.Serial, c.send(ctx, m)
}

func (c *Conn) send(ctx context.Context, m *Message) error {
	c.mu.Lock()
	order := c.order
	c.mu.Unlock()
	b, err := m.Encode(order)
	if err != nil {
		return err
	}
	return c.write(ctx, b)
}

// write sends b whole. A write cut short by the deadline leaves half a
// message on the stream, so the connection is dropped then.
func (c *Conn) write(ctx context.Context, b []byte) error {
	select {
	case c.wlock <- struct{}{}:
	case <-ctx.Done():
		return wrap("dbus: waiting to send", ctx.Err())
	case <-c.done:
		return c.err
	}
	defer func() { <-c.wlock }()
	select {
	case <-c.done: // select picks at random when both were ready
		return c.err
	default:
	}
	dl, _ := ctx.Deadline()
	c.f.SetWriteDeadline(dl)
	n, err := c.f.Write(b)
	if err != nil {
		if n > 0 {
			c.fail(wrap("dbus: message cut short after "+strconv.Itoa(n)+" of "+strconv.Itoa(len(b))+" bytes", err))
		} else if !errors.Is(err, os.ErrDeadlineExceeded) {
			c.fail(wrap("dbus: connection lost", err))
		}
		return wrap("dbus: send", err)
	}
	return nil
}

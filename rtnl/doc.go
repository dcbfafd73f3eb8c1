// Package rtnl is a small rtnetlink client: it dumps links, addresses,
// routes and policy rules into plain structs, adds and deletes rules and
// routes, and subscribes to change notifications.
//
// # Invariants
//
//   - Every datagram is checked to come from the kernel by the sender's
//     socket address (nl_pid == 0), never by the message header
//     (protocols.md §4.6).
//   - Every length is checked before it is read; a malformed datagram is an
//     error, never a panic. Unknown attributes are skipped.
//   - Host byte order (binary.NativeEndian) throughout, as the kernel speaks.
//   - Any receive error on a Monitor, and any truncated notification, is
//     reported as ErrOverrun: events were lost and the caller must resync
//     with a dump (Conn.Links, Conn.Addresses, Conn.Routes, Conn.Rules).
//     NETLINK_NO_ENOBUFS is never set. After an overrun the kernel silently
//     drops every further notification until the socket's queue has been
//     read empty, so Receive discards the queue before it returns
//     ErrOverrun; a dump taken after that covers everything discarded.
//   - Dumps interrupted by a concurrent change (NLM_F_DUMP_INTR) are retried
//     a few times; after that the last result is returned together with
//     ErrDumpInterrupted.
//
// # Network namespaces
//
// A netlink socket belongs to the network namespace of the thread that
// created it, for its whole life. To talk to another namespace, call Dial or
// Subscribe on a locked OS thread switched into it (for example with
// internal/nstest's NS.Do, or setns(2) on a thread of your own); the returned
// Conn or Monitor can then be used from any goroutine.
package rtnl

//go:build capture

package rtnl

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"network-broker/internal/nstest"
)

// TestCapture re-records testdata/ from the running kernel (as root):
//
//	go test -tags capture -run '^TestCapture$' ./rtnl
//
// The build tag keeps this harness out of ordinary test runs.
// It builds the topology of topology_test.go in a fresh namespace and
// writes the raw datagrams the kernel sent: dump replies, notifications
// and error acks. testdata/README.md says when and where they were taken.
func TestCapture(t *testing.T) {
	ns := nstest.New(t)
	buildTopology(t, ns)
	c := dialIn(t, ns)
	rec := &recorder{transport: c.s}
	c.s = rec

	dumps := []struct {
		file string
		do   func() error
	}{
		{"dump-links.bin", func() error { _, err := c.Links(); return err }},
		{"dump-addrs.bin", func() error { _, err := c.Addresses(afUnspec); return err }},
		{"dump-routes4.bin", func() error { _, err := c.Routes(afInet); return err }},
		{"dump-routes6.bin", func() error { _, err := c.Routes(afInet6); return err }},
		{"dump-rules4.bin", func() error { _, err := c.Rules(afInet); return err }},
		{"dump-rules6.bin", func() error { _, err := c.Rules(afInet6); return err }},
		{"ack-error-capped.bin", func() error {
			err := c.AddRoute(Route{Family: afInet, Type: 99})
			if err == nil {
				return fmt.Errorf("route type 99 accepted")
			}
			return nil
		}},
	}
	for _, d := range dumps {
		rec.got = nil
		if err := d.do(); err != nil {
			t.Fatalf("%s: %v", d.file, err)
		}
		writeDatagrams(t, d.file, rec.got)
	}
	captureUncappedError(t, ns)
	captureNotifications(t, ns)
}

// recorder keeps a copy of every datagram its transport receives.
type recorder struct {
	transport
	got [][]byte
}

func (r *recorder) recv() ([]byte, bool, error) {
	b, trunc, err := r.transport.recv()
	if err == nil {
		r.got = append(r.got, append([]byte(nil), b...))
	}
	return b, trunc, err
}

// writeDatagrams stores datagrams back to back; kernel datagrams end
// aligned, so the file is itself a valid message sequence.
func writeDatagrams(t *testing.T, name string, dgs [][]byte) {
	t.Helper()
	var all []byte
	for _, d := range dgs {
		if len(d)%4 != 0 {
			t.Fatalf("%s: datagram of %d bytes is not 4-aligned", name, len(d))
		}
		all = append(all, d...)
	}
	if _, err := splitMessages(all); err != nil {
		t.Fatalf("%s: recorded bytes do not split into messages: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join("testdata", name), all, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote testdata/%s: %d datagrams, %d bytes", name, len(dgs), len(all))
}

// captureUncappedError records an error ack from a socket without
// NETLINK_CAP_ACK: the whole request is echoed before the extack TLVs.
func captureUncappedError(t *testing.T, ns *nstest.NS) {
	var s *socket
	if err := ns.Do(func() (err error) { s, err = openSocket(); return err }); err != nil {
		t.Fatal(err)
	}
	defer s.close()
	if err := s.setInt(unix.SOL_NETLINK, unix.NETLINK_EXT_ACK, 1); err != nil {
		t.Fatal(err)
	}
	payload, err := encodeRoute(Route{Family: afInet, Type: 99}, true)
	if err != nil {
		t.Fatal(err)
	}
	req := encodeMessage(unix.RTM_NEWROUTE, unix.NLM_F_REQUEST|unix.NLM_F_ACK|unix.NLM_F_CREATE|unix.NLM_F_EXCL, 7, payload)
	if err := s.send(req); err != nil {
		t.Fatal(err)
	}
	b, _, err := s.recv()
	if err != nil {
		t.Fatal(err)
	}
	writeDatagrams(t, "ack-error-echo.bin", [][]byte{append([]byte(nil), b...)})
}

// captureNotifications makes one change per step and keeps the first
// datagram that carries the expected message.
func captureNotifications(t *testing.T, ns *nstest.NS) {
	var s *socket
	if err := ns.Do(func() (err error) { s, err = openSocket(); return err }); err != nil {
		t.Fatal(err)
	}
	defer s.close()
	for _, g := range defaultGroups {
		if err := s.setInt(unix.SOL_NETLINK, unix.NETLINK_ADD_MEMBERSHIP, int(g)); err != nil {
			t.Fatal(err)
		}
	}
	steps := []struct {
		file  string
		args  []string
		match func(Event) bool
	}{
		{"notify-newlink.bin", []string{"link", "add", "capx", "mtu", "1300", "type", "veth", "peer", "name", "capy"},
			func(e Event) bool { return e.Type == unix.RTM_NEWLINK && e.Link.Name == "capx" }},
		{"notify-newaddr4.bin", []string{"addr", "add", "203.0.113.9/28", "dev", "capx", "label", "capx:nine"},
			func(e Event) bool { return e.Type == unix.RTM_NEWADDR && e.Addr.Label == "capx:nine" }},
		{"notify-newaddr6.bin", []string{"addr", "add", "2001:db8:9::9/80", "dev", "capx", "nodad"},
			func(e Event) bool { return e.Type == unix.RTM_NEWADDR && e.Addr.PrefixLen == 80 }},
		{"notify-newroute-multipath.bin", []string{"route", "add", "10.40.0.0/16", "table", "4000", "nexthop", "via", "198.51.100.251", "dev", "cap0", "weight", "4", "nexthop", "via", "198.51.100.250", "dev", "cap0"},
			func(e Event) bool { return e.Type == unix.RTM_NEWROUTE && e.Route.Table == 4000 }},
		{"notify-delroute.bin", []string{"route", "del", "10.40.0.0/16", "table", "4000"},
			func(e Event) bool { return e.Type == unix.RTM_DELROUTE && e.Route.Table == 4000 }},
		{"notify-newrule6.bin", []string{"-6", "rule", "add", "from", "2001:db8:9::/48", "lookup", "4000", "prio", "900"},
			func(e Event) bool { return e.Type == unix.RTM_NEWRULE && e.Rule.Priority == 900 }},
		{"notify-delrule4.bin", []string{"rule", "del", "prio", "100"},
			func(e Event) bool { return e.Type == unix.RTM_DELRULE && e.Rule.Priority == 100 }},
		{"notify-dellink.bin", []string{"link", "del", "capx"},
			func(e Event) bool { return e.Type == unix.RTM_DELLINK && e.Link.Name == "capx" }},
	}
	for _, st := range steps {
		ns.IP(t, st.args...)
		writeDatagrams(t, st.file, [][]byte{awaitEvent(t, s, st.match)})
	}
}

// awaitEvent reads datagrams until one holds an event that matches.
func awaitEvent(t *testing.T, s *socket, match func(Event) bool) []byte {
	s.f.SetReadDeadline(time.Now().Add(5 * time.Second))
	defer s.f.SetReadDeadline(time.Time{})
	for {
		b, _, err := s.recv()
		if err != nil {
			t.Fatalf("waiting for a notification: %v", err)
		}
		evs, err := DecodeMessages(b)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range evs {
			if match(e) {
				return append([]byte(nil), b...)
			}
		}
	}
}

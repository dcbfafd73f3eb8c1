package main

import (
	"context"
	"os"
	"slices"
	"time"

	"network-broker/dbus"
)

// runDump prints the JSON array of every link object as scripts would see
// it. networkd's states are added when it answers on the bus.
func runDump(cfg *Config) int {
	k, err := dumpKernel()
	if err != nil {
		os.Stderr.WriteString("network-broker: netlink dump: " + err.Error() + "\n")
		return 1
	}
	log := newLogger(os.Stderr, "error", "text")
	b := newBroker(cfg, log, nil)
	b.applyKernelSync(k)
	if cfg.Generator != genKernel {
		if s, ok := dumpNetworkd(); ok {
			for idx, props := range s.links {
				b.applyLinkStates(idx, props)
			}
		}
	}
	idx := make([]int, 0, len(b.links))
	for i, l := range b.links {
		if l.inKern {
			idx = append(idx, int(i))
		}
	}
	slices.Sort(idx)
	out := []byte{'['}
	for n, i := range idx {
		if n > 0 {
			out = append(out, ',', '\n')
		}
		v := b.links[int32(i)].shared() // nothing changes the links any more
		out = append(out, linkJSON(&v, readLinkExtra(int32(i)))...)
	}
	out = append(out, ']', '\n')
	os.Stdout.Write(out)
	return 0
}

// dumpNetworkd reads networkd's states, if it is there.
func dumpNetworkd() (stateSync, bool) {
	c, err := dbus.Dial("")
	if err != nil {
		return stateSync{}, false
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	owner, err := c.GetNameOwner(ctx, ndName)
	if err != nil {
		return stateSync{}, false
	}
	s, err := readNetworkd(context.Background(), 3*time.Second, c, owner)
	return s, err == nil
}

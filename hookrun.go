package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"network-broker/hooks"
)

// hookPATH is the only PATH scripts get: the daemon's own environment is
// never passed on.
const hookPATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// networkdRun is where networkd keeps link state and lease files.
var networkdRun = "/run/systemd/netif"

// hookRunner turns decisions of the loop into queued hook runs. The
// environment is built when a run starts, from the loop's state then, so
// the kernel facts in JSON are those of the moment the script starts.
type hookRunner struct {
	ctx    context.Context
	cfg    func() *Config
	log    *logger
	queue  *hooks.Queue
	runner hooks.Runner
	view   func(ctx context.Context, index int32) (linkView, bool)
	// lease returns the DHCP_LEASE value of a link (dhclient or networkd).
	lease func(index int32) string
}

// viewOrGone returns the link as the loop knows it now (a rename since
// the run was queued shows), or, for a link removed meanwhile, its index
// and the name it had.
func (h *hookRunner) viewOrGone(index int32, name string) linkView {
	v, ok := h.view(h.ctx, index)
	if !ok || v.Kernel.Name == "" {
		v = linkView{Index: index}
		v.Kernel.Name = name
	}
	return v
}

// forget drops what the queue remembers of a removed link.
func (h *hookRunner) forget(index int32) { h.queue.Forget(itoa32(index)) }

// submitLink queues <value>.d for a change of prop on a link.
func (h *hookRunner) submitLink(index int32, name, prop, value, old string) {
	// SubmitValue never reports one state twice in a row, even when a
	// superseded run lies between, and hands over the state the scripts
	// last saw as OLD_STATE.
	h.queue.SubmitValue(itoa32(index), prop, old, value, func(last string) {
		h.runLink(index, name, value, last)
	})
}

// runLink runs one link state directory.
func (h *hookRunner) runLink(index int32, name, state, old string) {
	v := h.viewOrGone(index, name)
	h.runLinkDir(&v, state+".d", func() []string {
		return []string{"STATE=" + state, "OLD_STATE=" + old, "DHCP_LEASE=" + h.lease(index)}
	})
}

// submitLease queues routable.d for a new dhclient lease, with
// DHCP_LEASE and the original broker's DNS and DOMAIN variables.
func (h *hookRunner) submitLease(index int32, name string, l Lease) {
	h.queue.Submit(itoa32(index), "lease", func() {
		v := h.viewOrGone(index, name)
		h.runLinkDir(&v, "routable.d", func() []string {
			return []string{"STATE=routable", "OLD_STATE=", "DHCP_LEASE=" + l.Env(),
				"DNS=" + addrsKey(l.DNS()), "DOMAIN=" + leaseEnvEscape(l.Domain())}
		})
	})
}

// submitRoutes queues routes-modified.d for a link.
func (h *hookRunner) submitRoutes(index int32, name string) {
	h.queue.Submit(itoa32(index), "routes", func() {
		v, ok := h.view(h.ctx, index)
		if !ok {
			return // the link is gone
		}
		h.runLinkDir(&v, "routes-modified.d", func() []string { return []string{"STATE=routes-modified"} })
	})
}

// runLinkDir runs a hook directory of a link with linkEnv and the
// variables of extra, unless the link is not selected or the directory is
// empty; extra is called only when the scripts run.
func (h *hookRunner) runLinkDir(v *linkView, dir string, extra func() []string) {
	cfg := h.cfg()
	name := v.Kernel.Name
	if !cfg.linkSelected(name) || h.empty(dir) {
		return
	}
	h.runDir(dir, name, append(h.linkEnv(cfg, v, name), extra()...))
}

// submitManager queues manager.d with the manager's state values.
func (h *hookRunner) submitManager(states []string) {
	h.queue.Submit("manager", "manager", func() {
		env := append([]string{hookPATH, "STATE=manager"}, states...)
		h.runDir("manager.d", "", env)
	})
}

// linkEnv is the environment of DESIGN.md §5 without STATE/OLD_STATE.
func (h *hookRunner) linkEnv(cfg *Config, v *linkView, name string) []string {
	env := []string{hookPATH, "LINK=" + name, "LINKINDEX=" + itoa32(v.Index), "IFACE=" + name}
	for _, p := range linkStateProps {
		if val := v.States[p]; val != "" {
			env = append(env, p+"="+val)
		}
	}
	var v4, v6 []string
	for i := range v.Addrs {
		if a := v.Addrs[i].Addr; a.Is4() {
			v4 = append(v4, a.String())
		} else {
			v6 = append(v6, a.String())
		}
	}
	addr := "" // the first IPv4 address, else the first IPv6 one
	if len(v4) > 0 {
		addr = v4[0]
	} else if len(v6) > 0 {
		addr = v6[0]
	}
	env = append(env, "ADDR="+addr, "IP_ADDRS="+strings.Join(v4, " "), "IP6_ADDRS="+strings.Join(v6, " "))
	if cfg.EmitJSON {
		env = append(env, "JSON="+string(linkJSON(v, readLinkExtra(v.Index))))
	}
	return env
}

// empty reports a hook directory with no entries at all, none there, or
// a file in its place: then nothing is run, and the environment (JSON
// above all) is not built. A directory with entries goes through
// discovery and its checks; one that cannot be read is reported there.
func (h *hookRunner) empty(dir string) bool {
	names, err := hooks.ReadDirNames(filepath.Join(h.cfg().Dir, dir))
	if err != nil {
		return os.IsNotExist(err) || errors.Is(err, syscall.ENOTDIR)
	}
	return len(names) == 0
}

// runDir runs every script of one hook directory with env.
func (h *hookRunner) runDir(dir, link string, env []string) {
	cfg := h.cfg()
	r := h.runner
	r.Timeout = cfg.HookTimeout
	r.Output = func(l hooks.Line) {
		h.log.Info("script output", "script", l.Script, "link", link, "stream", l.Stream, "line", l.Text)
	}
	path := filepath.Join(cfg.Dir, dir)
	results := r.RunDir(h.ctx, path, env, func(s hooks.Skip) {
		h.log.Warn("script skipped", "dir", path, "script", s.Name, "reason", s.Reason)
	})
	for _, res := range results {
		kv := []any{"script", res.Script, "dir", dir, "link", link, "exit", res.ExitCode, "duration", res.Duration}
		switch {
		case errors.Is(res.Err, hooks.ErrStopped):
			h.log.Info("script not started: stopping", kv...)
		case res.Err != nil:
			h.log.Error("script failed to run", append(kv, "err", res.Err)...)
		case res.TimedOut:
			h.log.Error("script timed out and was killed", kv...)
		case res.ExitCode != 0 || res.Signal != "":
			h.log.Warn("script failed", append(kv, "signal", res.Signal)...)
		default:
			h.log.Debug("script done", kv...)
		}
	}
}

// readLinkExtra reads DNS, NTP and domains from networkd's state file
// /run/systemd/netif/links/N (absent: nothing).
func readLinkExtra(index int32) linkExtra {
	data, err := readFile(filepath.Join(networkdRun, "links", itoa32(index)))
	if err != nil {
		return linkExtra{}
	}
	var e linkExtra
	for _, line := range strings.Split(string(data), "\n") {
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		switch k {
		case "DNS":
			e.DNS = strings.Fields(v)
		case "NTP":
			e.NTP = strings.Fields(v)
		case "DOMAINS":
			e.Domains = strings.Fields(v)
		}
	}
	return e
}

// networkdLease returns networkd's lease file of a link as one line of
// KEY=value words (the original broker's DHCP_LEASE), "" when none.
func networkdLease(index int32) string {
	data, err := readFile(filepath.Join(networkdRun, "leases", itoa32(index)))
	if err != nil {
		return ""
	}
	var words []string
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		words = append(words, strings.Join(strings.Fields(line), ","))
	}
	return strings.Join(words, " ")
}

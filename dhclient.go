package main

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"time"

	"network-broker/inotify"
)

// maxLeaseFile bounds how much of a lease file is read; real ones are a
// few KiB (dhclient rewrites the file after about 20 appends).
const maxLeaseFile = 1 << 20

// leaseSync is a full read of every watched lease file: the last complete
// lease of each interface.
type leaseSync map[string]Lease

// dhclientSource watches the lease files through their directories
// (DESIGN.md §8): dhclient appends in place and rewrites the same inode, and
// a file may not exist yet, be deleted or replaced. Every relevant event,
// after a short debounce, re-reads all files; the loop compares.
type dhclientSource struct {
	log      *logger
	events   chan<- any
	patterns []string // absolute paths; the base name may be a pattern
	debounce time.Duration
}

// dirs returns the directories to watch.
func (d *dhclientSource) dirs() []string {
	seen := map[string]bool{}
	var out []string
	for _, p := range d.patterns {
		dir := filepath.Dir(p)
		if !seen[dir] {
			seen[dir] = true
			out = append(out, dir)
		}
	}
	return out
}

// matches reports whether a file in dir is one of the lease files.
func (d *dhclientSource) matches(dir, name string) bool {
	for _, p := range d.patterns {
		if filepath.Dir(p) != dir {
			continue
		}
		if ok, _ := filepath.Match(filepath.Base(p), name); ok {
			return true
		}
	}
	return false
}

func (d *dhclientSource) run(ctx context.Context) error {
	w, err := inotify.New()
	if err != nil {
		return err
	}
	go func() { <-ctx.Done(); w.Close() }()
	armed := map[string]bool{}
	d.arm(w, armed)
	d.send(ctx, d.read())

	evs := make(chan []inotify.Event)
	errs := make(chan error, 1)
	go func() {
		for {
			e, err := w.Read()
			if errors.Is(err, inotify.ErrOverflow) {
				d.log.Warn("inotify queue overflowed; re-reading the lease files")
				e = append(e, inotify.Event{Name: "*overflow*"})
			} else if err != nil {
				errs <- err
				return
			}
			evs <- e
		}
	}()
	rearm := time.NewTicker(time.Second)
	defer rearm.Stop()
	var due <-chan time.Time
	for {
		select {
		case <-ctx.Done():
			return nil
		case err := <-errs:
			if ctx.Err() != nil {
				return nil
			}
			return err
		case e := <-evs:
			if d.relevant(e, armed) {
				due = time.After(d.debounce)
			}
		case <-rearm.C:
			if d.arm(w, armed) {
				due = time.After(d.debounce) // a directory appeared: files may be there
			}
		case <-due:
			due = nil
			d.send(ctx, d.read())
		}
	}
}

// relevant reports whether events touch a lease file; it forgets
// directories that went away so arm retries them.
func (d *dhclientSource) relevant(evs []inotify.Event, armed map[string]bool) bool {
	hit := false
	for _, e := range evs {
		switch {
		case e.Name == "*overflow*":
			hit = true
		case e.Name == "" && e.Mask&(inotify.DeleteSelf|inotify.MoveSelf|inotify.Ignored) != 0:
			delete(armed, e.Dir)
			hit = true
		case d.matches(e.Dir, e.Name):
			hit = true
		}
	}
	return hit
}

// arm watches every directory not watched yet; true when one was added.
func (d *dhclientSource) arm(w *inotify.Watcher, armed map[string]bool) bool {
	added := false
	for _, dir := range d.dirs() {
		if armed[dir] {
			continue
		}
		if err := w.AddDir(dir, 0); err != nil {
			continue // missing for now: retried every second
		}
		d.log.Debug("watching lease directory", "dir", dir)
		armed[dir] = true
		added = true
	}
	return added
}

// read parses every lease file and keeps the last lease per interface;
// files are taken in modification order so the newest write wins.
func (d *dhclientSource) read() leaseSync {
	type file struct {
		path string
		mod  int64 // nanoseconds
	}
	var files []file
	for _, p := range d.patterns {
		for _, m := range globBase(p) {
			if mtime, ok := regularFile(m); ok {
				files = append(files, file{m, mtime})
			}
		}
	}
	// Insertion sort: stable, enough for a few files, and without
	// sort.SliceStable, whose reflection keeps time's formatting code in
	// the binary.
	for i := 1; i < len(files); i++ {
		for j := i; j > 0 && files[j].mod < files[j-1].mod; j-- {
			files[j], files[j-1] = files[j-1], files[j]
		}
	}
	out := leaseSync{}
	for _, f := range files {
		for iface, l := range d.parseFile(f.path) {
			out[iface] = l
		}
	}
	return out
}

func (d *dhclientSource) parseFile(path string) map[string]Lease {
	fh, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer fh.Close()
	data, err := io.ReadAll(io.LimitReader(fh, maxLeaseFile+1))
	if err != nil {
		d.log.Warn("cannot read lease file", "path", path, "err", err)
		return nil
	}
	if len(data) > maxLeaseFile {
		d.log.Warn("lease file too large, ignored", "path", path, "limit", maxLeaseFile)
		return nil
	}
	leases, errs := ParseLeases(data)
	for _, e := range errs {
		d.log.Warn("bad lease file entry skipped", "path", path, "line", e.Line, "col", e.Column, "err", e.Msg)
	}
	return LastLeases(leases)
}

func (d *dhclientSource) send(ctx context.Context, s leaseSync) {
	select {
	case d.events <- s:
	case <-ctx.Done():
	}
}

// applyLeases compares the leases with the last ones acted on: a changed
// lease (or a first one) runs routable.d and the pushes.
func (b *broker) applyLeases(s leaseSync) {
	b.leases = s
	b.statesSynced = true
	b.actOnLeases()
}

// actOnLeases acts on every lease whose interface exists and whose content
// differs from the last one acted on.
func (b *broker) actOnLeases() {
	if !b.kernelSynced {
		return
	}
	for iface, l := range b.leases {
		if old, ok := b.leasesActed[iface]; ok && old.Equal(l) {
			continue
		}
		link := b.linkByName(iface)
		if link == nil {
			b.log.Debug("lease for an interface that does not exist (yet)", "link", iface)
			continue
		}
		b.leasesActed[iface] = l
		b.log.Info("new DHCP lease", "link", iface, "ifindex", link.index, "address", l.FixedAddress)
		b.run.submitLease(link.index, iface, l)
		if b.push != nil && b.cfg.linkSelected(iface) {
			b.push.lease(link.index, iface, l) // Links limits the pushes too
		}
	}
}

func (b *broker) linkByName(name string) *link {
	for _, l := range b.links {
		if l.inKern && l.kernel.Name == name {
			return l
		}
	}
	return nil
}

package hooks

import (
	"context"
	"time"

	"golang.org/x/sys/unix"
)

// await waits until the script (process group leader pid) exits, or its
// timeout passes, or ctx is done; in the last two cases it stops the
// whole group. The leader is left as a zombie for the caller to reap:
// while it is not reaped its PID, and so the group ID, cannot be reused,
// so signalling the group never hits a stranger.
func (r *Runner) await(ctx context.Context, pid int) (timedOut bool, err error) {
	exited := make(chan struct{})
	go func() {
		waitExit(pid)
		close(exited)
	}()
	var timeout <-chan time.Time
	if d := or(r.Timeout, DefaultTimeout); d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		timeout = t.C
	}
	select {
	case <-exited:
		return false, nil
	case <-timeout:
		r.stop(pid, exited)
		return true, nil
	case <-ctx.Done():
		r.stop(pid, exited)
		return false, ctx.Err()
	}
}

// stop sends SIGTERM to the group, and SIGKILL once the leader has exited
// or the kill grace has passed (children that ignore SIGTERM go too);
// then it waits for the leader.
//
// The leader is signalled by PID as well: should it have left its group
// (setpgid, setsid), the group signal misses it.
func (r *Runner) stop(pid int, exited <-chan struct{}) {
	unix.Kill(-pid, unix.SIGTERM)
	unix.Kill(pid, unix.SIGTERM)
	grace := time.NewTimer(or(r.KillGrace, DefaultKillGrace))
	defer grace.Stop()
	select {
	case <-exited:
	case <-grace.C:
	}
	unix.Kill(-pid, unix.SIGKILL)
	unix.Kill(pid, unix.SIGKILL)
	<-exited
}

// waitExit blocks until pid has exited, without reaping it (WNOWAIT).
func waitExit(pid int) {
	var info unix.Siginfo
	for {
		err := unix.Waitid(unix.P_PID, pid, &info, unix.WEXITED|unix.WNOWAIT, nil)
		if err != unix.EINTR {
			return
		}
	}
}

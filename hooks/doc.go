// Package hooks finds, checks and runs hook scripts, and queues hook runs
// per key (a network link) so that runs for one key are ordered while
// different keys run in parallel.
//
// It is a general library: it knows nothing of links, states or the broker.
//
// # Discovery and checks
//
// [Discover] lists the executable regular files of a directory in byte
// order of their names. Entries are refused, each with a reason ([Skip]),
// when they are hidden, editor or package-manager leftovers, not regular
// files, masked (a symlink to /dev/null), not executable by their owner,
// setuid or setgid, not owned by root or the effective user, writable by
// group or others, or when a directory on the way to them is writable by
// group or others without the sticky bit.
//
// The check and the execution concern the same file (CVE-2022-29800):
// [Runner.Run] opens the script with O_PATH, checks the opened file with
// fstat, and executes that very descriptor as /proc/self/fd/3. A file
// swapped in after the check is never run. This needs /proc.
//
// # Running
//
// A script gets exactly the environment the caller passes (nothing of the
// daemon's), "/" as working directory, /dev/null as stdin, its own process
// group and the requested ambient capabilities. Its stdout and stderr are
// delivered line by line, with bounded line length and a bounded total per
// run. After a timeout the whole process group gets SIGTERM, then SIGKILL.
// A background child that keeps the output pipes open does not block the
// run: once the script itself has exited, the output is awaited only for a
// short grace period.
//
// # Queue
//
// [Queue] runs jobs submitted under a key and a class. Jobs of one key run
// one at a time in submission order; different keys run in parallel up to a
// bound. A pending job is superseded by a newer one of the same key and
// class: the older one is dropped (and reported), the newer one goes to the
// back of the key's queue, so the latest value always runs last.
// [Queue.SubmitValue] also keeps a value from running twice in a row
// when superseding would make it follow itself, and tells the job the old
// value the scripts last saw. [Queue.Shutdown] drops the pending jobs and
// waits for the running ones.
//
// # Limits and caveats
//
//   - /proc must be mounted: the opened script runs as /proc/self/fd/3,
//     and its real path is read from there for the directory checks.
//   - A #! script sees $0 = /proc/self/fd/3 (not its name), and fd 3
//     stays open in it.
//   - Only a timeout or a cancelled context kills the process group; a
//     script that exits normally may leave children running on purpose.
//     Children that setsid() or setpgid() away escape the group kill.
//   - A child still holding the output pipes after the script's exit and
//     the output grace finds them closed: its next write gets EPIPE or
//     SIGPIPE. Scripts starting services should redirect their output.
//   - The directory checks walk the real path by name after the open;
//     they tell whether someone other than root or us could have placed
//     the file, and are best effort against a concurrent rename above.
//   - Environment strings are checked before the start (KEY=value, no NUL,
//     below MAX_ARG_STRLEN, no key twice); the total size is left to the
//     kernel, whose E2BIG is reported as the start error.
package hooks

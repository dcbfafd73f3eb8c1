package hooks

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"strconv"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// Defaults for the zero fields of a Runner.
const (
	DefaultTimeout     = 30 * time.Second
	DefaultKillGrace   = 2 * time.Second
	DefaultOutputGrace = 250 * time.Millisecond
	DefaultMaxLine     = 4096
	DefaultMaxOutput   = 64 << 10
)

// Line is one line a script wrote, without its newline (and without a
// trailing carriage return). A line longer than Runner.MaxLine arrives in
// pieces of MaxLine bytes.
type Line struct {
	Script string // the script's name
	Stream string // "stdout" or "stderr"
	Text   string
}

// Result is the outcome of one run.
type Result struct {
	Script   string        // the script's name
	ExitCode int           // the exit status; -1 when killed by a signal or not started
	Signal   string        // the signal that ended it, e.g. "SIGKILL"; "" when it exited
	Duration time.Duration // from start to the end of the run
	TimedOut bool          // ended by Runner.Timeout
	Dropped  int           // output lines not delivered (over Runner.MaxOutput)
	Err      error         // refused (*SkipError), not started, or stopped by the context
}

// Runner runs hook scripts. The zero value is ready to use. A Runner is
// configuration only and holds no state: it may be used by many goroutines
// at once, and copied to vary a field (for example Output) per run.
type Runner struct {
	Timeout     time.Duration // per script; 0 means DefaultTimeout, < 0 none
	KillGrace   time.Duration // SIGTERM to SIGKILL delay; 0 means DefaultKillGrace
	OutputGrace time.Duration // wait for output after exit; 0 means DefaultOutputGrace
	MaxLine     int           // longest delivered line; < 1 means DefaultMaxLine
	MaxOutput   int           // bytes delivered per run; 0 means DefaultMaxOutput, < 0 delivers none
	Output      func(Line)    // gets every line, serialised per run; may be nil; must not block for long
	Ambient     []uintptr     // capabilities raised as ambient in the script
	// Stop, once closed, keeps RunDir from starting further scripts; the
	// one running goes on to its end or timeout (a daemon shutting down).
	Stop <-chan struct{}

	// afterCheck, when set, is called between the checks and the start;
	// tests use it to swap the file.
	afterCheck func(*Script)
}

// RunDir discovers the scripts of dir and runs them one after another, in
// order, each with env. Refused entries, at discovery or at run time, go
// to skipped (which may be nil) and get no Result. A failing script does
// not stop the others. When ctx is done, the scripts not yet started get
// a Result with Err set to the context's error. A dir that cannot be read
// gives one Result with Script set to dir and the error.
func (r *Runner) RunDir(ctx context.Context, dir string, env []string, skipped func(Skip)) []Result {
	scripts, skips, err := Discover(dir)
	if err != nil {
		return []Result{{Script: dir, ExitCode: -1, Err: err}}
	}
	report := func(s Skip) {
		if skipped != nil {
			skipped(s)
		}
	}
	for _, s := range skips {
		report(s)
	}
	var results []Result
	for _, s := range scripts {
		if err := ctx.Err(); err != nil {
			results = append(results, Result{Script: s.Name, ExitCode: -1, Err: err})
			continue
		}
		if r.stopped() {
			results = append(results, Result{Script: s.Name, ExitCode: -1, Err: ErrStopped})
			continue
		}
		res := r.Run(ctx, s, env)
		var refused *SkipError
		if errors.As(res.Err, &refused) {
			report(refused.Skip)
			continue
		}
		results = append(results, res)
	}
	return results
}

// ErrStopped is the Result error of a script RunDir did not start because
// Runner.Stop was closed.
var ErrStopped = errors.New("hooks: not started: stopping")

func (r *Runner) stopped() bool {
	select {
	case <-r.Stop:
		return true
	default:
		return false
	}
}

// Run checks s again on the opened file and runs that file with exactly
// env (nil means an empty environment). It returns when the script has
// exited and its output is read, or the output grace has passed.
// Cancelling ctx stops the script like a timeout, without TimedOut.
func (r *Runner) Run(ctx context.Context, s *Script, env []string) Result {
	if s == nil {
		return Result{ExitCode: -1, Err: errors.New("hooks: Run: nil script")}
	}
	start := time.Now()
	res := r.run(ctx, s, env)
	res.Script = s.Name
	res.Duration = time.Since(start)
	return res
}

// run does Run's work; Run fills in the name and duration.
func (r *Runner) run(ctx context.Context, s *Script, env []string) Result {
	fail := func(err error) Result { return Result{ExitCode: -1, Err: err} }
	if err := ctx.Err(); err != nil {
		return fail(wrap("hooks: "+s.Name+": not started: ", err))
	}
	if err := checkEnv(env); err != nil {
		return fail(wrap("hooks: "+s.Name+": ", err))
	}
	if reason := nameReason(s.Name); reason != "" {
		return fail(&SkipError{Skip{Name: s.Name, Reason: reason}})
	}
	script, reason, err := openChecked(s.Path)
	if err != nil {
		return fail(err)
	}
	if reason != "" {
		return fail(&SkipError{Skip{Name: s.Name, Reason: reason}})
	}
	defer script.Close()
	if r.afterCheck != nil {
		r.afterCheck(s)
	}
	pid, outR, errR, err := r.start(s, script, env)
	if err != nil {
		return fail(err)
	}
	budget := &outputBudget{left: or(r.MaxOutput, DefaultMaxOutput), script: s.Name, out: r.Output}
	var readers sync.WaitGroup
	readers.Add(2)
	go r.read(&readers, outR, "stdout", budget)
	go r.read(&readers, errR, "stderr", budget)

	res := Result{}
	res.TimedOut, res.Err = r.await(ctx, pid)
	r.drain(&readers, outR, errR)
	var ws syscall.WaitStatus
	// Reaps the zombie await left.
	if _, err := ignoringEINTR(func() (int, error) { return syscall.Wait4(pid, &ws, 0, nil) }); err != nil {
		res.Err = errors.Join(res.Err, wrap("hooks: "+s.Name+": wait: ", err))
		res.ExitCode = -1
	} else {
		res.ExitCode, res.Signal = exitStatus(ws)
	}
	res.Dropped = budget.droppedLines()
	if res.Err != nil {
		res.Err = wrap("hooks: "+s.Name+": ", res.Err)
	}
	return res
}

// start executes the opened script file as /proc/self/fd/3 in its own
// process group, with stdin on /dev/null and its output on two pipes.
//
// Why /proc/self/fd/3 and not execveat(fd, "", AT_EMPTY_PATH): both run
// the checked file and not whatever the path names now, and both need
// /proc (for a #! script the kernel hands the interpreter a /dev/fd/N or
// /proc/self/fd/N path, which the descriptor must survive exec for).
// Passing the file as an extra descriptor works with syscall.StartProcess as
// it is, with no hand-written fork. The cost: a #! script sees
// $0 = /proc/self/fd/3, and descriptor 3 stays open in it.
func (r *Runner) start(s *Script, script *os.File, env []string) (int, *os.File, *os.File, error) {
	devnull, err := os.Open(os.DevNull)
	if err != nil {
		return 0, nil, nil, wrap("hooks: "+s.Name+": ", err)
	}
	defer devnull.Close()
	outR, outW, err := os.Pipe()
	if err != nil {
		return 0, nil, nil, wrap("hooks: "+s.Name+": ", err)
	}
	defer outW.Close()
	errR, errW, err := os.Pipe()
	if err != nil {
		outR.Close()
		return 0, nil, nil, wrap("hooks: "+s.Name+": ", err)
	}
	defer errW.Close()
	// syscall.StartProcess rather than os.StartProcess: the os one adds
	// a pidfd the runner does not use and a Stat whose FileInfo keeps
	// more of the standard library in the binary. Fd puts the files in
	// blocking mode, as os.StartProcess does; the deferred Closes keep
	// them alive until the child has its copies.
	pid, _, err := syscall.StartProcess("/proc/self/fd/3", []string{s.Name}, &syscall.ProcAttr{
		Dir:   "/",
		Env:   env,
		Files: []uintptr{devnull.Fd(), outW.Fd(), errW.Fd(), script.Fd()},
		Sys:   &syscall.SysProcAttr{Setpgid: true, AmbientCaps: r.Ambient},
	})
	if err != nil {
		err = &fs.PathError{Op: "fork/exec", Path: "/proc/self/fd/3", Err: err} // as os.StartProcess reports it
		outR.Close()
		errR.Close()
		switch {
		case errors.Is(err, unix.ENOENT):
			err = &wrapError{err.Error() + " (is the #! interpreter missing?)", err}
		case errors.Is(err, unix.EPERM) && len(r.Ambient) > 0:
			err = &wrapError{err.Error() + " (raising ambient capabilities " + formatCaps(r.Ambient) +
				" needs them in our permitted set)", err}
		}
		return 0, nil, nil, wrap("hooks: "+s.Name+": start: ", err)
	}
	return pid, outR, errR, nil
}

// read feeds one output pipe to the budget until EOF or until drain
// closes the pipe.
func (r *Runner) read(wg *sync.WaitGroup, f *os.File, stream string, b *outputBudget) {
	defer wg.Done()
	sp := lineSplitter{
		max:  r.maxLine(),
		emit: func(text []byte, _ bool) { b.line(stream, text) },
	}
	buf := make([]byte, 32<<10)
	for {
		n, err := f.Read(buf)
		sp.write(buf[:n])
		if err != nil {
			break
		}
	}
	sp.flush()
}

// drain waits for both readers; when a background child keeps a pipe
// open past the output grace, it closes the read ends to end them. The
// child then gets EPIPE (or SIGPIPE) if it writes again.
func (r *Runner) drain(readers *sync.WaitGroup, outR, errR *os.File) {
	done := make(chan struct{})
	go func() {
		readers.Wait()
		close(done)
	}()
	grace := time.NewTimer(or(r.OutputGrace, DefaultOutputGrace))
	defer grace.Stop()
	select {
	case <-done:
	case <-grace.C:
	}
	outR.Close() // also unblocks a pending Read
	errR.Close()
	<-done
}

// exitStatus turns a wait status into an exit code (-1 when the script
// did not exit) and a signal name.
func exitStatus(ws syscall.WaitStatus) (int, string) {
	if ws.Signaled() {
		return -1, unix.SignalName(ws.Signal())
	}
	return ws.ExitStatus(), ""
}

// maxLine returns the line length bound; values below 1 mean the default.
func (r *Runner) maxLine() int {
	if r.MaxLine < 1 {
		return DefaultMaxLine
	}
	return r.MaxLine
}

// formatCaps writes caps as %v writes a slice: "[12 21]".
func formatCaps(caps []uintptr) string {
	b := []byte{'['}
	for i, c := range caps {
		if i > 0 {
			b = append(b, ' ')
		}
		b = strconv.AppendUint(b, uint64(c), 10)
	}
	return string(append(b, ']'))
}

// or returns v, or def when v is zero.
func or[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

package perf

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// Daemon is a process under measurement whose output is read through a
// pipe, so the moment it prints a marker (its "ready" line) is known to
// within a scheduling delay, and copied to a log file.
type Daemon struct {
	cmd     *exec.Cmd
	start   time.Time
	marked  chan time.Time
	done    chan struct{}
	logPath string
}

// StartDaemon starts cmd with its stdout and stderr going through a pipe
// into logPath, watching for the first line that contains marker.
func StartDaemon(cmd *exec.Cmd, marker, logPath string) (*Daemon, error) {
	pr, pw, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	logf, err := os.Create(logPath)
	if err != nil {
		pr.Close()
		pw.Close()
		return nil, err
	}
	d := &Daemon{cmd: cmd, marked: make(chan time.Time, 1), done: make(chan struct{}), logPath: logPath}
	cmd.Stdout, cmd.Stderr = pw, pw
	d.start = time.Now()
	if err := cmd.Start(); err != nil {
		pr.Close()
		pw.Close()
		logf.Close()
		return nil, err
	}
	pw.Close()
	copied := make(chan struct{})
	go func() {
		defer close(copied)
		d.copyLog(pr, logf, marker)
	}()
	go func() {
		cmd.Wait()
		<-copied // the whole log is in the file once done closes
		close(d.done)
	}()
	return d, nil
}

// copyLog copies lines to the log file and stamps the marker line.
func (d *Daemon) copyLog(pr, logf *os.File, marker string) {
	defer pr.Close()
	defer logf.Close()
	sc := bufio.NewScanner(pr)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	seen := false
	for sc.Scan() {
		line := sc.Text()
		if !seen && strings.Contains(line, marker) {
			d.marked <- time.Now()
			seen = true
		}
		logf.WriteString(line + "\n")
	}
}

// PID is the process ID of the started command.
func (d *Daemon) PID() int { return d.cmd.Process.Pid }

// WaitMarker returns the time from the start to the marker line.
func (d *Daemon) WaitMarker(timeout time.Duration) (time.Duration, error) {
	select {
	case at := <-d.marked:
		return at.Sub(d.start), nil
	case <-d.done:
		return 0, errors.New("perf: the daemon exited before its marker line")
	case <-time.After(timeout):
		return 0, fmt.Errorf("perf: no marker line within %v", timeout)
	}
}

// Log returns what the daemon has written so far.
func (d *Daemon) Log() string {
	data, _ := os.ReadFile(d.logPath)
	return string(data)
}

// Stop sends SIGTERM and waits up to timeout, then SIGKILL. The error
// says when SIGTERM was not enough; stopping an exited daemon is nil.
func (d *Daemon) Stop(timeout time.Duration) error {
	select {
	case <-d.done:
		return nil
	default:
	}
	d.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-d.done:
		return nil
	case <-time.After(timeout):
		d.cmd.Process.Kill()
		<-d.done
		return fmt.Errorf("perf: pid %d ignored SIGTERM for %v and was killed", d.PID(), timeout)
	}
}

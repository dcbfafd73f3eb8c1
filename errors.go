package main

// wrapError is fmt.Errorf("msg: %w", err) without fmt, which the binary
// does without for its size.
type wrapError struct {
	msg string
	err error
}

func (e *wrapError) Error() string { return e.msg + ": " + e.err.Error() }
func (e *wrapError) Unwrap() error { return e.err }

// wrap returns an error reading "msg: err" that unwraps to err.
func wrap(msg string, err error) error { return &wrapError{msg, err} }

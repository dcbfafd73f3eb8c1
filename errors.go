package main

import "strconv"

// textError is an error that is only its text, as errors.New makes.
// errors.New is inlined at each message as an allocation and a write
// barrier, where converting to textError is one runtime call.
type textError string

func (e textError) Error() string { return string(e) }

// wrapError is fmt.Errorf("msg: %w", err) without fmt, which the binary
// does without for its size. It is a value: boxing one into an error is a
// single runtime call, where allocating it and storing its fields took
// several instructions at each of wrap's inlined calls.
type wrapError struct {
	msg string
	err error
}

func (e wrapError) Error() string { return e.msg + ": " + e.err.Error() }
func (e wrapError) Unwrap() error { return e.err }

// wrap returns an error reading "msg: err" that unwraps to err.
func wrap(msg string, err error) error { return wrapError{msg, err} }

// quoted returns before + strconv.Quote(s) + after, the shape of the
// messages that show a bad value. Quoting inlines a good deal of code, so
// it is done here once rather than at each message.
func quoted(before, s, after string) string {
	return before + strconv.Quote(s) + after
}

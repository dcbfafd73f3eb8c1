//go:build cgo

package main

// builtWithCgo: syscall.AllThreadsSyscall, and so the privilege drop, needs
// a binary built with CGO_ENABLED=0.
const builtWithCgo = true

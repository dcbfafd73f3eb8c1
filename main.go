// Command network-broker runs administrators' hook scripts when network
// links change, adds routing policy rules for secondary interfaces and
// pushes DHCP-learned DNS, domains and hostname to systemd-resolved and
// systemd-hostnamed. See DESIGN.md in the project's shared notes and
// network-broker(8).
package main

import (
	"fmt"
	"os"
)

// version is stamped by the Makefile with -ldflags -X main.version=...
var version = "dev"

func main() {
	if len(os.Args) > 1 && (os.Args[1] == "-version" || os.Args[1] == "--version") {
		fmt.Println("network-broker", version)
		return
	}
	fmt.Fprintln(os.Stderr, "network-broker: not yet wired")
	os.Exit(1)
}

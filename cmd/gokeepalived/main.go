// Command gokeepalived is a VRRP high-availability daemon that reads
// keepalived.conf and behaves as keepalived does on the wire.
package main

import (
	"fmt"
	"os"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "0.1.0-dev"

func main() {
	if len(os.Args) > 1 && (os.Args[1] == "version" || os.Args[1] == "-v" || os.Args[1] == "--version") {
		fmt.Printf("gokeepalived %s\n", version)
		return
	}
	fmt.Fprintln(os.Stderr, "gokeepalived: not implemented yet")
	os.Exit(2)
}

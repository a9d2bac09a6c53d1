package main

import (
	"fmt"
	"os"
)

// runDaemon runs the daemon with the parsed flags and returns the exit
// code. It is a placeholder: the daemon run path (run.go) replaces this
// file.
func runDaemon(o *Options) int {
	_ = o
	fmt.Fprintln(os.Stderr, "gokeepalived: the daemon is not implemented yet; use -t or check")
	return 2
}

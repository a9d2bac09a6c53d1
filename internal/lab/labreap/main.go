// Command labreap deletes the network namespaces of test labs whose owner
// process is gone (killed by a timeout, a stopped CI job, SIGKILL), so a
// run never trips over what an earlier run could not clean. With -check it
// also fails when it found any: scripts/test.sh runs it that way after the
// tests, to catch a lab a test forgot to close.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/gokeepalived/gokeepalived/internal/lab"
)

func main() {
	check := flag.Bool("check", false, "exit 1 when stale namespaces were found")
	flag.Parse()
	reaped, err := lab.Reap()
	for _, ns := range reaped {
		fmt.Printf("labreap: deleted namespace %s (its lab's owner is gone)\n", ns)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "labreap:", err)
		os.Exit(1)
	}
	if *check && len(reaped) > 0 {
		fmt.Fprintln(os.Stderr, "labreap: the tests left the namespaces above behind")
		os.Exit(1)
	}
}

// Package reload owns the part of a configuration reload that runs off
// the loop: the Worker that reads and plans reloads on its own goroutine
// (requests coalesce, the last one wins), and the Plan it makes — which
// running instances keep their machine and move to the new configuration
// in place, which units stop, which instances are built afresh — from a
// Base copied on the loop, so that planning never reads running state.
// Load reads and checks a configuration, at start and at each reload.
//
// It must not change anything that runs: the daemon applies a Plan on the
// loop (after checking it is Current) and owns the swap.
package reload

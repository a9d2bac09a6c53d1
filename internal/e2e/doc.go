// Package e2e holds the end-to-end tests: real gokeepalived binaries (and
// real keepalived, nginx) running in network namespaces built by package
// lab, checked from the outside the way an operator would check them.
//
// It has no production code and must never touch the root namespace.
package e2e

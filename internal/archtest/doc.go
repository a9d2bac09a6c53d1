// Package archtest holds no code: its test checks the import rules of
// docs/ARCHITECTURE.md over every Go file of the module, so that a change
// which breaks the layering fails `go test ./...`.
package archtest

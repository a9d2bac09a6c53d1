// Package archtest holds no code: its test checks the import rules of
// docs/ARCHITECTURE.md over every Go file of the module, so that a change
// which breaks the layering fails `go test ./...`. It also checks the
// documentation's shape: every relative link in README.md and docs/*.md
// reaches an existing file and heading, and the README stays a short front
// door that opens with the demo and the test command.
package archtest

// Package difft is a differential test of configuration checking: it
// generates keepalived.conf files by mutating a corpus of real ones
// (dropping, duplicating and misspelling keywords, putting values out of
// range or of the wrong type, moving lines into the wrong block, losing
// braces, naming interfaces that do not exist, splitting files into
// includes), runs keepalived's own config test (`keepalived -t`) and
// gokeepalived's on each inside a lab network namespace, and compares the
// exit status and the lines each names.
//
// Generation is pure and deterministic: case i of seed s is always the same
// text. Running needs root (a lab namespace holds the interfaces the corpus
// names) and an installed keepalived. The package must not touch the root
// network namespace; everything it runs runs inside its lab host.
package difft

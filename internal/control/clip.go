package control

import (
	"fmt"
	"unicode/utf8"
)

// MaxErrorBytes bounds an error message the API and `gokeepalived status`
// show (a refused reload's): a configuration with a million mistakes must
// not make every status request carry hundreds of megabytes. The daemon
// already keeps only the first diagnostics; this is the last guard.
const MaxErrorBytes = 16 << 10

// ClipError returns msg unchanged when it fits in MaxErrorBytes, and
// otherwise its head, cut at a character boundary, followed by a note
// saying how many bytes were left out; the result never exceeds
// MaxErrorBytes.
func ClipError(msg string) string {
	if len(msg) <= MaxErrorBytes {
		return msg
	}
	// The note is at most len("\n... and 18446744073709551615 more bytes").
	keep := MaxErrorBytes - 48
	for keep > 0 && !utf8.RuneStart(msg[keep]) {
		keep--
	}
	return msg[:keep] + fmt.Sprintf("\n... and %d more bytes", len(msg)-keep)
}

package demo

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// printer writes the demo's terminal output, with ANSI colour only when
// asked (stdout is a terminal).
type printer struct {
	w     io.Writer
	color bool
	start time.Time // of the current step, for +ms lines
}

const (
	ansiBold   = "\x1b[1m"
	ansiDim    = "\x1b[2m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
	ansiCyan   = "\x1b[36m"
	ansiReset  = "\x1b[0m"
)

func (p *printer) paint(code, s string) string {
	if !p.color {
		return s
	}
	return code + s + ansiReset
}

// title prints the demo's heading.
func (p *printer) title(s string) { fmt.Fprintf(p.w, "%s\n", p.paint(ansiBold, s)) }

// step starts step n of total with a one-line intro.
func (p *printer) step(n, total int, s string) {
	p.start = time.Now()
	fmt.Fprintf(p.w, "\n%s %s\n", p.paint(ansiCyan, fmt.Sprintf("[%d/%d]", n, total)), p.paint(ansiBold, s))
}

// line prints an indented detail line.
func (p *printer) line(format string, args ...any) {
	fmt.Fprintf(p.w, "      %s\n", fmt.Sprintf(format, args...))
}

// event prints a line stamped with the time since the step began.
func (p *printer) event(at time.Time, format string, args ...any) {
	stamp := fmt.Sprintf("%+7d ms", at.Sub(p.start).Milliseconds())
	fmt.Fprintf(p.w, "      %s  %s\n", p.paint(ansiDim, stamp), fmt.Sprintf(format, args...))
}

// ok prints a green result line.
func (p *printer) ok(format string, args ...any) {
	fmt.Fprintf(p.w, "      %s %s\n", p.paint(ansiGreen, "✓"), fmt.Sprintf(format, args...))
}

// warn prints a yellow result line.
func (p *printer) warn(format string, args ...any) {
	fmt.Fprintf(p.w, "      %s %s\n", p.paint(ansiYellow, "!"), fmt.Sprintf(format, args...))
}

// table prints rows with aligned columns under a dim header.
func (p *printer) table(header []string, rows [][]string) {
	widths := make([]int, len(header))
	for _, r := range append([][]string{header}, rows...) {
		for i, c := range r {
			widths[i] = max(widths[i], len([]rune(c)))
		}
	}
	format := func(r []string) string {
		var b strings.Builder
		for i, c := range r {
			b.WriteString(c)
			if i < len(r)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-len([]rune(c))+3))
			}
		}
		return b.String()
	}
	fmt.Fprintf(p.w, "\n      %s\n", p.paint(ansiDim, format(header)))
	for _, r := range rows {
		fmt.Fprintf(p.w, "      %s\n", format(r))
	}
}

// ms formats d as whole milliseconds.
func ms(d time.Duration) string { return fmt.Sprintf("%d ms", d.Milliseconds()) }

package plan

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// WriteJSON writes p as indented JSON; empty lists are written as [].
func (p *Plan) WriteJSON(w io.Writer) error {
	q := *p
	q.Nodes = nonNil(q.Nodes)
	q.VIPs = nonNil(q.VIPs)
	q.Orders = nonNil(q.Orders)
	q.Steady = nonNil(q.Steady)
	q.Failures = nonNil(q.Failures)
	q.Findings = nonNil(q.Findings)
	q.Problems = nonNil(q.Problems)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(&q); err != nil {
		return fmt.Errorf("write plan json: %w", err)
	}
	return nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// WriteText writes p as the human tables: nodes and addresses, the steady
// state per start order, the failure table, findings; or, when the input
// has problems, those.
func (p *Plan) WriteText(w io.Writer) error {
	var b strings.Builder
	p.textNodes(&b)
	if len(p.Problems) > 0 {
		b.WriteString("\nCannot plan these nodes:\n")
		for _, pr := range p.Problems {
			fmt.Fprintf(&b, "  %s\n", pr)
		}
	} else {
		p.textSteady(&b)
		p.textFailures(&b)
		p.textBGP(&b) // bgp.go
	}
	p.textFindings(&b)
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write plan: %w", err)
	}
	return nil
}

func (p *Plan) textNodes(b *strings.Builder) {
	b.WriteString("Nodes\n")
	tw := tabwriter.NewWriter(b, 0, 0, 2, ' ', 0)
	var notes []string
	for _, n := range p.Nodes {
		var addrs []string
		for _, a := range n.Addrs {
			s := a.Addr.String() + " (" + a.Source.String() + ")"
			if a.Iface != "" {
				s = a.Iface + "=" + s
			}
			if !contains(addrs, s) {
				addrs = append(addrs, s)
				if a.Source == SourceAssumed {
					notes = append(notes, fmt.Sprintf("no address given for %s on %s: assumed %s; ties between equal priorities go to the higher address, so pass --addr %s:%s=ADDR",
						n.Name, ifaceOr(a.Iface), a.Addr.Addr(), n.Name, ifaceOr(a.Iface)))
				}
			}
		}
		line := strings.Join(addrs, ", ")
		if n.ConfigID != n.Name {
			line += "; config id " + n.ConfigID
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", n.Name, n.File, line)
	}
	tw.Flush()
	for _, n := range notes {
		fmt.Fprintf(b, "  note: %s\n", n)
	}
}

func ifaceOr(s string) string {
	if s == "" {
		return "IFACE"
	}
	return s
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// holderWords formats a holder set: none, A, or A+B (split brain).
func holderWords(h []string) string {
	switch len(h) {
	case 0:
		return "none"
	case 1:
		return h[0]
	}
	return strings.Join(h, "+") + " (split)"
}

func (p *Plan) textSteady(b *strings.Builder) {
	b.WriteString("\nSteady state: who holds each VIP, by start order\n")
	tw := tabwriter.NewWriter(b, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "  VIP\tVRID\t%s\n", strings.Join(p.Orders, "\t"))
	var warns []string
	for _, r := range p.Steady {
		cells := make([]string, len(r.Placements))
		for i, pl := range r.Placements {
			cells[i] = holderWords(pl.Holders)
		}
		fmt.Fprintf(tw, "  %s\t%d\t%s\n", r.VIP, r.VRID, strings.Join(cells, "\t"))
		if r.OrderDeps {
			var parts []string
			for _, pl := range r.Placements {
				parts = append(parts, fmt.Sprintf("%s when %s", holderWords(pl.Holders), startWords(pl.Order)))
			}
			warns = append(warns, fmt.Sprintf("warning: %s (VRID %d) depends on start order: %s", r.VIP, r.VRID, strings.Join(parts, ", ")))
		}
	}
	tw.Flush()
	for _, w := range warns {
		fmt.Fprintf(b, "  %s\n", w)
	}
}

func startWords(order string) string {
	switch {
	case order == "together":
		return "started together"
	case strings.HasSuffix(order, " first"):
		return strings.TrimSuffix(order, " first") + " starts first"
	}
	return "started in order " + order
}

func (p *Plan) textFailures(b *strings.Builder) {
	fmt.Fprintf(b, "\nFailures, from the steady state when %s (times: fastest-slowest, over failures\nfalling anywhere between two adverts)\n", startWords(p.Baseline))
	tw := tabwriter.NewWriter(b, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "  failure\tVIP\tbefore\tafter\ttakeover\ton recovery\n")
	for _, r := range p.Failures {
		for i, v := range r.VIPs {
			name := ""
			if i == 0 {
				name = r.Failure.String()
			}
			take := rangeWords(v.TakeoverMin, v.Takeover)
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\n", name, v.VIP, holderWords(v.Before), holderWords(v.After), take, recoveryWords(v))
		}
	}
	tw.Flush()
}

func recoveryWords(v FailureVIP) string {
	moved := strings.Join(v.Before, "+") != strings.Join(v.After, "+")
	var s string
	switch {
	case v.Back && !moved:
		s = "-"
	case v.Back && v.ReturnAfter != nil:
		s = fmt.Sprintf("back to %s after %s", holderWords(v.Recovered), rangeWords(v.ReturnMin, v.ReturnAfter))
	case v.Back:
		s = "back to " + holderWords(v.Recovered)
	default:
		s = "stays on " + holderWords(v.Recovered)
	}
	if v.Why != "" {
		s += " (" + v.Why + ")"
	}
	return s
}

// rangeWords formats a time range as 0.648s or 4.648-6.648s; - when nil.
func rangeWords(lo, hi *Seconds) string {
	switch {
	case hi == nil:
		return "-"
	case lo == nil || lo.String() == hi.String():
		return hi.String()
	}
	return strings.TrimSuffix(lo.String(), "s") + "-" + hi.String()
}

func (p *Plan) textFindings(b *strings.Builder) {
	if len(p.Findings) == 0 {
		b.WriteString("\nFindings: none\n")
		return
	}
	b.WriteString("\nFindings\n")
	for _, f := range p.Findings {
		fmt.Fprintf(b, "  %s\n", f)
	}
}

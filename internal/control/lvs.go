package control

import (
	"fmt"
	"io"
	"net/netip"
	"text/tabwriter"
	"time"
)

// LVS is the state of the LVS half (virtual servers balanced over health
// checked real servers); absent when it does not run.
type LVS struct {
	// Backend is the data plane: "nftables" or "ipvs".
	Backend string `json:"backend"`
	// PlaneError is why the data plane refused the last state; empty
	// when it holds what the checkers decided.
	PlaneError     string          `json:"plane_error,omitempty"`
	VirtualServers []VirtualServer `json:"virtual_servers"`
}

// VirtualServer is one virtual_server block.
type VirtualServer struct {
	// Name is keepalived's: "[IP]:proto:port", "FWM N" or "[GROUP]:port".
	Name string `json:"name"`
	// QuorumUp is the quorum state: the live real servers' weights
	// (WeightSum) against Quorum ± Hysteresis.
	QuorumUp   bool `json:"quorum_up"`
	WeightSum  int  `json:"weight_sum"`
	Quorum     int  `json:"quorum"`
	Hysteresis int  `json:"hysteresis,omitempty"`
	// Services is how many kernel services are installed for it (0 with
	// ha_suspend while its address is on another director).
	Services    int          `json:"services"`
	RealServers []RealServer `json:"real_servers"`
}

// RealServer is one real_server of a virtual server.
type RealServer struct {
	Addr netip.AddrPort `json:"addr"`
	Up   bool           `json:"up"`
	// Weight is the effective weight (misc_dynamic and FILE_CHECK change it).
	Weight   int       `json:"weight"`
	Checkers []Checker `json:"checkers,omitempty"`
}

// Checker is one health checker of a real server and its last result.
type Checker struct {
	// Kind is keepalived's keyword: TCP_CHECK, HTTP_GET, ...
	Kind        string    `json:"kind"`
	LastOK      bool      `json:"last_ok"`
	LastReason  string    `json:"last_reason,omitempty"`
	LastLatency Duration  `json:"last_latency_seconds"`
	LastRun     time.Time `json:"last_run,omitzero"`
}

// renderLVS writes the virtual and real servers for `gokeepalived status`.
func renderLVS(w io.Writer, l *LVS, now time.Time) error {
	if l == nil {
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "\nVIRTUAL SERVER (%s)\tQUORUM\tWEIGHT/QUORUM\tSERVICES\n", l.Backend)
	for _, v := range l.VirtualServers {
		fmt.Fprintf(tw, "%s\t%s\t%d/%d\t%d\n", v.Name, upDown(v.QuorumUp), v.WeightSum, v.Quorum, v.Services)
	}
	fmt.Fprintln(tw, "\nREAL SERVER\tVIRTUAL SERVER\tSTATE\tWEIGHT\tCHECKER\tLAST CHECK\tLATENCY")
	for _, v := range l.VirtualServers {
		for _, rs := range v.RealServers {
			kind, last, lat := "-", "-", "-"
			if len(rs.Checkers) > 0 {
				c := rs.Checkers[0]
				kind = c.Kind
				if !c.LastRun.IsZero() {
					last = fmt.Sprintf("%s %s ago", okFailed(c.LastOK), Age(now.Sub(c.LastRun)))
					lat = time.Duration(c.LastLatency).Round(time.Microsecond).String()
				}
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\t%s\n", rs.Addr, v.Name, upDown(rs.Up), rs.Weight, kind, last, lat)
		}
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write LVS table: %w", err)
	}
	if l.PlaneError != "" {
		fmt.Fprintf(w, "data plane: %s\n", l.PlaneError)
	}
	return nil
}

func upDown(b bool) string {
	if b {
		return "UP"
	}
	return "DOWN"
}

func okFailed(b bool) string {
	if b {
		return "ok"
	}
	return "failed"
}

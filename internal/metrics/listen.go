package metrics

import (
	"net"
	"strconv"
	"strings"
)

// DefaultPort is the metrics port used when --metrics or prometheus_listen
// names an address without one. The Prometheus exporter range 9100–9999
// is fully allocated, and the two keepalived exporters that may run beside
// gokeepalived (it answers their signals and writes their dump files) use
// 9165 and 9650; 19650 is outside that range, below Linux's ephemeral
// ports, and reads as "keepalived-exporter's 9650, plus one in front".
const DefaultPort = 19650

// ListenAddr completes a metrics listen address: "" stays "" (no
// listener), an address without a port ("127.0.0.1", "[::1]", "::1",
// "localhost") gets DefaultPort, and anything with a port is returned as
// is.
func ListenAddr(addr string) string {
	if addr == "" {
		return ""
	}
	if _, _, err := net.SplitHostPort(addr); err == nil {
		return addr
	}
	host := strings.TrimSuffix(strings.TrimPrefix(addr, "["), "]")
	return net.JoinHostPort(host, strconv.Itoa(DefaultPort))
}

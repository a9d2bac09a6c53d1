package config

import (
	"strconv"
	"strings"
)

// RxBufsPolicy is vrrp_rx_bufs_policy: how the VRRP receive sockets'
// buffers (SO_RCVBUF) are sized. The zero value is gokeepalived's default
// (see package demux).
type RxBufsPolicy uint8

// The vrrp_rx_bufs_policy values.
const (
	RxBufsDefault RxBufsPolicy = iota // not set
	RxBufsMTU                         // MTU: multiplier × the interface MTU per instance
	RxBufsAdvert                      // ADVERT: multiplier × the instance's advert length
	RxBufsSize                        // NUMBER: that many bytes per instance
)

// String names the policy as the keyword's argument does.
func (p RxBufsPolicy) String() string {
	switch p {
	case RxBufsMTU:
		return "MTU"
	case RxBufsAdvert:
		return "ADVERT"
	case RxBufsSize:
		return "SIZE"
	}
	return "default"
}

// RxBufs is vrrp_rx_bufs_policy and vrrp_rx_bufs_multiplier. A socket's
// buffer is the sum over the instances on it of each one's share: its
// kernel_rx_buf_size when set, else the policy's.
type RxBufs struct {
	Policy RxBufsPolicy `json:",omitzero"`
	// Size is the NUMBER policy's bytes per instance.
	Size int `json:",omitzero"`
	// Multiplier is vrrp_rx_bufs_multiplier; 0 means keepalived's 3.
	Multiplier int `json:",omitzero"`
}

// Mult returns the multiplier, keepalived's default 3 when unset.
func (r RxBufs) Mult() int {
	if r.Multiplier == 0 {
		return 3
	}
	return r.Multiplier
}

func init() {
	globalKeywords["vrrp_rx_bufs_policy"] = rxBufsPolicyKw
	globalKeywords["vrrp_rx_bufs_multiplier"] = intKw(func(g *GlobalDefs) *int { return &g.RxBufs.Multiplier }, 1, 1<<32-1)
}

// rxBufsPolicyKw reads `vrrp_rx_bufs_policy MTU|ADVERT|NUMBER...` as
// keepalived does: several words combine, a size wins over a policy and
// MTU over ADVERT, each conflict with a warning.
func rxBufsPolicyKw(l *loader, n *Node, g *GlobalDefs) {
	if len(n.Args) == 0 {
		l.warnf(n.Keyword.Pos, "vrrp_rx_bufs_policy missing")
		return
	}
	var mtu, advert, size bool
	for _, a := range n.Args {
		switch {
		case strings.EqualFold(a.Text, "MTU"):
			mtu = true
		case strings.EqualFold(a.Text, "ADVERT"):
			advert = true
		default:
			v, err := strconv.ParseUint(a.Text, 10, 32)
			if err != nil {
				l.warnf(a.Pos, "Invalid vrrp_rx_bufs_policy %s", a.Text)
				continue
			}
			size, g.RxBufs.Size = true, int(v)
		}
	}
	switch {
	case size && (mtu || advert):
		l.warnf(n.Keyword.Pos, "Cannot set vrrp_rx_bufs_policy size and policy, ignoring policy")
		g.RxBufs.Policy = RxBufsSize
	case mtu && advert:
		l.warnf(n.Keyword.Pos, "Cannot set both vrrp_rx_bufs_policy MTU and ADVERT, ignoring ADVERT")
		g.RxBufs.Policy = RxBufsMTU
	case size:
		g.RxBufs.Policy = RxBufsSize
	case mtu:
		g.RxBufs.Policy = RxBufsMTU
	case advert:
		g.RxBufs.Policy = RxBufsAdvert
	}
}

// instKernelRxBufSize reads kernel_rx_buf_size: this instance's share of
// its socket's receive buffer, in bytes.
func instKernelRxBufSize(l *loader, n *Node, b *instBuild) {
	l.extraArgs(n, 1)
	if v, ok := l.intArg(n, 0, 0, 1<<32-1); ok {
		b.KernelRxBufSize = int(v)
	}
}

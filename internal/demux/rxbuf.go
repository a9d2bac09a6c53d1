package demux

import (
	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/system"
	"github.com/gokeepalived/gokeepalived/internal/vinst"
	"github.com/gokeepalived/gokeepalived/internal/vrrp"
)

// defaultShare is each instance's share of its socket's receive buffer
// when vrrp_rx_bufs_policy is not set: three adverts, each counted as the
// kernel counts a queued packet (its buffer, about 2 KiB for a small
// packet, not its bytes). A socket is never made smaller than the system
// default this way (keepalived leaves that default alone); with 250
// instances at 100 ms it holds about 75 ms of adverts against 20 ms by
// default, so a loop held up by a burst of work loses none.
const defaultShare = 3 * 2048

// sockBuf is one socket's receive buffer: the sum of its instances'
// shares, the system default it started with and what was last set.
type sockBuf struct {
	sum, base, set int
}

// share is vi's part of its socket's receive buffer, as keepalived adds
// them up: kernel_rx_buf_size, else the global policy's figure.
func share(vi *vinst.Instance, p config.RxBufs) int {
	if vi.Conf.KernelRxBufSize > 0 {
		return vi.Conf.KernelRxBufSize
	}
	switch p.Policy {
	case config.RxBufsSize:
		return p.Size
	case config.RxBufsAdvert:
		return p.Mult() * advertLen(vi)
	case config.RxBufsMTU:
		return p.Mult() * vi.Link.MTU
	}
	return defaultShare
}

// advertLen is the length of vi's adverts on the wire above the link
// layer: the VRRP message as vi sends it (vrrp.Advertisement.Len), and
// for IPv4 the IP header and AH's header (IPv6's header is not in what
// a raw IPv6 socket queues).
func advertLen(vi *vinst.Instance) int {
	n := vi.SendTpl.Len()
	if vi.Fam == vrrp.IPv4 {
		n += ipv4HeaderLen
		if vi.AH != nil {
			n += vrrp.AHLen
		}
	}
	return n
}

// ipv4HeaderLen is the IPv4 header of an advert (no options).
const ipv4HeaderLen = 20

// addShare counts vi's share in its socket's receive buffer (join true)
// or takes it out, and resizes the buffer.
func (t *Table) addShare(vi *vinst.Instance, ce *vinst.Socket, join bool) {
	if join {
		s := share(vi, t.RxBufs)
		t.shares[vi] = s
		t.resize(ce, s)
		return
	}
	s, ok := t.shares[vi]
	if !ok {
		return
	}
	delete(t.shares, vi)
	if ce.Refs == 0 {
		delete(t.bufs, ce)
		if rb, ok := ce.Conn.(system.RxBuffer); ok {
			t.closedDrops += rb.KernelDrops()
		}
		return
	}
	t.resize(ce, -s)
}

// resize adds delta to socket ce's sum of shares and sets its receive
// buffer when that changes it: the sum under an explicit policy (as
// keepalived), else the sum but never below the system default.
func (t *Table) resize(ce *vinst.Socket, delta int) {
	rb, ok := ce.Conn.(system.RxBuffer)
	if !ok {
		return
	}
	sb := t.bufs[ce]
	if sb == nil {
		base, err := rb.ReadBuffer()
		if err != nil {
			return
		}
		sb = &sockBuf{base: base / 2, set: base / 2} // the kernel reports twice what was asked
		t.bufs[ce] = sb
	}
	sb.sum += delta
	want := sb.sum
	if t.RxBufs.Policy == config.RxBufsDefault {
		want = max(want, sb.base)
	}
	if want == sb.set || want <= 0 {
		return
	}
	got, err := rb.SetReadBuffer(want)
	if err != nil {
		t.log.Info("set the VRRP receive buffer", "ifindex", ce.Key.Ifindex, "bytes", want, "err", err)
		return
	}
	sb.set = want
	t.log.Debug("VRRP receive buffer", "ifindex", ce.Key.Ifindex, "asked", want, "kernel", got)
}

// KernelDrops is how many adverts the kernel dropped because a VRRP
// socket's receive buffer was full, since the daemon started.
func (t *Table) KernelDrops() uint64 {
	if t == nil {
		return 0
	}
	n := t.closedDrops
	for _, conns := range []map[vinst.ConnKey]*vinst.Socket{t.conns, t.ahConns} {
		for _, ce := range conns {
			if rb, ok := ce.Conn.(system.RxBuffer); ok {
				n += rb.KernelDrops()
			}
		}
	}
	return n
}

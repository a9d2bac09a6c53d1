package daemon

import (
	"net/netip"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/demux"
	"github.com/gokeepalived/gokeepalived/internal/instance"
	"github.com/gokeepalived/gokeepalived/internal/vinst"
)

// owner_ignore_adverts (global default vrrp_owner_ignore_adverts): an
// address owner (priority 255) drops the adverts it receives, as the RFCs
// say an owner must. The advert is checked and counted (advert_rcvd,
// pri_zero_rcvd) like any other first; only the machine does not see it.
// keepalived's default, without the keyword, is to process them, so that
// of two owners one backs off.

// maxDrain bounds how many reads of one socket one wake-up of the loop
// receives before its timers are served: a flood cannot hold adverts
// back.
const maxDrain = 64

// receiveReady receives what socket s has queued (its waiter said so),
// then lets the waiter wait again; the loop's timers are then served once
// for all of it, not once per packet.
func (d *Daemon) receiveReady(s *demux.Sock) {
	d.receiveFrom(s)
	d.rx.Rearm(s)
}

// receiveFrom reads s until it has nothing queued (or maxDrain reads)
// and receives each packet.
func (d *Daemon) receiveFrom(s *demux.Sock) {
	for range maxDrain {
		d.loop.rt.Spend()
		n := d.rx.Read(s)
		for i := range n {
			d.receive(d.rx.Packet(i))
		}
		if n < demux.BatchLen {
			return
		}
	}
}

// receiveQueued reads every socket without waiting before the timers
// fire, so a Master_Down_Timer does not fire while the advert that resets
// it has arrived but is still queued (the loop was held up, or its waiter
// has not run yet).
func (d *Daemon) receiveQueued() {
	for _, s := range d.rx.Sockets() {
		d.receiveFrom(s)
	}
}

// receive feeds an advert that passed its instance's checks (package
// demux) to the instance's machine.
func (d *Daemon) receive(p demux.Packet) {
	vi := d.rx.Receive(p)
	if vi == nil {
		return
	}
	if vi.M.IgnoresAdverts() {
		d.ownerIgnored(vi, p.Meta.Src)
		return
	}
	vi.AHHeard(p.Meta.Src)
	vi.LogBackupRx(p.Meta.Src, vi.RxAdv.Priority)
	d.stepUnit(time.Now(), vi.Unit, vi.Idx, instance.AdvertReceived{From: p.Meta.Src, Advert: vi.RxAdv})
}

// ownerIgnored logs, at most once a minute (the instance's cause log),
// that vi dropped an advert because it is the address owner.
func (d *Daemon) ownerIgnored(vi *vinst.Instance, from netip.Addr) {
	if ok, held := vi.CauseLog.Allow("owner ignore adverts", time.Now()); ok {
		vi.Log.Info("advert dropped: we are the address owner (owner_ignore_adverts)", append(held, "from", from)...)
	}
}

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

// maxDrain bounds how many batches one wake-up of the loop receives
// before its timers are served: a flood cannot hold adverts back.
const maxDrain = 64

// receiveBatches receives every packet of b and of the batches queued
// behind it (up to maxDrain), handing each back to its reader, so that
// the loop's timers are served once per wake-up, not once per packet.
func (d *Daemon) receiveBatches(b *demux.Batch) {
	for n := 1; ; n++ {
		for i := range b.Len() {
			d.receive(b.Packet(i))
		}
		d.rx.Release(b)
		if n == maxDrain {
			return
		}
		select {
		case b = <-d.rx.Batches():
		default:
			return
		}
	}
}

// receiveQueued receives the batches already queued, if any, so that a
// timer that wakes the loop does not fire a Master_Down_Timer whose
// advert has arrived but is still waiting behind it.
func (d *Daemon) receiveQueued() {
	select {
	case b := <-d.rx.Batches():
		d.receiveBatches(b)
	default:
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

package daemon

import (
	"time"

	"github.com/gokeepalived/gokeepalived/internal/instance"
	"github.com/gokeepalived/gokeepalived/internal/vinst"
)

// fireTimers runs one timer pass (vinst.Pass: due units stepped earliest
// first, their adverts batched, every new master's first advert before
// any transition's addresses and GARPs).
func (d *Daemon) fireTimers(time.Time) { d.loop.pass.Fire(d.units, executor{d}) }

// executor is the daemon as the pass's vinst.Executor.
type executor struct{ d *Daemon }

func (x executor) Execute(now time.Time, vi *vinst.Instance, a instance.Action) {
	x.d.execute(now, vi, a)
}

func (x executor) GroupNotify(u *vinst.Unit) { x.d.groupNotify(u) }

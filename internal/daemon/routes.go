package daemon

import (
	"github.com/gokeepalived/gokeepalived/internal/instance"
	"github.com/gokeepalived/gokeepalived/internal/route"
	"github.com/gokeepalived/gokeepalived/internal/system"
	"github.com/gokeepalived/gokeepalived/internal/vinst"
)

// routes returns the route table (package route), made on first use.
func (d *Daemon) routes() *route.Table {
	if d.fx.rtes == nil {
		var addrs system.Addresser
		if d.sys.addrs != nil {
			addrs = d.sys.addrs
		}
		d.fx.rtes = route.New(route.Config{Log: d.log, Addrs: addrs, Lookup: d.lookupIface})
	}
	return d.fx.rtes
}

// lookupIface finds an interface by name; none exists without a netlink
// handle (tests).
func (d *Daemon) lookupIface(name string) (system.Link, error) {
	if d.sys.links == nil {
		return system.Link{}, system.ErrNoInterface
	}
	return d.sys.links.Lookup(name)
}

// retryRoutes re-adds the static entries that are not on yet, and the
// virtual ones of vi that failed while it is master (at each advert).
func (d *Daemon) retryRoutes(vi *vinst.Instance) {
	if d.routes().RetryStatics() {
		d.refreshAll() // a track_group's instances may leave FAULT
	}
	d.routes().Retry(vi.Virtual(), vi.M.State() == instance.Master)
}

// watchRoutes starts following route and rule deletions (at start).
func (d *Daemon) watchRoutes() {
	d.routes().Watch(d.loop.ctx, d.conf, d.post, func() []*route.Virtual { return vinst.MasterRoutes(d.insts) }, d.refreshAll)
}

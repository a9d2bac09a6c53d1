package daemon

import (
	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/vinst"
	"github.com/gokeepalived/gokeepalived/internal/vmac"
)

// vmacs returns the VMAC manager (package vmac), made on first use.
// Instances make theirs through it (vinst.SetupVMAC) before their socket
// opens and remove them after they stopped, unless the daemon stops under
// -V (dont-release-vrrp): then they stay with the addresses on them, as
// keepalived leaves them.
func (d *Daemon) vmacs() *vmac.Manager {
	if d.fx.vm == nil {
		d.fx.vm = vmac.New(vmac.Config{Log: d.log, Conf: func() *config.Config { return d.conf },
			LinkLocal: vmac.ParentLinkLocal(d.sys.links)})
	}
	return d.fx.vm
}

// removeVMAC deletes vi's VMACs after it stopped, unless under -V.
func (d *Daemon) removeVMAC(vi *vinst.Instance) {
	if !d.keepOnExit() {
		vi.RemoveVMAC(d.vmacs())
	}
}

// closeVMACs removes VMACs still there (an instance that failed to start)
// and restores the sysctls at shutdown, unless under -V.
func (d *Daemon) closeVMACs() {
	if d.fx.vm != nil && !d.keepOnExit() {
		d.fx.vm.Close()
	}
}

// keepOnExit reports whether the daemon is stopping under -V.
func (d *Daemon) keepOnExit() bool { return d.loop.stopping && d.cfg.DontReleaseVRRP }

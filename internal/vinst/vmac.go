package vinst

import (
	"github.com/gokeepalived/gokeepalived/internal/vmac"
	"github.com/gokeepalived/gokeepalived/internal/vrrp"
)

// SetupVMAC makes vi's VMACs through m before its socket opens (use_vmac,
// and the addresses' own), moving its addresses onto them; with use_vmac
// the instance then lives on its VMAC unless vmac_xmit_base. It does
// nothing twice, or while the configured interface is missing
// (dynamic_interfaces).
func (vi *Instance) SetupVMAC(m *vmac.Manager) error {
	if vi.VMAC != nil || vi.Dyn.Missing {
		return nil
	}
	vm, err := m.Setup(vmac.Instance{Conf: vi.Conf, Log: vi.Log, Base: vi.Link,
		IPv6: vi.Fam == vrrp.IPv6, Src: vi.Src, VIPs: vi.VIPs, Ifs: vi.VIPIf})
	if vm != nil {
		vi.VMAC = vm
	}
	if err != nil || !vm.HasMain() {
		return err
	}
	if !vi.Conf.VMACXmitBase {
		vi.Link = vm.Main()
	}
	vi.Log = vi.Log.With("vmac", vm.Main().Name)
	return nil
}

// RemoveVMAC deletes vi's VMACs through m after its instance stopped
// (those for addresses only when no other instance holds them).
func (vi *Instance) RemoveVMAC(m *vmac.Manager) {
	vm := vi.VMAC
	if vm == nil {
		return
	}
	m.Remove(vm)
	if vm.HasMain() {
		vi.Link = vm.Base()
	}
	vi.VMAC = nil
}

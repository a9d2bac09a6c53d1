//go:build linux

package system

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gokeepalived/gokeepalived/internal/lab"
)

// TestVMACInterfaces: the listing the daemon names extra VMACs from shows
// a VMAC with its parent and MAC, and tells it from the real interface.
func TestVMACInterfaces(t *testing.T) {
	l := lab.New(t, lab.Spec{Hosts: lab.Hosts("a")})
	h := l.Host("a")
	v := newVMACs(t, h)
	parent := eth1Index(t, h)
	var vm Link
	in(t, h, func() (err error) {
		vm, err = v.Create(VMACConfig{Name: "vrrp6.51", Parent: parent, VRID: 51, Family: IPv6})
		return err
	})
	var got []IfaceInfo
	in(t, h, func() (err error) {
		got, err = v.Interfaces()
		return err
	})
	type row struct {
		Name, MAC string
		Parent    int
		VMAC      bool
	}
	rows := map[int]row{}
	for _, i := range got {
		rows[i.Index] = row{i.Name, i.MAC.String(), i.Parent, i.VMAC}
	}
	want := map[int]row{
		parent:   {"eth1", "02:00:00:00:01:02", rows[parent].Parent, false}, // a veth: its peer
		vm.Index: {"vrrp6.51", "00:00:5e:00:02:33", parent, true},
	}
	for idx, w := range want {
		if diff := cmp.Diff(w, rows[idx]); diff != "" {
			t.Errorf("ifindex %d (-want +got):\n%s", idx, diff)
		}
	}
}

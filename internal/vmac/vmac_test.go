package vmac

import (
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/system"
)

func TestPlaceOnVMAC(t *testing.T) {
	vm := &Link{link: system.Link{Index: 9, Name: "vrrp.87"}, base: system.Link{Index: 2, Name: "eth1"}}
	vip := func(s, dev string) config.VIP { return config.VIP{Prefix: netip.MustParsePrefix(s), Dev: dev} }
	tests := []struct {
		name     string
		vips     []config.VIP
		excluded []config.VIP
		in       []int // resolved ifindex of each address before
		want     []int
		wantIfs  []string
	}{
		{
			name:    "addresses without dev move to the VMAC",
			vips:    []config.VIP{vip("192.168.1.30/32", ""), vip("192.168.1.31/32", "")},
			in:      []int{2, 2},
			want:    []int{9, 9},
			wantIfs: []string{"vrrp.87", "vrrp.87"},
		},
		{
			// As keepalived 2.2.7 does (checked in a lab): dev naming the
			// configured interface is the same as none; another dev
			// stays; the other family stays on the interface itself.
			name:     "the instance's family on the configured interface goes to the VMAC",
			vips:     []config.VIP{vip("192.168.1.30/32", ""), vip("10.0.0.1/32", "eth2"), vip("192.168.1.32/32", "eth1")},
			excluded: []config.VIP{vip("fd00::1/128", ""), vip("fd00::2/128", "eth2")},
			in:       []int{2, 3, 2, 2, 3},
			want:     []int{9, 3, 9, 2, 3},
			wantIfs:  []string{"vrrp.87", "eth2", "vrrp.87", "eth1", "eth2"},
		},
		{
			name:     "kept in place by reload: the other family back from the VMAC",
			excluded: []config.VIP{vip("fd00::1/128", "")},
			in:       []int{9},
			want:     []int{2},
			wantIfs:  []string{"eth1"},
		},
		{
			name:    "kept in place by reload: already resolved on the VMAC",
			vips:    []config.VIP{vip("192.168.1.30/32", "")},
			in:      []int{9},
			want:    []int{9},
			wantIfs: []string{"vrrp.87"},
		},
	}
	names := map[int]string{2: "eth1", 3: "eth2", 9: "vrrp.87"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ci := &config.Instance{VIPs: tt.vips, ExcludedVIPs: tt.excluded}
			var vips []system.VIP
			var ifs []string
			for i, v := range append(append([]config.VIP{}, tt.vips...), tt.excluded...) {
				vips = append(vips, system.VIP{Prefix: v.Prefix, Ifindex: tt.in[i]})
				ifs = append(ifs, names[tt.in[i]])
			}
			vm.Place(ci, vips, ifs)
			var got []int
			for _, v := range vips {
				got = append(got, v.Ifindex)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ifindex (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantIfs, ifs, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("dev names (-want +got):\n%s", diff)
			}
			(*Link)(nil).Place(ci, vips, ifs) // no VMAC: nothing moves
			if diff := cmp.Diff(tt.wantIfs, ifs, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("nil VMAC changed names (-want +got):\n%s", diff)
			}
		})
	}
}

func TestVMACName(t *testing.T) {
	tests := []struct {
		name, prefix, conf string
		vrid               int
		want               string
	}{
		{"default", "vrrp", "", 87, "vrrp.87"},
		{"vmac_prefix", "vm", "", 3, "vm.3"},
		{"use_vmac NAME", "vrrp", "vip-mac", 87, "vip-mac"},
	}
	for _, tt := range tests {
		ci := &config.Instance{VRID: tt.vrid, VMACName: tt.conf}
		if got := Name(config.GlobalDefs{VMACPrefix: tt.prefix}, ci); got != tt.want {
			t.Errorf("%s: Name = %q, want %q", tt.name, got, tt.want)
		}
	}
}

package system

import (
	"net"
	"testing"
)

func TestEUI64LinkLocal(t *testing.T) {
	tests := []struct {
		mac  string
		want string
	}{
		// The kernel's address for the lab's first host MAC.
		{"02:00:00:00:01:02", "fe80::ff:fe00:102"},
		// The universal/local bit flips (keepalived's probe in a lab: a
		// veth with 6e:52:bc:c0:ae:af got fe80::6c52:bcff:fec0:aeaf).
		{"6e:52:bc:c0:ae:af", "fe80::6c52:bcff:fec0:aeaf"},
		{"00:00:5e:00:01:33", "fe80::200:5eff:fe00:133"},
	}
	for _, tt := range tests {
		mac, err := net.ParseMAC(tt.mac)
		if err != nil {
			t.Fatal(err)
		}
		if got := EUI64LinkLocal(mac).String(); got != tt.want {
			t.Errorf("EUI64LinkLocal(%s) = %s, want %s", tt.mac, got, tt.want)
		}
	}
	if got := EUI64LinkLocal(net.HardwareAddr{1, 2, 3}); got.IsValid() {
		t.Errorf("EUI64LinkLocal of a 3-byte address = %v, want the zero Addr", got)
	}
}

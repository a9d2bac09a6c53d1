package main

import (
	"net/netip"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestSnakeCase(t *testing.T) {
	tests := map[string]string{
		"Name": "name", "VRID": "vrid", "AdvertInt": "advert_int", "SMTPServer": "smtp_server",
		"UnicastSrcIP": "unicast_src_ip", "VIPs": "vips", "ExcludedVIPs": "excluded_vips",
		"NoVirtualIPs": "no_virtual_ips", "IPv6Addr": "ipv6_addr", "McastGroup4": "mcast_group4",
		"V3ChecksumAsV2": "v3_checksum_as_v2", "NFTablesTable": "nftables_table", "UseIPVlan": "use_ipvlan",
		"VRRPVersion": "vrrp_version", "RouterID": "router_id",
	}
	for in, want := range tests {
		if got := snakeCase(in); got != want {
			t.Errorf("snakeCase(%q) = %q, want %q", in, got, want)
		}
	}
}

type textKey int

func (k textKey) MarshalText() ([]byte, error) { return []byte("k" + string(rune('0'+k))), nil }

type inner struct{ DeadInterval time.Duration }

type color uint8

func (c color) String() string { return [...]string{"unset", "red"}[c] }

type model struct {
	inner
	Name     string
	Interval time.Duration
	Timeout  *time.Duration
	Addr     netip.Addr
	Skipped  string `json:"-"`
	Empty    string `json:",omitempty"`
	Named    int    `json:"given_name"`
	Peers    []netip.Addr
	Weights  map[textKey]time.Duration
	Nothing  *inner
	Color    color
	Count    uint8
}

func TestModelJSON(t *testing.T) {
	d := 1500 * time.Millisecond
	got, err := modelJSON(model{inner: inner{DeadInterval: 3 * time.Second}, Name: "VI_1", Interval: time.Second,
		Timeout: &d, Addr: netip.MustParseAddr("10.0.0.1"), Skipped: "x", Named: 7,
		Peers: []netip.Addr{netip.MustParseAddr("fe80::1")}, Weights: map[textKey]time.Duration{2: time.Minute, 1: 0}, Color: 1, Count: 3})
	if err != nil {
		t.Fatal(err)
	}
	want := `{
  "dead_interval_seconds": 3,
  "name": "VI_1",
  "interval_seconds": 1,
  "timeout_seconds": 1.5,
  "addr": "10.0.0.1",
  "given_name": 7,
  "peers": [
    "fe80::1"
  ],
  "weights": {
    "k1": 0,
    "k2": 60
  },
  "nothing": null,
  "color": "red",
  "count": 3
}
`
	if diff := cmp.Diff(want, string(got)); diff != "" {
		t.Errorf("modelJSON (-want +got):\n%s", diff)
	}
}

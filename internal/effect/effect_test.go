package effect

import (
	"net/netip"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/config/configtest"
	"github.com/gokeepalived/gokeepalived/internal/track"
)

// fakeStates is States from maps: a name that is absent is a down link
// or a tracker not in use.
type fakeStates struct {
	up      map[string]bool
	scripts map[string]Tracker
	files   map[string]FileValue
	procs   map[string]Tracker
	statics []Static
}

func (f fakeStates) LinkUp(name string) bool { return f.up[name] }
func (f fakeStates) Script(name string) (Tracker, bool) {
	t, ok := f.scripts[name]
	return t, ok
}
func (f fakeStates) File(name string) (FileValue, bool) {
	v, ok := f.files[name]
	return v, ok
}
func (f fakeStates) Process(name string) (Tracker, bool) {
	t, ok := f.procs[name]
	return t, ok
}
func (f fakeStates) Statics() []Static { return f.statics }

func ref(name string) config.TrackRef { return config.TrackRef{Name: name} }

func weighted(name string, w int) config.TrackRef {
	return config.TrackRef{Name: name, Weight: config.Weight{Value: w, Set: true}}
}

// TestCompute: each tracker and condition gives its effect under its typed
// cause, and nothing else does.
func TestCompute(t *testing.T) {
	vip := func(s, dev string) config.VIP { return config.VIP{Prefix: netip.MustParsePrefix(s), Dev: dev} }
	src := netip.MustParseAddr("10.0.0.2")
	peers := []config.UnicastPeer{{Addr: netip.MustParseAddr("10.0.0.3")}}
	up := map[string]bool{"eth0": true, "eth1": true}
	tests := []struct {
		name string
		ci   config.Instance
		in   Instance // Conf is set to &ci
		st   fakeStates
		want Set
	}{
		{"healthy", config.Instance{Name: "I"}, Instance{Iface: "eth0", IfaceUp: true}, fakeStates{up: up}, Set{}},
		{"interface down", config.Instance{Name: "I"}, Instance{Iface: "eth0"}, fakeStates{},
			Set{{IfaceDown, "eth0", ""}: {Fault: true}}},
		{"dont_track_primary", config.Instance{Name: "I", DontTrackPrimary: true}, Instance{Iface: "eth0"}, fakeStates{}, Set{}},
		{"missing, no address", config.Instance{Name: "I"}, Instance{Iface: "eth9", Missing: true, NoAddr: true, IPv6: true}, fakeStates{},
			Set{{IfaceDown, "eth9", ""}: {Fault: true}, {IfaceMissing, "eth9", ""}: {Fault: true},
				{NoAddress, "eth9", "IPv6 link-local"}: {Fault: true}}},
		{"track_src_ip gone", config.Instance{Name: "I", TrackSrcIP: true, UnicastSrcIP: src},
			Instance{Iface: "vrrp.1", IfaceUp: true, SrcGone: true, SrcIface: "eth0"}, fakeStates{},
			Set{{SrcGone, "eth0", "10.0.0.2"}: {Fault: true}}},
		{"unicast source not local", config.Instance{Name: "I", McastSrcIP: src, UnicastPeers: peers},
			Instance{Iface: "eth0", IfaceUp: true, SrcNotLocal: true}, fakeStates{},
			Set{{SrcNotLocal, "", "10.0.0.2"}: {Fault: true}}},
		{"multicast source not local", config.Instance{Name: "I", McastSrcIP: src},
			Instance{Iface: "eth0", IfaceUp: true, SrcNotLocal: true}, fakeStates{}, Set{}},
		{"track_src_ip without a source", config.Instance{Name: "I", TrackSrcIP: true},
			Instance{Iface: "eth0", IfaceUp: true, SrcGone: true}, fakeStates{}, Set{}},
		{"interfaces of virtual addresses", config.Instance{Name: "I",
			VIPs:         []config.VIP{vip("10.0.0.1/32", "eth2"), vip("10.0.0.3/32", "eth2"), vip("10.0.0.4/32", "eth0"), vip("10.0.0.5/32", "eth1")},
			ExcludedVIPs: []config.VIP{vip("10.0.0.6/32", "eth3"), {Prefix: netip.MustParsePrefix("10.0.0.7/32"), Dev: "eth4", NoTrack: true}}},
			Instance{Iface: "eth0", IfaceUp: true}, fakeStates{up: up},
			Set{{VIPIfaceDown, "eth2", ""}: {Fault: true}, {VIPIfaceDown, "eth3", ""}: {Fault: true}}},
		{"unicast_fault_no_peer", config.Instance{Name: "I", UnicastFaultNoPeer: true, UnicastPeerBlock: true},
			Instance{Iface: "eth0", IfaceUp: true}, fakeStates{up: up}, Set{{Kind: NoUnicastPeer}: {Fault: true}}},
		{"unicast_fault_no_peer with a peer", config.Instance{Name: "I", UnicastFaultNoPeer: true, UnicastPeerBlock: true,
			UnicastPeers: []config.UnicastPeer{{Addr: src}}}, Instance{Iface: "eth0", IfaceUp: true}, fakeStates{up: up}, Set{}},
		{"scripts", config.Instance{Name: "I", Tracking: config.Tracking{TrackScripts: []config.TrackRef{ref("up"), ref("down"), weighted("zero", 0), ref("refused"), weighted("own", -5)}}},
			Instance{Iface: "eth0", IfaceUp: true}, fakeStates{up: up, scripts: map[string]Tracker{
				"up":   {State: track.StateUp, Weight: config.Weight{Value: 10}},
				"down": {State: track.StateDown, Weight: config.Weight{Value: -20}},
				"zero": {State: track.StateDown, Weight: config.Weight{Value: -20}},
				"own":  {State: track.StateDown, Weight: config.Weight{Value: -20}},
			}},
			Set{{Script, "up", ""}: {Delta: 10}, {Script, "down", ""}: {Delta: -20}, {Script, "zero", ""}: {Fault: true},
				{Script, "own", ""}: {Delta: -5}}},
		{"track_interface", config.Instance{Name: "I", Tracking: config.Tracking{TrackInterfaces: []config.TrackRef{ref("eth1"), ref("eth5"), weighted("eth6", -30)}}},
			Instance{Iface: "eth0", IfaceUp: true}, fakeStates{up: up},
			Set{{Interface, "eth1", ""}: {}, {Interface, "eth5", ""}: {Fault: true}, {Interface, "eth6", ""}: {Delta: -30}}},
		{"files and processes", config.Instance{Name: "I", Tracking: config.Tracking{TrackFiles: []config.TrackRef{ref("f"), ref("gone")},
			TrackProcesses: []config.TrackRef{ref("p"), ref("q")}}},
			Instance{Iface: "eth0", IfaceUp: true}, fakeStates{up: up,
				files: map[string]FileValue{"f": {Value: 3, Weight: config.Weight{Value: 2}}},
				procs: map[string]Tracker{"p": {State: track.StateDown, Weight: config.Weight{Value: -7}}, "q": {State: track.StateDown}}},
			Set{{File, "f", ""}: {Delta: 6}, {Process, "p", ""}: {Delta: -7}, {Process, "q", ""}: {Fault: true}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			in.Conf = &tt.ci
			got := Compute(&config.Config{}, in, tt.st)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestComputeTrackGroup: a static entry naming a track group faults the
// group's instances, and only them, while its interface is down or it is
// off; a no_track entry faults no one.
func TestComputeTrackGroup(t *testing.T) {
	c := configtest.Load(t, "track_group G {\n group {\n  R\n }\n}\n"+
		"vrrp_instance R {\n interface eth0\n virtual_router_id 1\n}\n"+
		"vrrp_instance O {\n interface eth0\n virtual_router_id 2\n}\n")
	st := fakeStates{up: map[string]bool{"eth0": true, "lo": true}, statics: []Static{
		{Group: "G", Dev: "lo", Entry: "route a", On: false},
		{Group: "G", Dev: "eth7", Entry: "route b", On: true},
		{Group: "G", Entry: "rule c", On: true},
		{Group: "G", Dev: "lo", Entry: "route d", On: false, NoTrack: true},
		{Dev: "lo", Entry: "route e"},
	}}
	want := map[string]Set{
		"R": {{GroupStaticOff, "G", "route a"}: {Fault: true}, {GroupIfaceDown, "G", "eth7"}: {Fault: true}},
		"O": {},
	}
	for _, ci := range c.Instances {
		got := Compute(c, Instance{Conf: ci, Iface: "eth0", IfaceUp: true}, st)
		if diff := cmp.Diff(want[ci.Name], got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", ci.Name, diff)
		}
	}
}

// TestCauseString: the causes read as the logs and the status API have
// always shown them.
func TestCauseString(t *testing.T) {
	tests := []struct {
		c    Cause
		want string
	}{
		{Cause{IfaceDown, "eth0", ""}, "interface eth0 down"},
		{Cause{IfaceMissing, "eth0", ""}, "interface eth0 missing"},
		{Cause{NoAddress, "eth0", "IPv4"}, "no IPv4 address on eth0"},
		{Cause{SrcGone, "eth0", "10.0.0.2"}, "track_src_ip: 10.0.0.2 not on eth0"},
		{Cause{SrcNotLocal, "", "10.0.0.2"}, "src address 10.0.0.2 not configured"},
		{Cause{VIPIfaceDown, "eth2", ""}, "interface eth2 of a virtual address down"},
		{Cause{GroupIfaceDown, "G", "lo"}, "track_group G: interface lo down"},
		{Cause{GroupStaticOff, "G", "route x"}, "track_group G: static route x missing"},
		{Cause{Kind: NoUnicastPeer}, "unicast_fault_no_peer: no unicast peer"},
		{Cause{Kind: Script, Name: "s"}, "script s"},
		{Cause{Kind: Interface, Name: "eth1"}, "track_interface eth1"},
		{Cause{Kind: File, Name: "f"}, "track_file f"},
		{Cause{Kind: Process, Name: "p"}, "track_process p"},
	}
	for _, tt := range tests {
		if got := tt.c.String(); got != tt.want {
			t.Errorf("%+v: %q, want %q", tt.c, got, tt.want)
		}
	}
}

// TestChanges: faults that end and begin, in a stable order, and the
// delta sums.
func TestChanges(t *testing.T) {
	a, b, c := Cause{Kind: Script, Name: "a"}, Cause{Kind: Script, Name: "b"}, Cause{IfaceDown, "eth0", ""}
	tests := []struct {
		name     string
		old, now Set
		want     Change
	}{
		{"nothing", Set{}, Set{}, Change{}},
		{"faults begin", Set{}, Set{b: {Fault: true}, a: {Fault: true}, c: {Fault: true}}, Change{On: []Cause{c, a, b}}},
		{"faults end", Set{a: {Fault: true}, b: {Fault: true}}, Set{b: {Fault: true}}, Change{Off: []Cause{a}}},
		{"weights", Set{a: {Delta: 5}, b: {Delta: -3}}, Set{a: {Delta: 5}, b: {Fault: true}},
			Change{On: []Cause{b}, OldSum: 2, NewSum: 5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, Changes(tt.old, tt.now)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestWeight(t *testing.T) {
	tests := []struct {
		name string
		ref  config.TrackRef
		def  config.Weight
		want track.Weight
	}{
		{"tracker's weight", config.TrackRef{Name: "f"}, config.Weight{Value: -10}, track.Weight{Value: -10}},
		{"reference overrides", config.TrackRef{Name: "f", Weight: config.Weight{Value: 5, Reverse: true, Set: true}},
			config.Weight{Value: -10}, track.Weight{Value: 5, Reverse: true}},
		{"reference weight 0 overrides", config.TrackRef{Name: "f", Weight: config.Weight{Set: true}},
			config.Weight{Value: -10}, track.Weight{}},
		{"reference weight 0 reverse", config.TrackRef{Name: "f", Weight: config.Weight{Reverse: true, Set: true}},
			config.Weight{Value: -10}, track.Weight{Reverse: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, Weight(tt.ref, tt.def)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestTrackedSrc: track_src_ip tracks unicast_src_ip, else mcast_src_ip,
// and nothing without a configured source or without the keyword.
func TestTrackedSrc(t *testing.T) {
	uni, mc := netip.MustParseAddr("10.0.0.2"), netip.MustParseAddr("10.0.0.3")
	tests := []struct {
		name string
		ci   config.Instance
		want netip.Addr
	}{
		{"unicast", config.Instance{TrackSrcIP: true, UnicastSrcIP: uni, McastSrcIP: mc}, uni},
		{"multicast", config.Instance{TrackSrcIP: true, McastSrcIP: mc}, mc},
		{"no configured source", config.Instance{TrackSrcIP: true}, netip.Addr{}},
		{"no keyword", config.Instance{UnicastSrcIP: uni}, netip.Addr{}},
	}
	for _, tt := range tests {
		got, ok := TrackedSrc(&tt.ci)
		if got != tt.want || ok != tt.want.IsValid() {
			t.Errorf("%s: TrackedSrc = %v, %v; want %v", tt.name, got, ok, tt.want)
		}
	}
}

// TestComputeSyncGroup: the effects of track_file and track_process
// on a sync group member follow keepalived's rule as the loader resolves
// it. The group's entries (tf, web) count with their weights in every
// member, with or without sync_group_tracking_weight; a member's own
// weighted entry (db) means FAULT unless sync_group_tracking_weight; a
// member with priority 255 turns the group's weights into FAULT too.
func TestComputeSyncGroup(t *testing.T) {
	conf := func(groupExtra string, prioB int) string {
		return `track_file tf {
 file /run/tf
 weight 3
}
vrrp_track_process web {
 process nginx
 weight -30
}
vrrp_track_process db {
 process postgres
 weight -40
}
vrrp_instance A {
 interface eth0
 virtual_router_id 1
 virtual_ipaddress {
  10.0.0.1
 }
 track_process {
  db
 }
}
vrrp_instance B {
 interface eth0
 virtual_router_id 2
 priority ` + strconv.Itoa(prioB) + `
 virtual_ipaddress {
  10.0.0.2
 }
}
vrrp_sync_group G {
 group {
  A
  B
 }
 track_file {
  tf
 }
 track_process {
  web weight -25
 }
` + groupExtra + `}
`
	}
	tests := []struct {
		name  string
		extra string
		prioB int
		want  map[string]Set // instance -> effects
	}{
		{"group weights count", "", 100, map[string]Set{
			"A": {{Kind: File, Name: "tf"}: {Delta: 6}, {Kind: Process, Name: "web"}: {Delta: -25}, {Kind: Process, Name: "db"}: {Fault: true}},
			"B": {{Kind: File, Name: "tf"}: {Delta: 6}, {Kind: Process, Name: "web"}: {Delta: -25}},
		}},
		{"sync_group_tracking_weight", " sync_group_tracking_weight\n", 100, map[string]Set{
			"A": {{Kind: File, Name: "tf"}: {Delta: 6}, {Kind: Process, Name: "web"}: {Delta: -25}, {Kind: Process, Name: "db"}: {Delta: -40}},
			"B": {{Kind: File, Name: "tf"}: {Delta: 6}, {Kind: Process, Name: "web"}: {Delta: -25}},
		}},
		{"address owner member", " sync_group_tracking_weight\n", 255, map[string]Set{
			"A": {{Kind: File, Name: "tf"}: {Fault: true}, {Kind: Process, Name: "web"}: {Fault: true}, {Kind: Process, Name: "db"}: {Delta: -40}},
			"B": {{Kind: File, Name: "tf"}: {Fault: true}, {Kind: Process, Name: "web"}: {Fault: true}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := configtest.Load(t, conf(tt.extra, tt.prioB))
			st := fakeStates{up: map[string]bool{"eth0": true}, files: map[string]FileValue{}, procs: map[string]Tracker{}}
			for _, f := range c.TrackFiles {
				st.files[f.Name] = FileValue{Value: 2, Weight: f.Weight}
			}
			for _, p := range c.TrackProcesses {
				st.procs[p.Name] = Tracker{State: track.StateDown, Weight: p.Weight}
			}
			got := map[string]Set{}
			for _, ci := range c.Instances {
				got[ci.Name] = Compute(c, Instance{Conf: ci, Iface: "eth0", IfaceUp: true}, st)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("effects (-want +got):\n%s", diff)
			}
		})
	}
}

package control

import (
	"net/netip"
	"time"
)

// The fixtures reproduce, in our model, the state of the two keepalived
// 2.2.7 routers whose dumps are in testdata/keepalived-2.2.7.

func usec(n int64) time.Time { return time.UnixMicro(n).UTC() }

func sec(f float64) Duration { return Duration(f * float64(time.Second)) }

var defaultGarp = GarpSettings{
	Delay: sec(5), Repeat: 5, RefreshRepeat: 1, LowerPrioDelay: sec(5), LowerPrioRepeat: 5,
}

func fixtureInstances(master bool) (vi1, vi6 Instance) {
	vi1 = Instance{
		Name: "VI_1", Interface: "veth0", VRID: 51, Version: 2, Family: "inet",
		State: StateBackup, WantState: StateBackup, SyncGroup: "G1",
		BasePriority: 100, EffectivePriority: 100,
		SourceAddr:     netip.MustParseAddr("10.0.0.2"),
		MasterAddr:     netip.MustParseAddr("10.0.0.1"),
		MasterPriority: 150, AdvertInterval: sec(1), MasterAdvertInterval: sec(1),
		LastTransition: Transition{At: usec(1795682316140108), From: StateInit, To: StateBackup, Cause: "startup"},
		VIPs: []VIP{
			{Addr: netip.MustParsePrefix("192.168.200.16/24"), Interface: "veth0"},
			{Addr: netip.MustParsePrefix("192.168.200.17/32"), Interface: "veth0", Label: "veth0:1"},
		},
		Accept: true, AuthType: "PASS", AuthPass: "secret", Garp: defaultGarp,
		Stats: Stats{AdvertRcvd: 5},
	}
	vi6 = Instance{
		Name: "VI_6", Interface: "veth0", VRID: 52, Version: 3, Family: "inet6",
		State: StateBackup, WantState: StateBackup, SyncGroup: "G1",
		BasePriority: 90, EffectivePriority: 90,
		SourceAddr:     netip.MustParseAddr("fe80::807a:11ff:fe71:1fe6"),
		MasterAddr:     netip.MustParseAddr("fe80::f0b8:8ff:fe40:1f77"),
		MasterPriority: 100, AdvertInterval: sec(0.5), MasterAdvertInterval: sec(0.5),
		LastTransition: Transition{At: usec(1795682316139333), From: StateInit, To: StateBackup, Cause: "startup"},
		VIPs:           []VIP{{Addr: netip.MustParsePrefix("fd00::16/64"), Interface: "veth0"}},
		Nopreempt:      true, Accept: true, AuthType: "none", Garp: defaultGarp,
		Stats: Stats{AdvertRcvd: 9},
	}
	if !master {
		return vi1, vi6
	}
	vi1.State, vi1.WantState, vi1.BasePriority, vi1.EffectivePriority = StateMaster, StateMaster, 150, 150
	vi1.SourceAddr, vi1.MasterAddr, vi1.MasterPriority = netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("10.0.0.1"), 0
	vi1.LastTransition = Transition{At: usec(1795682317257484), From: StateBackup, To: StateMaster, Cause: "master down timer expired"}
	vi1.VIPs[0].Present, vi1.VIPs[1].Present = true, true
	vi1.Stats = Stats{AdvertSent: 5, BecomeMaster: 1, GratuitousARPSent: 10}
	vi6.State, vi6.WantState, vi6.BasePriority, vi6.EffectivePriority = StateMaster, StateMaster, 100, 100
	vi6.SourceAddr = netip.MustParseAddr("fe80::f0b8:8ff:fe40:1f77")
	vi6.MasterAddr, vi6.MasterPriority = vi6.SourceAddr, 0
	vi6.LastTransition = Transition{At: usec(1795682317261374), From: StateBackup, To: StateMaster, Cause: "master down timer expired"}
	vi6.VIPs[0].Present = true
	vi6.Stats = Stats{AdvertSent: 9, BecomeMaster: 1, UnsolicitedNASent: 5, Drops: map[string]uint64{"checksum": 2}}
	return vi1, vi6
}

// fixture is router A (master) or B (backup) with its sync group.
func fixture(master bool) Snapshot {
	vi1, vi6 := fixtureInstances(master)
	id, state := "B", StateBackup
	if master {
		id, state = "A", StateMaster
	}
	return Snapshot{
		Time:       usec(1795682324000000),
		Daemon:     Daemon{Version: "0.1.0", PID: 4242, StartedAt: usec(1795682313000000), RouterID: id},
		Config:     ConfigStatus{File: "/etc/keepalived/keepalived.conf", LoadedAt: usec(1795682313000000)},
		Instances:  []Instance{vi1, vi6},
		SyncGroups: []SyncGroup{{Name: "G1", State: state, Members: []string{"VI_1", "VI_6"}}},
		Trackers:   []Tracker{},
	}
}

// fixtureScript is router A with no sync group and a tracked script
// (testdata/keepalived-2.2.7/master-script.data).
func fixtureScript() Snapshot {
	s := fixture(true)
	s.SyncGroups = nil
	s.Time = usec(1795682460000000)
	vi1, vi6 := &s.Instances[0], &s.Instances[1]
	vi1.SyncGroup, vi6.SyncGroup = "", ""
	vi1.LastTransition.At = usec(1795682334114976)
	vi6.LastTransition.At = usec(1795682332474009)
	vi6.SourceAddr = netip.MustParseAddr("fe80::5c4d:12ff:fe8a:cb2e")
	vi1.Tracks = []TrackRef{{Name: "chk_ok", Kind: "script", Weight: -20}}
	s.Trackers = []Tracker{{
		Name: "chk_ok", Kind: "script", Status: "GOOD", Target: "/usr/bin/true", Weight: -20,
		Interval: sec(1), Rise: 2, Fall: 2, LastRun: usec(1795682333900000), Instances: []string{"VI_1"},
	}}
	return s
}

// fixtureScriptErrors is fixtureScript with a script the gate refused and
// one whose last run timed out.
func fixtureScriptErrors() Snapshot {
	s := fixtureScript()
	s.Trackers = append(s.Trackers, Tracker{
		Name: "chk_refused", Kind: "script", Status: "DISABLED", Target: "/opt/chk.sh", Weight: -30,
		Disabled:  "/opt/chk.sh is writable by a non-root user",
		LastError: "refused: /opt/chk.sh is writable by a non-root user",
	}, Tracker{
		Name: "chk_slow", Kind: "script", Status: "BAD", Target: "/opt/slow.sh", Weight: -10,
		LastRun: usec(1795682459000000), LastExitCode: -1, LastError: "timed out", Instances: []string{"VI_6"},
	})
	return s
}

package config_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/netip"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/control"
	"github.com/gokeepalived/gokeepalived/internal/instance"
	"github.com/gokeepalived/gokeepalived/internal/instance/fromconfig"
	"github.com/gokeepalived/gokeepalived/internal/metrics"
	"github.com/gokeepalived/gokeepalived/internal/notify"
)

// FuzzAcceptedConfigOutputs proves that no configuration the daemon
// accepts (one without errors) can crash it through its names: every
// accepted configuration is taken down the path the daemon takes it —
// config.Load, instance setup from config, metrics registration, updates
// and a scrape, the status JSON and keepalived's dumps, the notify FIFO
// lines and a log line — carrying every name it holds. daemon.New builds
// real sockets and needs root, so the daemon's pieces are driven directly.
// Before the name rule, a vrrp_script or instance name that is not UTF-8
// panicked the metrics scrape, and a newline forged FIFO lines.
func FuzzAcceptedConfigOutputs(f *testing.F) {
	config.AddModelSeeds(f)
	f.Add([]byte(nameSeed("VI_1", "chk", "G")))
	f.Add([]byte(nameSeed("VI_\xff", "chk\\x01", "G\\n")))
	f.Add([]byte(nameSeed(`"VI 1\n"`, `"c\x80"`, `'G" FAULT 0'`)))
	opts := config.Options{ConfigID: "x", ReadFile: func(string) ([]byte, error) { return nil, os.ErrNotExist },
		MaxExpansion: 64 << 10, MaxInput: 1 << 20}
	f.Fuzz(func(t *testing.T, src []byte) {
		cfg, diags := config.LoadBytes("fuzz.conf", src, opts)
		if cfg == nil || config.HasErrors(diags) {
			return // the daemon refuses it (see reload.Load)
		}
		driveOutputs(t, cfg)
	})
}

// nameSeed is a small configuration using the three names.
func nameSeed(inst, script, group string) string {
	return "vrrp_script " + script + " {\n script /bin/true\n}\n" +
		"vrrp_instance " + inst + " {\n interface eth0\n virtual_router_id 1\n track_script {\n  " + script + "\n }\n" +
		" track_interface {\n  eth1\n }\n virtual_ipaddress {\n  10.0.0.1/24\n }\n}\n" +
		"vrrp_sync_group " + group + " {\n group {\n  " + inst + "\n }\n}\n"
}

// driveOutputs takes cfg through everything that prints its names.
func driveOutputs(t *testing.T, cfg *config.Config) {
	t.Helper()
	snap := snapshotOf(cfg)
	reg := prometheus.NewRegistry()
	m, err := metrics.New(reg, control.SourceFunc(func() control.Snapshot { return snap }))
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range snap.Instances {
		m.Transition(in.Name, control.StateBackup, control.StateMaster)
	}
	for _, s := range cfg.Scripts {
		m.ScriptRun(s.Name, metrics.ScriptFailure, time.Millisecond)
	}
	if _, err := reg.Gather(); err != nil {
		t.Fatalf("metrics scrape: %v", err)
	}
	if _, err := json.Marshal(snap); err != nil {
		t.Fatalf("status JSON: %v", err)
	}
	for _, write := range []func(io.Writer) error{
		func(w io.Writer) error { return control.WriteJSON(w, snap, control.JSONVersion2) },
		func(w io.Writer) error { return control.WriteData(w, snap) },
		func(w io.Writer) error { return control.WriteStats(w, snap) },
		func(w io.Writer) error { return control.RenderTable(w, snap, snap.Time) },
	} {
		if err := write(io.Discard); err != nil {
			t.Fatalf("dump: %v", err)
		}
	}
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	events := func(kind notify.Kind, name string) {
		for _, st := range []notify.State{notify.StateMaster, notify.StateFault} {
			line := notify.Event{Kind: kind, Name: name, State: st, Priority: 100}.FIFOLine()
			if strings.Count(line, "\n") != 1 || !strings.HasSuffix(line, " "+st.String()+" 100\n") {
				t.Fatalf("FIFO line %q for %q is not one line of four fields", line, name)
			}
		}
		logs.Reset()
		log.Info("transition", "instance", name)
		if strings.Count(logs.String(), "\n") != 1 {
			t.Fatalf("log line %q for %q is not one line", logs.String(), name)
		}
	}
	for _, in := range cfg.Instances {
		events(notify.KindInstance, in.Name)
	}
	for _, g := range cfg.SyncGroups {
		events(notify.KindGroup, g.Name)
	}
}

// snapshotOf sets up every instance as the daemon does
// (fromconfig.Config, instance.New) and describes the result the way
// the daemon's status does, with every name the configuration gave.
func snapshotOf(cfg *config.Config) control.Snapshot {
	s := control.Snapshot{Time: time.Unix(1700000000, 0), Daemon: control.Daemon{RouterID: cfg.Global.RouterID}}
	for _, ci := range cfg.Instances {
		src := netip.MustParseAddr("192.0.2.1")
		family := "inet"
		if ci.Family == 6 {
			src, family = netip.MustParseAddr("fe80::1"), "inet6"
		}
		mc := instance.New(fromconfig.Config(ci, src))
		in := control.Instance{Name: ci.Name, Interface: ci.Interface, VRID: ci.VRID, Version: ci.Version,
			Family: family, State: control.State(mc.State().String()), SyncGroup: ci.SyncGroup,
			BasePriority: ci.Priority, EffectivePriority: int(mc.EffectivePriority()), SourceAddr: src,
			LastTransition: control.Transition{At: s.Time}}
		for _, v := range ci.VIPs {
			in.VIPs = append(in.VIPs, control.VIP{Addr: v.Prefix, Interface: v.Dev})
		}
		s.Instances = append(s.Instances, in)
		trackers(&s, ci.Name, ci.Tracking)
	}
	for _, g := range cfg.SyncGroups {
		s.SyncGroups = append(s.SyncGroups, control.SyncGroup{Name: g.Name, State: control.StateBackup, Members: g.Members})
		trackers(&s, g.Name, g.Tracking)
	}
	for _, sc := range cfg.Scripts {
		s.Trackers = append(s.Trackers, control.Tracker{Name: sc.Name, Kind: "script", Status: "GOOD",
			Target: strings.Join(sc.Cmd, " "), LastRun: s.Time})
	}
	for _, tf := range cfg.TrackFiles {
		s.Trackers = append(s.Trackers, control.Tracker{Name: tf.Name, Kind: "file", Status: "GOOD", Target: tf.File})
	}
	for _, tp := range cfg.TrackProcesses {
		s.Trackers = append(s.Trackers, control.Tracker{Name: tp.Name, Kind: "process", Status: "BAD", Target: tp.Process})
	}
	return s
}

// trackers adds the interfaces user tracks, as the daemon lists them.
func trackers(s *control.Snapshot, user string, tr config.Tracking) {
	for _, r := range tr.TrackInterfaces {
		s.Trackers = append(s.Trackers, control.Tracker{Name: r.Name, Kind: "interface", Status: "BAD",
			Target: r.Name, Instances: []string{user}})
	}
}

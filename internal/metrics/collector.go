package metrics

import (
	"strconv"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gokeepalived/gokeepalived/internal/control"
)

// snapshotCollector turns one control.Snapshot per scrape into metrics.
type snapshotCollector struct {
	src control.Source

	state, info, basePrio, effPrio, lastTransition *prometheus.Desc
	advSent, advRcvd, becameMaster, releasedMaster *prometheus.Desc
	priZeroSent, priZeroRcvd, drops, garpSent      *prometheus.Desc
	naSent, vipPresent, groupState                 *prometheus.Desc
	trackerHealthy, trackerExit                    *prometheus.Desc
	reloadOK, loadedAt                             *prometheus.Desc
	rxKernelDrops                                  *prometheus.Desc
	lvs                                            lvsDescs // lvs.go
	authHMAC                                       *prometheus.Desc
	bgp                                            *bgpCollector // bgp.go
}

func desc(subsystem, name, help string, labels ...string) *prometheus.Desc {
	return prometheus.NewDesc(prometheus.BuildFQName(namespace, subsystem, name), help, labels, nil)
}

func newSnapshotCollector(src control.Source) *snapshotCollector {
	in := InstanceLabel
	return &snapshotCollector{
		src:            src,
		bgp:            newBGPCollector(),
		state:          desc("vrrp", "state", "1 for the state a VRRP instance is in, 0 for the others.", in, "state"),
		info:           desc("vrrp", "info", "A VRRP instance's identity; always 1.", in, "interface", "vrid", "version", "family"),
		basePrio:       desc("vrrp", "base_priority", "Configured priority of a VRRP instance.", in),
		effPrio:        desc("vrrp", "effective_priority", "Priority after tracking weights.", in),
		lastTransition: desc("vrrp", "last_transition_timestamp_seconds", "When the instance last changed state.", in),
		advSent:        desc("vrrp", "adverts_sent_total", "VRRP adverts sent.", in),
		advRcvd:        desc("vrrp", "adverts_received_total", "VRRP adverts received.", in),
		becameMaster:   desc("vrrp", "became_master_total", "Times the instance became master.", in),
		releasedMaster: desc("vrrp", "released_master_total", "Times the instance left the master state.", in),
		priZeroSent:    desc("vrrp", "priority_zero_sent_total", "Priority-0 adverts sent (master stepping down).", in),
		priZeroRcvd:    desc("vrrp", "priority_zero_received_total", "Priority-0 adverts received.", in),
		drops:          desc("vrrp", "drops_total", "Received VRRP packets dropped, by reason.", in, "reason"),
		garpSent:       desc("vrrp", "gratuitous_arp_sent_total", "Gratuitous ARP packets sent.", in),
		naSent:         desc("vrrp", "unsolicited_na_sent_total", "Unsolicited neighbour advertisements sent.", in),
		vipPresent:     desc("vrrp", "vip_present", "1 when the virtual address is on its interface.", in, "vip"),
		groupState:     desc("sync_group", "state", "1 for the state a sync group is in, 0 for the others.", "group", "state"),
		trackerHealthy: desc("tracker", "healthy", "1 when a tracked script/interface/file/process is GOOD.", "tracker", "kind"),
		trackerExit:    desc("tracker", "last_exit_code", "Exit status of a tracking script's last run.", "tracker"),
		reloadOK:       desc("config", "last_reload_successful", "0 when the last reload was refused (the old configuration runs on)."),
		loadedAt:       desc("config", "loaded_timestamp_seconds", "When the configuration in force was loaded."),
		rxKernelDrops: desc("vrrp", "rx_kernel_drops_total", "VRRP packets the kernel dropped because a receive socket's buffer was full "+
			"(vrrp_rx_bufs_policy)."),
		lvs: newLVSDescs(),
		authHMAC: desc("vrrp", "auth_hmac_info", "An auth_hmac instance's migration mode and signing key id; always 1. "+
			"Its refusals are vrrp_drops_total with reason auth_ext_*.", in, "mode", "active_key"),
	}
}

// Describe sends every metric description.
func (c *snapshotCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{
		c.state, c.info, c.basePrio, c.effPrio, c.lastTransition, c.advSent, c.advRcvd,
		c.becameMaster, c.releasedMaster, c.priZeroSent, c.priZeroRcvd, c.drops, c.garpSent,
		c.naSent, c.vipPresent, c.groupState, c.trackerHealthy, c.trackerExit, c.reloadOK, c.loadedAt,
		c.authHMAC, c.rxKernelDrops,
	} {
		ch <- d
	}
	for _, d := range c.lvs.all() {
		ch <- d
	}
	c.bgp.describe(ch)
}

// Collect takes one snapshot and sends its metrics.
func (c *snapshotCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.src.Snapshot()
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	counter := func(d *prometheus.Desc, v uint64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), labels...)
	}
	for _, in := range s.Instances {
		n := in.Name
		for _, st := range control.States {
			gauge(c.state, b2f(in.State == st), n, string(st))
		}
		gauge(c.info, 1, n, in.Interface, strconv.Itoa(in.VRID), strconv.Itoa(in.Version), in.Family)
		gauge(c.basePrio, float64(in.BasePriority), n)
		gauge(c.effPrio, float64(in.EffectivePriority), n)
		if at := in.LastTransition.At; !at.IsZero() {
			gauge(c.lastTransition, float64(at.UnixNano())/1e9, n)
		}
		// Counters keep counting over SIGRTMAX-1's clear (and over a
		// restart by reload, which carries Stats over).
		st := in.Stats.Plus(in.StatsCleared)
		counter(c.advSent, st.AdvertSent, n)
		counter(c.advRcvd, st.AdvertRcvd, n)
		counter(c.becameMaster, st.BecomeMaster, n)
		counter(c.releasedMaster, st.ReleaseMaster, n)
		counter(c.priZeroSent, st.PriZeroSent, n)
		counter(c.priZeroRcvd, st.PriZeroRcvd, n)
		for _, d := range control.DropCounts(st) {
			counter(c.drops, d.Count, n, d.Reason)
		}
		counter(c.garpSent, st.GratuitousARPSent, n)
		counter(c.naSent, st.UnsolicitedNASent, n)
		if a := in.AuthHMAC; a != nil {
			gauge(c.authHMAC, 1, n, a.Mode, strconv.Itoa(a.ActiveKey))
		}
		for _, v := range in.VIPs {
			gauge(c.vipPresent, b2f(v.Present), n, v.Addr.String())
		}
	}
	for _, g := range s.SyncGroups {
		for _, st := range control.States {
			gauge(c.groupState, b2f(g.State == st), g.Name, string(st))
		}
	}
	for _, t := range s.Trackers {
		gauge(c.trackerHealthy, b2f(t.Status == "GOOD"), t.Name, t.Kind)
		if t.Kind == "script" && !t.LastRun.IsZero() {
			gauge(c.trackerExit, float64(t.LastExitCode), t.Name)
		}
	}
	counter(c.rxKernelDrops, s.Daemon.RxKernelDrops)
	gauge(c.reloadOK, b2f(s.Config.LastReloadError == ""))
	if !s.Config.LoadedAt.IsZero() {
		gauge(c.loadedAt, float64(s.Config.LoadedAt.UnixNano())/1e9)
	}
	c.lvs.collect(ch, s.LVS)
	c.bgp.collect(ch, s.BGP)
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

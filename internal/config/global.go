package config

import (
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// GlobalDefs is the global_defs block with keepalived's defaults.
type GlobalDefs struct {
	RouterID              string   `json:",omitempty"`
	NotificationEmail     []string `json:",omitempty"`
	NotificationEmailFrom string   `json:",omitempty"`
	SMTPServer            string   `json:",omitempty"`
	// SMTPAddr is SMTPServer as a dial address, "host:port" (port 25 when
	// none is given); set with SMTPServer, empty without it.
	SMTPAddr           string `json:"-"`
	SMTPConnectTimeout time.Duration

	EnableScriptSecurity bool   `json:",omitempty"`
	ScriptUser           string `json:",omitempty"`
	ScriptGroup          string `json:",omitempty"`

	VRRPStrict           bool `json:",omitempty"`
	SkipCheckAdvAddr     bool `json:",omitempty"`
	CheckUnicastSrc      bool `json:",omitempty"`
	LowerPrioNoAdvert    bool `json:",omitempty"`
	HigherPrioSendAdvert bool `json:",omitempty"`
	OwnerIgnoreAdverts   bool `json:",omitempty"`
	V3ChecksumAsV2       bool `json:",omitempty"`
	// VRRPVersion is the default protocol version for IPv4 (2).
	VRRPVersion      int
	DownTimerAdverts int // default 3
	McastGroup4      netip.Addr
	McastGroup6      netip.Addr

	// Garp holds the vrrp_garp_* defaults instances start from.
	Garp GarpSettings

	DynamicInterfaces       bool          `json:",omitempty"`
	DefaultInterface        string        `json:",omitempty"`
	StartupDelay            time.Duration `json:",omitempty"`
	VMACPrefix              string        // default "vrrp"
	VMACAddrPrefix          string        `json:",omitempty"`
	NotifyFifo              *Fifo         `json:",omitempty"`
	VRRPNotifyFifo          *Fifo         `json:",omitempty"`
	LVSNotifyFifo           *Fifo         `json:",omitempty"`
	NotifyPriorityChanges   bool          `json:",omitempty"`
	FifoWriteStatesOnReload bool          `json:",omitempty"`
	StartupScript           *Script       `json:",omitempty"`
	StartupScriptTimeout    time.Duration `json:",omitempty"`
	ShutdownScript          *Script       `json:",omitempty"`
	ShutdownScriptTimeout   time.Duration `json:",omitempty"`
	JSONVersion             int           // default 1
	NetNamespace            string        `json:",omitempty"`
	Instance                string        `json:",omitempty"`

	// SMTPAlert and SMTPAlertVRRP are the global smtp_alert and
	// smtp_alert_vrrp (nil: not written); an instance or sync group without
	// its own smtp_alert follows smtp_alert_vrrp, else smtp_alert.
	// NoEmailFaults skips mails about entering FAULT; SMTPHeloName is the
	// HELO name (default: the host name).
	// LogUnknownVRIDs logs adverts for VRIDs no instance has.
	LogUnknownVRIDs bool `json:",omitempty"`
	// RxBufs sizes the VRRP receive buffers (vrrp_rx_bufs_policy).
	RxBufs RxBufs `json:",omitzero"`

	SMTPAlert     *bool  `json:",omitempty"`
	SMTPAlertVRRP *bool  `json:",omitempty"`
	NoEmailFaults bool   `json:",omitempty"`
	SMTPHeloName  string `json:",omitempty"`

	// NFTablesTable is `nftables [TABLE]` (the table no_accept drop rules
	// go in; empty: the default "keepalived"), NFTablesPriority and
	// NFTablesCounters are nftables_priority and nftables_counters.
	NFTablesTable       string `json:",omitempty"`
	NFTablesPriority    int    `json:",omitempty"`
	NFTablesPrioritySet bool   `json:",omitempty"`
	NFTablesCounters    bool   `json:",omitempty"`

	// PrometheusListen is a gokeepalived extension: the address the
	// metrics endpoint listens on (empty: off).
	PrometheusListen string `json:",omitempty"`

	// LVSBackend is a gokeepalived extension, lvs_backend: the data
	// plane of the LVS half (empty: auto, IPVS when the kernel has it).
	LVSBackend LVSBackend `json:",omitempty"`
	// LVSFlush (lvs_flush) empties the kernel's LVS table at start;
	// LVSFlushOnStop (lvs_flush_on_stop, alias lvs_flush_onstop) how it
	// is emptied at stop.
	LVSFlush       bool      `json:",omitempty"`
	LVSFlushOnStop FlushMode `json:",omitempty"`
	// BGPSpeaker is bgp_speaker, ours (see bgp_model.go); nil: no BGP.
	BGPSpeaker *BGPSpeaker `json:",omitempty"`

	// Realtime is vrrp_rt_priority, vrrp_no_swap, vrrp_cpu_affinity and
	// vrrp_rlimit_rttime (global_rt.go).
	Realtime Realtime `json:",omitzero"`
}

func newGlobalDefs() GlobalDefs {
	return GlobalDefs{
		SMTPConnectTimeout: 30 * time.Second,
		VRRPVersion:        2,
		DownTimerAdverts:   3,
		McastGroup4:        netip.MustParseAddr("224.0.0.18"),
		McastGroup6:        netip.MustParseAddr("ff02::12"),
		VMACPrefix:         "vrrp",
		JSONVersion:        1,
		Garp: GarpSettings{
			MasterDelay:         5 * time.Second,
			MasterRepeat:        5,
			MasterRefreshRepeat: 1,
			LowerPrioDelay:      5 * time.Second,
			LowerPrioRepeat:     5,
		},
	}
}

func gf(f func(*GlobalDefs) *bool) kwFunc[*GlobalDefs] { return flagKw(f) }

func gDur(f func(*GlobalDefs) *time.Duration, hi time.Duration) kwFunc[*GlobalDefs] {
	return durKw(f, 0, hi)
}

func fifoKw(f func(*GlobalDefs) **Fifo) kwFunc[*GlobalDefs] {
	return func(l *loader, n *Node, g *GlobalDefs) {
		t, ok := l.arg(n, 0)
		if !ok {
			return
		}
		fi := *f(g)
		if fi == nil {
			fi = &Fifo{}
			*f(g) = fi
		}
		fi.Pos, fi.Path = t.Pos, t.Text
		if len(n.Args) > 1 {
			fi.User = n.Args[1].Text
		}
		if len(n.Args) > 2 {
			fi.Group = n.Args[2].Text
		}
	}
}

func fifoScriptKw(f func(*GlobalDefs) **Fifo) kwFunc[*GlobalDefs] {
	return func(l *loader, n *Node, g *GlobalDefs) {
		s := l.parseScript(n)
		if s == nil {
			return
		}
		if *f(g) == nil {
			*f(g) = &Fifo{}
		}
		(*f(g)).Script = s
	}
}

// globalNoEffect are the global_defs keywords accepted without effect yet.
var globalNoEffect = strings.Fields(`linkbeat_use_polling net_namespace_ipvs namespace_with_ipsets
use_pid_dir child_wait_time process_names process_name vrrp_process_name checker_process_name
lvs_process_name bfd_process_name use_symlink_paths set_supplementary_groups
smtp_alert_checker checker_log_all_failures
max_auto_priority min_auto_priority_delay disable_local_igmp lvs_timeouts
lvs_sync_daemon vrrp_min_garp
nftables_ifindex nftables_ipvs nftables_ipvs_priority
nftables_ipvs_start_fwmark vrrp_priority checker_priority checker_no_swap
checker_rt_priority checker_cpu_affinity checker_rlimit_rttime checker_rlimit_rtime bfd_priority
bfd_no_swap bfd_rt_priority bfd_cpu_affinity bfd_rlimit_rttime bfd_rlimit_rtime snmp_socket
enable_traps enable_snmp_vrrp enable_snmp_keepalived enable_snmp_rfc enable_snmp_rfcv2
enable_snmp_rfcv3 enable_snmp_checker snmp_vs_stats_update_interval snmp_rs_stats_update_interval
enable_dbus dbus_service_name dbus_no_interface_name vrrp_netlink_cmd_rcv_bufs
vrrp_netlink_cmd_rcv_bufs_force vrrp_netlink_monitor_rcv_bufs vrrp_netlink_monitor_rcv_bufs_force
process_monitor_rcv_bufs process_monitor_rcv_bufs_force lvs_netlink_cmd_rcv_bufs
lvs_netlink_cmd_rcv_bufs_force lvs_netlink_monitor_rcv_bufs lvs_netlink_monitor_rcv_bufs_force
rs_init_notifies no_checker_emails
vrrp_delay_after_boot umask random_seed reload_check_config reload_time_file
reload_repeat reload_file config_save_dir tmp_config_directory data_use_instance
iproute_usr_dir iproute_etc_dir state_dump_file stats_dump_file json_dump_file`)

// globalKeywords is the global_defs table.
var globalKeywords = table[*GlobalDefs]{
	"router_id": strKw(func(g *GlobalDefs) *string { return &g.RouterID }),
	// include_check is acted on while the files are read (setIncludeCheck).
	"include_check": func(*loader, *Node, *GlobalDefs) {},
	"notification_email": func(l *loader, n *Node, g *GlobalDefs) {
		if len(n.Children) == 0 {
			l.warnf(closePos(n), "empty notification_email block")
		}
		for _, c := range n.Children {
			g.NotificationEmail = append(g.NotificationEmail, c.Keyword.Text)
		}
	},
	"notification_email_from": func(l *loader, n *Node, g *GlobalDefs) {
		g.NotificationEmailFrom = l.stringArg(n, 0)
	},
	"smtp_server": func(l *loader, n *Node, g *GlobalDefs) {
		if len(n.Args) == 0 {
			l.stopf(endPos(n), "smtp_server needs a server")
			return
		}
		port := "25"
		if len(n.Args) > 1 {
			port = n.Args[1].Text
		}
		if !smtpServerValid(n.Args[0].Text, port) {
			l.errorf(n.Args[0].Pos, "Invalid smtp server %s %s", n.Args[0].Text, port)
			return
		}
		g.SMTPServer = strings.Join(texts(n.Args), " ")
		p, _ := strconv.ParseUint(port, 10, 16) // smtpServerValid checked it
		g.SMTPAddr = net.JoinHostPort(n.Args[0].Text, strconv.FormatUint(p, 10))
	},
	"smtp_connect_timeout": func(l *loader, n *Node, g *GlobalDefs) {
		if d, ok := l.durArg(n, 0, time.Second, 86400*time.Second); ok {
			g.SMTPConnectTimeout = d
		}
	},
	"enable_script_security": gf(func(g *GlobalDefs) *bool { return &g.EnableScriptSecurity }),
	"script_user": func(l *loader, n *Node, g *GlobalDefs) {
		g.ScriptUser = l.stringArg(n, 0)
		if len(n.Args) > 1 {
			g.ScriptGroup = n.Args[1].Text
		}
	},
	"vrrp_strict":                  gf(func(g *GlobalDefs) *bool { return &g.VRRPStrict }),
	"vrrp_skip_check_adv_addr":     gf(func(g *GlobalDefs) *bool { return &g.SkipCheckAdvAddr }),
	"vrrp_check_unicast_src":       gf(func(g *GlobalDefs) *bool { return &g.CheckUnicastSrc }),
	"vrrp_lower_prio_no_advert":    gf(func(g *GlobalDefs) *bool { return &g.LowerPrioNoAdvert }),
	"vrrp_higher_prio_send_advert": gf(func(g *GlobalDefs) *bool { return &g.HigherPrioSendAdvert }),
	"vrrp_owner_ignore_adverts":    gf(func(g *GlobalDefs) *bool { return &g.OwnerIgnoreAdverts }),
	"v3_checksum_as_v2":            gf(func(g *GlobalDefs) *bool { return &g.V3ChecksumAsV2 }),
	"vrrp_version":                 intKw(func(g *GlobalDefs) *int { return &g.VRRPVersion }, 2, 3),
	"vrrp_down_timer_adverts":      intKw(func(g *GlobalDefs) *int { return &g.DownTimerAdverts }, 1, 100),
	"vrrp_mcast_group4": func(l *loader, n *Node, g *GlobalDefs) {
		if a, ok := l.addrArg(n, 0); ok {
			if !a.Is4() || !a.IsMulticast() {
				l.errorf(n.Args[0].Pos, "vrrp_mcast_group4: %s is not an IPv4 multicast address", a)
				return
			}
			g.McastGroup4 = a
		}
	},
	"vrrp_mcast_group6": func(l *loader, n *Node, g *GlobalDefs) {
		if a, ok := l.addrArg(n, 0); ok {
			if !a.Is6() || !a.IsMulticast() {
				l.errorf(n.Args[0].Pos, "vrrp_mcast_group6: %s is not an IPv6 multicast address", a)
				return
			}
			g.McastGroup6 = a
		}
	},
	"vrrp_garp_master_delay":          gDur(func(g *GlobalDefs) *time.Duration { return &g.Garp.MasterDelay }, 86400*time.Second),
	"vrrp_garp_master_refresh":        gDur(func(g *GlobalDefs) *time.Duration { return &g.Garp.MasterRefresh }, 86400*time.Second),
	"vrrp_garp_lower_prio_delay":      gDur(func(g *GlobalDefs) *time.Duration { return &g.Garp.LowerPrioDelay }, 86400*time.Second),
	"vrrp_garp_interval":              gapKw(func(g *GlobalDefs) *time.Duration { return &g.Garp.Interval }),
	"vrrp_gna_interval":               gapKw(func(g *GlobalDefs) *time.Duration { return &g.Garp.GnaInterval }),
	"vrrp_iptables":                   iptablesKw,
	"vrrp_ipsets":                     iptablesKw,
	"vrrp_garp_master_repeat":         intKw(func(g *GlobalDefs) *int { return &g.Garp.MasterRepeat }, 0, 1<<31-1),
	"vrrp_garp_master_refresh_repeat": intKw(func(g *GlobalDefs) *int { return &g.Garp.MasterRefreshRepeat }, 0, 1<<31-1),
	"vrrp_garp_lower_prio_repeat":     intKw(func(g *GlobalDefs) *int { return &g.Garp.LowerPrioRepeat }, 0, 1<<31-1),
	"vrrp_garp_extra_if": func(l *loader, n *Node, g *GlobalDefs) {
		i := 0
		if len(n.Args) > 0 && n.Args[0].Text == "all" {
			g.Garp.ExtraIfAll, i = true, 1
		}
		if d, ok := l.durArg(n, i, 0, 86400*time.Second); ok {
			g.Garp.ExtraIf = d
		}
	},
	"dynamic_interfaces":               func(l *loader, n *Node, g *GlobalDefs) { g.DynamicInterfaces = true },
	"default_interface":                strKw(func(g *GlobalDefs) *string { return &g.DefaultInterface }),
	"vrrp_startup_delay":               gDur(func(g *GlobalDefs) *time.Duration { return &g.StartupDelay }, 3600*time.Second),
	"vmac_prefix":                      strKw(func(g *GlobalDefs) *string { return &g.VMACPrefix }),
	"vmac_addr_prefix":                 strKw(func(g *GlobalDefs) *string { return &g.VMACAddrPrefix }),
	"notify_fifo":                      fifoKw(func(g *GlobalDefs) **Fifo { return &g.NotifyFifo }),
	"notify_fifo_script":               fifoScriptKw(func(g *GlobalDefs) **Fifo { return &g.NotifyFifo }),
	"vrrp_notify_fifo":                 fifoKw(func(g *GlobalDefs) **Fifo { return &g.VRRPNotifyFifo }),
	"vrrp_notify_fifo_script":          fifoScriptKw(func(g *GlobalDefs) **Fifo { return &g.VRRPNotifyFifo }),
	"lvs_notify_fifo":                  fifoKw(func(g *GlobalDefs) **Fifo { return &g.LVSNotifyFifo }),
	"lvs_notify_fifo_script":           fifoScriptKw(func(g *GlobalDefs) **Fifo { return &g.LVSNotifyFifo }),
	"vrrp_notify_priority_changes":     gf(func(g *GlobalDefs) *bool { return &g.NotifyPriorityChanges }),
	"fifo_write_vrrp_states_on_reload": gf(func(g *GlobalDefs) *bool { return &g.FifoWriteStatesOnReload }),
	"startup_script":                   scriptKw(func(g *GlobalDefs) **Script { return &g.StartupScript }),
	"startup_script_timeout":           gDur(func(g *GlobalDefs) *time.Duration { return &g.StartupScriptTimeout }, 1000*time.Second),
	"shutdown_script":                  scriptKw(func(g *GlobalDefs) **Script { return &g.ShutdownScript }),
	"shutdown_script_timeout":          gDur(func(g *GlobalDefs) *time.Duration { return &g.ShutdownScriptTimeout }, 1000*time.Second),
	"json_version":                     intKw(func(g *GlobalDefs) *int { return &g.JSONVersion }, 1, 2),
	"net_namespace":                    strKw(func(g *GlobalDefs) *string { return &g.NetNamespace }),
	"instance":                         strKw(func(g *GlobalDefs) *string { return &g.Instance }),
	"vrrp_vmac_garp_intvl": func(l *loader, n *Node, g *GlobalDefs) {
		l.warnf(n.Keyword.Pos, "vrrp_vmac_garp_intvl is deprecated, use vrrp_garp_extra_if") // keepalived's -t fails on it
		l.noEffect(n)
	},
	"smtp_helo_name": strKw(func(g *GlobalDefs) *string { return &g.SMTPHeloName }),
	"smtp_alert": func(l *loader, n *Node, g *GlobalDefs) {
		v := l.boolArg(n, 0)
		g.SMTPAlert = &v
	},
	"smtp_alert_vrrp": func(l *loader, n *Node, g *GlobalDefs) {
		v := l.boolArg(n, 0)
		g.SMTPAlertVRRP = &v
	},
	"log_unknown_vrids": gf(func(g *GlobalDefs) *bool { return &g.LogUnknownVRIDs }),
	"no_email_faults":   gf(func(g *GlobalDefs) *bool { return &g.NoEmailFaults }),
	"nftables": func(l *loader, n *Node, g *GlobalDefs) {
		g.NFTablesTable = "keepalived"
		if len(n.Args) > 0 {
			g.NFTablesTable = n.Args[0].Text
		}
	},
	"nftables_priority": func(l *loader, n *Node, g *GlobalDefs) {
		if v, ok := l.intArg(n, 0, -2147483648, 2147483647); ok {
			g.NFTablesPriority = int(v)
			g.NFTablesPrioritySet = true
		}
	},
	"nftables_counters": gf(func(g *GlobalDefs) *bool { return &g.NFTablesCounters }),
	"lvs_backend":       func(l *loader, n *Node, g *GlobalDefs) { lvsBackendKw(l, n, g); l.ours(n) },
	"lvs_flush":         gf(func(g *GlobalDefs) *bool { return &g.LVSFlush }),
	"lvs_flush_on_stop": lvsFlushOnStopKw,
	"lvs_flush_onstop":  lvsFlushOnStopKw,
	"bgp_speaker":       func(l *loader, n *Node, g *GlobalDefs) { l.loadBGPSpeaker(n, g) },
	"prometheus_listen": func(l *loader, n *Node, g *GlobalDefs) {
		t, ok := l.arg(n, 0)
		if !ok {
			return
		}
		// A bare address takes the default metrics port (19650).
		_, portErr := netip.ParseAddrPort(t.Text)
		_, addrErr := netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(t.Text, "["), "]"))
		if portErr != nil && addrErr != nil && !strings.HasPrefix(t.Text, ":") {
			l.advisef(t.Pos, "use ADDR or ADDR:PORT, e.g. 127.0.0.1 (port 19650) or [::1]:19650", "prometheus_listen: %q is not an address and port", t.Text)
			return
		}
		g.PrometheusListen = t.Text
	},
}

// gapKw reads vrrp_garp_interval / vrrp_gna_interval: keepalived takes
// neither 0 nor a value it cannot read (the default, no gap, stays), and
// says so.
func gapKw(f func(*GlobalDefs) *time.Duration) kwFunc[*GlobalDefs] {
	return durKw(f, time.Microsecond, (1<<32-1)*time.Microsecond) // keepalived: 1 µs to 2^32-1 µs
}

// iptablesKw reports vrrp_iptables and vrrp_ipsets: the firewall rules
// for no_accept are always nftables here (keepalived built without
// iptables, as Debian's is, says the same).
func iptablesKw(l *loader, n *Node, _ *GlobalDefs) {
	l.warnf(n.Keyword.Pos, "iptables not supported, using nftables instead")
	l.hintf("replace vrrp_iptables and vrrp_ipsets with `nftables` (optionally a table name)")
	l.noEffect(n)
}

func init() {
	for _, k := range globalNoEffect {
		if _, ok := globalKeywords[k]; !ok {
			globalKeywords[k] = noEffectKw[*GlobalDefs]()
		}
	}
}

// loadGlobal reads a global_defs block.
func (l *loader) loadGlobal(n *Node) {
	dispatch(l, n.Children, globalKeywords, &l.cfg.Global, "global_defs")
}

package control

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/netip"
	"strconv"
	"time"
)

// Source gives the current state of the daemon. The daemon implements it;
// Snapshot must return a copy that the caller may keep and read without
// locks, and it must be cheap: it is called once per API request and once
// per Prometheus scrape.
type Source interface {
	Snapshot() Snapshot
}

// SourceFunc adapts a function to the Source interface.
type SourceFunc func() Snapshot

// Snapshot calls f.
func (f SourceFunc) Snapshot() Snapshot { return f() }

// Reloader reloads the configuration, as SIGHUP does. It returns after the
// new configuration is in force, or with the reason it was refused (the old
// one then keeps running).
type Reloader interface {
	Reload(ctx context.Context) error
}

// ReloaderFunc adapts a function to the Reloader interface.
type ReloaderFunc func(ctx context.Context) error

// Reload calls f.
func (f ReloaderFunc) Reload(ctx context.Context) error { return f(ctx) }

// State is a VRRP state as the API reports it: keepalived's state names.
// The zero value means unknown.
type State string

// The states an instance or sync group can be in.
const (
	StateInit    State = "INIT"
	StateBackup  State = "BACKUP"
	StateMaster  State = "MASTER"
	StateFault   State = "FAULT"
	StateStop    State = "STOP"
	StateDeleted State = "DELETED"
)

// States lists every known State, in keepalived's numeric order.
var States = []State{StateInit, StateBackup, StateMaster, StateFault, StateDeleted, StateStop}

// String returns the state name, or "UNKNOWN" for the zero value.
func (s State) String() string {
	if s == "" {
		return "UNKNOWN"
	}
	return string(s)
}

// Code returns keepalived's numeric code for s (vrrp.h: INIT 0, BACKUP 1,
// MASTER 2, FAULT 3, DELETED 97, STOP 98), the number its JSON dump and
// exporters use; unknown states map to 0 (INIT).
func (s State) Code() int {
	switch s {
	case StateBackup:
		return 1
	case StateMaster:
		return 2
	case StateFault:
		return 3
	case StateDeleted:
		return 97
	case StateStop:
		return 98
	}
	return 0
}

// maxSeconds bounds a Duration read from JSON well inside time.Duration's
// range (about 285 years).
const maxSeconds = 9e9

// Duration is a time.Duration that reads and writes JSON as a number of
// seconds (a float), so that scripts need no duration parser.
type Duration time.Duration

// D returns d as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// MarshalJSON writes d as seconds.
func (d Duration) MarshalJSON() ([]byte, error) {
	return strconv.AppendFloat(nil, time.Duration(d).Seconds(), 'f', -1, 64), nil
}

// UnmarshalJSON reads a number of seconds.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var f float64
	if err := json.Unmarshal(b, &f); err != nil {
		return fmt.Errorf("duration in seconds: %w", err)
	}
	if math.IsNaN(f) || math.Abs(f) > maxSeconds {
		return fmt.Errorf("duration in seconds: %v out of range", f)
	}
	*d = Duration(math.Round(f * 1e9))
	return nil
}

// Snapshot is everything the status API serves, taken at one moment.
type Snapshot struct {
	// Time is when the snapshot was taken.
	Time time.Time `json:"time"`
	// Daemon describes the running process.
	Daemon Daemon `json:"daemon"`
	// Config describes the loaded configuration and the last reload.
	Config ConfigStatus `json:"config"`
	// Instances are the vrrp_instance blocks, in configuration order.
	Instances []Instance `json:"instances"`
	// SyncGroups are the vrrp_sync_group blocks, in configuration order.
	SyncGroups []SyncGroup `json:"sync_groups"`
	// Trackers are the scripts, interfaces, files and processes tracked.
	Trackers []Tracker `json:"trackers"`
	// LVS is the LVS half (virtual and real servers); nil when not run.
	LVS *LVS `json:"lvs,omitempty"`
	// BGP is the BGP speaker's state; absent without a bgp_speaker.
	BGP *BGP `json:"bgp,omitempty"`
}

// Daemon describes the running daemon process.
type Daemon struct {
	// Version is the program version.
	Version string `json:"version,omitempty"`
	// PID is the process id of the VRRP process.
	PID int `json:"pid,omitempty"`
	// StartedAt is when the daemon started.
	StartedAt time.Time `json:"started_at,omitzero"`
	// RouterID is global_defs router_id.
	RouterID string `json:"router_id,omitempty"`
	// RxKernelDrops counts the adverts the kernel dropped because a VRRP
	// socket's receive buffer was full (vrrp_rx_bufs_policy sizes them).
	RxKernelDrops uint64 `json:"rx_kernel_drops,omitempty"`
}

// ConfigStatus describes the loaded configuration.
type ConfigStatus struct {
	// File is the configuration file path (-f).
	File string `json:"file"`
	// LoadedAt is when the configuration in force was loaded.
	LoadedAt time.Time `json:"loaded_at,omitzero"`
	// LastReloadAt is when a reload was last attempted, successful or not.
	LastReloadAt time.Time `json:"last_reload_at,omitzero"`
	// LastReloadError is why the last reload was refused; empty when the
	// last reload succeeded or none was attempted.
	LastReloadError string `json:"last_reload_error,omitempty"`
}

// Instance is the state of one vrrp_instance.
type Instance struct {
	Name      string `json:"name"`
	Interface string `json:"interface"`
	// VMACInterface is the use_vmac interface, if any.
	VMACInterface string `json:"vmac_interface,omitempty"`
	VRID          int    `json:"vrid"`
	// Version is the VRRP version, 2 or 3.
	Version int `json:"version"`
	// Family is "inet" or "inet6".
	Family    string `json:"family"`
	State     State  `json:"state"`
	WantState State  `json:"want_state"`
	// SyncGroup is the vrrp_sync_group this instance belongs to, if any.
	SyncGroup         string `json:"sync_group,omitempty"`
	BasePriority      int    `json:"base_priority"`
	EffectivePriority int    `json:"effective_priority"`
	// SourceAddr is the address adverts are sent from.
	SourceAddr netip.Addr `json:"source_addr,omitzero"`
	// MasterAddr is the current master's address: SourceAddr when this
	// router is master, zero when no master is known.
	MasterAddr netip.Addr `json:"master_addr,omitzero"`
	// MasterPriority is the priority in the last advert received from the
	// master (0 while this router is master, as in keepalived).
	MasterPriority       int      `json:"master_priority"`
	AdvertInterval       Duration `json:"advert_interval_seconds"`
	MasterAdvertInterval Duration `json:"master_advert_interval_seconds"`
	// LastTransition is the last state change; zero before the first.
	LastTransition Transition `json:"last_transition,omitzero"`
	// VIPs are the virtual_ipaddress entries, then the
	// virtual_ipaddress_excluded ones (Excluded set).
	VIPs []VIP `json:"vips"`
	// Tracks names what this instance tracks (scripts, interfaces, files,
	// processes), with the weight applied to its priority.
	Tracks []TrackRef `json:"tracks,omitempty"`
	// Unicast peers; empty for multicast.
	UnicastPeers []netip.Addr `json:"unicast_peers,omitempty"`

	Nopreempt    bool     `json:"nopreempt"`
	PreemptDelay Duration `json:"preempt_delay_seconds"`
	Accept       bool     `json:"accept"`
	StrictMode   bool     `json:"strict_mode"`
	// AuthType is "none", "PASS" or "AH".
	AuthType string `json:"auth_type"`
	// AuthPass is the VRRPv2 password. It is never sent over the API; it
	// is kept only for keepalived's dump files, which print it.
	AuthPass string `json:"-"`
	// AuthHMAC is the auth_hmac state (keepalived 2.4), nil without it.
	AuthHMAC *AuthHMAC `json:"auth_hmac,omitempty"`

	Garp  GarpSettings `json:"garp"`
	Flags Flags        `json:"flags"`
	// Notify holds the notify scripts configured on the instance.
	Notify NotifyScripts `json:"notify,omitzero"`

	Stats Stats `json:"stats"`
	// StatsCleared is what SIGRTMAX-1 (keepalived's "write stats and clear
	// them") has taken out of Stats so far. Stats.Plus(StatsCleared) never
	// goes down while the instance is configured, so the Prometheus
	// counters are built from it. Not part of the API.
	StatsCleared Stats `json:"-"`
}

// Transition is one state change of an instance.
type Transition struct {
	At   time.Time `json:"at"`
	From State     `json:"from"`
	To   State     `json:"to"`
	// Cause says why, in words ("higher priority advert from 10.0.0.2",
	// "master down timer expired", "interface eth1 down").
	Cause string `json:"cause,omitempty"`
}

// VIP is one virtual address of an instance.
type VIP struct {
	// Addr is the address with its prefix length as configured (a bare
	// address is /32 or /128).
	Addr netip.Prefix `json:"addr"`
	// Interface is the device the address goes on.
	Interface string `json:"interface"`
	// Scope is the address scope; empty means "global".
	Scope string `json:"scope,omitempty"`
	// Label is the IPv4 address label, if any.
	Label string `json:"label,omitempty"`
	// Excluded marks virtual_ipaddress_excluded entries (not in adverts).
	Excluded bool `json:"excluded,omitempty"`
	// Present says whether the address is on the interface right now.
	Present bool `json:"present"`
}

// TrackRef is one thing an instance tracks.
type TrackRef struct {
	Name string `json:"name"`
	// Kind is "script", "interface", "file" or "process".
	Kind   string `json:"kind"`
	Weight int    `json:"weight"`
}

// GarpSettings are the instance's gratuitous ARP / unsolicited NA settings.
type GarpSettings struct {
	Delay             Duration `json:"delay_seconds"`
	Repeat            int      `json:"repeat"`
	Refresh           Duration `json:"refresh_seconds"`
	RefreshRepeat     int      `json:"refresh_repeat"`
	LowerPrioDelay    Duration `json:"lower_prio_delay_seconds"`
	LowerPrioRepeat   int      `json:"lower_prio_repeat"`
	LowerPrioNoAdvert bool     `json:"lower_prio_no_advert"`
	HigherPrioAdvert  bool     `json:"higher_prio_send_advert"`
}

// Flags are the instance's boolean options not covered elsewhere.
type Flags struct {
	DontTrackPrimary   bool `json:"dont_track_primary"`
	SkipCheckAdvAddr   bool `json:"skip_check_adv_addr"`
	PromoteSecondaries bool `json:"promote_secondaries"`
	SMTPAlert          bool `json:"smtp_alert"`
	NotifyDeleted      bool `json:"notify_deleted"`
}

// NotifyScripts are the notify scripts of an instance or sync group, as
// configured (command lines).
type NotifyScripts struct {
	Master           string `json:"master,omitempty"`
	Backup           string `json:"backup,omitempty"`
	Fault            string `json:"fault,omitempty"`
	Stop             string `json:"stop,omitempty"`
	Deleted          string `json:"deleted,omitempty"`
	Generic          string `json:"generic,omitempty"`
	MasterRxLowerPri string `json:"master_rx_lower_pri,omitempty"`
}

// Stats are an instance's counters since start (never reset by reload).
// The first fourteen are keepalived's (same meaning, same names in its JSON
// dump); the rest are ours.
type Stats struct {
	AdvertRcvd        uint64 `json:"advert_rcvd"`
	AdvertSent        uint64 `json:"advert_sent"`
	BecomeMaster      uint64 `json:"become_master"`
	ReleaseMaster     uint64 `json:"release_master"`
	PacketLenErr      uint64 `json:"packet_len_err"`
	AdvertIntervalErr uint64 `json:"advert_interval_err"`
	IPTTLErr          uint64 `json:"ip_ttl_err"`
	InvalidTypeRcvd   uint64 `json:"invalid_type_rcvd"`
	AddrListErr       uint64 `json:"addr_list_err"`
	InvalidAuthType   uint64 `json:"invalid_authtype"`
	AuthTypeMismatch  uint64 `json:"authtype_mismatch"`
	AuthFailure       uint64 `json:"auth_failure"`
	PriZeroRcvd       uint64 `json:"pri_zero_rcvd"`
	PriZeroSent       uint64 `json:"pri_zero_sent"`

	// GratuitousARPSent counts gratuitous ARP packets sent.
	GratuitousARPSent uint64 `json:"garp_sent"`
	// UnsolicitedNASent counts unsolicited neighbour advertisements sent.
	UnsolicitedNASent uint64 `json:"na_sent"`
	// Drops counts received packets dropped, by reason, for reasons not
	// covered by keepalived's counters above (e.g. "checksum",
	// "vrid_mismatch", "version_mismatch").
	Drops map[string]uint64 `json:"drops,omitempty"`
}

// AuthHMAC is an instance's auth_hmac (keepalived 2.4's HMAC-SHA256
// advert trailer): its settings, never its keys, and keepalived's
// auth_ext_* refusal counters (also in Stats.Drops under those names).
type AuthHMAC struct {
	// Mode is "enforce", "permissive" or "receive-only".
	Mode string `json:"mode"`
	// Signing is false in receive-only mode (no trailer is sent).
	Signing    bool   `json:"signing"`
	ActiveKey  int    `json:"active_key"`
	KeyIDs     []int  `json:"key_ids"`
	AntiReplay string `json:"anti_replay"` // "time" or "monotonic"
	// TimeWindow is the freshness window in seconds (time mode).
	TimeWindow  int    `json:"time_window,omitempty"`
	Missing     uint64 `json:"auth_ext_missing"`
	Malformed   uint64 `json:"auth_ext_malformed"`
	UnknownKey  uint64 `json:"auth_ext_unknown_key"`
	InvalidHMAC uint64 `json:"auth_ext_invalid_hmac"`
	Stale       uint64 `json:"auth_ext_stale"`
	Replay      uint64 `json:"auth_ext_replay"`
}

// SyncGroup is the state of one vrrp_sync_group.
type SyncGroup struct {
	Name    string        `json:"name"`
	State   State         `json:"state"`
	Members []string      `json:"members"`
	Notify  NotifyScripts `json:"notify,omitzero"`
}

// Tracker is the state of one tracked object (vrrp_script, track_interface,
// track_file, track_process).
type Tracker struct {
	Name string `json:"name"`
	// Kind is "script", "interface", "file" or "process".
	Kind string `json:"kind"`
	// Status is "GOOD", "BAD" or "INIT" (no result yet), or "DISABLED"
	// for a script that script security refused (it never runs and no
	// instance tracks it; Disabled says why).
	Status   string `json:"status"`
	Disabled string `json:"disabled,omitempty"`
	// Target is the script command line, interface name, file path or
	// process name.
	Target string `json:"target,omitempty"`
	// Weight is the configured weight (0: a failure means FAULT).
	Weight   int      `json:"weight"`
	Interval Duration `json:"interval_seconds,omitempty"`
	Timeout  Duration `json:"timeout_seconds,omitempty"`
	Rise     int      `json:"rise,omitempty"`
	Fall     int      `json:"fall,omitempty"`
	// LastRun, LastExitCode and LastDuration describe the last script run.
	LastRun      time.Time `json:"last_run,omitzero"`
	LastExitCode int       `json:"last_exit_code"`
	LastDuration Duration  `json:"last_duration_seconds,omitempty"`
	// LastError is why the tracker is not working: "refused: " and
	// Disabled for a script the gate refused, or why the last run ended
	// without an exit status of its own ("timed out", "signal killed", or
	// the error starting it). Empty otherwise.
	LastError string `json:"last_error,omitempty"`
	// Instances are the instances tracking this object.
	Instances []string `json:"instances,omitempty"`
}

// Instance returns the instance named name.
func (s Snapshot) Instance(name string) (Instance, bool) {
	for _, in := range s.Instances {
		if in.Name == name {
			return in, true
		}
	}
	return Instance{}, false
}

package config

import (
	"fmt"
	"net/netip"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/vrrp"
)

// State is the initial state written in a vrrp_instance. Instances always
// start in BACKUP; MASTER only shortens the first wait (keepalived).
type State uint8

// States. The zero value means "not written" and behaves as BACKUP.
const (
	StateBackup State = iota + 1
	StateMaster
)

// String returns MASTER or BACKUP.
func (s State) String() string {
	switch s {
	case StateBackup:
		return "BACKUP"
	case StateMaster:
		return "MASTER"
	}
	return fmt.Sprintf("State(%d)", uint8(s))
}

// MarshalText writes the keyword.
func (s State) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// AuthType is VRRPv2 authentication.
type AuthType uint8

// AuthType values. The zero value means no authentication.
const (
	AuthPass AuthType = iota + 1
	AuthAH
)

// String returns PASS or AH.
func (a AuthType) String() string {
	switch a {
	case 0:
		return "none"
	case AuthPass:
		return "PASS"
	case AuthAH:
		return "AH"
	}
	return fmt.Sprintf("AuthType(%d)", uint8(a))
}

// MarshalText writes the keyword.
func (a AuthType) MarshalText() ([]byte, error) { return []byte(a.String()), nil }

// Auth is the authentication block of a VRRPv2 instance.
type Auth struct {
	Pos  Pos `json:",omitzero"`
	Type AuthType
	Pass string `json:",omitempty"` // at most 8 bytes, as keepalived truncates
}

// Instance is a vrrp_instance block with keepalived's defaults applied.
type Instance struct {
	Pos       Pos `json:",omitzero"`
	Name      string
	State     State
	StatePos  Pos `json:",omitzero"`
	Interface string
	VRID      int
	VRIDPos   Pos           `json:",omitzero"`
	Priority  int           // 1-255, default 100
	PrioPos   Pos           `json:",omitzero"`
	AdvertInt time.Duration // default 1s
	// Version is 2 or 3: the instance's own version, else vrrp_version,
	// else 3 for IPv6 instances.
	Version int
	// Family is 4 or 6, from the first address that decides it.
	Family vrrp.Family

	Auth Auth `json:",omitzero"`
	// AuthHMAC is the auth_hmac block, nil without one (auth_hmac.go).
	AuthHMAC *AuthHMAC `json:",omitempty"`

	VIPs          []VIP
	ExcludedVIPs  []VIP   `json:",omitempty"`
	VirtualRoutes []Route `json:",omitempty"`
	VirtualRules  []Rule  `json:",omitempty"`
	NoVirtualIPs  bool    `json:",omitempty"`

	UnicastSrcIP netip.Addr    `json:",omitzero"`
	UnicastPeers []UnicastPeer `json:",omitempty"`
	// UnicastPeerBlock is set when a unicast_peer block was written, even
	// an empty one (for unicast_fault_no_peer).
	UnicastPeerBlock   bool       `json:",omitempty"`
	UnicastTTL         int        `json:",omitempty"` // default 255 for IPv4 unicast
	UnicastFaultNoPeer bool       `json:",omitempty"`
	CheckUnicastSrc    bool       `json:",omitempty"`
	McastSrcIP         netip.Addr `json:",omitzero"`
	McastDstIP         netip.Addr `json:",omitzero"`
	TrackSrcIP         bool       `json:",omitempty"`

	Nopreempt bool `json:",omitempty"`
	// IgnoredNopreemptPos is where nopreempt was written when the initial
	// state MASTER made it be ignored (keepalived's rule); zero otherwise.
	IgnoredNopreemptPos Pos           `json:",omitzero"`
	PreemptDelay        time.Duration `json:",omitempty"`
	// Accept is Accept_Mode: on by default, off under strict mode.
	Accept     bool
	StrictMode bool `json:",omitempty"`

	Tracking
	Notifications
	NotifyMasterRxLowerPri *Script `json:",omitempty"`

	Garp GarpSettings

	UseVMAC      bool   `json:",omitempty"`
	VMACName     string `json:",omitempty"`
	VMACXmitBase bool   `json:",omitempty"`
	// UseVMACAddr (use_vmac_addr) gives every address on another
	// interface, or of the other family, a VMAC of its own there.
	UseVMACAddr bool `json:",omitempty"`
	UseIPVlan   bool `json:",omitempty"`

	DontTrackPrimary     bool        `json:",omitempty"`
	PromoteSecondaries   bool        `json:",omitempty"`
	SkipCheckAdvAddr     bool        `json:",omitempty"`
	LowerPrioNoAdvert    bool        `json:",omitempty"`
	HigherPrioSendAdvert bool        `json:",omitempty"`
	DownTimerAdverts     int         // default 3
	OwnerIgnoreAdverts   bool        `json:",omitempty"`
	V3ChecksumAsV2       bool        `json:",omitempty"`
	OldUnicastChecksum   OldChecksum `json:",omitempty"`
	VRF                  string      `json:",omitempty"`

	// FastFailover is a gokeepalived extension, on by default: a master
	// whose priority drops advertises it at once, and a preempting backup
	// that hears its master advertise below its own priority takes over
	// after Skew_Time instead of Master_Down_Interval (see
	// instance.Config.FastFailover). `fast_failover off` (or
	// `keepalived_timing`) keeps keepalived's exact timing.
	FastFailover bool

	// SyncGroup names the vrrp_sync_group this instance belongs to.
	SyncGroup string `json:",omitempty"`

	// BGPAnnounce is bgp_announce, ours (see bgp_model.go); nil: none.
	BGPAnnounce *BGPAnnounce `json:",omitempty"`

	// KernelRxBufSize is kernel_rx_buf_size: this instance's share, in
	// bytes, of its socket's receive buffer (0: global_defs' RxBufs).
	KernelRxBufSize int `json:",omitzero"`
}

// GarpSettings are the gratuitous ARP / unsolicited NA timings of an
// instance, defaulted from global_defs.
type GarpSettings struct {
	MasterDelay         time.Duration // default 5s
	MasterRepeat        int           // default 5
	MasterRefresh       time.Duration // 0 = off
	MasterRefreshRepeat int           // default 1
	LowerPrioDelay      time.Duration // default MasterDelay
	LowerPrioRepeat     int           // default MasterRepeat
	Interval            time.Duration `json:",omitempty"`
	GnaInterval         time.Duration `json:",omitempty"`
	ExtraIf             time.Duration `json:",omitempty"`
	ExtraIfAll          bool          `json:",omitempty"`
}

// TrackRef is one entry of a track_script, track_interface, track_file,
// track_process or track_bfd block.
type TrackRef struct {
	Pos    Pos `json:",omitzero"`
	Name   string
	Weight Weight
}

// UnicastPeer is one unicast_peer entry.
type UnicastPeer struct {
	Pos    Pos `json:",omitzero"`
	Addr   netip.Addr
	MinTTL int `json:",omitempty"`
	MaxTTL int `json:",omitempty"`
}

// VIP is one virtual_ipaddress (or static_ipaddress) entry.
type VIP struct {
	Pos    Pos `json:",omitzero"`
	Prefix netip.Prefix
	Brd    netip.Addr `json:",omitzero"`
	// Dev is the interface; empty means the instance's interface.
	Dev           string       `json:",omitempty"`
	Scope         Scope        `json:",omitzero"` // 0: global
	Label         string       `json:",omitempty"`
	Peer          netip.Prefix `json:",omitzero"`
	Home          bool         `json:",omitempty"`
	NoDAD         bool         `json:",omitempty"`
	MngTmpAddr    bool         `json:",omitempty"`
	NoPrefixRoute bool         `json:",omitempty"`
	AutoJoin      bool         `json:",omitempty"`
	NoTrack       bool         `json:",omitempty"`
	// PreferredLft is the preferred lifetime in seconds; -1 = forever,
	// nil = not written.
	PreferredLft *int   `json:",omitempty"`
	UseVMAC      bool   `json:",omitempty"`
	TrackGroup   string `json:",omitempty"`
	// TrackGroupPos is where the track_group name is written.
	TrackGroupPos Pos `json:"-"`
}

// Tracking is what a vrrp_instance or a vrrp_sync_group tracks.
type Tracking struct {
	TrackScripts    []TrackRef `json:",omitempty"`
	TrackInterfaces []TrackRef `json:",omitempty"`
	TrackFiles      []TrackRef `json:",omitempty"`
	TrackProcesses  []TrackRef `json:",omitempty"`
	TrackBFDs       []TrackRef `json:",omitempty"`
}

// Notifications are the notify scripts and alerts of a vrrp_instance or
// a vrrp_sync_group.
type Notifications struct {
	NotifyMaster          *Script `json:",omitempty"`
	NotifyBackup          *Script `json:",omitempty"`
	NotifyFault           *Script `json:",omitempty"`
	NotifyStop            *Script `json:",omitempty"`
	NotifyDeleted         *Script `json:",omitempty"`
	Notify                *Script `json:",omitempty"`
	NotifyPriorityChanges bool    `json:",omitempty"`
	SMTPAlert             *bool   `json:",omitempty"`
}

// SyncGroup is a vrrp_sync_group block.
type SyncGroup struct {
	Pos       Pos `json:",omitzero"`
	Name      string
	Members   []string
	MemberPos []Pos `json:"-"`
	Tracking
	Notifications
	GlobalTracking          bool `json:",omitempty"`
	SyncGroupTrackingWeight bool `json:",omitempty"`
}

// OldChecksum is old_unicast_checksum: off (the keyword absent), on
// (unicast adverts checksummed as keepalived before 2.2.7 did, the current
// form accepted too) or never (only the old form).
type OldChecksum uint8

const (
	OldChecksumOff OldChecksum = iota
	OldChecksumOn
	OldChecksumNever
)

// String is the keyword's form: "", "on" or "never".
func (o OldChecksum) String() string {
	switch o {
	case OldChecksumOn:
		return "on"
	case OldChecksumNever:
		return "never"
	}
	return ""
}

// MarshalText writes String.
func (o OldChecksum) MarshalText() ([]byte, error) { return []byte(o.String()), nil }

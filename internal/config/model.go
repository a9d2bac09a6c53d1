package config

import (
	"fmt"
	"net/netip"
	"strings"
	"time"
)

// Config is a whole keepalived.conf, typed and validated, with keepalived's
// defaults filled in. Slices keep configuration order.
type Config struct {
	Global                GlobalDefs
	Scripts               []*VRRPScript
	Instances             []*Instance
	SyncGroups            []*SyncGroup
	TrackFiles            []*TrackFile
	TrackProcesses        []*TrackProcess
	TrackGroups           []*TrackGroup
	StaticAddresses       []VIP
	StaticRoutes          []Route
	StaticRules           []Rule
	GarpGroups            []*GarpGroup
	LinkbeatInterfaces    []LinkbeatInterface
	InterfaceUpDownDelays []UpDownDelay
	VirtualServerGroups   []*VirtualServerGroup
	VirtualServers        []*VirtualServer
	BFDInstances          []*BFDInstance
	SSL                   *SSLContext     `json:",omitempty"`
	AnycastGroups         []*AnycastGroup `json:",omitempty"`

	// Extensions lists the keywords that are ours, not keepalived's
	// (keepalived warns about them and carries on); `check -D` prints them.
	Extensions []Note `json:",omitempty"`

	// NoEffect lists the keywords that were accepted but that gokeepalived
	// does not act on yet (SMTP, SNMP, DBus, scheduling knobs, ...).
	NoEffect []Note `json:",omitempty"`

	// Verdict is how keepalived's own config test judges this file.
	Verdict Verdict `json:"-"`
	// InterfaceMissing says an interface it names does not exist (only
	// checked when Options.InterfaceExists is set); keepalived's config
	// test then skips its VRRP and script checks.
	InterfaceMissing bool `json:"-"`
}

// Script returns the vrrp_script named name, or nil.
func (c *Config) Script(name string) *VRRPScript {
	for _, s := range c.Scripts {
		if s.Name == name {
			return s
		}
	}
	return nil
}

// Instance returns the vrrp_instance named name, or nil.
func (c *Config) Instance(name string) *Instance {
	for _, in := range c.Instances {
		if in.Name == name {
			return in
		}
	}
	return nil
}

// SyncGroup returns the vrrp_sync_group named name, or nil.
func (c *Config) SyncGroup(name string) *SyncGroup {
	for _, g := range c.SyncGroups {
		if g.Name == name {
			return g
		}
	}
	return nil
}

// Note is a keyword that was accepted but has no effect yet.
type Note struct {
	Pos     Pos
	Keyword string
	Args    []string `json:",omitempty"`
}

// String formats n as "file:line:col: keyword args: accepted, no effect yet".
func (n Note) String() string {
	return fmt.Sprintf("%s: %s: accepted, no effect yet", n.Pos, n.words())
}

// words is the keyword and its arguments, as written.
func (n Note) words() string {
	return strings.Join(append([]string{n.Keyword}, n.Args...), " ")
}

// Verdict is keepalived's judgement in its config test (-t). It decides the
// exit code; see ExitCode.
type Verdict uint8

// Verdicts, from best to worst. The zero value means "not judged".
const (
	VerdictOK       Verdict = iota + 1 // nothing keepalived would report
	VerdictReported                    // keepalived reports problems but would run
	VerdictSecurity                    // scripts configured without script security
)

// String names the verdict.
func (v Verdict) String() string {
	switch v {
	case VerdictOK:
		return "ok"
	case VerdictSecurity:
		return "script-security"
	case VerdictReported:
		return "reported"
	}
	return fmt.Sprintf("Verdict(%d)", uint8(v))
}

// Script is a command keepalived runs: notify scripts, startup and shutdown
// scripts, fifo scripts, MISC_CHECK. Cmd is split into words as keepalived
// splits it (white space, with '...' and "..." grouping and \ escaping).
type Script struct {
	Pos   Pos `json:",omitzero"`
	Cmd   []string
	User  string `json:",omitempty"`
	Group string `json:",omitempty"`
}

// Fifo is a notify FIFO: its path, the script that reads it, and the owner.
type Fifo struct {
	Pos    Pos `json:",omitzero"`
	Path   string
	User   string  `json:",omitempty"`
	Group  string  `json:",omitempty"`
	Script *Script `json:",omitempty"`
}

// Weight is a tracker's effect on priority: the value added (or, with
// Reverse, subtracted). Set says whether the weight was written.
type Weight struct {
	Value   int
	Reverse bool `json:",omitempty"`
	Set     bool `json:",omitempty"`
}

// VRRPScript is a vrrp_script block: a check command whose result moves
// the priority of the instances that track it.
type VRRPScript struct {
	Pos      Pos `json:",omitzero"`
	Name     string
	Cmd      []string
	Interval time.Duration // default 1s
	Timeout  time.Duration // default: Interval
	Weight   Weight
	Rise     int    // default 1
	Fall     int    // default 1
	User     string `json:",omitempty"`
	Group    string `json:",omitempty"`
	InitFail bool   `json:",omitempty"`
}

// TrackFile is a track_file (or vrrp_track_file) block.
type TrackFile struct {
	Pos       Pos `json:",omitzero"`
	Name      string
	File      string
	Weight    Weight
	InitFile  bool `json:",omitempty"`
	InitValue int  `json:",omitempty"`
	Overwrite bool `json:",omitempty"`
}

// ParamMatch says how vrrp_track_process matches a process's parameters.
type ParamMatch uint8

// ParamMatch values. The zero value means "unset" (exact match).
const (
	ParamMatchExact ParamMatch = iota + 1
	ParamMatchPartial
	ParamMatchInitial
)

// String returns the keyword keepalived uses.
func (m ParamMatch) String() string {
	switch m {
	case ParamMatchExact:
		return "exact"
	case ParamMatchPartial:
		return "partial"
	case ParamMatchInitial:
		return "initial"
	}
	return fmt.Sprintf("ParamMatch(%d)", uint8(m))
}

// TrackProcess is a vrrp_track_process block.
type TrackProcess struct {
	Pos            Pos `json:",omitzero"`
	Name           string
	Process        string
	Params         []string   `json:",omitempty"`
	ParamMatch     ParamMatch `json:",omitempty"`
	Weight         Weight
	Quorum         int // default 1
	QuorumMax      int `json:",omitempty"`
	ForkDelay      time.Duration
	TerminateDelay time.Duration
	FullCommand    bool `json:",omitempty"`
}

// TrackGroup is a track_group block: instances that track static
// addresses, routes and rules tagged with the group.
type TrackGroup struct {
	Pos       Pos `json:",omitzero"`
	Name      string
	Instances []string
	// InstancePos are the positions of Instances, for diagnostics.
	InstancePos []Pos `json:"-"`
}

// GarpGroup is a garp_group block: GARP/NA rate limits shared by interfaces.
type GarpGroup struct {
	Pos          Pos `json:",omitzero"`
	GarpInterval time.Duration
	GnaInterval  time.Duration
	Interfaces   []string
}

// LinkbeatMethod is how a linkbeat interface is polled.
type LinkbeatMethod uint8

// LinkbeatMethod values.
const (
	LinkbeatMII LinkbeatMethod = iota + 1
	LinkbeatEthtool
	LinkbeatIoctl
)

// String returns the keyword keepalived uses.
func (m LinkbeatMethod) String() string {
	switch m {
	case LinkbeatMII:
		return "MII"
	case LinkbeatEthtool:
		return "ETHTOOL"
	case LinkbeatIoctl:
		return "IOCTL"
	}
	return fmt.Sprintf("LinkbeatMethod(%d)", uint8(m))
}

// LinkbeatInterface is one line of linkbeat_interfaces.
type LinkbeatInterface struct {
	Pos       Pos `json:",omitzero"`
	Interface string
	Method    LinkbeatMethod
}

// UpDownDelay is one line of interface_up_down_delays.
type UpDownDelay struct {
	Pos       Pos `json:",omitzero"`
	Interface string
	Down      time.Duration
	Up        time.Duration
}

// BFDInstance is a bfd_instance block.
type BFDInstance struct {
	Pos         Pos `json:",omitzero"`
	Name        string
	Neighbor    netip.Addr
	Source      netip.Addr    `json:",omitzero"`
	MinRx       time.Duration // default 10ms
	MinTx       time.Duration // default 10ms
	IdleTx      time.Duration // default 1s
	Multiplier  int           // default 5
	Passive     bool          `json:",omitempty"`
	TTL         int           // default 255
	MaxHops     int           `json:",omitempty"`
	Multihop    bool          `json:",omitempty"`
	Weight      int           `json:",omitempty"`
	VRRPOnly    bool          `json:",omitempty"`
	CheckerOnly bool          `json:",omitempty"`
}

// MarshalText writes p as "file:line:col", so positions read well in
// `gokeepalived check --json`.
func (p Pos) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

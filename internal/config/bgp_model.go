package config

import (
	"fmt"
	"net/netip"
	"strconv"
	"time"
)

// The BGP half is ours (keepalived has none): global_defs' bgp_speaker,
// vrrp_instance's bgp_announce and the top-level anycast_group block.
// docs/bgp.md describes the keywords; internal/bgp runs them.

// BGP defaults. The hold and keepalive times are RFC 4271's suggested
// values (section 10); the hold-down keeps a flapping tracker from
// re-announcing faster than BGP converges.
const (
	DefaultBGPHoldTime = 90 * time.Second
	DefaultBGPHoldDown = 5 * time.Second
	DefaultBGPPort     = 179
	// DefaultGracefulShutdown is how long `graceful_shutdown` without a
	// value keeps the GRACEFUL_SHUTDOWN community on before withdrawing.
	DefaultGracefulShutdown = 5 * time.Second
)

// BGPSpeaker is the bgp_speaker block of global_defs: this node's BGP
// identity and its neighbors.
type BGPSpeaker struct {
	Pos     Pos `json:",omitzero"`
	LocalAS uint32
	// RouterID is router_id (zero: the node's primary IPv4 address,
	// chosen when the speaker starts).
	RouterID netip.Addr `json:",omitzero"`
	// HoldDown is how long a withdrawn anycast_group stays withdrawn after
	// its trackers are healthy again (hold_down, default 5s).
	HoldDown time.Duration
	// GracefulShutdown is how long, when the daemon stops, the announced
	// routes carry RFC 8326's GRACEFUL_SHUTDOWN community before they are
	// withdrawn (0: withdraw at once).
	GracefulShutdown time.Duration `json:",omitempty"`
	Neighbors        []*BGPNeighbor
}

// BGPNeighbor is one neighbor block of bgp_speaker.
type BGPNeighbor struct {
	Pos      Pos `json:",omitzero"`
	Addr     netip.Addr
	RemoteAS uint32
	Password string `json:",omitempty"`
	// HoldTime is the hold time offered (default 90s, at least 3s).
	// KeepaliveTime defaults to a third of it.
	HoldTime      time.Duration
	KeepaliveTime time.Duration
	// Multihop is the TTL of an eBGP multihop session (0: directly
	// connected, TTL 1).
	Multihop      int        `json:",omitempty"`
	SourceAddress netip.Addr `json:",omitzero"`
	Passive       bool       `json:",omitempty"`
	Port          int        // default 179
}

// BackupAnnounce says whether a BACKUP instance pre-announces its
// addresses with a worse path, so routers have the path before failover.
type BackupAnnounce uint8

// BackupAnnounce values. The zero value means "unset": only the MASTER
// announces.
const (
	BackupMED     BackupAnnounce = iota + 1 // MED from priority (med_from_priority)
	BackupPrepend                           // AS path prepended (prepend_from_priority)
)

// String returns the keyword.
func (b BackupAnnounce) String() string {
	switch b {
	case BackupMED:
		return "med_from_priority"
	case BackupPrepend:
		return "prepend_from_priority"
	}
	return fmt.Sprintf("BackupAnnounce(%d)", uint8(b))
}

// MarshalText writes the keyword.
func (b BackupAnnounce) MarshalText() ([]byte, error) { return []byte(b.String()), nil }

// BGPAnnounce is bgp_announce in a vrrp_instance: the instance's
// addresses are announced as host routes while it is MASTER.
type BGPAnnounce struct {
	Pos    Pos            `json:",omitzero"`
	Backup BackupAnnounce `json:",omitempty"`
}

// Community is an RFC 1997 community, written ASN:VALUE or by its
// well-known name.
type Community uint32

// Well-known communities (RFC 1997, RFC 8326).
const (
	CommunityGracefulShutdown  Community = 0xFFFF0000
	CommunityNoExport          Community = 0xFFFFFF01
	CommunityNoAdvertise       Community = 0xFFFFFF02
	CommunityNoExportSubconfed Community = 0xFFFFFF03
)

var communityNames = map[string]Community{
	"no-export":           CommunityNoExport,
	"no-advertise":        CommunityNoAdvertise,
	"no-export-subconfed": CommunityNoExportSubconfed,
	"graceful-shutdown":   CommunityGracefulShutdown,
}

// String writes c as ASN:VALUE.
func (c Community) String() string { return fmt.Sprintf("%d:%d", uint32(c)>>16, uint32(c)&0xffff) }

// MarshalText writes c as ASN:VALUE.
func (c Community) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// LargeCommunity is an RFC 8092 large community, GLOBAL:LOCAL1:LOCAL2.
type LargeCommunity struct {
	Global, Local1, Local2 uint32
}

// String writes c as GLOBAL:LOCAL1:LOCAL2.
func (c LargeCommunity) String() string { return fmt.Sprintf("%d:%d:%d", c.Global, c.Local1, c.Local2) }

// MarshalText writes c as GLOBAL:LOCAL1:LOCAL2.
func (c LargeCommunity) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// BGPAttrs are the path attributes an anycast_group announces with.
type BGPAttrs struct {
	Communities      []Community      `json:",omitempty"`
	LargeCommunities []LargeCommunity `json:",omitempty"`
	MED              uint32           `json:",omitempty"`
	HasMED           bool             `json:",omitempty"`
	LocalPref        uint32           `json:",omitempty"`
	HasLocalPref     bool             `json:",omitempty"`
	// ASPathPrepend is how many extra times the local AS is put on the path.
	ASPathPrepend int `json:",omitempty"`
}

// AnycastGroup is an anycast_group block: addresses announced from every
// node whose trackers are all healthy.
type AnycastGroup struct {
	Pos  Pos `json:",omitzero"`
	Name string
	// VIPs are the addresses; Dev is "lo" unless written.
	VIPs []VIP
	Tracking
	BGPAttrs
	AllowNonHost bool `json:",omitempty"`
}

// parseUint32 parses a decimal uint32.
func parseUint32(s string) (uint32, bool) {
	v, err := strconv.ParseUint(s, 10, 32)
	return uint32(v), err == nil
}

// ExtensionString formats n, an entry of Config.Extensions, for
// `check -D`: a keyword of ours that keepalived warns about and ignores.
func (n Note) ExtensionString() string {
	return fmt.Sprintf("%s: %s: ours (keepalived ignores it)", n.Pos, n.words())
}

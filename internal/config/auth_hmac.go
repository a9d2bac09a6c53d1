package config

import (
	"encoding/hex"
	"os"
	"strings"
	"time"
)

// AuthHMAC is an instance's auth_hmac block (keepalived 2.4's HMAC-SHA256
// advert trailer, draft-cassen-vrrp-auth-hmac; the daemon signs and
// verifies with package vrrp's HMAC).
type AuthHMAC struct {
	Pos  Pos `json:",omitzero"`
	Keys []HMACKey
	// ActiveKey is the id of the key used to sign (active_key; no default).
	ActiveKey uint8
	// Monotonic is `anti_replay monotonic`; the default is time.
	Monotonic bool `json:",omitempty"`
	// TimeWindow is time_window in seconds; when not given, time mode
	// derives it as keepalived does: 3 x advert_int, at least 5, at most
	// 300 (completeAuthHMAC). 0 in monotonic mode without time_window.
	TimeWindow uint32 `json:",omitempty"`
	// Mode is enforce (default), permissive or receive-only.
	Mode HMACMode
}

// HMACMode is an auth_hmac mode, by its keyword.
type HMACMode string

// The auth_hmac modes.
const (
	HMACEnforce     HMACMode = "enforce"
	HMACPermissive  HMACMode = "permissive"
	HMACReceiveOnly HMACMode = "receive-only"
)

// HMACKey is one auth_hmac key; the secret is never dumped.
type HMACKey struct {
	ID  uint8
	Key []byte `json:"-"`
}

// instAuthHMAC parses an auth_hmac block with keepalived 2.4.3's rules and
// messages.
func instAuthHMAC(l *loader, n *Node, b *instBuild) {
	if b.AuthHMAC != nil {
		return // keepalived keeps the first block
	}
	a := &AuthHMAC{Pos: n.Keyword.Pos, Mode: HMACEnforce}
	b.AuthHMAC = a
	for _, c := range n.Children {
		switch c.Keyword.Text {
		case "key":
			l.authHMACKey(c, b.Name, a)
		case "active_key":
			if v, ok := l.intArg(c, 0, 1, 255); ok {
				a.ActiveKey = uint8(v)
			}
		case "time_window":
			if v, ok := l.intArg(c, 0, 1, 300); ok {
				a.TimeWindow = uint32(v)
			}
		case "anti_replay":
			switch s := l.stringArg(c, 0); s {
			case "time", "monotonic":
				a.Monotonic = s == "monotonic"
			default:
				l.errorf(c.Keyword.Pos, "(%s) auth_hmac anti_replay '%s' must be time or monotonic", b.Name, s)
			}
		case "mode":
			switch s := HMACMode(l.stringArg(c, 0)); s {
			case HMACEnforce, HMACPermissive, HMACReceiveOnly:
				a.Mode = s
			default:
				l.errorf(c.Keyword.Pos, "(%s) auth_hmac mode '%s' must be enforce, permissive or receive-only", b.Name, s)
			}
		default:
			l.warnf(c.Keyword.Pos, "unknown keyword %q in auth_hmac", c.Keyword.Text)
		}
	}
}

// completeAuthHMAC applies keepalived 2.4.3's instance checks to auth_hmac,
// in its order, once authentication, strict mode and the interval are
// settled: the legacy authentication goes, an undefined active_key
// drops the block (the instance runs unsigned, as keepalived's does),
// strict mode forces enforce, and time mode derives its window.
func (l *loader) completeAuthHMAC(b *instBuild) {
	a := b.AuthHMAC
	if a == nil {
		return
	}
	if b.Auth.Type != 0 {
		l.warnf(b.Auth.Pos, "(%s) auth_hmac cannot be combined with authentication, dropping legacy auth", b.Name)
		b.Auth = Auth{}
	}
	found := false
	for _, k := range a.Keys {
		found = found || k.ID == a.ActiveKey
	}
	if !found {
		l.warnf(a.Pos, "(%s) auth_hmac active_key %d is not defined, disabling extension", b.Name, a.ActiveKey)
		l.hintf("add `active_key ID` naming one of the block's keys; without it the instance sends unsigned adverts")
		b.AuthHMAC = nil
		return
	}
	if b.StrictMode && a.Mode != HMACEnforce {
		l.warnf(a.Pos, "(%s) strict mode requires auth_hmac mode enforce", b.Name)
		a.Mode = HMACEnforce
	}
	if !a.Monotonic && a.TimeWindow == 0 {
		a.TimeWindow = min(max(3*uint32(b.AdvertInt/time.Second), 5), 300)
	}
}

// authHMACKey parses `key ID hex:...|ASCII|file:PATH` (32 to 64 bytes).
func (l *loader) authHMACKey(c *Node, inst string, a *AuthHMAC) {
	if len(c.Args) < 2 {
		l.errorf(c.Keyword.Pos, "(%s) auth_hmac key needs an id and a value", inst)
		return
	}
	id, ok := l.intArg(c, 0, 1, 255)
	if !ok {
		return
	}
	v := c.Args[1].Text
	if path, isFile := strings.CutPrefix(v, "file:"); isFile {
		st, err := os.Stat(path)
		raw, rerr := os.ReadFile(path)
		if err != nil || rerr != nil {
			l.errorf(c.Args[1].Pos, "(%s) auth_hmac key file '%s' cannot be opened", inst, path)
			return
		}
		if st.Mode().Perm()&0o077 != 0 {
			l.warnf(c.Args[1].Pos, "(%s) auth_hmac key file '%s' is readable by group or others", inst, path)
		}
		v = strings.TrimRight(string(raw), "\r\n")
	}
	key := []byte(v)
	if h, isHex := strings.CutPrefix(v, "hex:"); isHex {
		var err error
		if key, err = hex.DecodeString(h); err != nil {
			key = nil
		}
	}
	if len(key) < 32 || len(key) > 64 {
		l.errorf(c.Args[1].Pos, "(%s) auth_hmac key %d length %d not in range [32, 64]", inst, id, len(key))
		return
	}
	for _, k := range a.Keys {
		if k.ID == uint8(id) {
			l.errorf(c.Keyword.Pos, "(%s) duplicate auth_hmac key id %d", inst, id)
			return
		}
	}
	a.Keys = append(a.Keys, HMACKey{ID: uint8(id), Key: key})
}

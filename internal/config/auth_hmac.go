package config

import (
	"encoding/hex"
	"os"
	"strings"
)

// AuthHMAC is an instance's auth_hmac block (keepalived 2.4's HMAC-SHA256
// advert trailer, issue 18). gokeepalived parses it but does not send or
// check the trailer yet, so an instance with it refuses to start: running
// it unsigned next to keepalived 2.4 peers in enforce mode would give two
// masters.
type AuthHMAC struct {
	Pos  Pos `json:",omitzero"`
	Keys []HMACKey
	// ActiveKey is the id of the key used to sign (active_key; no default).
	ActiveKey uint8
	// Monotonic is `anti_replay monotonic`; the default is time.
	Monotonic bool `json:",omitempty"`
	// TimeWindow is time_window in seconds, 0 when not given (keepalived
	// then derives max(3 x advert_int, 5), at most 300).
	TimeWindow uint32 `json:",omitempty"`
	// Mode is enforce (default), permissive or receive-only.
	Mode string
}

// HMACKey is one auth_hmac key; the secret is never dumped.
type HMACKey struct {
	ID  uint8
	Key []byte `json:"-"`
}

// instAuthHMAC parses an auth_hmac block with keepalived 2.4.3's rules and
// messages, then refuses the instance (see AuthHMAC).
func instAuthHMAC(l *loader, n *Node, b *instBuild) {
	if b.AuthHMAC != nil {
		return // keepalived keeps the first block
	}
	a := &AuthHMAC{Pos: n.Keyword.Pos, Mode: "enforce"}
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
			switch s := l.stringArg(c, 0); s {
			case "enforce", "permissive", "receive-only":
				a.Mode = s
			default:
				l.errorf(c.Keyword.Pos, "(%s) auth_hmac mode '%s' must be enforce, permissive or receive-only", b.Name, s)
			}
		default:
			l.warnf(c.Keyword.Pos, "unknown keyword %q in auth_hmac", c.Keyword.Text)
		}
	}
	l.fatalf(n.Keyword.Pos, "(%s) auth_hmac is not supported yet: gokeepalived would send unsigned adverts and drop signed ones (two masters); refusing the instance", b.Name)
	l.hintf("remove auth_hmac (on every node) or run keepalived 2.4 for this instance until issue 18 is done")
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

// Package vrrp is the VRRP wire format, version 2 (RFC 3768) and version 3
// (RFC 5798/9568), for IPv4 and IPv6, as keepalived puts it on the wire:
//
//   - Parse decodes a VRRP message (no IP header) into a reused
//     Advertisement without allocating, checking only its structure;
//   - Check applies the receive checks of RFC 9568 §7.1 and keepalived's
//     vrrp_check_packet and returns a Verdict whose Reason names the
//     keepalived statistics counter to bump;
//   - Advertisement.Append/AppendBinary encode, with the checksum in an
//     explicit form (Sum): message-only (v2, v3_checksum_as_v2), the
//     pseudo-header with the real destination (v3 default, IPv6), or with
//     224.0.0.18 (old_unicast_checksum); Checksum, PutChecksum and
//     VerifyChecksum expose each form on its own;
//   - IPsec AH (auth_type AH, ah.go) as keepalived 2.2.7 does it: the AH
//     header (ParseAH, AH.Append, ParseAHPacket), its HMAC-MD5-96 ICV,
//     which covers the IPv4 header too, and the anti-replay sequence
//     counter (AHState); Check verifies it when the Expect asks for AH.
//   - auth_hmac as keepalived 2.4.3 does it (hmac.go): the 28-byte trailer
//     after the message (SplitHMAC, HMACTrailer), its HMAC-SHA256-128 over
//     a source/VRID pseudo-header and the message, the time-based 64-bit
//     sequence and the per-sender anti-replay marks (HMAC.Sign, Verify);
//     the caller passes the time in.
//
// It must not touch the operating system: no sockets, no clocks, no
// logging; it does not build IP headers (the daemon's socket layer owns
// those), it only reads and seals the one AH packets carry.
// Parsing is total: any byte slice is either accepted or rejected with a
// Reason, never a panic, and no length field is trusted.
package vrrp

package vrrp

import "strconv"

// Reason says why a received advertisement was refused. The zero value,
// ReasonOK, means it was not refused. A Reason is also an error, so Parse
// returns one directly; use errors.As to get it back.
type Reason uint8

// Receive failures, in roughly the order keepalived's vrrp_check_packet
// tests them. Several share one keepalived statistics counter (see
// Counter); String gives every one its own name.
const (
	ReasonOK Reason = iota // accepted

	// Found by Parse: the bytes are not a well-formed advertisement.
	ReasonTooShort        // shorter than the fixed header (plus v2 auth data)
	ReasonLength          // length does not match the address count
	ReasonBadVersion      // version nibble is not the expected one (or not 2/3)
	ReasonInvalidType     // type nibble is not 1 (advertisement)
	ReasonInvalidAuthType // v2 auth type is not 0, 1 or 2
	ReasonFamily          // VRRPv2 over IPv6, or an unknown address family

	// Found by Check: well formed, but not acceptable here.
	ReasonTTL              // TTL/hop limit not 255 in multicast mode, or outside a unicast peer's range
	ReasonUnknownVRID      // VRID is not the expected one
	ReasonAuthTypeMismatch // v2 auth type differs from the configured one
	ReasonAuthFailure      // v2 PASS password differs
	ReasonIntervalMismatch // v2 advert interval differs from the local one
	ReasonZeroInterval     // advert interval 0
	ReasonAddrCount        // address count differs from the configured VIPs
	ReasonBadChecksum      // no accepted checksum form matches
	ReasonCastMismatch     // multicast packet to a unicast instance or the reverse
	ReasonAddrList         // a configured VIP is missing from the advert
	ReasonUnicastSource    // source is not one of the unicast peers

	// IPsec AH (auth_type AH), in the order keepalived checks them.
	ReasonAHMismatch   // an AH packet for a non-AH instance, or a plain one for an AH instance
	ReasonAHNextHeader // the AH header protects another protocol than VRRP (dropped, not counted)
	ReasonAHICV        // the ICV does not match: another auth_pass, or the packet was changed
	ReasonAHSPI        // the SPI is not the packet's source address
	ReasonAHReplay     // the sequence number is not above the last one sent or accepted

	// auth_hmac (hmac.go), in the order keepalived 2.4.3 checks them.
	ReasonHMACMissing    // no trailer, in enforce mode
	ReasonHMACMalformed  // trailer type not 1 or reserved not zero
	ReasonHMACStale      // timestamp outside the time window
	ReasonHMACUnknownKey // no key with the trailer's id
	ReasonHMACBadMAC     // the HMAC does not match
	ReasonHMACReplay     // the sequence does not grow past the sender's last one

	numReasons
)

var reasonNames = [numReasons]string{
	ReasonOK:               "ok",
	ReasonTooShort:         "too_short",
	ReasonLength:           "packet_len_err",
	ReasonBadVersion:       "bad_version",
	ReasonInvalidType:      "invalid_type_rcvd",
	ReasonInvalidAuthType:  "invalid_authtype",
	ReasonFamily:           "bad_family",
	ReasonTTL:              "ip_ttl_err",
	ReasonUnknownVRID:      "unknown_vrid",
	ReasonAuthTypeMismatch: "authtype_mismatch",
	ReasonAuthFailure:      "auth_failure",
	ReasonIntervalMismatch: "advert_interval_err",
	ReasonZeroInterval:     "zero_interval",
	ReasonAddrCount:        "addr_count_err",
	ReasonBadChecksum:      "bad_checksum",
	ReasonCastMismatch:     "cast_mismatch",
	ReasonAddrList:         "addr_list_err",
	ReasonUnicastSource:    "unicast_src_err",
	ReasonAHMismatch:       "ah_mismatch",
	ReasonAHNextHeader:     "ah_next_header",
	ReasonAHICV:            "ah_bad_icv",
	ReasonAHSPI:            "ah_bad_spi",
	ReasonAHReplay:         "ah_replayed_seq",
	ReasonHMACMissing:      "auth_ext_missing",
	ReasonHMACMalformed:    "auth_ext_malformed",
	ReasonHMACStale:        "auth_ext_stale",
	ReasonHMACUnknownKey:   "auth_ext_unknown_key",
	ReasonHMACBadMAC:       "auth_ext_invalid_hmac",
	ReasonHMACReplay:       "auth_ext_replay",
}

// counters maps a Reason to the keepalived statistics counter
// (vrrp_stats in keepalived's stats file and SNMP) that it increments.
var counters = [numReasons]string{
	ReasonTooShort:         "packet_len_err",
	ReasonLength:           "packet_len_err",
	ReasonInvalidType:      "invalid_type_rcvd",
	ReasonInvalidAuthType:  "invalid_authtype",
	ReasonTTL:              "ip_ttl_err",
	ReasonAuthTypeMismatch: "authtype_mismatch",
	ReasonAuthFailure:      "auth_failure",
	ReasonIntervalMismatch: "advert_interval_err",
	ReasonAddrCount:        "addr_list_err",
	ReasonCastMismatch:     "addr_list_err",
	ReasonAddrList:         "addr_list_err",
	ReasonAHMismatch:       "authtype_mismatch",
	ReasonAHICV:            "auth_failure",
	ReasonAHSPI:            "auth_failure",
	ReasonAHReplay:         "auth_failure",
}

// String returns the reason's name: keepalived's statistics counter name
// where the reason is the main cause of that counter (packet_len_err,
// ip_ttl_err, invalid_type_rcvd, advert_interval_err, addr_list_err,
// invalid_authtype, authtype_mismatch, auth_failure, and keepalived
// 2.4's auth_ext_* for auth_hmac), our own otherwise.
func (r Reason) String() string {
	if r < numReasons {
		return reasonNames[r]
	}
	return "reason(" + strconv.Itoa(int(r)) + ")"
}

// Counter returns the keepalived statistics counter this reason
// increments, or "" when keepalived counts it nowhere.
func (r Reason) Counter() string {
	if r >= ReasonHMACMissing && r < numReasons {
		return reasonNames[r] // auth_hmac's reasons are named after their counters
	}
	if r < numReasons {
		return counters[r]
	}
	return ""
}

// Error makes a Reason usable as an error: "vrrp: <name>".
func (r Reason) Error() string { return "vrrp: " + r.String() }

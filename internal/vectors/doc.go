// Package vectors reads the wire vector files captured from the real
// keepalived (../shared/vectors/keepalived-*.txt): one Vector per distinct
// packet, with its frame, its VRRP message and every decoded key/value
// field, and finds the shared folder those files live in.
//
// It is for tests (VRRP adverts, gratuitous ARP and unsolicited NA
// frames). It must not decode packets itself beyond hex and the field
// syntax of the file, and must not depend on the packages it helps test.
package vectors

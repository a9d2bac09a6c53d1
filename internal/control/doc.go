// Package control is the daemon's status interface: the Snapshot model the
// daemon fills, an HTTP+JSON server on a unix socket that serves it (read
// only, except POST /v1/reload), the client and the `gokeepalived status`
// renderer built on that client, and writers for keepalived's own dumps
// (/tmp/keepalived.data, .stats and .json) so existing tooling keeps working.
//
// It must not reach into the daemon: everything it knows comes from a Source
// (and a Reloader for reload), so a slow or stalled client can never hold a
// daemon lock or delay a VRRP timer. It sends no packets and changes no
// system state other than creating and removing its own socket file.
//
// The JSON field names of Snapshot and its parts are a stable, documented
// API (docs/api.md): add fields, never rename or remove them.
package control

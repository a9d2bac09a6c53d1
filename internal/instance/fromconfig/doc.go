// Package fromconfig maps a parsed vrrp_instance (package config) onto
// the state machine's instance.Config, for the daemon and the planner.
// It keeps package instance free of the configuration's types: the
// machine knows only what it runs on.
//
// It must not read the system or apply defaults of its own: config has
// applied keepalived's defaults, instance.DefaultConfig fills the rest.
package fromconfig

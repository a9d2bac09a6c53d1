// Package configtest loads configurations from text for the tests of the
// packages that consume package config. It must not be imported outside
// tests.
package configtest

import (
	"testing"

	"github.com/gokeepalived/gokeepalived/internal/config"
)

// Load loads text as keepalived.conf (config id "x") and fails t on an
// error diagnostic.
func Load(t testing.TB, text string) *config.Config {
	t.Helper()
	return LoadOpts(t, text, config.Options{ConfigID: "x"})
}

// LoadOpts is Load with options; their ReadFile is replaced.
func LoadOpts(t testing.TB, text string, opts config.Options) *config.Config {
	t.Helper()
	opts.ReadFile = func(string) ([]byte, error) { return []byte(text), nil }
	c, diags := config.Load("/k.conf", opts)
	for _, d := range diags {
		if d.Severity == config.SeverityError {
			t.Fatalf("load: %s", d)
		}
	}
	return c
}

// TrackGroup loads the static blocks statics after `track_group G { group
// { R } }`, with instances R and O on eth0.
func TrackGroup(t testing.TB, statics string) *config.Config {
	t.Helper()
	return Load(t, "track_group G {\n group {\n  R\n }\n}\n"+statics+
		"vrrp_instance R {\n interface eth0\n virtual_router_id 1\n}\n"+
		"vrrp_instance O {\n interface eth0\n virtual_router_id 2\n}\n")
}

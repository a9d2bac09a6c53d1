package vrrp_test

import (
	"reflect"
	"testing"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/system"
	"github.com/gokeepalived/gokeepalived/internal/vrrp"
)

// TestOneFamilyType: the configuration, the wire and the system speak of
// address families with the one type, vrrp.Family, so no conversion
// between them can go wrong.
func TestOneFamilyType(t *testing.T) {
	want := reflect.TypeOf(vrrp.IPv4)
	for name, got := range map[string]reflect.Type{
		"system.Family":          reflect.TypeOf(system.IPv4),
		"config.Instance.Family": reflect.TypeOf(config.Instance{}.Family),
		"config.Rule.Family":     reflect.TypeOf(config.Rule{}.Family),
		"system.Rule.Family":     reflect.TypeOf(system.Rule{}.Family),
	} {
		if got != want {
			t.Errorf("%s is %v, want %v", name, got, want)
		}
	}
	if system.IPv6 != vrrp.IPv6 {
		t.Errorf("system.IPv6 = %v, want %v", system.IPv6, vrrp.IPv6)
	}
}

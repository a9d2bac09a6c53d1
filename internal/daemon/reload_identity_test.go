package daemon

import (
	"net/netip"
	"reflect"
	"testing"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/system"
)

// setNonZero gives v a value other than its zero value.
func setNonZero(t *testing.T, name string, v reflect.Value) {
	t.Helper()
	switch v.Interface().(type) {
	case netip.Addr:
		v.Set(reflect.ValueOf(netip.MustParseAddr("10.9.9.9")))
		return
	case netip.Prefix:
		v.Set(reflect.ValueOf(netip.MustParsePrefix("10.9.9.0/24")))
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString("x")
	case reflect.Int, reflect.Int64:
		v.SetInt(7)
	case reflect.Uint8, reflect.Uint32:
		v.SetUint(7)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		setNonZero(t, name, v.Index(0))
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		if v.Elem().Kind() == reflect.Bool {
			v.Elem().SetBool(true)
		}
	case reflect.Struct:
		setNonZero(t, name, v.Field(0))
	default:
		t.Fatalf("field %s: kind %v not covered by this test", name, v.Kind())
	}
}

// TestInstanceGlobalsCoverGlobalDefs: every global_defs setting either
// shapes running instances (a change restarts them) or is one of the
// settings that may change freely; a new field must be put in one list.
func TestInstanceGlobalsCoverGlobalDefs(t *testing.T) {
	free := map[string]bool{
		"RouterID": true, "NotificationEmail": true, "NotificationEmailFrom": true,
		"SMTPServer": true, "SMTPConnectTimeout": true, "JSONVersion": true, "PrometheusListen": true,
		"NotifyPriorityChanges": true, "FifoWriteStatesOnReload": true,
		"NotifyFifo": true, "VRRPNotifyFifo": true, "LVSNotifyFifo": true,
		"StartupScript": true, "StartupScriptTimeout": true, "ShutdownScript": true, "ShutdownScriptTimeout": true,
		"EnableScriptSecurity": true, "ScriptUser": true, "ScriptGroup": true,
	}
	typ := reflect.TypeOf(config.GlobalDefs{})
	for i := range typ.NumField() {
		name := typ.Field(i).Name
		var g config.GlobalDefs
		setNonZero(t, name, reflect.ValueOf(&g).Elem().Field(i))
		if got, want := sameInstanceGlobals(config.GlobalDefs{}, g), free[name]; got != want {
			t.Errorf("global_defs field %s changed: sameInstanceGlobals = %v, want %v", name, got, want)
		}
	}
	off, on := false, true
	if sameInstanceGlobals(config.GlobalDefs{SMTPAlert: &off}, config.GlobalDefs{SMTPAlert: &on}) {
		t.Errorf("smtp_alert off and on taken for the same")
	}
	if !sameInstanceGlobals(config.GlobalDefs{SMTPAlert: &on}, config.GlobalDefs{SMTPAlert: new(bool(true))}) {
		t.Errorf("smtp_alert on twice taken for a change")
	}
}

// TestVIPEqual: every option of an address counts, the lifetime by value.
func TestVIPEqual(t *testing.T) {
	base := system.VIP{Prefix: netip.MustParsePrefix("10.0.0.1/32"), Ifindex: 2}
	typ := reflect.TypeOf(base)
	for i := range typ.NumField() {
		w := base
		setNonZero(t, typ.Field(i).Name, reflect.ValueOf(&w).Elem().Field(i))
		if base.Equal(w) {
			t.Errorf("field %s changed, still Equal", typ.Field(i).Name)
		}
	}
	a, b := uint32(30), uint32(30)
	if x, y := (system.VIP{PreferredLft: &a}), (system.VIP{PreferredLft: &b}); !x.Equal(y) {
		t.Errorf("the same preferred_lft behind two pointers taken for a change")
	}
}

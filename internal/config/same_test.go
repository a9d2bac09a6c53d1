package config

import (
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"time"
)

// eachLeaf calls check with a copy of zero in which one leaf field (a
// field that is not a struct, or a netip value) is set, for every leaf
// field reachable through structs; path names the field.
func eachLeaf[T any](t *testing.T, check func(path string, changed T)) {
	t.Helper()
	var walk func(path []int, typ reflect.Type, name string)
	walk = func(path []int, typ reflect.Type, name string) {
		for i := range typ.NumField() {
			f := typ.Field(i)
			p := append(append([]int(nil), path...), i)
			n := strings.TrimPrefix(name+"."+f.Name, ".")
			switch ft := f.Type; {
			case ft.Kind() == reflect.Struct && ft != reflect.TypeOf(netip.Addr{}) && ft != reflect.TypeOf(netip.Prefix{}) && ft != reflect.TypeOf(Pos{}):
				walk(p, ft, n)
			default:
				var x T
				setNonZero(t, n, reflect.ValueOf(&x).Elem().FieldByIndex(p))
				check(n, x)
			}
		}
	}
	walk(nil, reflect.TypeFor[T](), "")
}

// setNonZero gives v a value other than its zero value.
func setNonZero(t *testing.T, name string, v reflect.Value) {
	t.Helper()
	switch v.Type() {
	case reflect.TypeOf(netip.Addr{}):
		v.Set(reflect.ValueOf(netip.MustParseAddr("10.9.9.9")))
		return
	case reflect.TypeOf(netip.Prefix{}):
		v.Set(reflect.ValueOf(netip.MustParsePrefix("10.9.9.0/24")))
		return
	case reflect.TypeOf(time.Duration(0)):
		v.SetInt(7)
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString("x")
	case reflect.Int, reflect.Int64:
		v.SetInt(7)
	case reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(7)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 1, 1))
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
	case reflect.Struct:
		setNonZero(t, name, v.Field(0))
	default:
		t.Fatalf("field %s: kind %v not covered by this test", name, v.Kind())
	}
}

// isPos reports whether the leaf path names where something is written.
func isPos(path string) bool {
	last := path[strings.LastIndex(path, ".")+1:]
	return strings.HasSuffix(last, "Pos") && last != "PrefSet"
}

// TestSameCoversEveryField: a change of any field but a position makes
// an instance, a sync group, an address, a route and a rule different, so
// that a reload never keeps something running whose configuration
// changed; a change of a position alone changes nothing.
func TestSameCoversEveryField(t *testing.T) {
	eachLeaf(t, func(path string, x Instance) {
		if got, want := SameInstance(&Instance{}, &x), isPos(path); got != want {
			t.Errorf("Instance.%s changed: SameInstance = %v, want %v", path, got, want)
		}
	})
	eachLeaf(t, func(path string, x SyncGroup) {
		if got, want := SameSyncGroup(&SyncGroup{}, &x), isPos(path); got != want {
			t.Errorf("SyncGroup.%s changed: SameSyncGroup = %v, want %v", path, got, want)
		}
	})
	eachLeaf(t, func(path string, x VIP) {
		if got, want := SameVIP(VIP{}, x), isPos(path); got != want {
			t.Errorf("VIP.%s changed: SameVIP = %v, want %v", path, got, want)
		}
	})
	eachLeaf(t, func(path string, x Route) {
		if got, want := SameRoute(Route{}, x), isPos(path); got != want {
			t.Errorf("Route.%s changed: SameRoute = %v, want %v", path, got, want)
		}
	})
	eachLeaf(t, func(path string, x Rule) {
		if got, want := SameRule(Rule{}, x), isPos(path); got != want {
			t.Errorf("Rule.%s changed: SameRule = %v, want %v", path, got, want)
		}
	})
}

// TestSameFollowsPointersAndElements: values behind pointers and inside
// list entries count, and where they are written does not.
func TestSameFollowsPointersAndElements(t *testing.T) {
	lft1, lft2, lft3 := 30, 30, 40
	a := &Instance{VIPs: []VIP{{Pos: Pos{Line: 1}, Prefix: netip.MustParsePrefix("10.0.0.1/32"), PreferredLft: &lft1}},
		Tracking:      Tracking{TrackScripts: []TrackRef{{Pos: Pos{Line: 2}, Name: "s"}}},
		Notifications: Notifications{NotifyMaster: &Script{Pos: Pos{Line: 3}, Cmd: []string{"/bin/n", "m"}}}}
	b := &Instance{VIPs: []VIP{{Pos: Pos{Line: 9}, Prefix: netip.MustParsePrefix("10.0.0.1/32"), PreferredLft: &lft2}},
		Tracking:      Tracking{TrackScripts: []TrackRef{{Pos: Pos{Line: 8}, Name: "s"}}},
		Notifications: Notifications{NotifyMaster: &Script{Pos: Pos{Line: 7}, Cmd: []string{"/bin/n", "m"}}}}
	if !SameInstance(a, b) {
		t.Errorf("the same instance written elsewhere taken for a change")
	}
	b.VIPs[0].PreferredLft = &lft3
	if SameInstance(a, b) {
		t.Errorf("preferred_lft 30 and 40 taken for the same")
	}
	b.VIPs[0].PreferredLft = &lft2
	b.Notify = &Script{Cmd: []string{"/bin/n", "x"}}
	if SameInstance(a, b) {
		t.Errorf("a new notify script taken for no change")
	}
}

// TestSameInstanceGlobals: every global_defs setting either
// shapes running instances (a change restarts them) or is one of the
// settings that may change freely; a new field must be put in one list.
func TestSameInstanceGlobals(t *testing.T) {
	free := map[string]bool{
		"RouterID": true, "LVSBackend": true, "LVSFlush": true, "LVSFlushOnStop": true, "BGPSpeaker": true, "NotificationEmail": true, "NotificationEmailFrom": true,
		"SMTPServer": true, "SMTPAddr": true, "SMTPConnectTimeout": true, "JSONVersion": true, "PrometheusListen": true,
		"NotifyPriorityChanges": true, "FifoWriteStatesOnReload": true,
		"NotifyFifo": true, "VRRPNotifyFifo": true, "LVSNotifyFifo": true,
		"StartupScript": true, "StartupScriptTimeout": true, "ShutdownScript": true, "ShutdownScriptTimeout": true,
		"EnableScriptSecurity": true, "ScriptUser": true, "ScriptGroup": true,
		"Realtime": true, // applied at start only, as keepalived 2.2.7
	}
	typ := reflect.TypeOf(GlobalDefs{})
	for i := range typ.NumField() {
		name := typ.Field(i).Name
		var g GlobalDefs
		setNonZero(t, name, reflect.ValueOf(&g).Elem().Field(i))
		if got, want := SameInstanceGlobals(GlobalDefs{}, g), free[name]; got != want {
			t.Errorf("global_defs field %s changed: SameInstanceGlobals = %v, want %v", name, got, want)
		}
	}
	off, on := false, true
	if SameInstanceGlobals(GlobalDefs{SMTPAlert: &off}, GlobalDefs{SMTPAlert: &on}) {
		t.Errorf("smtp_alert off and on taken for the same")
	}
	if !SameInstanceGlobals(GlobalDefs{SMTPAlert: &on}, GlobalDefs{SMTPAlert: new(bool(true))}) {
		t.Errorf("smtp_alert on twice taken for a change")
	}
}

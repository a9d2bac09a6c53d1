package trackers

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/config/configtest"
	"github.com/gokeepalived/gokeepalived/internal/track"
)

// TestSameScript: every field of a vrrp_script but where it is written
// makes two scripts different, so that a reload restarts a changed one.
func TestSameScript(t *testing.T) {
	base := config.VRRPScript{Name: "s", Cmd: []string{"/bin/true"}}
	typ := reflect.TypeOf(base)
	for i := range typ.NumField() {
		f := typ.Field(i)
		x := base
		v := reflect.ValueOf(&x).Elem().Field(i)
		switch v.Kind() {
		case reflect.String:
			v.SetString("other")
		case reflect.Int, reflect.Int64:
			v.SetInt(7)
		case reflect.Bool:
			v.SetBool(true)
		case reflect.Slice:
			v.Set(reflect.ValueOf([]string{"/bin/false"}))
		case reflect.Struct:
			v.Field(0).Set(reflect.ValueOf(7).Convert(v.Field(0).Type()))
		default:
			t.Fatalf("field %s: kind %v not covered by this test", f.Name, v.Kind())
		}
		if got, want := sameScript(&base, &x), f.Name == "Pos"; got != want {
			t.Errorf("field %s changed: sameScript = %v, want %v", f.Name, got, want)
		}
	}
}

// TestSetReload: a reload keeps an unchanged script with its state,
// restarts a changed one, stops one no longer used; a result reports
// whether the state changed.
func TestSetReload(t *testing.T) {
	conf := func(intervalB string) *config.Config {
		return configtest.Load(t, "vrrp_script a {\n script /bin/true\n}\nvrrp_script b {\n script /bin/true\n interval "+intervalB+"\n}\n"+
			"vrrp_script c {\n script /bin/true\n}\n"+
			"vrrp_instance I {\n interface eth0\n virtual_router_id 1\n track_script {\n  a\n  b\n }\n}\n")
	}
	refuse := errors.New("refused")
	s := New(Config{Check: func(track.Spec, config.Pos) (track.Checked, error) { return track.Checked{}, refuse }})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s.Start(ctx, conf("2"))
	if len(s.scripts) != 2 || s.scripts["c"] != nil {
		t.Fatalf("scripts %v, want a and b (c is not tracked)", s.scripts)
	}
	if _, ok := s.Script("a"); ok {
		t.Errorf("a refused by the gate, but tracked")
	}
	for _, name := range []string{"a", "b"} {
		if known, changed := s.Result(Event{Script: name, Result: track.Result{State: track.StateUp}}); !known || !changed {
			t.Errorf("%s's first result: known %v changed %v, want both", name, known, changed)
		}
	}
	if _, changed := s.Result(Event{Script: "a", Result: track.Result{State: track.StateUp}}); changed {
		t.Errorf("the same state again reported as a change")
	}
	if known, _ := s.Result(Event{Script: "c"}); known {
		t.Errorf("a result of c, which is not running, was taken")
	}
	s.Reload(conf("3"))
	if s.scripts["a"].state != track.StateUp || s.scripts["b"].state != track.StateInit {
		t.Errorf("after reload a is %v (want kept UP), b is %v (want restarted, INIT)", s.scripts["a"].state, s.scripts["b"].state)
	}
	s.Stop()
	if len(s.scripts) != 0 {
		t.Errorf("scripts after Stop: %v", s.scripts)
	}
}

// TestSetRunsAnycastTrackers: a vrrp_script only an anycast_group tracks
// runs (issue 16: the group is announced while it succeeds). Before, only
// instances and sync groups counted, and the script never ran.
func TestSetRunsAnycastTrackers(t *testing.T) {
	c := configtest.Load(t, "global_defs {\n bgp_speaker {\n  local_as 65001\n  router_id 192.0.2.1\n  neighbor 192.0.2.2 {\n   remote_as 65000\n  }\n }\n}\n"+
		"vrrp_script web {\n script /bin/true\n}\nvrrp_script idle {\n script /bin/true\n}\n"+
		"anycast_group WEB {\n virtual_ipaddress {\n  10.99.0.1/32\n }\n track_script {\n  web\n }\n}\n")
	s := New(Config{Check: func(track.Spec, config.Pos) (track.Checked, error) { return track.Checked{}, errors.New("refused") }})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s.Start(ctx, c)
	defer s.Stop()
	if len(s.scripts) != 1 || s.scripts["web"] == nil {
		t.Errorf("scripts %v, want only web (idle is not tracked)", s.scripts)
	}
}

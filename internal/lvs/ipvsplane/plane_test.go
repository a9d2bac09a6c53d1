package ipvsplane

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/cloudflare/ipvs"
	"github.com/google/go-cmp/cmp"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/lvs"
)

// recorder is an ipvs.Client that records each command it is given: one
// line per IPVS generic netlink request (IPVS_CMD_NEW_SERVICE, ...).
type recorder struct {
	ipvs.Client // nil: any other call panics, so the plane may not list or flush
	calls       []string
}

func (r *recorder) add(cmd string, s ipvs.Service, d *ipvs.Destination) error {
	line := fmt.Sprintf("%s %s:%d proto=%d fwmark=%d sched=%s flags=%#x timeout=%d mask=%s", cmd, s.Address, s.Port, s.Protocol, s.FWMark, s.Scheduler, uint32(s.Flags), s.Timeout, s.Netmask)
	if d != nil {
		line = fmt.Sprintf("%s %s:%d -> %s:%d fwd=%s weight=%d u=%d l=%d", cmd, s.Address, s.Port, d.Address, d.Port, d.FwdMethod, d.Weight, d.UpperThreshold, d.LowerThreshold)
	}
	r.calls = append(r.calls, line)
	return nil
}

func (r *recorder) CreateService(s ipvs.Service) error { return r.add("NEW_SERVICE", s, nil) }
func (r *recorder) UpdateService(s ipvs.Service) error { return r.add("SET_SERVICE", s, nil) }
func (r *recorder) RemoveService(s ipvs.Service) error { return r.add("DEL_SERVICE", s, nil) }
func (r *recorder) CreateDestination(s ipvs.Service, d ipvs.Destination) error {
	return r.add("NEW_DEST", s, &d)
}
func (r *recorder) UpdateDestination(s ipvs.Service, d ipvs.Destination) error {
	return r.add("SET_DEST", s, &d)
}
func (r *recorder) RemoveDestination(s ipvs.Service, d ipvs.Destination) error {
	return r.add("DEL_DEST", s, &d)
}

var vip = netip.MustParseAddr("10.0.0.100")

func svc(weights ...int) lvs.Service {
	s := lvs.Service{Key: lvs.ServiceKey{Addr: vip, Protocol: lvs.TCP, Port: 80}, VS: "[10.0.0.100]:tcp:80",
		Sched: config.SchedWRR, Persistence: 600 * time.Second, Granularity: 24}
	for i, w := range weights {
		if w >= 0 {
			s.Dests = append(s.Dests, lvs.Dest{Addr: netip.AddrFrom4([4]byte{10, 0, 0, byte(i + 1)}), Port: 8080,
				Kind: config.KindNAT, Weight: w, UThreshold: 100})
		}
	}
	return s
}

func TestPlaneCommands(t *testing.T) {
	r := &recorder{}
	p := NewWithClient(r)
	fwm := lvs.Service{Key: lvs.ServiceKey{Fwmark: 7}, Sched: config.SchedSH, Flags: config.SchedPort,
		Dests: []lvs.Dest{{Addr: netip.MustParseAddr("10.0.1.1"), Kind: config.KindDR, Weight: 1}}}
	steps := []struct {
		name  string
		state lvs.State
		want  []string
	}{
		{"install", lvs.State{Services: []lvs.Service{svc(3, 2), fwm}}, []string{
			"NEW_SERVICE 10.0.0.100:80 proto=6 fwmark=0 sched=wrr flags=0x1 timeout=600 mask=255.255.255.0",
			"NEW_DEST 10.0.0.100:80 -> 10.0.0.1:8080 fwd=Masquerade weight=3 u=100 l=0",
			"NEW_DEST 10.0.0.100:80 -> 10.0.0.2:8080 fwd=Masquerade weight=2 u=100 l=0",
			"NEW_SERVICE 0.0.0.0:0 proto=0 fwmark=7 sched=sh flags=0x10 timeout=0 mask=255.255.255.255",
			"NEW_DEST 0.0.0.0:0 -> 10.0.1.1:0 fwd=DirectRoute weight=1 u=0 l=0",
		}},
		{"same state: nothing sent", lvs.State{Services: []lvs.Service{svc(3, 2), fwm}}, nil},
		{"a server fails, another's weight changes: only the difference", lvs.State{Services: []lvs.Service{svc(-1, 5), fwm}}, []string{
			"DEL_DEST 10.0.0.100:80 -> 10.0.0.1:8080 fwd=Masquerade weight=3 u=100 l=0",
			"SET_DEST 10.0.0.100:80 -> 10.0.0.2:8080 fwd=Masquerade weight=5 u=100 l=0",
		}},
		{"scheduler change edits the service in place", lvs.State{Services: []lvs.Service{func() lvs.Service { s := svc(-1, 5); s.Sched = config.SchedRR; return s }(), fwm}}, []string{
			"SET_SERVICE 10.0.0.100:80 proto=6 fwmark=0 sched=rr flags=0x1 timeout=600 mask=255.255.255.0",
		}},
		{"close removes what it installed, nothing else", lvs.State{}, []string{
			"DEL_SERVICE 0.0.0.0:0 proto=0 fwmark=7 sched=sh flags=0x10 timeout=0 mask=255.255.255.255",
			"DEL_SERVICE 10.0.0.100:80 proto=6 fwmark=0 sched=rr flags=0x1 timeout=600 mask=255.255.255.0",
		}},
	}
	for _, st := range steps {
		r.calls = nil
		if err := p.Apply(st.state); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if diff := cmp.Diff(st.want, r.calls); diff != "" {
			t.Errorf("%s: commands (-want +got):\n%s", st.name, diff)
		}
	}
}

func TestNewWithoutIPVS(t *testing.T) {
	if Available() {
		t.Skip("this kernel has IPVS")
	}
	if _, err := New(); err == nil {
		t.Error("New succeeded on a kernel without IPVS")
	}
}

// lister is a recorder whose kernel holds services (ours and another's).
type lister struct {
	recorder
	have []ipvs.Service
}

func (l *lister) Services() ([]ipvs.ServiceExtended, error) {
	var out []ipvs.ServiceExtended
	for _, s := range l.have {
		out = append(out, ipvs.ServiceExtended{Service: s})
	}
	return out, nil
}

// TestFlush: lvs_flush / lvs_flush_on_stop remove every service of the
// kernel, not only ours, and the plane then installs from scratch.
func TestFlush(t *testing.T) {
	other := ipvs.Service{Address: netip.MustParseAddr("10.9.9.9"), Port: 443, Protocol: ipvs.TCP, Family: ipvs.INET, Scheduler: "wlc"}
	l := &lister{have: []ipvs.Service{other}}
	p := NewWithClient(l)
	if err := p.Apply(lvs.State{Services: []lvs.Service{svc(1)}}); err != nil {
		t.Fatal(err)
	}
	l.have = append(l.have, service(svc(1)))
	l.calls = nil
	if err := p.Flush(); err != nil {
		t.Fatal(err)
	}
	if len(l.calls) != 2 || !strings.HasPrefix(l.calls[0], "DEL_SERVICE 10.9.9.9:443") || !strings.HasPrefix(l.calls[1], "DEL_SERVICE 10.0.0.100:80") {
		t.Errorf("flush sent %q, want both services removed", l.calls)
	}
	l.calls = nil
	if err := p.Apply(lvs.State{Services: []lvs.Service{svc(1)}}); err != nil {
		t.Fatal(err)
	}
	if len(l.calls) == 0 || !strings.HasPrefix(l.calls[0], "NEW_SERVICE 10.0.0.100:80") {
		t.Errorf("after a flush: %q, want the service created again", l.calls)
	}
}

// TestRelease: -I leaves the installed services in the kernel: releasing
// sends nothing, and a Close after it removes nothing.
func TestRelease(t *testing.T) {
	r := &recorder{}
	p := NewWithClient(r)
	if err := p.Apply(lvs.State{Services: []lvs.Service{svc(3, 2)}}); err != nil {
		t.Fatal(err)
	}
	r.calls = nil
	if err := p.Release(); err != nil {
		t.Fatal(err)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if len(r.calls) != 0 {
		t.Errorf("release then close sent %q, want nothing", r.calls)
	}
}

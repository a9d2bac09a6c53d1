//go:build linux

package ipvsplane

import (
	"context"
	"os/exec"
	"strings"
	"testing"

	"github.com/gokeepalived/gokeepalived/internal/lab"
	"github.com/gokeepalived/gokeepalived/internal/lvs"
)

// TestIPVSPlaneLab installs a service in a namespace and reads it back
// with ipvsadm -Ln, whose lines must be those keepalived's install gives.
// See docs/lvs.md for running it on a kernel with IPVS.
func TestIPVSPlaneLab(t *testing.T) {
	if !Available() {
		t.Skip("IPVS lab test: /proc/net/ip_vs is absent (kernel without CONFIG_IP_VS, or `modprobe ip_vs` not done); see docs/lvs.md")
	}
	if _, err := exec.LookPath("ipvsadm"); err != nil {
		t.Skip("IPVS lab test: ipvsadm is not installed (apt-get install ipvsadm)")
	}
	l := lab.New(t, lab.Spec{Hosts: lab.Hosts("dir")})
	h := l.Host("dir")
	var p *Plane
	if err := h.Do(func() (err error) { p, err = New(); return err }); err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if err := p.Apply(lvs.State{Services: []lvs.Service{svc(3, 2)}}); err != nil {
		t.Fatal(err)
	}
	out, err := h.Exec(context.Background(), "ipvsadm", "-Ln")
	if err != nil {
		t.Fatalf("ipvsadm: %v\n%s", err, out)
	}
	for _, want := range []string{
		"TCP  10.0.0.100:80 wrr persistent 600 mask 255.255.255.0",
		"-> 10.0.0.1:8080               Masq    3",
		"-> 10.0.0.2:8080               Masq    2",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("ipvsadm -Ln lacks %q:\n%s", want, out)
		}
	}
}

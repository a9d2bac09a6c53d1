package director

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// TestSMTPAlerts: the checker's smtp_alert mails follow keepalived's
// defaults (real servers on unless smtp_alert says otherwise, virtual
// servers off) and carry its names and quorum text.
func TestSMTPAlerts(t *testing.T) {
	for _, tc := range []struct {
		name, global, vsOpts string
		want                 []string
	}{
		{"defaults: real servers only", "", "", []string{
			"RS [10.0.2.11]:tcp:80 [10.0.0.100]:tcp:80 DOWN => CHECK failed on service <=",
			"RS [10.0.2.12]:tcp:80 [10.0.0.100]:tcp:80 DOWN => CHECK failed on service <="}},
		{"virtual server on, global off", "smtp_alert off", "smtp_alert", []string{
			"VS  [10.0.0.100]:tcp:80 DOWN => Lost quorum 2+0=2 <= 1 <="}},
		{"both on", "", "smtp_alert on", []string{
			"RS [10.0.2.11]:tcp:80 [10.0.0.100]:tcp:80 DOWN => CHECK failed on service <=",
			"RS [10.0.2.12]:tcp:80 [10.0.0.100]:tcp:80 DOWN => CHECK failed on service <=",
			"VS  [10.0.0.100]:tcp:80 DOWN => Lost quorum 2+0=2 <= 1 <="}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				conf := loadConf(t, "global_defs {\n"+tc.global+"\n}\n"+fmt.Sprintf(threeRS, tc.vsOpts, ""))
				l := &lab{t: t, down: map[netip.Addr]bool{}}
				var mu sync.Mutex
				var got []string
				l.d = Start(Config{Conf: conf, Plane: l, Backend: "fake", NewProber: l.prober, Alert: func(a Alert) {
					mu.Lock()
					defer mu.Unlock()
					kind := "RS"
					if a.RS == "" {
						kind = "VS"
					}
					got = append(got, strings.Join([]string{kind, a.RS, a.VS, upDown(a.Up), a.Body}, " "))
				}})
				defer l.d.Stop(time.Second)
				time.Sleep(5 * time.Second)
				l.setDown("10.0.2.11", true)
				l.setDown("10.0.2.12", true)
				wait(10 * time.Second)
				mu.Lock()
				defer mu.Unlock()
				slices.Sort(got)
				if !slices.Equal(got, tc.want) {
					t.Errorf("alerts\n got %q\nwant %q", got, tc.want)
				}
			})
		})
	}
}

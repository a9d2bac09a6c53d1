package probe

import (
	"testing"

	"github.com/gokeepalived/gokeepalived/internal/config/configtest"
	"github.com/gokeepalived/gokeepalived/internal/healthcheck"
	"github.com/gokeepalived/gokeepalived/internal/track"
)

// TestMiscPathForms: the misc_path forms keepalived's man page, samples
// and tutorials write — bare command names found on PATH, /bin paths on a
// merged /usr, quoted arguments, `/bin/sh -c '...'` — go from the
// configuration through the adapter and the script gate to a real exec,
// and their exit status decides up or down. A bare name run without its
// resolved path (the bug the VRRP "killall -0 haproxy" check once had)
// would come out down here.
func TestMiscPathForms(t *testing.T) {
	for _, tt := range []struct {
		misc string
		ok   bool
	}{
		{`misc_path "true"`, true},
		{`misc_path "false"`, false},
		{`misc_path "test -d /"`, true},
		{`misc_path "/bin/true"`, true},
		{`misc_path "/bin/sh -c 'exit 0'"`, true},
		{`misc_path "/bin/sh -c 'exit 3'"`, false},
		{`misc_path "sh -c \"test -d /\""`, true},
	} {
		t.Run(tt.misc, func(t *testing.T) {
			cfg := configtest.Load(t, `
virtual_server 10.0.0.1 80 {
    protocol TCP
    lb_algo rr
    lb_kind NAT
    real_server 10.0.0.2 80 {
        MISC_CHECK {
            `+tt.misc+`
        }
    }
}
`)
			rss, _ := healthcheck.FromConfig(cfg)
			if len(rss) != 1 || len(rss[0].Checks) != 1 {
				t.Fatalf("want one real server with one check, got %+v", rss)
			}
			c := rss[0].Checks[0]
			p, err := New(&c, Env{Gate: track.NewGate(track.SecurityConfig{})})
			if err != nil {
				t.Fatalf("refused: %v", err)
			}
			r := p.Probe(ctxT(t), healthcheck.Target{})
			if r.OK != tt.ok {
				t.Errorf("ok = %v (%s), want %v", r.OK, r.Reason, tt.ok)
			}
		})
	}
}

package healthcheck

import (
	"encoding/json"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/gokeepalived/gokeepalived/internal/config"
)

const lvsConf = `
track_file weight_f {
    file /run/w
    weight 3
}
SSL {
    ca /etc/ca.pem
}
virtual_server 10.0.0.10 80 {
    protocol TCP
    lb_algo rr
    lb_kind NAT
    delay_loop 6
    retry 4
    alpha
    omega
    virtualhost vs.example
    real_server 10.0.0.1 8080 {
        weight 7
        connect_timeout 2
        TCP_CHECK {
            connect_port 81
            bindto 10.0.0.9
            fwmark 5
        }
        HTTP_GET {
            url {
                path /health
                digest 9b3a0c85a887a256d6939da88aabd8cd
                status_code 200 301-302
            }
            nb_get_retry 2
            delay_before_retry 0.5
        }
        MISC_CHECK {
            misc_path "/bin/check.sh arg"
            misc_timeout 3
            misc_dynamic
        }
        DNS_CHECK {
            type A
            name www.example.org
        }
        FILE_CHECK {
            track_file weight_f
            weight -2 reverse
        }
        BFD_CHECK {
            name b
        }
    }
}
virtual_server 10.0.0.11 443 {
    protocol TCP
    lb_algo rr
    lb_kind NAT
    real_server 10.0.0.2 443 {
        SSL_GET {
            enable_sni
            virtualhost rs.example
            url {
                path /
            }
        }
        UDP_CHECK {
            payload 01 02ab
            require_reply 01xx
        }
        PING_CHECK {
            alpha no
            warmup 0
        }
    }
}
`

func load(t *testing.T, src string) *config.Config {
	t.Helper()
	cfg, diags := config.LoadBytes("test.conf", []byte(src), config.Options{})
	for _, d := range diags {
		t.Logf("config: %v", d)
	}
	return cfg
}

func TestFromConfig(t *testing.T) {
	servers, warnings := FromConfig(load(t, lvsConf))
	if len(servers) != 2 {
		t.Fatalf("got %d real servers, want 2", len(servers))
	}
	rs := servers[0]
	if rs.Name != "[10.0.0.1]:tcp:8080" || rs.VS != "[10.0.0.10]:tcp:80" || rs.Weight != 7 || !rs.Omega {
		t.Errorf("real server = %+v", rs)
	}
	kinds := func(cs []Check) (out []Kind) {
		for _, c := range cs {
			out = append(out, c.Kind)
		}
		return out
	}
	if diff := cmp.Diff([]Kind{TCP, HTTP, Misc, DNS, File}, kinds(rs.Checks)); diff != "" {
		t.Errorf("kinds (-want +got):\n%s", diff)
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], "BFD_CHECK is not supported") {
		t.Errorf("warnings = %q, want one saying BFD_CHECK is not supported", warnings)
	}
	// inheritance: checker, real server, virtual server, kind default
	want := []Timing{
		{DelayLoop: 6 * time.Second, ConnectTimeout: 2 * time.Second, Retry: 4, DelayBeforeRetry: time.Second, Warmup: 6 * time.Second, Alpha: true},
		{DelayLoop: 6 * time.Second, ConnectTimeout: 2 * time.Second, Retry: 2, DelayBeforeRetry: 500 * time.Millisecond, Warmup: 6 * time.Second, Alpha: true},
		{DelayLoop: 6 * time.Second, ConnectTimeout: 2 * time.Second, Retry: 4, DelayBeforeRetry: time.Second, Warmup: 6 * time.Second, Alpha: true},
		{DelayLoop: 6 * time.Second, ConnectTimeout: 2 * time.Second, Retry: 4, DelayBeforeRetry: 6 * time.Second, Warmup: 6 * time.Second, Alpha: true},
		{DelayLoop: 6 * time.Second, ConnectTimeout: 2 * time.Second, Retry: 0, DelayBeforeRetry: time.Second, Warmup: 6 * time.Second, Alpha: true},
	}
	for i, w := range want {
		if diff := cmp.Diff(w, rs.Checks[i].Timing); diff != "" {
			t.Errorf("%s timing (-want +got):\n%s", rs.Checks[i].Kind, diff)
		}
	}
	tcp := rs.Checks[0].Target
	if tcp.Addr != netip.MustParseAddrPort("10.0.0.1:81") || tcp.BindTo != netip.MustParseAddr("10.0.0.9") || tcp.Fwmark != 5 {
		t.Errorf("TCP target = %+v", tcp)
	}
	h := rs.Checks[1].HTTP
	if h.VirtualHost != "vs.example" || len(h.URLs) != 1 || h.URLs[0].Status.String() != "200 301-302" ||
		h.URLs[0].Digest != "9b3a0c85a887a256d6939da88aabd8cd" {
		j, _ := json.Marshal(h)
		t.Errorf("HTTP_GET = %s", j)
	}
	m := rs.Checks[2].Misc
	if diff := cmp.Diff(&MiscSpec{Argv: []string{"/bin/check.sh", "arg"}, Timeout: 3 * time.Second, Dynamic: true}, m); diff != "" {
		t.Errorf("MISC_CHECK (-want +got):\n%s", diff)
	}
	if d := rs.Checks[3].DNS; d.Type != 1 || d.Name != "www.example.org" {
		t.Errorf("DNS_CHECK = %+v", d)
	}
	if diff := cmp.Diff(&FileSpec{Name: "weight_f", Path: "/run/w", Weight: -2, Reverse: true}, rs.Checks[4].File); diff != "" {
		t.Errorf("FILE_CHECK (-want +got):\n%s", diff)
	}

	rs = servers[1]
	ssl := rs.Checks[0]
	if ssl.Kind != SSL || ssl.HTTP.VirtualHost != "rs.example" || !ssl.HTTP.TLS.SNI || ssl.HTTP.TLS.CA != "/etc/ca.pem" ||
		ssl.Timing.Retry != 1 || ssl.Timing.DelayBeforeRetry != 3*time.Second || ssl.Timing.ConnectTimeout != 5*time.Second ||
		ssl.Timing.DelayLoop != 60*time.Second || ssl.Timing.Alpha {
		j, _ := json.Marshal(ssl)
		t.Errorf("SSL_GET = %s", j)
	}
	wantUDP := &UDPSpec{Payload: []byte{1, 0x02, 0xab}, RequireReply: true, Reply: []byte{1, 0}, ReplyMask: []byte{0, 0xff}, MaxReply: 255}
	if diff := cmp.Diff(wantUDP, rs.Checks[1].UDP, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("UDP_CHECK (-want +got):\n%s", diff)
	}
	if w := rs.Checks[2].Timing.Warmup; w != 0 {
		t.Errorf("PING_CHECK warmup = %v, want 0", w)
	}
}

// TestSMTPHosts: SMTP_CHECK host { } blocks are checkers of their own
// (keepalived's check_smtp): the first replaces the checker's target when
// the checker sets no connection keyword, and every one is checked.
func TestSMTPHosts(t *testing.T) {
	const conf = `
virtual_server 10.0.0.10 25 {
    protocol TCP
    lb_algo rr
    lb_kind NAT
    real_server 10.0.0.1 25 {
        SMTP_CHECK {
            helo_name me.example
            host {
                connect_ip 10.0.0.5
                connect_port 2525
                bindto 10.0.0.9
            }
            host {
                connect_port 587
                connect_timeout 2
            }
        }
    }
    real_server 10.0.0.2 25 {
        SMTP_CHECK {
            connect_port 26
            host {
                connect_ip 10.0.0.6
            }
        }
    }
}
`
	servers, warnings := FromConfig(load(t, conf))
	if len(warnings) != 0 {
		t.Errorf("warnings = %q", warnings)
	}
	type got struct {
		Addr    string
		BindTo  string
		Timeout time.Duration
		Helo    string
	}
	targets := func(rs RealServer) (out []got) {
		for _, c := range rs.Checks {
			b := ""
			if c.Target.BindTo.IsValid() {
				b = c.Target.BindTo.String()
			}
			out = append(out, got{c.Target.Addr.String(), b, c.Timing.ConnectTimeout, c.SMTP.Helo})
		}
		return out
	}
	want := []got{{"10.0.0.5:2525", "10.0.0.9", 5 * time.Second, "me.example"}, {"10.0.0.1:587", "", 2 * time.Second, "me.example"}}
	if diff := cmp.Diff(want, targets(servers[0])); diff != "" {
		t.Errorf("hosts replacing the checker's target (-want +got):\n%s", diff)
	}
	want = []got{{"10.0.0.2:26", "", 5 * time.Second, ""}, {"10.0.0.6:25", "", 5 * time.Second, ""}}
	if diff := cmp.Diff(want, targets(servers[1])); diff != "" {
		t.Errorf("checker with its own target plus a host (-want +got):\n%s", diff)
	}
}

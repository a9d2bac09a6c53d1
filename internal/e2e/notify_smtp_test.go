package e2e

import (
	"bufio"
	"context"
	"net"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/control"
	"github.com/gokeepalived/gokeepalived/internal/lab"
)

// mailSink is a minimal SMTP server listening on 127.0.0.1 inside a lab
// host; it records each mail's Subject header and body line.
type mailSink struct {
	ln    net.Listener
	mu    sync.Mutex
	mails []string // "Subject | body"
}

func startMailSink(t *testing.T, h *lab.Host) *mailSink {
	t.Helper()
	s := &mailSink{}
	err := h.Do(func() error {
		var err error
		s.ln, err = net.Listen("tcp", "127.0.0.1:0")
		return err
	})
	if err != nil {
		t.Fatalf("listen in %s: %v", h.Name, err)
	}
	t.Cleanup(func() { s.ln.Close() })
	go func() {
		for {
			c, err := s.ln.Accept()
			if err != nil {
				return
			}
			go s.session(c)
		}
	}()
	return s
}

func (s *mailSink) port() int { return s.ln.Addr().(*net.TCPAddr).Port }

func (s *mailSink) session(c net.Conn) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(30 * time.Second))
	r := bufio.NewReader(c)
	say := func(l string) { c.Write([]byte(l + "\r\n")) }
	say("220 sink")
	var subject, body string
	data, headers := false, false
	for {
		l, err := r.ReadString('\n')
		if err != nil {
			return
		}
		l = strings.TrimSuffix(l, "\r\n")
		switch {
		case data && l == ".":
			data = false
			s.mu.Lock()
			s.mails = append(s.mails, subject+" | "+body)
			s.mu.Unlock()
			say("250 queued")
		case data && headers && l == "":
			headers = false
		case data && headers:
			if v, ok := strings.CutPrefix(l, "Subject: "); ok {
				subject = v
			}
		case data:
			if l != "" && body == "" {
				body = l
			}
		case l == "DATA":
			data, headers = true, true
			say("354 go on")
		case l == "QUIT":
			say("221 bye")
			return
		default:
			say("250 ok")
		}
	}
}

func (s *mailSink) wait(t *testing.T, n int, limit time.Duration) []string {
	t.Helper()
	var got []string
	eventually(t, limit, sprintf("%d mails", n), func() (bool, string) {
		s.mu.Lock()
		got = append([]string(nil), s.mails...)
		s.mu.Unlock()
		return len(got) >= n, strings.Join(got, " || ")
	})
	return got
}

// TestSMTPAlert: smtp_alert mails each transition through smtp_server as
// keepalived words them, without holding up the daemon.
func TestSMTPAlert(t *testing.T) {
	needRoot(t)
	t.Parallel()
	l := lab.New(t, lab.Spec{Hosts: lab.Hosts("a")})
	a := l.Host("a")
	sink := startMailSink(t, a)
	n := newNode(t, a, sprintf(`
global_defs {
    router_id LB_A
    notification_email {
        ops@example.com
    }
    notification_email_from ka@example.com
    smtp_server 127.0.0.1 %d
    smtp_connect_timeout 5
}
vrrp_instance VI_1 {
    state MASTER
    interface eth1
    virtual_router_id 81
    priority 100
    advert_int 1
    smtp_alert
    virtual_ipaddress {
        192.168.1.80
    }
}
`, sink.port()))
	n.start(t)
	waitInstance(t, n, "VI_1", control.StateMaster, 100, 10*time.Second)
	sink.wait(t, 2, 10*time.Second)
	n.signal(t, syscall.SIGTERM)
	n.wait(t, 10*time.Second)
	want := []string{
		"[LB_A] VRRP Instance VI_1 - Entering BACKUP state | => VRRP Instance is no longer owning VRRP VIPs <=",
		"[LB_A] VRRP Instance VI_1 - Entering MASTER state | => VRRP Instance is now owning VRRP VIPs <=",
		"[LB_A] VRRP Instance VI_1 - Stopping | => VRRP Instance stopping <=",
	}
	if diff := cmpDiff(want, sink.wait(t, len(want), 5*time.Second)); diff != "" {
		t.Errorf("mails (-want +got):\n%s", diff)
	}
}

// TestSMTPNoEmailFaults: an interface failure mails "Entering FAULT state"
// unless global_defs has no_email_faults; the other mails go out either way.
func TestSMTPNoEmailFaults(t *testing.T) {
	needRoot(t)
	for _, noFaults := range []bool{false, true} {
		t.Run(sprintf("no_email_faults=%v", noFaults), func(t *testing.T) {
			t.Parallel()
			l := lab.New(t, lab.Spec{Hosts: lab.Hosts("a")})
			a := l.Host("a")
			sink := startMailSink(t, a)
			kw := ""
			if noFaults {
				kw = "no_email_faults"
			}
			n := newNode(t, a, sprintf(`
global_defs {
    router_id LB_A
    notification_email {
        ops@example.com
    }
    notification_email_from ka@example.com
    smtp_server 127.0.0.1 %d
    %s
}
vrrp_instance VI_1 {
    state MASTER
    interface eth1
    virtual_router_id 82
    priority 100
    advert_int 1
    smtp_alert
    virtual_ipaddress {
        192.168.1.82
    }
}
`, sink.port(), kw))
			n.start(t)
			waitInstance(t, n, "VI_1", control.StateMaster, 100, 10*time.Second)
			sink.wait(t, 2, 10*time.Second)
			ctx := context.Background()
			if err := a.SetLink(ctx, false); err != nil {
				t.Fatal(err)
			}
			waitInstance(t, n, "VI_1", control.StateFault, 100, 10*time.Second)
			if err := a.SetLink(ctx, true); err != nil {
				t.Fatal(err)
			}
			waitInstance(t, n, "VI_1", control.StateMaster, 100, 15*time.Second)
			n.signal(t, syscall.SIGTERM)
			n.wait(t, 10*time.Second)
			sink.wait(t, 3, 5*time.Second)
			time.Sleep(500 * time.Millisecond) // any mail still in flight
			sink.mu.Lock()
			mails := append([]string(nil), sink.mails...)
			sink.mu.Unlock()
			fault := false
			for _, m := range mails {
				fault = fault || strings.Contains(m, "Entering FAULT state")
			}
			if fault == noFaults {
				t.Errorf("FAULT mail sent = %v with no_email_faults %v; mails:\n%s", fault, noFaults, strings.Join(mails, "\n"))
			}
			if last := mails[len(mails)-1]; !strings.Contains(last, "Stopping") {
				t.Errorf("last mail %q, want the Stopping one: other mails must still go out", last)
			}
		})
	}
}

package notify

import (
	"bufio"
	"context"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// smtpSink is a tiny SMTP server on 127.0.0.1 that records every line a
// client sends, one session per mail.
type smtpSink struct {
	ln       net.Listener
	mu       sync.Mutex
	sessions map[int][]string // by the order connections were accepted
	got      chan struct{}
	silent   bool // accept and never answer
	stop     chan struct{}
}

func newSMTPSink(t *testing.T, silent bool) *smtpSink {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &smtpSink{ln: ln, sessions: map[int][]string{}, got: make(chan struct{}, 16), silent: silent, stop: make(chan struct{})}
	t.Cleanup(func() { ln.Close(); close(s.stop) })
	go s.serve()
	return s
}

func (s *smtpSink) addr() string {
	return s.ln.Addr().String()
}

func (s *smtpSink) serve() {
	for i := 0; ; i++ {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		go s.session(c, i)
	}
}

// session records one SMTP dialogue as connection number idx, so the
// sessions come back in the order the client opened them even when their
// handlers finish out of order.
func (s *smtpSink) session(c net.Conn, idx int) {
	defer c.Close()
	if s.silent {
		<-s.stop
		return
	}
	r := bufio.NewReader(c)
	var lines []string
	say := func(l string) { c.Write([]byte(l + "\r\n")) }
	say("220 sink ESMTP")
	inData := false
	for {
		l, err := r.ReadString('\n')
		if err != nil {
			return
		}
		l = strings.TrimSuffix(l, "\r\n")
		lines = append(lines, l)
		switch {
		case inData && l == ".":
			inData = false
			say("250 queued")
		case inData:
		case l == "DATA":
			inData = true
			say("354 go ahead")
		case l == "QUIT":
			say("221 bye")
			s.mu.Lock()
			s.sessions[idx] = lines
			s.mu.Unlock()
			s.got <- struct{}{}
			return
		default:
			say("250-ok")
			say("250 ok")
		}
	}
}

func (s *smtpSink) wait(t *testing.T, n int) [][]string {
	t.Helper()
	for i := 0; i < n; i++ {
		select {
		case <-s.got:
		case <-time.After(10 * time.Second):
			t.Fatalf("only %d of %d mails arrived", i, n)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([][]string, 0, len(s.sessions))
	for i := 0; len(out) < len(s.sessions); i++ {
		if l, ok := s.sessions[i]; ok {
			out = append(out, l)
		}
	}
	return out
}

func TestMailerSendsKeepalivedMail(t *testing.T) {
	sink := newSMTPSink(t, false)
	date := time.Date(2024, 3, 5, 14, 7, 9, 0, time.FixedZone("", 3600))
	m, err := NewMailer(MailConfig{Server: sink.addr(), From: "ka@example.com",
		To: []string{"ops@example.com", "noc@example.com"}, HeloName: "lb1", RouterID: "LVS_1",
		Log: discardLog(), Now: func() time.Time { return date }})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		kind    Kind
		name    string
		state   State
		subject string
		body    string
	}{
		{KindInstance, "VI_1", StateMaster, "[LVS_1] VRRP Instance VI_1 - Entering MASTER state", "=> VRRP Instance is now owning VRRP VIPs <="},
		{KindInstance, "VI_1", StateBackup, "[LVS_1] VRRP Instance VI_1 - Entering BACKUP state", "=> VRRP Instance is no longer owning VRRP VIPs <="},
		{KindInstance, "VI_1", StateFault, "[LVS_1] VRRP Instance VI_1 - Entering FAULT state", "=> VRRP Instance is no longer owning VRRP VIPs <="},
		{KindInstance, "VI_1", StateStop, "[LVS_1] VRRP Instance VI_1 - Stopping", "=> VRRP Instance stopping <="},
		{KindGroup, "G1", StateMaster, "[LVS_1] VRRP Group G1 - Entering MASTER state", "=> All VRRP group instances are now in MASTER state <="},
		{KindGroup, "G1", StateStop, "[LVS_1] VRRP Group G1 - Stopping", "=> All VRRP group instances are now stopping <="},
	}
	for _, tt := range tests {
		mail, ok := m.AlertMail(tt.kind, tt.name, tt.state)
		if !ok {
			t.Fatalf("%v %s: no mail", tt.kind, tt.state)
		}
		m.Send(mail)
	}
	if _, ok := m.AlertMail(KindInstance, "VI_1", StateMasterPriority); ok {
		t.Error("a priority change must not send mail")
	}
	sessions := sink.wait(t, len(tests))
	for i, tt := range tests {
		want := []string{"HELO lb1", "MAIL FROM:<ka@example.com>", "RCPT TO:<ops@example.com>", "RCPT TO:<noc@example.com>", "DATA",
			"Date: Tue, 05 Mar 2024 14:07:09 +0100", "From: ka@example.com", "Subject: " + tt.subject,
			"X-Mailer: Keepalived", "To: ops@example.com, noc@example.com", "", tt.body, "", ".", "QUIT"}
		if diff := cmp.Diff(want, sessions[i]); diff != "" {
			t.Errorf("mail %d (-want +got):\n%s", i, diff)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	m.Close(ctx)
}

// TestMailerNeverBlocks: a server that accepts and never answers must not
// block Send, and the queue stays bounded.
func TestMailerNeverBlocks(t *testing.T) {
	sink := newSMTPSink(t, true)
	m, err := NewMailer(MailConfig{Server: sink.addr(), To: []string{"a@b"}, QueueLen: 4,
		ConnectTimeout: time.Minute, Log: discardLog()})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		for range 1000 {
			m.Send(Mail{Subject: "s", Body: "b"})
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Send blocked on a silent server")
	}
	m.mu.Lock()
	n := len(m.pending)
	m.mu.Unlock()
	if n > 4 {
		t.Errorf("pending = %d, want at most 4", n)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	m.Close(ctx) // must return: the session is abandoned
}

// NewMailer takes a dial address (config.GlobalDefs.SMTPAddr) and
// refuses anything else, such as smtp_server's words as written.
func TestNewMailerServer(t *testing.T) {
	for _, tt := range []struct {
		server string
		ok     bool
	}{
		{"192.168.200.1:25", true},
		{"[2001:db8::1]:587", true},
		{"mail.example.com:25", true},
		{"", false},
		{"192.168.200.1 2525", false},
		{"192.168.200.1", false},
	} {
		m, err := NewMailer(MailConfig{Server: tt.server, To: []string{"a@b"}, Log: discardLog()})
		if (err == nil) != tt.ok {
			t.Errorf("NewMailer(Server: %q) error = %v, want ok %v", tt.server, err, tt.ok)
		}
		if m != nil {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			m.Close(ctx)
			cancel()
		}
	}
}

func TestFormatMessageDotStuffing(t *testing.T) {
	got := FormatMessage(time.Unix(0, 0).UTC(), "f", []string{"t"}, Mail{Subject: "a\r\nBcc: x", Body: ".x\n.y"})
	want := "Date: Thu, 01 Jan 1970 00:00:00 +0000\r\nFrom: f\r\nSubject: a  Bcc: x\r\nX-Mailer: Keepalived\r\nTo: t\r\n\r\n..x\n..y\r\n\r\n.\r\n"
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestCheckerMail: the checker's subjects, as keepalived's smtp_alert of
// a real server and of a virtual server's quorum.
func TestCheckerMail(t *testing.T) {
	m, err := NewMailer(MailConfig{Server: "127.0.0.1:2525", To: []string{"a@b"}, RouterID: "LVS_1", Log: discardLog()})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close(context.Background())
	for _, tt := range []struct {
		rs   string
		up   bool
		want string
	}{
		{"[10.0.2.11]:tcp:80", false, "[LVS_1] Realserver [10.0.2.11]:tcp:80 of virtual server [10.0.0.100]:tcp:80 - DOWN"},
		{"[10.0.2.11]:tcp:80", true, "[LVS_1] Realserver [10.0.2.11]:tcp:80 of virtual server [10.0.0.100]:tcp:80 - UP"},
		{"", true, "[LVS_1] Virtualserver [10.0.0.100]:tcp:80 - UP"},
	} {
		if got := m.CheckerMail(tt.rs, "[10.0.0.100]:tcp:80", tt.up, "b"); got.Subject != tt.want || got.Body != "b" {
			t.Errorf("CheckerMail(%q, %v) = %+v, want subject %q", tt.rs, tt.up, got, tt.want)
		}
	}
}

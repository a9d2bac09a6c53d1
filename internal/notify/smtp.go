package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/textproto"
	"os"
	"strings"
	"sync"
	"time"
)

// Defaults for MailConfig.
const (
	DefaultConnectTimeout = 30 * time.Second
	DefaultMailQueueLen   = 32
)

// MailConfig configures a Mailer: global_defs' notification_email,
// notification_email_from, smtp_server, smtp_connect_timeout and router_id.
type MailConfig struct {
	// Server is the dial address of smtp_server, "host:port" (config
	// reads smtp_server's words into config.GlobalDefs.SMTPAddr).
	Server string
	// From is notification_email_from (keepalived@<host name> when empty).
	From string
	// To are the notification_email addresses.
	To []string
	// HeloName is the name sent with HELO (the host name when empty).
	HeloName string
	// RouterID is router_id (the host name when empty); it prefixes subjects.
	RouterID string
	// ConnectTimeout bounds the connection and each reply (smtp_connect_timeout).
	ConnectTimeout time.Duration
	// QueueLen bounds the mails waiting to be sent; when full the oldest
	// waiting mail is dropped.
	QueueLen int
	Log      *slog.Logger
	// Now returns the time for the Date header; time.Now when nil.
	Now func() time.Time
}

// Mail is one alert: its subject (already prefixed) and body.
type Mail struct {
	Subject string
	Body    string
}

// Mailer sends keepalived's smtp_alert mails. Send queues a mail and
// returns at once; one goroutine delivers the queue in order, one SMTP
// session per mail, so an unreachable or hanging server never blocks the
// caller (the daemon's loop).
type Mailer struct {
	cfg     MailConfig
	addr    string
	mu      sync.Mutex
	pending []Mail
	closed  bool
	wake    chan struct{}
	done    chan struct{}
	ctx     context.Context
	cancel  context.CancelFunc
	dropped uint64
}

// NewMailer checks cfg and starts the delivery goroutine. It fails when
// the server is unusable or there is no recipient.
func NewMailer(cfg MailConfig) (*Mailer, error) {
	if _, _, err := net.SplitHostPort(cfg.Server); err != nil || cfg.Server == "" {
		return nil, fmt.Errorf("smtp alert: server %q is not host:port", cfg.Server)
	}
	addr := cfg.Server
	if len(cfg.To) == 0 {
		return nil, errors.New("smtp alert: no notification_email address")
	}
	host := localName()
	if cfg.From == "" {
		cfg.From = "keepalived@" + host
	}
	if cfg.HeloName == "" {
		cfg.HeloName = host
	}
	if cfg.RouterID == "" {
		cfg.RouterID = host
	}
	if cfg.ConnectTimeout <= 0 {
		cfg.ConnectTimeout = DefaultConnectTimeout
	}
	if cfg.QueueLen <= 0 {
		cfg.QueueLen = DefaultMailQueueLen
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	ctx, cancel := context.WithCancel(context.Background())
	m := &Mailer{cfg: cfg, addr: addr, wake: make(chan struct{}, 1), done: make(chan struct{}), ctx: ctx, cancel: cancel}
	go m.run()
	return m, nil
}

// AlertMail returns the mail keepalived sends when instance or sync group
// name enters st (vrrp_notify.c and smtp.c); ok is false for states that
// send none.
func (m *Mailer) AlertMail(kind Kind, name string, st State) (Mail, bool) {
	subject, body, ok := alertText(kind, st)
	if !ok {
		return Mail{}, false
	}
	what := "VRRP Instance"
	if kind == KindGroup {
		what = "VRRP Group"
	}
	return Mail{Subject: fmt.Sprintf("[%s] %s %s - %s", m.cfg.RouterID, what, name, subject), Body: body}, true
}

// CheckerMail returns the mail keepalived's checker sends when real
// server rs of virtual server vs goes up or down, or, with rs empty, when
// virtual server vs gains or loses its quorum; body says what happened.
func (m *Mailer) CheckerMail(rs, vs string, up bool, body string) Mail {
	state := "DOWN"
	if up {
		state = "UP"
	}
	if rs == "" {
		return Mail{Subject: fmt.Sprintf("[%s] Virtualserver %s - %s", m.cfg.RouterID, vs, state), Body: body}
	}
	return Mail{Subject: fmt.Sprintf("[%s] Realserver %s of virtual server %s - %s", m.cfg.RouterID, rs, vs, state), Body: body}
}

func alertText(kind Kind, st State) (subject, body string, ok bool) {
	inst := kind == KindInstance
	switch st {
	case StateMaster:
		if inst {
			return "Entering MASTER state", "=> VRRP Instance is now owning VRRP VIPs <=", true
		}
		return "Entering MASTER state", "=> All VRRP group instances are now in MASTER state <=", true
	case StateBackup:
		if inst {
			return "Entering BACKUP state", "=> VRRP Instance is no longer owning VRRP VIPs <=", true
		}
		return "Entering BACKUP state", "=> All VRRP group instances are now in BACKUP state <=", true
	case StateFault:
		if inst {
			return "Entering FAULT state", "=> VRRP Instance is no longer owning VRRP VIPs <=", true
		}
		return "Entering FAULT state", "=> All VRRP group instances are now in FAULT state <=", true
	case StateStop:
		if inst {
			return "Stopping", "=> VRRP Instance stopping <=", true
		}
		return "Stopping", "=> All VRRP group instances are now stopping <=", true
	}
	return "", "", false
}

// Send queues mail and returns at once.
func (m *Mailer) Send(mail Mail) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return
	}
	if len(m.pending) >= m.cfg.QueueLen {
		m.pending = m.pending[1:]
		m.dropped++
		if m.dropped == 1 || m.dropped%100 == 0 {
			m.cfg.Log.Warn("smtp alert queue full, dropping the oldest mail", "server", m.addr, "dropped_total", m.dropped)
		}
	}
	m.pending = append(m.pending, mail)
	select {
	case m.wake <- struct{}{}:
	default:
	}
}

// Close stops accepting mails, lets queued ones go until ctx is done, then
// abandons the rest.
func (m *Mailer) Close(ctx context.Context) {
	m.mu.Lock()
	m.closed = true
	m.mu.Unlock()
	select {
	case m.wake <- struct{}{}:
	default:
	}
	select {
	case <-m.done:
	case <-ctx.Done():
		m.cancel()
		<-m.done
	}
	m.cancel()
}

func (m *Mailer) run() {
	defer close(m.done)
	for {
		m.mu.Lock()
		if len(m.pending) == 0 {
			closed := m.closed
			m.mu.Unlock()
			if closed {
				return
			}
			select {
			case <-m.wake:
			case <-m.ctx.Done():
				return
			}
			continue
		}
		mail := m.pending[0]
		m.pending = m.pending[1:]
		m.mu.Unlock()
		if err := m.deliver(mail); err != nil {
			m.cfg.Log.Warn("smtp alert not sent", "server", m.addr, "subject", mail.Subject, "err", err)
			continue
		}
		m.cfg.Log.Info("smtp alert sent", "server", m.addr, "subject", mail.Subject)
	}
}

// FormatMessage returns the DATA part of a mail as keepalived writes it:
// Date, From, Subject, X-Mailer and To headers, the body line, and the
// terminating dot.
func FormatMessage(date time.Time, from string, to []string, mail Mail) string {
	return fmt.Sprintf("Date: %s\r\nFrom: %s\r\nSubject: %s\r\nX-Mailer: Keepalived\r\nTo: %s\r\n\r\n%s\r\n\r\n.\r\n",
		date.Format(time.RFC1123Z), from, oneLine(mail.Subject), strings.Join(to, ", "), dotStuff(mail.Body))
}

// oneLine keeps a header on one line whatever a name contains.
func oneLine(s string) string { return strings.NewReplacer("\r", " ", "\n", " ").Replace(s) }

// dotStuff doubles a dot that starts a line (RFC 5321 §4.5.2).
func dotStuff(s string) string {
	s = strings.ReplaceAll(s, "\n.", "\n..")
	if strings.HasPrefix(s, ".") {
		s = "." + s
	}
	return s
}

// deliver runs one SMTP session: HELO, MAIL, one RCPT per address, DATA,
// the message, QUIT. Every step is bounded by ConnectTimeout.
func (m *Mailer) deliver(mail Mail) error {
	to := m.cfg.ConnectTimeout
	d := net.Dialer{Timeout: to}
	nc, err := d.DialContext(m.ctx, "tcp", m.addr)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer nc.Close()
	stop := context.AfterFunc(m.ctx, func() { nc.SetDeadline(time.Now()) })
	defer stop()
	c := textproto.NewConn(nc)
	step := func(label string, code int, line string) error {
		nc.SetDeadline(time.Now().Add(to))
		if line != "" {
			if err := c.PrintfLine("%s", line); err != nil {
				return fmt.Errorf("%s: %w", label, err)
			}
		}
		if _, _, err := c.ReadResponse(code); err != nil {
			return fmt.Errorf("%s: %w", label, err)
		}
		return nil
	}
	if err := step("greeting", 220, ""); err != nil {
		return err
	}
	if err := step("HELO", 250, "HELO "+m.cfg.HeloName); err != nil {
		return err
	}
	if err := step("MAIL", 250, "MAIL FROM:<"+m.cfg.From+">"); err != nil {
		return err
	}
	for _, rcpt := range m.cfg.To {
		if err := step("RCPT", 250, "RCPT TO:<"+rcpt+">"); err != nil {
			return err
		}
	}
	if err := step("DATA", 354, "DATA"); err != nil {
		return err
	}
	nc.SetDeadline(time.Now().Add(to))
	if _, err := c.W.WriteString(FormatMessage(m.cfg.Now(), m.cfg.From, m.cfg.To, mail)); err != nil {
		return fmt.Errorf("message: %w", err)
	}
	if err := c.W.Flush(); err != nil {
		return fmt.Errorf("message: %w", err)
	}
	if err := step("message", 250, ""); err != nil {
		return err
	}
	_ = step("QUIT", 221, "QUIT")
	return nil
}

// localName is the host name keepalived uses for router_id, the HELO name
// and the default sender.
func localName() string {
	h, err := os.Hostname()
	if err != nil || h == "" {
		return "localhost"
	}
	return h
}

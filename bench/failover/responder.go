package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strconv"
	"sync"
	"time"
)

// probePort is the UDP port the responders listen on.
const probePort = 7777

// responderMain is the hidden `responder` mode: it answers every UDP
// datagram on the probe port with "<name> <payload>", and writes its pid
// to -pidfile so a check script can watch it.
func responderMain(args []string) int {
	fs := flag.NewFlagSet("responder", flag.ContinueOnError)
	name := fs.String("name", "", "server name to answer with")
	pidfile := fs.String("pidfile", "", "where to write the pid")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	conn, err := net.ListenUDP("udp4", &net.UDPAddr{Port: probePort})
	if err != nil {
		fmt.Fprintln(os.Stderr, "responder:", err)
		return 1
	}
	if *pidfile != "" {
		if err := os.WriteFile(*pidfile, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "responder:", err)
			return 1
		}
	}
	buf := make([]byte, 64)
	out := make([]byte, 0, 80)
	for {
		n, from, err := conn.ReadFromUDPAddrPort(buf)
		if err != nil {
			fmt.Fprintln(os.Stderr, "responder:", err)
			return 1
		}
		out = append(append(append(out[:0], *name...), ' '), buf[:n]...)
		conn.WriteToUDPAddrPort(out, from)
	}
}

// hogMain is the hidden `hog` mode: a busy loop until killed.
func hogMain() {
	x := 0
	for {
		x++
	}
}

// answer is one reply the prober received.
type answer struct {
	at   time.Time
	from string // server name
	seq  uint64
}

// prober sends a probe to the VIP every period from a socket in the
// client's namespace and records every answer.
type prober struct {
	conn *net.UDPConn
	dst  netip.AddrPort

	mu      sync.Mutex
	answers []answer
	sent    uint64
}

// run probes until ctx ends.
func (p *prober) run(ctx context.Context, period time.Duration) {
	go p.receive()
	t := time.NewTicker(period)
	defer t.Stop()
	var seq uint64
	msg := make([]byte, 0, 24)
	for {
		select {
		case <-ctx.Done():
			p.conn.Close()
			return
		case <-t.C:
		}
		seq++
		msg = strconv.AppendUint(msg[:0], seq, 10)
		p.conn.WriteToUDPAddrPort(msg, p.dst)
		p.mu.Lock()
		p.sent = seq
		p.mu.Unlock()
	}
}

func (p *prober) receive() {
	buf := make([]byte, 128)
	for {
		n, _, err := p.conn.ReadFromUDPAddrPort(buf)
		if err != nil {
			return
		}
		now := time.Now()
		name, seq, ok := parseAnswer(buf[:n])
		if !ok {
			continue
		}
		p.mu.Lock()
		p.answers = append(p.answers, answer{at: now, from: name, seq: seq})
		p.mu.Unlock()
	}
}

// parseAnswer splits a responder reply "<name> <seq>".
func parseAnswer(b []byte) (name string, seq uint64, ok bool) {
	for i, c := range b {
		if c == ' ' {
			if i == 0 {
				return "", 0, false
			}
			s, err := strconv.ParseUint(string(b[i+1:]), 10, 64)
			if err != nil {
				return "", 0, false
			}
			return string(b[:i]), s, true
		}
	}
	return "", 0, false
}

// firstFrom returns the first answer from server after t.
func (p *prober) firstFrom(server string, after time.Time) (time.Time, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, a := range p.answers {
		if a.from == server && a.at.After(after) {
			return a.at, true
		}
	}
	return time.Time{}, false
}

// lastFrom returns the last answer from server before t.
func (p *prober) lastFrom(server string, before time.Time) (time.Time, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i := len(p.answers) - 1; i >= 0; i-- {
		a := p.answers[i]
		if a.from == server && a.at.Before(before) {
			return a.at, true
		}
	}
	return time.Time{}, false
}

// latest returns the server of the last answer and when it came.
func (p *prober) latest() (string, time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.answers) == 0 {
		return "", time.Time{}
	}
	a := p.answers[len(p.answers)-1]
	return a.from, a.at
}

// waitServing waits until server answered within the last 50 ms.
func (p *prober) waitServing(ctx context.Context, server string, limit time.Duration) (time.Time, error) {
	deadline := time.Now().Add(limit)
	for {
		from, at := p.latest()
		if from == server && time.Since(at) < 50*time.Millisecond {
			return at, nil
		}
		if time.Now().After(deadline) {
			return time.Time{}, fmt.Errorf("%s not answering on the VIP within %s (last answer from %q at %s)",
				server, limit, from, at.Format("15:04:05.000"))
		}
		select {
		case <-ctx.Done():
			return time.Time{}, ctx.Err()
		case <-time.After(2 * time.Millisecond):
		}
	}
}

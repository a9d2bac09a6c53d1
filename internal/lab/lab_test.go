package lab

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseAddrs(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    []netip.Prefix
		wantErr bool
	}{
		{name: "empty", in: "", want: nil},
		{
			name: "v4 and v6",
			in: "2: eth1    inet 192.168.1.2/24 scope global eth1\\       valid_lft forever preferred_lft forever\n" +
				"2: eth1    inet6 fe80::2/64 scope link \\       valid_lft forever preferred_lft forever\n",
			want: []netip.Prefix{netip.MustParsePrefix("192.168.1.2/24"), netip.MustParsePrefix("fe80::2/64")},
		},
		{
			name:    "peer form is an error",
			in:      "2: eth1    inet 10.0.0.1 peer 10.0.0.2/32 scope global eth1\n",
			wantErr: true, // "10.0.0.1" has no prefix length
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseAddrs(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("parseAddrs(%q): err = %v, wantErr %v", tt.in, err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got, cmp.Comparer(func(a, b netip.Prefix) bool { return a == b })); diff != "" {
				t.Errorf("parseAddrs (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCheckSpec(t *testing.T) {
	tests := []struct {
		name    string
		spec    Spec
		wantErr bool
	}{
		{"ok", Spec{Hosts: Hosts("a", "b")}, false},
		{"empty", Spec{}, true},
		{"bad name", Spec{Hosts: []HostSpec{{Name: "A-1"}}}, true},
		{"long name", Spec{Hosts: []HostSpec{{Name: "abcdefghi"}}}, true},
		{"dup", Spec{Hosts: []HostSpec{{Name: "a"}, {Name: "a"}}}, true},
		{"reserved", Spec{Hosts: []HostSpec{{Name: "lan"}}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := checkSpec(tt.spec); (err != nil) != tt.wantErr {
				t.Errorf("checkSpec: err = %v, wantErr %v", err, tt.wantErr)
			}
		})
	}
}

func TestLabPingAndCleanup(t *testing.T) {
	l := New(t, Spec{Hosts: Hosts("a", "b", "c")})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	a, b := l.Host("a"), l.Host("b")

	got, err := a.Addrs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []netip.Prefix{
		netip.MustParsePrefix("192.168.1.2/24"),
		netip.MustParsePrefix("2001:db8::2/64"),
		netip.MustParsePrefix("fe80::2/64"),
	}
	if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b netip.Prefix) bool { return a == b })); diff != "" {
		t.Errorf("a's addresses (-want +got):\n%s", diff)
	}
	for _, dst := range []string{"192.168.1.3", "2001:db8::3", "fe80::3%eth1"} {
		if err := udpReach(a, b, dst, time.Second); err != nil {
			t.Errorf("a to b at %s: %v", dst, err)
		}
	}
	out, err := b.Exec(ctx, "ip", "-o", "link", "show", "eth1")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "02:00:00:00:01:03") {
		t.Errorf("b's eth1 MAC: want 02:00:00:00:01:03 in %q", out)
	}

	// Link down and up again.
	if err := b.SetLink(ctx, false); err != nil {
		t.Fatal(err)
	}
	if err := udpReach(a, b, "192.168.1.3", 300*time.Millisecond); err == nil {
		t.Errorf("a reached b with b's link down")
	}
	if err := b.SetLink(ctx, true); err != nil {
		t.Fatal(err)
	}

	// A long-running process is killed by Close, and namespaces vanish.
	p, err := a.Run(context.Background(), "sleep", "300")
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-p.Done():
	default:
		t.Errorf("sleep (pid %d) still running after Close", p.Pid)
	}
	left, err := Leftovers(l.Tag)
	if err != nil {
		t.Fatal(err)
	}
	if len(left) != 0 {
		t.Errorf("namespaces left after Close: %v", left)
	}
	if _, err := a.Run(ctx, "true"); err == nil {
		t.Errorf("Run after Close: want ErrClosed")
	}
}

func TestDoRunsInNamespace(t *testing.T) {
	l := New(t, Spec{Hosts: Hosts("a")})
	var got string
	err := l.Host("a").Do(func() error {
		b, err := os.ReadFile("/proc/sys/net/ipv6/conf/eth1/addr_gen_mode")
		got = strings.TrimSpace(string(b))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if got != "1" {
		t.Errorf("addr_gen_mode of eth1 seen from Do: got %q, want 1", got)
	}
}

// udpReach sends UDP datagrams from host from to dst (an address of host
// to, port 9999) until one arrives or wait has passed.
func udpReach(from, to *Host, dst string, wait time.Duration) error {
	var ln net.PacketConn
	if err := to.Do(func() (err error) {
		ln, err = net.ListenPacket("udp", ":9999")
		return err
	}); err != nil {
		return err
	}
	defer ln.Close()
	var c net.Conn
	if err := from.Do(func() (err error) {
		c, err = net.Dial("udp", net.JoinHostPort(dst, "9999"))
		return err
	}); err != nil {
		return err
	}
	defer c.Close()
	buf := make([]byte, 16)
	for deadline := time.Now().Add(wait); ; {
		// The first datagram can be lost while the neighbour is resolved.
		if _, err := c.Write([]byte("hello")); err != nil {
			return err
		}
		ln.SetReadDeadline(time.Now().Add(wait / 4))
		n, _, err := ln.ReadFrom(buf)
		if err == nil && string(buf[:n]) == "hello" {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("nothing received: %v", err)
		}
	}
}

// BenchmarkBuild measures building and tearing down a three-host LAN.
func BenchmarkBuild(b *testing.B) {
	if os.Geteuid() != 0 {
		b.Skip("needs root: builds network namespaces")
	}
	for b.Loop() {
		l, err := Build(context.Background(), Spec{Hosts: Hosts("a", "b", "c")})
		if err != nil {
			b.Fatal(err)
		}
		if err := l.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

//go:build linux

package system

import (
	"context"
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/lab"
	"github.com/google/go-cmp/cmp"
)

func TestWatchAddrs(t *testing.T) {
	l := newLab(t, lab.Hosts("a")...)
	h := l.Host("a")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var (
		ch      <-chan AddrEvent
		ifindex int
	)
	in(t, h, func() error {
		links, err := NewLinks(nil)
		if err != nil {
			return err
		}
		defer links.Close()
		lk, err := links.Lookup("eth1")
		if err != nil {
			return err
		}
		ifindex = lk.Index
		ch, err = WatchAddrs(ctx, nil)
		return err
	})
	steps := []struct {
		cmd  []string
		want AddrEvent
	}{
		{[]string{"ip", "addr", "add", "192.168.1.77/24", "dev", "eth1"},
			AddrEvent{Prefix: netip.MustParsePrefix("192.168.1.77/24"), New: true}},
		{[]string{"ip", "addr", "del", "192.168.1.77/24", "dev", "eth1"},
			AddrEvent{Prefix: netip.MustParsePrefix("192.168.1.77/24"), New: false}},
		{[]string{"ip", "addr", "add", "2001:db8::77/64", "dev", "eth1", "nodad"},
			AddrEvent{Prefix: netip.MustParsePrefix("2001:db8::77/64"), New: true}},
	}
	for _, s := range steps {
		if out, err := h.Exec(ctx, s.cmd[0], s.cmd[1:]...); err != nil {
			t.Fatalf("%v: %v %s", s.cmd, err, out)
		}
		s.want.Ifindex = ifindex
		var got AddrEvent
		timeout := time.After(5 * time.Second)
	wait:
		for {
			select {
			case got = <-ch:
				if got.Prefix == s.want.Prefix {
					break wait
				}
			case <-timeout:
				t.Fatalf("%v: no event for %s", s.cmd, s.want.Prefix)
			}
		}
		if diff := cmp.Diff(fmt.Sprint(s.want), fmt.Sprint(got)); diff != "" {
			t.Errorf("%v: event (-want +got):\n%s", s.cmd, diff)
		}
	}
	cancel()
	for range ch { // closed once ctx is done
	}
}

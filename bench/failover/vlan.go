package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/lab"
)

// The scale settings run over several interfaces (VRIDs are per
// interface, so 1,000 instances need four). The lab has one LAN, and this
// kernel may lack VLANs, so each extra interface is a veth pair: on a
// lone host both ends stay in it; with a switch host, the far end of each
// host's interface is a port of a bridge per interface there. Interface i
// has subnet 192.168.(10+i).0/24 and the host's eth1 MAC address.

// vlanName is interface i's name (v10, v11, ...).
func vlanName(i int) string { return fmt.Sprintf("v%d", 10+i) }

// portName is host h's port on the switch's bridge for interface i.
func portName(h *lab.Host, i int) string { return fmt.Sprintf("%s%d", h.Name, 10+i) }

// addLinks gives each of hosts (host number nums[j]) n interfaces. With
// sw nil the far end of each stays in the host, up; else it is a port of
// sw's bridge br<10+i>.
func addLinks(ctx context.Context, sw *lab.Host, hosts []*lab.Host, nums []int, n int) error {
	run := func(h *lab.Host, args ...string) error {
		_, err := h.Exec(ctx, "ip", args...)
		return err
	}
	for i := range n {
		br := fmt.Sprintf("br%d", 10+i)
		if sw != nil {
			if err := errors.Join(run(sw, "link", "add", br, "type", "bridge"), run(sw, "link", "set", br, "up")); err != nil {
				return fmt.Errorf("bridge %s: %w", br, err)
			}
		}
		for j, h := range hosts {
			name, peer := vlanName(i), "p"+vlanName(i)[1:]
			var err error
			if sw == nil {
				err = errors.Join(run(h, "link", "add", name, "type", "veth", "peer", "name", peer),
					run(h, "link", "set", peer, "up"))
			} else {
				peer = portName(h, i)
				err = errors.Join(run(h, "link", "add", name, "type", "veth", "peer", "name", peer, "netns", sw.NS),
					run(sw, "link", "set", peer, "master", br), run(sw, "link", "set", peer, "up"))
			}
			if mac := h.Spec().MAC; err == nil && mac != nil {
				err = run(h, "link", "set", name, "address", mac.String()) // the host's MAC, as on eth1
			}
			if err == nil {
				err = errors.Join(run(h, "addr", "add", fmt.Sprintf("192.168.%d.%d/24", 10+i, nums[j]), "dev", name),
					run(h, "link", "set", name, "up"))
			}
			if err != nil {
				return fmt.Errorf("interface %s on %s: %w", name, h.Name, err)
			}
		}
	}
	return nil
}

// delLinks removes a lone host's interfaces again (their addresses and
// peers go with them).
func delLinks(ctx context.Context, h *lab.Host, n int) {
	for i := range n {
		h.Exec(ctx, "ip", "link", "del", vlanName(i))
	}
}

// spreadInstances is n instances over ifaces VLANs (eth1 when ifaces is
// 0): VRIDs 1.. per interface, VIPs 10.<iface>.<x>.<y>, all with state
// and priority.
func spreadInstances(n, ifaces int, interval time.Duration, state string, prio int) confSpec {
	c := confSpec{routerID: "a", version: 3, interval: interval}
	per := n
	if ifaces > 0 {
		per = (n + ifaces - 1) / ifaces
	}
	for i := range n {
		in := instSpec{vrid: i%per + 1, state: state, priority: prio,
			vip: fmt.Sprintf("10.%d.%d.%d/32", i/per, (i%per)/250, (i%per)%250+1)}
		if ifaces > 0 {
			in.iface = vlanName(i / per)
		}
		c.insts = append(c.insts, in)
	}
	return c
}

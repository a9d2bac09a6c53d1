package nftplane

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"net/netip"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/lvs"
)

// The stateless schedulers pick a destination by indexing a table of
// slots (each slot names a destination) with a number the kernel computes
// per new connection: numgen inc for rr and wrr, jhash of the source or
// destination address for sh and dh, and of the source for mh.

const (
	// shBuckets is IPVS's source/destination hashing table size
	// (IP_VS_SH_TAB_SIZE, IP_VS_DH_TAB_SIZE: 256).
	shBuckets = 256
	// mhSize is IPVS's default Maglev table size (4093, the prime for
	// CONFIG_IP_VS_MH_TAB_INDEX 12).
	mhSize = 4093
	// maxSlots bounds the wrr cycle (sum of weights over their gcd).
	maxSlots = 1 << 16
)

// slots returns, for the scheduler, the destination index of every slot;
// destinations with weight 0 get none (they keep established
// connections only). An empty result means no destination is available.
func slots(sched config.Scheduler, dests []lvs.Dest) ([]int, error) {
	w := make([]int, len(dests))
	for i, d := range dests {
		w[i] = max(d.Weight, 0)
	}
	switch sched {
	case config.SchedRR:
		for i := range w {
			w[i] = min(w[i], 1)
		}
		return wrrCycle(w)
	case config.SchedWRR:
		return wrrCycle(w)
	case config.SchedSH, config.SchedDH:
		return hashBuckets(w), nil
	case config.SchedMH:
		return maglev(dests, w), nil
	}
	if h := sched.NFTablesHint(); h != "" {
		return nil, fmt.Errorf("scheduler %s cannot be expressed in nftables: %s", sched, h)
	}
	return nil, fmt.Errorf("unknown scheduler %q", sched)
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// wrrCycle is one full cycle of IPVS's weighted round robin
// (ip_vs_wrr_schedule): the current weight steps down by the gcd of the
// weights from their maximum, and each pass picks, in order, every
// destination whose weight reaches it; so heavier servers are
// interleaved with lighter ones rather than served in runs.
func wrrCycle(w []int) ([]int, error) {
	g, mw, sum := 0, 0, 0
	for _, x := range w {
		g, mw, sum = gcd(g, x), max(mw, x), sum+x
	}
	if sum == 0 {
		return nil, nil
	}
	if sum/g > maxSlots {
		return nil, fmt.Errorf("wrr weights %v make a cycle of %d slots, more than %d; use weights with a larger common divisor", w, sum/g, maxSlots)
	}
	var out []int
	for cw := mw; cw > 0; cw -= g {
		for i, x := range w {
			if x >= cw {
				out = append(out, i)
			}
		}
	}
	return out, nil
}

// hashBuckets fills IPVS's 256 sh/dh buckets as ip_vs_sh_reassign does:
// destinations in order, each taking as many consecutive buckets as its
// weight, round and round.
func hashBuckets(w []int) []int {
	var live []int
	for i, x := range w {
		if x > 0 {
			live = append(live, i)
		}
	}
	if len(live) == 0 {
		return nil
	}
	out := make([]int, shBuckets)
	p, n := 0, 0
	for b := range out {
		out[b] = live[p]
		if n++; n >= w[live[p]] {
			p, n = (p+1)%len(live), 0
		}
	}
	return out
}

// maglev builds a Maglev lookup table (Eisenbud et al., NSDI 2016), as
// IPVS's mh scheduler does: each destination walks its own permutation
// of the table (offset and skip from two hashes of its address and port)
// and claims the next free entry, weight/gcd times per round.
func maglev(dests []lvs.Dest, w []int) []int {
	g := 0
	for _, x := range w {
		g = gcd(g, x)
	}
	if g == 0 {
		return nil
	}
	type perm struct{ offset, skip, next int }
	ps := make([]perm, len(dests))
	for i, d := range dests {
		h1, h2 := destHashes(netip.AddrPortFrom(d.Addr, d.Port))
		ps[i] = perm{offset: int(h1 % mhSize), skip: int(h2%(mhSize-1)) + 1}
	}
	out := make([]int, mhSize)
	for i := range out {
		out[i] = -1
	}
	for filled := 0; ; {
		for i := range dests {
			for turn := 0; turn < w[i]/g; turn++ {
				p := &ps[i]
				c := (p.offset + p.next*p.skip) % mhSize
				for out[c] >= 0 {
					p.next++
					c = (p.offset + p.next*p.skip) % mhSize
				}
				out[c] = i
				p.next++
				if filled++; filled == mhSize {
					return out
				}
			}
		}
	}
}

func destHashes(ap netip.AddrPort) (uint64, uint64) {
	b, _ := ap.MarshalBinary()
	h := fnv.New64a()
	h.Write(b)
	h1 := h.Sum64()
	h.Write([]byte{0x5a})
	return h1, binary.BigEndian.Uint64(h.Sum(nil))
}

package probe

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"golang.org/x/net/dns/dnsmessage"

	"github.com/gokeepalived/gokeepalived/internal/healthcheck"
)

// DNS is DNS_CHECK: a query for Name of Type is sent over UDP; the check
// passes on a response with the query's ID and RCODE 0 (NOERROR), as
// keepalived's.
type DNS struct {
	Type    uint16 // default SOA
	Name    string // default the root
	Timeout time.Duration
}

// Probe queries the DNS server at t.
func (p DNS) Probe(ctx context.Context, t healthcheck.Target) healthcheck.Result {
	start := time.Now()
	q, id, err := p.query()
	if err != nil {
		return fail(start, "DNS query: "+err.Error())
	}
	c, release, err := connect(ctx, "udp", t, p.Timeout)
	if err != nil {
		return fail(start, "DNS connect: "+why(err))
	}
	defer release()
	if _, err := c.Write(q); err != nil {
		return fail(start, "DNS send: "+why(err))
	}
	buf := make([]byte, 1500)
	for {
		n, err := c.Read(buf)
		if err != nil {
			return fail(start, "DNS read: "+why(err))
		}
		var h dnsmessage.Header
		var pr dnsmessage.Parser
		if h, err = pr.Start(buf[:n]); err != nil || h.ID != id || !h.Response {
			continue // not our answer: keep waiting, as keepalived does
		}
		if h.RCode != dnsmessage.RCodeSuccess {
			return fail(start, fmt.Sprintf("DNS read error occurred (rcode = %d, %s)", h.RCode, strings.TrimPrefix(h.RCode.String(), "RCode")))
		}
		return pass(start, "DNS success")
	}
}

func (p DNS) query() ([]byte, uint16, error) {
	name := p.Name
	if !strings.HasSuffix(name, ".") {
		name += "."
	}
	n, err := dnsmessage.NewName(name)
	if err != nil {
		return nil, 0, err
	}
	typ := dnsmessage.Type(p.Type)
	if typ == 0 {
		typ = dnsmessage.TypeSOA
	}
	id := uint16(rand.Uint32())
	m := dnsmessage.Message{Header: dnsmessage.Header{ID: id, RecursionDesired: true},
		Questions: []dnsmessage.Question{{Name: n, Type: typ, Class: dnsmessage.ClassINET}}}
	b, err := m.Pack()
	return b, id, err
}

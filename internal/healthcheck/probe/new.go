package probe

import (
	"fmt"

	"github.com/gokeepalived/gokeepalived/internal/healthcheck"
	"github.com/gokeepalived/gokeepalived/internal/track"
)

// Env is what New needs beyond the Check: the script gate every
// MISC_CHECK script must pass, and the Execer that runs it.
type Env struct {
	Gate *track.Gate
	Exec track.Execer // nil: track.OSExec
}

// New returns the probe for c. A checker that cannot run (its script
// refused by the gate, a TLS file unreadable, BFD_CHECK) gets a probe that
// always fails with the reason, and the reason is returned too, so the
// caller can log it once.
func New(c *healthcheck.Check, env Env) (healthcheck.Prober, error) {
	to := c.Timing.ConnectTimeout
	switch c.Kind {
	case healthcheck.TCP:
		return TCP{Timeout: to}, nil
	case healthcheck.HTTP, healthcheck.SSL:
		p := HTTP{Spec: *c.HTTP, Timeout: to}
		if c.Kind == healthcheck.SSL {
			cfg, err := TLSConfig(c.HTTP.TLS)
			if err != nil {
				return refused(err)
			}
			p.TLS = cfg
		}
		return p, nil
	case healthcheck.SMTP:
		return SMTP{Helo: c.SMTP.Helo, Timeout: to}, nil
	case healthcheck.DNS:
		return DNS{Type: c.DNS.Type, Name: c.DNS.Name, Timeout: to}, nil
	case healthcheck.Ping:
		return Ping{Timeout: to}, nil
	case healthcheck.UDP:
		return UDP{Spec: *c.UDP, Timeout: to}, nil
	case healthcheck.File:
		return File{Spec: *c.File}, nil
	case healthcheck.Misc:
		return newMisc(c, env)
	}
	return refused(fmt.Errorf("%s is not supported", c.Kind))
}

func newMisc(c *healthcheck.Check, env Env) (healthcheck.Prober, error) {
	if env.Gate == nil {
		return refused(fmt.Errorf("MISC_CHECK: no script gate"))
	}
	m := c.Misc
	checked, err := env.Gate.Check(track.Spec{Kind: track.KindChecker, Name: "MISC_CHECK misc_path",
		Argv: m.Argv, User: m.User, Group: m.Group})
	if err != nil {
		return refused(fmt.Errorf("MISC_CHECK script refused: %w", err))
	}
	timeout := m.Timeout
	if timeout <= 0 {
		timeout = c.Timing.DelayLoop
	}
	return Misc{Script: checked, Timeout: timeout, Dynamic: m.Dynamic, Exec: env.Exec}, nil
}

func refused(err error) (healthcheck.Prober, error) {
	return Refused{Reason: err.Error()}, err
}

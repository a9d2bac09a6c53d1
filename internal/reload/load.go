package reload

import (
	"errors"
	"fmt"
	"log/slog"
	"slices"

	"github.com/gokeepalived/gokeepalived/internal/config"
	"github.com/gokeepalived/gokeepalived/internal/control"
)

// ErrConfig is wrapped by Load's error when the configuration cannot be
// read or has errors (keepalived exits 6 then, "not configured").
var ErrConfig = errors.New("configuration not usable")

// configError is a configuration failure: its message is the diagnostics,
// and errors.Is(err, ErrConfig) holds.
type configError struct{ error }

func (configError) Is(target error) bool { return target == ErrConfig }

// MaxDiagnostics is how many refusals, and how many other diagnostics, of
// a configuration the daemon reports; `gokeepalived -t` lists them all.
const MaxDiagnostics = 20

// Load reads path through load (nil: config.Load) and validates it. It
// fails where keepalived refuses to start (config.Refuses); every other
// diagnostic is logged, and the configuration runs with keepalived's
// fallback applied. Only the first MaxDiagnostics of each kind are
// reported, and the error is at most control.MaxErrorBytes long, so that a
// configuration with a million mistakes cannot flood the log or the status
// API.
func Load(path, configID string, log *slog.Logger, load func(string, config.Options) (*config.Config, []config.Diagnostic)) (*config.Config, error) {
	if load == nil {
		load = config.Load
	}
	conf, diags := load(path, config.Options{ConfigID: configID})
	var errs []error
	var nerr, nwarn int
	// Logged in position order, as -t prints them; Refuses below reads
	// them in keepalived's order.
	sorted := slices.Clone(diags)
	config.SortDiagnostics(sorted)
	for _, dg := range sorted {
		if dg.Fatal || conf == nil {
			if nerr++; nerr <= MaxDiagnostics {
				errs = append(errs, errors.New(dg.String()))
			}
			continue
		}
		if nwarn++; nwarn <= MaxDiagnostics {
			log.Warn("config", "diagnostic", dg.String())
		}
	}
	if nwarn > MaxDiagnostics {
		log.Warn("config", "diagnostic", fmt.Sprintf("... and %d more diagnostics (gokeepalived -t -f %s lists them all)", nwarn-MaxDiagnostics, path))
	}
	if nerr > MaxDiagnostics {
		errs = append(errs, fmt.Errorf("... and %d more errors (gokeepalived -t -f %s lists them all)", nerr-MaxDiagnostics, path))
	}
	if config.Refuses(conf, diags) {
		err := fmt.Errorf("configuration %s cannot run (keepalived refuses it too):\n%w", path, errors.Join(errs...))
		if msg := err.Error(); len(msg) > control.MaxErrorBytes {
			err = errors.New(control.ClipError(msg))
		}
		return nil, configError{err}
	}
	return conf, nil
}

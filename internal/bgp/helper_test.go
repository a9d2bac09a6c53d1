package bgp_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/bgp"
	"github.com/gokeepalived/gokeepalived/internal/config"
)

// helperEnv names the configuration a re-executed test binary runs a
// speaker for (see TestMain). The speaker must run in its own process
// inside a lab namespace: GoBGP opens its sockets from goroutines of its
// own, which a namespace switch of one thread would not cover.
const helperEnv = "GK_BGP_SPEAKER_CONF"

func TestMain(m *testing.M) {
	if conf := os.Getenv(helperEnv); conf != "" {
		if err := runSpeaker(conf); err != nil {
			fmt.Fprintln(os.Stderr, "speaker:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// runSpeaker is a node's announcing half, driven by lines on stdin as the
// daemon would drive it: `health SCRIPT 0|1` (a tracker result), `gshut`,
// `status` (a JSON line on stdout), `close`. Every command is answered
// with one line.
func runSpeaker(conf string) error {
	cfg, diags := config.Load(conf, config.Options{ConfigID: "x"})
	if config.HasErrors(diags) {
		return fmt.Errorf("config: %v", diags)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	sp, err := bgp.New(bgp.Config{Speaker: cfg.Global.BGPSpeaker, Logger: log})
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := sp.Start(ctx); err != nil {
		return err
	}
	health := bgp.Health{Scripts: map[string]bool{}}
	hold := bgp.NewHoldDown(cfg.Global.BGPSpeaker.HoldDown)
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(os.Stdin)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	apply := func() time.Time {
		routes, next := hold.Apply(time.Now(), bgp.Desired(cfg, health, nil))
		sp.SetAnnounced(routes)
		return next
	}
	timer := time.NewTimer(time.Hour)
	rearm := func(next time.Time) {
		timer.Stop()
		if !next.IsZero() {
			timer.Reset(time.Until(next))
		}
	}
	out := json.NewEncoder(os.Stdout)
	for {
		select {
		case <-timer.C:
			rearm(apply())
			continue
		case line, ok := <-lines:
			if !ok {
				return sp.Close(context.Background())
			}
			f := strings.Fields(line)
			switch {
			case len(f) == 3 && f[0] == "health":
				health.Scripts[f[1]] = f[2] == "1"
				rearm(apply())
				fmt.Println("ok")
			case len(f) == 1 && f[0] == "gshut":
				gctx, gcancel := context.WithTimeout(context.Background(), 30*time.Second)
				err := sp.GracefulShutdown(gctx)
				gcancel()
				fmt.Println("ok", err)
			case len(f) == 1 && f[0] == "status":
				_ = out.Encode(sp.Status())
			case len(f) == 1 && f[0] == "close":
				err := sp.Close(context.Background())
				fmt.Println("ok", err)
				return err
			default:
				fmt.Println("unknown command", line)
			}
		}
	}
}

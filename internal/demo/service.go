package demo

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/lab"
)

// NginxPath is where Debian's nginx package installs nginx.
const NginxPath = "/usr/sbin/nginx"

// ServeCommand is the hidden subcommand (`gokeepalived demo serve`) that
// runs the built-in web server inside a server's namespace.
const ServeCommand = "serve"

// demoNginxConf serves one line naming the server; everything nginx writes
// stays in the server's folder.
const demoNginxConf = `worker_processes 1;
pid %[1]s/service.pid;
error_log %[1]s/nginx-error.log;
events { worker_connections 64; }
http {
    access_log off;
    client_body_temp_path %[1]s/tmp;
    proxy_temp_path %[1]s/tmp;
    fastcgi_temp_path %[1]s/tmp;
    uwsgi_temp_path %[1]s/tmp;
    scgi_temp_path %[1]s/tmp;
    server {
        listen 80;
        location / {
            default_type text/plain;
            return 200 "%[2]s\n";
        }
    }
}
`

// service is the web server on one demo server.
type service struct {
	host  *lab.Host
	dir   string
	name  string // "A"
	page  string // what it answers
	exe   string // gokeepalived, for the built-in server
	nginx string // nginx binary, or "" for the built-in server
	proc  *lab.Proc
}

// pidFile is where the service's pid is, for the check script.
func (s *service) pidFile() string { return filepath.Join(s.dir, "service.pid") }

// start starts the web server and waits until it answers on the server's
// own address.
func (s *service) start(ctx context.Context) error {
	var err error
	if s.nginx != "" {
		conf := filepath.Join(s.dir, "nginx.conf")
		if err := os.MkdirAll(filepath.Join(s.dir, "tmp"), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(conf, fmt.Appendf(nil, demoNginxConf, s.dir, s.page), 0o644); err != nil {
			return err
		}
		s.proc, err = s.host.Run(ctx, s.nginx, "-p", s.dir, "-e", filepath.Join(s.dir, "nginx-error.log"),
			"-c", conf, "-g", "daemon off;")
	} else {
		s.proc, err = s.host.Run(ctx, s.exe, "demo", ServeCommand, s.page, s.pidFile())
	}
	if err != nil {
		return fmt.Errorf("start web server on %s: %w", s.name, err)
	}
	addr := net.JoinHostPort(s.host.Addr(false).String(), "80")
	for deadline := time.Now().Add(10 * time.Second); ; {
		c, err := s.host.DialContext(ctx, "tcp", addr)
		if err == nil {
			c.Close()
			return nil
		}
		select {
		case <-s.proc.Done():
			return fmt.Errorf("web server on %s exited: %s", s.name, s.proc.Output())
		default:
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return fmt.Errorf("web server on %s does not answer: %w", s.name, errors.Join(err, ctx.Err()))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// stop stops the web server gracefully and waits for it to exit.
func (s *service) stop() error {
	if s.proc == nil {
		return nil
	}
	if err := s.proc.Signal(syscall.SIGTERM); err != nil {
		return fmt.Errorf("stop web server on %s: %w", s.name, err)
	}
	select {
	case <-s.proc.Done():
	case <-time.After(10 * time.Second):
		return fmt.Errorf("stop web server on %s: still running after 10s", s.name)
	}
	os.Remove(s.pidFile()) // nginx removes it itself; a killed server may not
	s.proc = nil
	return nil
}

// checkScript fails while the service's process is not running.
func (s *service) checkScript() string {
	return "#!/bin/sh\n# Fails while this server's web server is not running.\n" +
		"kill -0 \"$(cat " + s.pidFile() + " 2>/dev/null)\" 2>/dev/null\n"
}

// Serve is the built-in web server (`gokeepalived demo serve PAGE PIDFILE`):
// it answers every request on port 80 with PAGE, writes its pid to PIDFILE
// and removes it when stopped with SIGTERM or SIGINT. The demo runs it
// inside a server's namespace.
func Serve(ctx context.Context, args []string) error {
	if len(args) != 2 {
		return errors.New("usage: gokeepalived demo serve PAGE PIDFILE")
	}
	page, pidFile := args[0]+"\n", args[1]
	ln, err := net.Listen("tcp", ":80")
	if err != nil {
		return fmt.Errorf("demo web server: %w", err)
	}
	if err := os.WriteFile(pidFile, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o644); err != nil {
		ln.Close()
		return fmt.Errorf("demo web server: %w", err)
	}
	defer os.Remove(pidFile)
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/plain")
			_, _ = w.Write([]byte(page))
		}),
		ReadHeaderTimeout: 5 * time.Second,
	}
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("demo web server: %w", err)
	}
	return nil
}

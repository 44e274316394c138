package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/dpk-kampar/mailproc/mailproc/config"
)

// runHealthcheck is `mailproc healthcheck [-config FILE | -addr HOST:PORT]`:
// it asks the daemon's /healthz and exits 0 when healthy, 1 otherwise. With
// -config it asks where the config's http.listen (and MAILPROC_HTTP_LISTEN)
// says the daemon listens. The Docker image uses it as its HEALTHCHECK (the
// slim image has no curl).
func runHealthcheck(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("mailproc healthcheck", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:8025", "the daemon's http.listen address")
	cfgPath := fs.String("config", "", "config file: ask at its http.listen")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *cfgPath != "" {
		cfg, err := config.Load(*cfgPath)
		if err != nil {
			return err
		}
		if cfg.HTTP.Listen == "" {
			return fmt.Errorf("http.listen is empty in %s: the daemon serves no /healthz", *cfgPath)
		}
		*addr = dialAddr(cfg.HTTP.Listen)
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+*addr+"/healthz", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	fmt.Fprintf(stdout, "%s", body)
	if resp.StatusCode != http.StatusOK {
		return &exitError{1}
	}
	return nil
}

// dialAddr turns a listen address into one to dial: ":8025", "0.0.0.0:8025"
// and "[::]:8025" listen everywhere, so ask on the loopback.
func dialAddr(listen string) string {
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return listen
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}

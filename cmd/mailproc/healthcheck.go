package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"time"
)

// runHealthcheck is `mailproc healthcheck [-addr HOST:PORT]`: it asks the
// daemon's /healthz and exits 0 when healthy, 1 otherwise. The Docker image
// uses it as its HEALTHCHECK (the slim image has no curl).
func runHealthcheck(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("mailproc healthcheck", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:8025", "the daemon's http.listen address")
	if err := fs.Parse(args); err != nil {
		return err
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

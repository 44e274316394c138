package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestE2EHealthAndMetrics: /healthz turns 200 once the desk mailbox is
// synced, `mailproc healthcheck` agrees, and /metrics counts a new case.
func TestE2EHealthAndMetrics(t *testing.T) {
	d := newTestDesk(t)
	d.Config.HTTP.Listen = "127.0.0.1:0"
	m := d.start()
	base := "http://" + m.HTTP.ListenAddr()
	get := func(path string) (int, string) {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	waitFor(t, 20*time.Second, "healthy", func() bool { code, _ := get("/healthz"); return code == 200 })
	var out bytes.Buffer
	if code := run(context.Background(), []string{"healthcheck", "-addr", m.HTTP.ListenAddr()}, &out, &out); code != 0 {
		t.Fatalf("healthcheck exit %d: %s", code, out.String())
	}

	siti := d.citizen("siti")
	d.sender().send(siti, d.Address, citizenMail(siti, d.Address, "Jam buka", "Jam berapa buka?"))
	waitFor(t, 20*time.Second, "the case in /metrics", func() bool {
		_, body := get("/metrics")
		return strings.Contains(body, `mailproc_cases{kind="informasi",state=`) && strings.Contains(body, "mailproc_ingest_duration_seconds_count 1")
	})
	if code, body := get("/"); code != 200 || !strings.Contains(body, "Kasus terbuka: 1") || !strings.Contains(body, d.Config.Desk.Agency) {
		t.Fatalf("status page %d:\n%s", code, body)
	}
}

// TestE2EHealthcheckConfig is the third "must show": with
// http.listen on a port other than the default, `mailproc healthcheck
// -config FILE` asks there and prints ok.
func TestE2EHealthcheckConfig(t *testing.T) {
	d := newTestDesk(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	if strings.HasSuffix(addr, ":8025") {
		t.Fatalf("the free port is the default one: %s", addr)
	}
	d.Config.HTTP.Listen = addr
	d.HTTPListen = addr
	cfgPath := d.writeConfig()
	t.Setenv("TEST_HMAC_SECRET", d.Config.Desk.HMACSecret.Reveal())
	t.Setenv("TEST_IMAP_PASSWORD", d.stack.Password)
	d.start()
	var out bytes.Buffer
	waitFor(t, 20*time.Second, "healthcheck -config ok", func() bool {
		out.Reset()
		return run(context.Background(), []string{"healthcheck", "-config", cfgPath}, &out, &out) == 0
	})
	if strings.TrimSpace(out.String()) != "ok" {
		t.Errorf("healthcheck printed %q, want ok", out.String())
	}
}

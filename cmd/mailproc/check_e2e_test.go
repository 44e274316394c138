package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
)

// TestE2ECheck runs `mailproc check` against the real stack: a good config
// passes; a wrong password, a missing secret and a broken template override
// each give one line naming the problem and exit 1.
func TestE2ECheck(t *testing.T) {
	d := newTestDesk(t)
	cfgPath := d.writeConfig()
	for k, v := range map[string]string{"TEST_HMAC_SECRET": d.Config.Desk.HMACSecret.Reveal(), "TEST_IMAP_PASSWORD": d.stack.Password} {
		t.Setenv(k, v)
	}
	var out bytes.Buffer
	if code := run(context.Background(), []string{"check", "-config", cfgPath}, &out, &out); code != 0 {
		t.Fatalf("check of a good config: exit %d\n%s", code, out.String())
	}
	for _, want := range []string{"imap login", "templates", "smtp", "semua baik"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("check output lacks %q:\n%s", want, out.String())
		}
	}

	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"wrong password", map[string]string{"TEST_IMAP_PASSWORD": "salah"}, "MASALAH imap"},
		{"unknown key in env", map[string]string{"MAILPROC_IMAP_TLS": "ssl"}, "imap.tls"},
		{"broken template", map[string]string{"MAILPROC_DESK_TEMPLATE_DIR": brokenTemplates(t)}, "MASALAH templates"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			var out bytes.Buffer
			code := run(context.Background(), []string{"check", "-config", cfgPath}, &out, &out)
			if code != 1 || !strings.Contains(out.String(), tt.want) {
				t.Fatalf("exit %d, want 1 with %q:\n%s", code, tt.want, out.String())
			}
		})
	}
}

// brokenTemplates is an override dir whose acknowledgement does not parse.
func brokenTemplates(t *testing.T) string {
	dir := t.TempDir()
	if err := os.WriteFile(dir+"/ack-aduan.txt", []byte("Subject: [{{.Number}] rusak\n\nIsi\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

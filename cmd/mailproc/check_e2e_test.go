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
	for _, want := range []string{"imap login", "templates", "smtp", "desk.require_auth = auto, OFF", "semua baik"} {
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
		// TLS from the first byte on the stack's plain ports: the error
		// says which key to change, not only "first record does not look
		// like a TLS handshake".
		{"tls on a plain imap port", map[string]string{"MAILPROC_IMAP_TLS": "tls"}, `this port wants imap.tls = "starttls" (or "none"); port 143 usually goes with tls = "starttls", 993 with tls = "tls"`},
		{"tls on a plain smtp port", map[string]string{"MAILPROC_SMTP_TLS": "tls"}, `this port wants smtp.tls = "starttls" (or "none"); ports 587 and 25 usually go with tls = "starttls", 465 with tls = "tls"`},
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

// TestE2ECheckRecipients runs `mailproc check` against the real Postfix,
// which refuses MAILSTACK_REJECT_ADDR with 550 at RCPT time: a Kepala Dinas
// at that address fails the check with a line naming the address, the
// level and the server's reply; a good chain passes with every address
// probed; the desk's own address (a loop) or a non-address fails in the
// config, before any connection; a level that repeats an earlier one
// passes with a warning.
func TestE2ECheckRecipients(t *testing.T) {
	reject := os.Getenv("MAILSTACK_REJECT_ADDR")
	tests := []struct {
		name   string
		change func(d *testDesk)
		code   int
		want   []string
		not    []string
	}{
		{"good chain", func(d *testDesk) {}, 0,
			[]string{"accepts mail from desk-", "to all 5 addresses of staff, ops and chain (RCPT TO only, nothing sent)", "semua baik"},
			[]string{"MASALAH", "warning"}},
		{"kepala dinas refused", func(d *testDesk) { d.Kadis = reject }, 1,
			[]string{"MASALAH chain[3].addresses[1] " + reject + " (Kepala Dinas): smtp ", "refuses it: RCPT TO <" + reject + ">: 550 5.1.1",
				"1 masalah"},
			[]string{"accepts mail from"}},
		{"kepala dinas is the desk", func(d *testDesk) { d.Kadis = d.Address }, 1,
			[]string{"MASALAH config: chain[3].addresses[1]: is desk.address itself; mail to it would loop back into the desk"},
			[]string{"accepts mail from"}},
		{"kepala dinas not an address", func(d *testDesk) { d.Kadis = "kadis" }, 1,
			[]string{"MASALAH config: chain[3].addresses[1]: not an e-mail address"}, []string{"accepts mail from"}},
		{"kepala bagian repeats kepala seksi", func(d *testDesk) { d.Kabag = d.Kasi }, 0,
			[]string{"warning chain[2] (Kepala Bagian Pelayanan): every address is on an earlier level", "to all 4 addresses", "semua baik"},
			[]string{"MASALAH"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newTestDesk(t)
			if reject == "" {
				t.Fatal("MAILSTACK_REJECT_ADDR is not set: eval \"$(scripts/mailstack env)\" and export it")
			}
			tt.change(d)
			cfgPath := d.writeConfig()
			t.Setenv("TEST_HMAC_SECRET", d.Config.Desk.HMACSecret.Reveal())
			t.Setenv("TEST_IMAP_PASSWORD", d.stack.Password)
			var out bytes.Buffer
			code := run(context.Background(), []string{"check", "-config", cfgPath}, &out, &out)
			if code != tt.code {
				t.Errorf("exit %d, want %d", code, tt.code)
			}
			for _, w := range tt.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("output lacks %q", w)
				}
			}
			for _, n := range tt.not {
				if strings.Contains(out.String(), n) {
					t.Errorf("output has %q", n)
				}
			}
			if t.Failed() {
				t.Logf("output:\n%s", out.String())
			}
		})
	}
}

package main

// Harness for the end-to-end tests: a real Dovecot (IMAP) fed by a real
// Postfix (SMTP) on 127.0.0.1, started by scripts/mailstack. Every test gets
// a desk mailbox of its own (the stack accepts any address), so tests never
// see each other's mail.

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/smtp"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/dpk-kampar/mailproc/mailproc/config"
	"github.com/dpk-kampar/mailproc/mailproc/sqlite"
)

type mailStack struct {
	IMAPAddr, SMTPAddr, Password string
}

// needStack returns the running mail stack. Without one the test is skipped
// on a developer's machine, and fails where MAILPROC_REQUIRE_STACK or CI is
// set: the suite never passes by skipping the real server.
func needStack(t testing.TB) mailStack {
	t.Helper()
	s := mailStack{os.Getenv("MAILSTACK_IMAP_ADDR"), os.Getenv("MAILSTACK_SMTP_ADDR"), os.Getenv("MAILSTACK_PASSWORD")}
	if s.IMAPAddr == "" || s.SMTPAddr == "" || s.Password == "" {
		if os.Getenv("MAILPROC_REQUIRE_STACK") != "" || os.Getenv("CI") == "true" {
			t.Fatal("the real mail stack is required: run scripts/mailstack start and eval \"$(scripts/mailstack env)\" (scripts/test does both)")
		}
		t.Skip("no mail stack: run scripts/test, or scripts/mailstack start and eval \"$(scripts/mailstack env)\"")
	}
	return s
}

// testDesk is one desk mailbox on the real stack with a data dir.
type testDesk struct {
	t       testing.TB
	stack   mailStack
	ID      string // random, unique per test: mailbox names are built from it
	Address string
	Ops     string // the ops mailbox of this desk
	Staff   string // the one member of staff of this desk
	Kasi    string // level 1 of the chain
	Kabag   string // level 2
	Kadis   string // level 3
	DataDir string
	Config  *config.Config
	// HTTPListen is [http] listen in the config writeConfig writes: ""
	// (off) unless a test scrapes /metrics from the binary.
	HTTPListen string
}

// citizen returns a citizen address unique to this desk's test.
func (d *testDesk) citizen(name string) string { return name + "-" + d.ID + "@warga.test" }

func newTestDesk(t testing.TB) *testDesk {
	t.Helper()
	st := needStack(t)
	b := make([]byte, 5)
	rand.Read(b)
	id := hex.EncodeToString(b)
	addr := "desk-" + id + "@pustakaarsip.kamparkab.go.id"
	dir := t.TempDir()
	d := &testDesk{t: t, stack: st, ID: id, Address: addr, Ops: "ops-" + id + "@pustakaarsip.kamparkab.go.id", DataDir: dir,
		Staff: "petugas-" + id + "@pustakaarsip.kamparkab.go.id", Kasi: "kasi-" + id + "@pustakaarsip.kamparkab.go.id",
		Kabag: "kabag-" + id + "@pustakaarsip.kamparkab.go.id", Kadis: "kadis-" + id + "@pustakaarsip.kamparkab.go.id"}
	cfg, err := demoConfig(dir, st.IMAPAddr, st.SMTPAddr)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Desk.Address = addr
	cfg.Desk.Ops = []string{d.Ops}
	cfg.Desk.Staff = []config.Staff{{Name: "Rina Marlina", Address: d.Staff}}
	cfg.Chain[0].Addresses = []string{d.Kasi}
	cfg.Chain[1].Addresses = []string{d.Kabag}
	cfg.Chain[2].Addresses = []string{d.Kadis}
	cfg.IMAP.Username, cfg.IMAP.Password = addr, config.Secret(st.Password)
	// Retries in seconds, so outage tests finish quickly.
	cfg.SMTP.RetryMin = config.Duration(500 * time.Millisecond)
	cfg.SMTP.RetryMax = config.Duration(2 * time.Second)
	// The load, crash and burst tests acknowledge thousands of mails an
	// hour; the desk-wide budget has its own test (TestAckBudgetPerHour).
	cfg.Ack.PerHour = 1_000_000
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	d.Config = cfg
	return d
}

// writeConfig writes the desk's config as a TOML file for the binary.
func (d *testDesk) writeConfig() string {
	d.t.Helper()
	c := d.Config
	body := fmt.Sprintf(`
[desk]
address = %q
agency = %q
data_dir = %q
ops = [%q]
hmac_secret = "${TEST_HMAC_SECRET}"
info_due = %q
complaint_due = %q
closing_delay = %q
daily_digest = %v
notify_digest_over = %d
notify_attachments_max = %d
[[desk.staff]]
name = "Rina Marlina"
address = %q

[imap]
host = %q
port = %d
tls = "none"
username = %q
password = "${TEST_IMAP_PASSWORD}"
poll_interval = "2s"
reconnect_min = "100ms"
reconnect_max = "2s"
max_message_size = %d
fetch_batch = %d

[smtp]
host = %q
port = %d
tls = "none"
auth = "none"
retry_min = "500ms"
retry_max = "2s"

[[chain]]
title = "Kepala Seksi Pelayanan"
addresses = [%q]
after = %q

[[chain]]
title = "Kepala Bagian Pelayanan"
addresses = [%q]
after = %q

[[chain]]
title = "Kepala Dinas"
addresses = [%q]

[ack]
enabled = %v
per_hour = %d

[calendar]
mode = "24/7"

[http]
listen = %q

[report]
send_at = %q
`, c.Desk.Address, c.Desk.Agency, c.Desk.DataDir, d.Ops, c.Desk.InfoDue.D().String(), c.Desk.ComplaintDue.D().String(),
		c.Desk.ClosingDelay.D().String(), c.Desk.DailyDigest, c.Desk.NotifyDigestOver, c.Desk.NotifyAttachmentsMax, d.Staff, c.IMAP.Host, c.IMAP.Port, c.IMAP.Username, c.IMAP.MaxMessageSize, c.IMAP.FetchBatch, c.SMTP.Host, c.SMTP.Port,
		d.Kasi, c.Chain[0].After.D().String(), d.Kabag, c.Chain[1].After.D().String(), d.Kadis, c.Ack.Enabled, c.Ack.PerHour, d.HTTPListen, c.Report.SendAt)
	path := filepath.Join(d.DataDir, "mailproc.toml")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		d.t.Fatal(err)
	}
	return path
}

// env is the environment the binary runs with: secrets come from it.
func (d *testDesk) env() []string {
	return append(os.Environ(),
		"TEST_HMAC_SECRET="+d.Config.Desk.HMACSecret.Reveal(),
		"TEST_IMAP_PASSWORD="+d.stack.Password)
}

// start runs the daemon in process until the test ends.
func (d *testDesk) start() *Main {
	d.t.Helper()
	return d.startWith(testLogger(d.t))
}

// startWith is start with the given logger.
func (d *testDesk) startWith(logger *slog.Logger) *Main {
	d.t.Helper()
	m := NewMain()
	m.Config = d.Config
	m.Logger = logger
	if err := m.Run(context.Background()); err != nil {
		d.t.Fatal(err)
	}
	d.t.Cleanup(func() {
		if err := m.Close(); err != nil {
			d.t.Errorf("close: %v", err)
		}
	})
	return m
}

// binary returns the path of the mailproc binary: MAILPROC_BIN (built by
// scripts/test the way the Dockerfile builds it), or one built for the test.
var (
	binOnce sync.Once
	binPath string
	binErr  error
)

func binary(t testing.TB) string {
	t.Helper()
	binOnce.Do(func() {
		if p := os.Getenv("MAILPROC_BIN"); p != "" {
			binPath = p
			return
		}
		dir, err := os.MkdirTemp("", "mailproc-bin-")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "mailproc")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// proc is the daemon running as its own process, so it can be SIGKILLed.
type proc struct {
	cmd *exec.Cmd
	out *bytes.Buffer
	tee io.Writer // also gets the output when set (spawnTee)
	mu  sync.Mutex
}

func (d *testDesk) spawn(cfgPath string) *proc {
	d.t.Helper()
	return d.spawnTee(cfgPath, nil)
}

// spawnTee is spawn with the daemon's output also written to tee as it
// comes (a long run's whole log, to read while it runs).
func (d *testDesk) spawnTee(cfgPath string, tee io.Writer) *proc {
	d.t.Helper()
	cmd := exec.Command(binary(d.t), "run", "-config", cfgPath)
	cmd.Env = d.env()
	p := &proc{cmd: cmd, out: new(bytes.Buffer), tee: tee}
	cmd.Stdout, cmd.Stderr = lockedWriter{p}, lockedWriter{p}
	if err := cmd.Start(); err != nil {
		d.t.Fatal(err)
	}
	d.t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	return p
}

type lockedWriter struct{ p *proc }

func (w lockedWriter) Write(b []byte) (int, error) {
	w.p.mu.Lock()
	defer w.p.mu.Unlock()
	if w.p.tee != nil {
		w.p.tee.Write(b) // a copy for the reader: its failure is no test's
	}
	return w.p.out.Write(b)
}

func (p *proc) output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.String()
}

func (p *proc) kill(t testing.TB) {
	t.Helper()
	p.cmd.Process.Kill() // SIGKILL: no chance to tidy up
	p.cmd.Wait()
}

// peakRSS reads the process's high-water resident set size in bytes.
func (p *proc) peakRSS(t testing.TB) int64 {
	t.Helper()
	n, err := procStatusBytes(p.cmd.Process.Pid, "VmHWM")
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// procStatusBytes reads a "kB" field of /proc/PID/status (VmRSS, VmHWM) in
// bytes.
func procStatusBytes(pid int, field string) (int64, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb * 1024, err
		}
	}
	return 0, fmt.Errorf("no %s in /proc/%d/status", field, pid)
}

// sender sends mail through the real Postfix, over one SMTP connection.
type sender struct {
	t testing.TB
	c *smtp.Client
}

func (d *testDesk) sender() *sender {
	d.t.Helper()
	c, err := smtp.Dial(d.stack.SMTPAddr)
	if err != nil {
		d.t.Fatal(err)
	}
	if err := c.Hello("warga.test"); err != nil {
		d.t.Fatal(err)
	}
	d.t.Cleanup(func() { c.Quit() })
	return &sender{t: d.t, c: c}
}

func (s *sender) send(from, to string, raw []byte) {
	s.t.Helper()
	if err := s.try(from, to, raw); err != nil {
		s.t.Fatalf("send from %s: %v", from, err)
	}
}

func (s *sender) try(from, to string, raw []byte) error {
	if err := s.c.Mail(from); err != nil {
		return err
	}
	if err := s.c.Rcpt(to); err != nil {
		s.c.Reset()
		return err
	}
	w, err := s.c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(raw); err != nil {
		return err
	}
	return w.Close()
}

// citizenMail builds a plain Indonesian mail from a citizen.
func citizenMail(from, to, subject, body string, extra ...string) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\n", from, to, subject, time.Now().Format(time.RFC1123Z))
	for _, h := range extra {
		b.WriteString(h + "\r\n")
	}
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n")
	b.WriteString(strings.ReplaceAll(body, "\n", "\r\n"))
	b.WriteString("\r\n")
	return []byte(b.String())
}

// imapLogin logs in to a mailbox on the real Dovecot.
func (d *testDesk) imapLogin(user string) *imapclient.Client {
	d.t.Helper()
	c, err := imapclient.DialInsecure(d.stack.IMAPAddr, nil)
	if err != nil {
		d.t.Fatal(err)
	}
	if err := c.Login(user, d.stack.Password).Wait(); err != nil {
		c.Close()
		d.t.Fatal(err)
	}
	return c
}

// count returns how many mails a folder of the desk holds (0 if it does not
// exist yet).
func (d *testDesk) count(folder string) int {
	d.t.Helper()
	c := d.imapLogin(d.Address)
	defer c.Close()
	data, err := c.Status(folder, &imap.StatusOptions{NumMessages: true}).Wait()
	if err != nil {
		var ie *imap.Error
		if errors.As(err, &ie) && ie.Code == imap.ResponseCodeNonExistent {
			return 0
		}
		if strings.Contains(err.Error(), "NONEXISTENT") || strings.Contains(err.Error(), "doesn't exist") {
			return 0
		}
		d.t.Fatalf("STATUS %s: %v", folder, err)
	}
	c.Logout().Wait()
	return int(*data.NumMessages)
}

// appendRaw puts a raw mail into the desk's INBOX directly, for mail that no
// MTA would pass unchanged (no header at all, 8-bit garbage).
func (d *testDesk) appendRaw(raw []byte) {
	d.t.Helper()
	c := d.imapLogin(d.Address)
	defer c.Close()
	if err := appendMail(c, "INBOX", raw); err != nil {
		d.t.Fatal(err)
	}
}

// db opens the desk's database beside the daemon (WAL lets both read).
func (d *testDesk) db() *sqlite.DB {
	d.t.Helper()
	db, err := sqlite.Open(d.Config.DatabasePath())
	if err != nil {
		d.t.Fatal(err)
	}
	d.t.Cleanup(func() { db.Close() })
	return db
}

// counts returns cases, stored messages and quarantined mails.
func counts(t testing.TB, db *sqlite.DB) (cases, msgs, quarantined int) {
	t.Helper()
	c, m, q, err := db.Counts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return c, m, q
}

// waitFor polls cond until it holds or the timeout passes: every 50 ms for
// the first 2 s, then every 500 ms, so that a long wait (a load test's
// backlog) does not itself load the database and the CPU it measures.
func waitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	start := time.Now()
	deadline := start.Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		if time.Since(start) < 2*time.Second {
			time.Sleep(50 * time.Millisecond)
		} else {
			time.Sleep(500 * time.Millisecond)
		}
	}
}

// appendFile adds text at the end of the file at path (a setting to a
// written config).
func appendFile(t testing.TB, path, text string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err == nil {
		_, err = f.WriteString(text)
		err = errors.Join(err, f.Close())
	}
	if err != nil {
		t.Fatal(err)
	}
}

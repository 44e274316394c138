package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// minimal is the smallest file that validates once the secrets are given.
const minimal = `
[desk]
agency = "Dinas Perpustakaan dan Kearsipan Kabupaten Kampar"
address = "layanan@pustakaarsip.kamparkab.go.id"
ops = ["operator.tik@pustakaarsip.kamparkab.go.id"]
[[desk.staff]]
name = "Rina Marlina"
address = "rina.marlina@pustakaarsip.kamparkab.go.id"
[imap]
host = "mail.kamparkab.go.id"
username = "layanan@pustakaarsip.kamparkab.go.id"
[[chain]]
title = "Kepala Seksi Pelayanan"
addresses = ["kasi.pelayanan@pustakaarsip.kamparkab.go.id"]
after = "30m"
`

const (
	testIMAPPassword = "rahasia-imap-Kampar#2026$x"
	testHMAC         = "0123456789abcdef0123456789abcdef-hmac"
)

// env is a fake environment.
type env map[string]string

func (e env) lookup(k string) (string, bool) { v, ok := e[k]; return v, ok }
func (e env) environ() []string {
	var out []string
	for k, v := range e {
		out = append(out, k+"="+v)
	}
	return out
}

// secrets is the environment that completes minimal.
func secrets() env {
	return env{"MAILPROC_IMAP_PASSWORD": testIMAPPassword, "MAILPROC_DESK_HMAC_SECRET": testHMAC}
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func loadWith(t *testing.T, file string, e env) (*Config, error) {
	t.Helper()
	return load(writeFile(t, "mailproc.toml", file), e.lookup, e.environ())
}

func mustLoad(t *testing.T, file string, e env) *Config {
	t.Helper()
	c, err := loadWith(t, file, e)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	return c
}

// merge returns a copy of base with the extra variables.
func merge(base env, extra env) env {
	out := env{}
	for k, v := range base {
		out[k] = v
	}
	for k, v := range extra {
		out[k] = v
	}
	return out
}

// validConfig is minimal built in code, as the demo would.
func validConfig() *Config {
	c := DefaultConfig()
	c.Desk.Agency = "Dinas Perpustakaan dan Kearsipan Kabupaten Kampar"
	c.Desk.Address = "layanan@pustakaarsip.kamparkab.go.id"
	c.Desk.Ops = []string{"operator.tik@pustakaarsip.kamparkab.go.id"}
	c.Desk.Staff = []Staff{{Name: "Rina Marlina", Address: "rina.marlina@pustakaarsip.kamparkab.go.id"}}
	c.Desk.HMACSecret = testHMAC
	c.IMAP.Host = "mail.kamparkab.go.id"
	c.IMAP.Username = "layanan@pustakaarsip.kamparkab.go.id"
	c.IMAP.Password = testIMAPPassword
	c.Chain = []ChainLevel{{
		Title:     "Kepala Seksi Pelayanan",
		Addresses: []string{"kasi.pelayanan@pustakaarsip.kamparkab.go.id"},
		After:     Duration(30 * time.Minute),
	}}
	return c
}

// problems splits a joined error into its lines.
func problems(err error) []string {
	if err == nil {
		return nil
	}
	return strings.Split(err.Error(), "\n")
}

// contains reports whether a line is want, or want followed by ": " and
// the details (the value echoed, the expected form, how to fix it).
func contains(lines []string, want string) bool {
	for _, l := range lines {
		if l == want || strings.HasPrefix(l, want+": ") {
			return true
		}
	}
	return false
}

func TestDefaults(t *testing.T) {
	c := mustLoad(t, minimal, secrets())
	checks := []struct {
		name      string
		got, want any
	}{
		{"desk.name", c.Desk.Name, "Layanan Informasi dan Aduan Masyarakat"},
		{"desk.data_dir", c.Desk.DataDir, "./data"},
		{"desk.database", c.Desk.Database, filepath.Join("data", "mailproc.db")},
		{"DatabasePath", c.DatabasePath(), filepath.Join("data", "mailproc.db")},
		{"desk.timezone", c.Desk.Timezone, "Asia/Jakarta"},
		{"Location", c.Location().String(), "Asia/Jakarta"},
		{"desk.reopen_window", c.Desk.ReopenWindow.D(), 336 * time.Hour},
		{"desk.info_due", c.Desk.InfoDue.D(), 5 * time.Minute},
		{"desk.complaint_due", c.Desk.ComplaintDue.D(), time.Hour},
		{"desk.language", c.Desk.Language, "id"},
		{"imap.port", c.IMAP.Port, 993},
		{"imap.tls", c.IMAP.TLS, TLS},
		{"IMAPAddr", c.IMAPAddr(), "mail.kamparkab.go.id:993"},
		{"imap.inbox", c.IMAP.Inbox, "INBOX"},
		{"imap.processed_folder", c.IMAP.ProcessedFolder, "Diproses"},
		{"imap.quarantine_folder", c.IMAP.QuarantineFolder, "Karantina"},
		{"imap.sent_folder", c.IMAP.SentFolder, "Sent"},
		{"imap.poll_interval", c.IMAP.PollInterval.D(), time.Minute},
		{"imap.idle", c.IMAP.IDLE, true},
		{"imap.reconnect_min", c.IMAP.ReconnectMin.D(), time.Second},
		{"imap.reconnect_max", c.IMAP.ReconnectMax.D(), 5 * time.Minute},
		{"imap.fetch_batch", c.IMAP.FetchBatch, 200},
		{"imap.insecure", c.IMAP.Insecure, false},
		{"imap.tls_skip_verify", c.IMAP.TLSSkipVerify, false},
		{"smtp.host from imap", c.SMTP.Host, "mail.kamparkab.go.id"},
		{"smtp.port", c.SMTP.Port, 465},
		{"SMTPAddr", c.SMTPAddr(), "mail.kamparkab.go.id:465"},
		{"smtp.username from imap", c.SMTP.Username, "layanan@pustakaarsip.kamparkab.go.id"},
		{"smtp.password from imap", c.SMTP.Password.Reveal(), testIMAPPassword},
		{"smtp.auth", c.SMTP.Auth, AuthPlain},
		{"ack.enabled", c.Ack.Enabled, true},
		{"ack.per_sender_per_day", c.Ack.PerSenderPerDay, 5},
		{"calendar.mode", c.Calendar.Mode, ModeOffice},
		{"monday", fmt.Sprint(c.OfficeHours(time.Monday)), "[07:30-16:00]"},
		{"friday", fmt.Sprint(c.OfficeHours(time.Friday)), "[07:30-16:30]"},
		{"saturday", len(c.OfficeHours(time.Saturday)), 0},
		{"sunday", len(c.OfficeHours(time.Sunday)), 0},
		{"http.listen", c.HTTP.Listen, "127.0.0.1:8025"},
		{"log.level", c.Log.Level, "info"},
		{"LogLevel", c.LogLevel(), slog.LevelInfo},
		{"log.format", c.Log.Format, "text"},
		{"warnings", len(c.Warnings()), 0},
	}
	for _, tc := range checks {
		if !reflect.DeepEqual(tc.got, tc.want) {
			t.Errorf("%s = %#v, want %#v", tc.name, tc.got, tc.want)
		}
	}
}

func TestDerivedPorts(t *testing.T) {
	tests := []struct {
		imapTLS, smtpTLS string
		imapPort, smtp   int
	}{
		{"tls", "tls", 993, 465},
		{"starttls", "starttls", 143, 587},
		{"none", "none", 143, 25},
		{"STARTTLS", "TLS", 143, 465}, // enumerations are case-insensitive
	}
	for _, tc := range tests {
		t.Run(tc.imapTLS+"/"+tc.smtpTLS, func(t *testing.T) {
			c := validConfig()
			c.IMAP.Host, c.IMAP.Insecure, c.SMTP.Insecure = "localhost", true, true
			c.IMAP.TLS, c.SMTP.TLS = TLSMode(tc.imapTLS), TLSMode(tc.smtpTLS)
			if err := c.Validate(); err != nil {
				t.Fatal(err)
			}
			if c.IMAP.Port != tc.imapPort || c.SMTP.Port != tc.smtp {
				t.Errorf("ports = %d, %d; want %d, %d", c.IMAP.Port, c.SMTP.Port, tc.imapPort, tc.smtp)
			}
		})
	}
}

func TestSMTPAccount(t *testing.T) {
	// Another relay: no copying of the IMAP login; no username means no auth.
	c := validConfig()
	c.SMTP.Host = "relay.kamparkab.go.id"
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.SMTP.Username != "" || c.SMTP.Password != "" || c.SMTP.Auth != AuthNone {
		t.Errorf("smtp = %q/%v/%q, want no login on another host", c.SMTP.Username, c.SMTP.Password.IsSet(), c.SMTP.Auth)
	}
	// auth = "none" on the same host: no copying either.
	c = validConfig()
	c.SMTP.Auth = "none"
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.SMTP.Username != "" {
		t.Errorf("smtp.username = %q with auth none", c.SMTP.Username)
	}
}

func TestEnvOverride(t *testing.T) {
	tests := []struct {
		name  string
		env   env
		check func(c *Config) any
		want  any
	}{
		{"string", env{"MAILPROC_IMAP_HOST": "imap.kamparkab.go.id"},
			func(c *Config) any { return c.IMAP.Host }, "imap.kamparkab.go.id"},
		{"string with underscore key", env{"MAILPROC_DESK_DATA_DIR": "/srv/mailproc"},
			func(c *Config) any { return c.DatabasePath() }, filepath.Join("/srv/mailproc", "mailproc.db")},
		{"string set empty disables", env{"MAILPROC_IMAP_SENT_FOLDER": ""},
			func(c *Config) any { return c.IMAP.SentFolder }, ""},
		{"int", env{"MAILPROC_IMAP_PORT": "1993"},
			func(c *Config) any { return c.IMAPAddr() }, "mail.kamparkab.go.id:1993"},
		{"int with underscores", env{"MAILPROC_ACK_PER_SENDER_PER_DAY": "3"},
			func(c *Config) any { return c.Ack.PerSenderPerDay }, 3},
		{"bool", env{"MAILPROC_IMAP_IDLE": "false"},
			func(c *Config) any { return c.IMAP.IDLE }, false},
		{"bool 1", env{"MAILPROC_ACK_ENABLED": "0"},
			func(c *Config) any { return c.Ack.Enabled }, false},
		{"duration", env{"MAILPROC_IMAP_POLL_INTERVAL": "2m30s"},
			func(c *Config) any { return c.IMAP.PollInterval.D() }, 150 * time.Second},
		{"duration in days", env{"MAILPROC_DESK_REOPEN_WINDOW": "7d"},
			func(c *Config) any { return c.Desk.ReopenWindow.D() }, 7 * 24 * time.Hour},
		{"list", env{"MAILPROC_DESK_OPS": "a@pustakaarsip.kamparkab.go.id, b@pustakaarsip.kamparkab.go.id,"},
			func(c *Config) any { return c.Desk.Ops },
			[]string{"a@pustakaarsip.kamparkab.go.id", "b@pustakaarsip.kamparkab.go.id"}},
		{"list by line keeps commas", env{"MAILPROC_DESK_CHANNELS": "Tatap muka: Lobby, Lantai 2\nTelepon: (0762) 323710\n"},
			func(c *Config) any { return c.Desk.Channels },
			[]string{"Tatap muka: Lobby, Lantai 2", "Telepon: (0762) 323710"}},
		{"holidays list", env{"MAILPROC_CALENDAR_HOLIDAYS": "2026-08-17,2026-12-25"},
			func(c *Config) any { return len(c.HolidayDates()) }, 2},
		{"tls mode", env{"MAILPROC_SMTP_TLS": "starttls"},
			func(c *Config) any { return c.SMTPAddr() }, "mail.kamparkab.go.id:587"},
		{"secret", env{"MAILPROC_SMTP_PASSWORD": "smtp-lain"},
			func(c *Config) any { return c.SMTP.Password.Reveal() }, "smtp-lain"},
		{"env wins over file", env{"MAILPROC_LOG_LEVEL": "debug"},
			func(c *Config) any { return c.LogLevel() }, slog.LevelDebug},
	}
	file := minimal + "\n[log]\nlevel = \"warn\"\n"
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := mustLoad(t, file, merge(secrets(), tc.env))
			if got := tc.check(c); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %#v, want %#v", got, tc.want)
			}
		})
	}
}

func TestEnvOverrideErrors(t *testing.T) {
	tests := []struct {
		env  env
		want string
	}{
		{env{"MAILPROC_IMAP_PORT": "imaps"}, `imap.port (from MAILPROC_IMAP_PORT): want a whole number (got "imaps")`},
		{env{"MAILPROC_IMAP_IDLE": "ya"}, `imap.idle (from MAILPROC_IMAP_IDLE): want true or false (got "ya")`},
		{env{"MAILPROC_IMAP_POLL_INTERVAL": "60"}, `imap.poll_interval (from MAILPROC_IMAP_POLL_INTERVAL): want a duration like "30m", "1h", "14d" or "5 menit", "1 jam", "14 hari" (got "60")`},
	}
	for _, tc := range tests {
		_, err := loadWith(t, minimal, merge(secrets(), tc.env))
		if !contains(problems(err), tc.want) {
			t.Errorf("error = %v\nwant line %q", err, tc.want)
		}
	}
}

func TestUnknownEnvWarning(t *testing.T) {
	c := mustLoad(t, minimal, merge(secrets(), env{"MAILPROC_IMAP_HOTS": "x", "MAILPROC_CONFIG": "/etc/mailproc.toml"}))
	w := c.Warnings()
	if len(w) != 1 || !strings.Contains(w[0], "MAILPROC_IMAP_HOTS") {
		t.Errorf("warnings = %q", w)
	}
}

func TestKeys(t *testing.T) {
	byPath := map[string]Key{}
	for _, k := range Keys() {
		byPath[k.Path] = k
	}
	for path, want := range map[string]Key{
		"imap.host":              {Path: "imap.host", Env: "MAILPROC_IMAP_HOST"},
		"desk.data_dir":          {Path: "desk.data_dir", Env: "MAILPROC_DESK_DATA_DIR"},
		"smtp.password":          {Path: "smtp.password", Env: "MAILPROC_SMTP_PASSWORD", Secret: true},
		"imap.password_file":     {Path: "imap.password_file", Env: "MAILPROC_IMAP_PASSWORD_FILE"},
		"ack.per_sender_per_day": {Path: "ack.per_sender_per_day", Env: "MAILPROC_ACK_PER_SENDER_PER_DAY"},
		"desk.ops":               {Path: "desk.ops", Env: "MAILPROC_DESK_OPS", List: true},
		"calendar.holidays_ics":  {Path: "calendar.holidays_ics", Env: "MAILPROC_CALENDAR_HOLIDAYS_ICS"},
	} {
		if got := byPath[path]; got != want {
			t.Errorf("Keys()[%s] = %+v, want %+v", path, got, want)
		}
	}
	for _, exempt := range []string{"desk.staff", "chain"} {
		if _, ok := byPath[exempt]; ok {
			t.Errorf("%s should not be overridable", exempt)
		}
	}
	secretsSeen := 0
	for _, k := range Keys() {
		if k.Secret {
			secretsSeen++
			if _, ok := byPath[k.Path+"_file"]; !ok {
				t.Errorf("secret %s has no _file key", k.Path)
			}
		}
	}
	if secretsSeen != 6 {
		t.Errorf("%d secrets, want 6 (imap, smtp, http and http status passwords, desk.hmac_secret and desk.hmac_previous_secrets)", secretsSeen)
	}
}

func TestExpand(t *testing.T) {
	e := env{"HOST": "mail.kamparkab.go.id", "EMPTY": "", "USER_1": "layanan"}
	tests := []struct {
		in, want, err string
	}{
		{"${HOST}", "mail.kamparkab.go.id", ""},
		{"imap.${HOST}:993", "imap.mail.kamparkab.go.id:993", ""},
		{"${USER_1}@pustakaarsip.kamparkab.go.id", "layanan@pustakaarsip.kamparkab.go.id", ""},
		{"x${EMPTY}y", "xy", ""},
		{"pa$$word$HOST", "pa$$word$HOST", ""}, // only ${NAME} is touched
		{"ab${cd", "ab${cd", ""},               // unclosed: literal
		{"a${1X}b", "a${1X}b", ""},             // not a name: literal
		{"a${ HOST }b", "a${ HOST }b", ""},     // not a name: literal
		{"lit $${HOST}", "lit ${HOST}", ""},    // escaped
		{"${NOPE}", "", "environment variable ${NOPE} is not set"},
		{"${NOPE} ${NADA}", "", "environment variable ${NOPE}, ${NADA} is not set"},
	}
	for _, tc := range tests {
		got, err := expand(tc.in, e.lookup)
		if tc.err != "" {
			if err == nil || err.Error() != tc.err {
				t.Errorf("expand(%q) error = %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("expand(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

func TestExpandInFile(t *testing.T) {
	file := strings.Replace(minimal, `host = "mail.kamparkab.go.id"`, `host = "${KAMPAR_MAIL_HOST}"`, 1) + `
[http]
password = "${KAMPAR_HTTP_PW}"
username = "prometheus"
`
	file = strings.Replace(file, `name = "Rina Marlina"`, `name = "${STAFF1}"`, 1)
	e := merge(secrets(), env{"KAMPAR_MAIL_HOST": "mx.kamparkab.go.id", "KAMPAR_HTTP_PW": "a$b", "STAFF1": "Rina"})
	c := mustLoad(t, file, e)
	if c.IMAP.Host != "mx.kamparkab.go.id" || c.HTTP.Password.Reveal() != "a$b" || c.Desk.Staff[0].Name != "Rina" {
		t.Errorf("host %q, http password %q, staff %q", c.IMAP.Host, c.HTTP.Password.Reveal(), c.Desk.Staff[0].Name)
	}
	// An environment override is taken literally, not expanded.
	c = mustLoad(t, file, merge(e, env{"MAILPROC_IMAP_USERNAME": "${KAMPAR_MAIL_HOST}"}))
	if c.IMAP.Username != "${KAMPAR_MAIL_HOST}" {
		t.Errorf("env value was expanded: %q", c.IMAP.Username)
	}
	// Unset variable: error naming the key.
	_, err := loadWith(t, file, secrets())
	for _, want := range []string{
		"imap.host: environment variable ${KAMPAR_MAIL_HOST} is not set",
		"desk.staff[1].name: environment variable ${STAFF1} is not set",
	} {
		if !contains(problems(err), want) {
			t.Errorf("error = %v\nwant line %q", err, want)
		}
	}
}

func TestSecrets(t *testing.T) {
	dir := t.TempDir()
	pwFile := filepath.Join(dir, "imap_password")
	if err := os.WriteFile(pwFile, []byte(testIMAPPassword+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	crlfFile := filepath.Join(dir, "crlf")
	if err := os.WriteFile(crlfFile, []byte(testIMAPPassword+"\r\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	emptyFile := filepath.Join(dir, "empty")
	if err := os.WriteFile(emptyFile, []byte("\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing")
	hmac := env{"MAILPROC_DESK_HMAC_SECRET": testHMAC}

	tests := []struct {
		name    string
		extra   string // appended to [imap]
		env     env
		want    string // imap.password
		wantErr string // a line of the error
		isErr   error
	}{
		{name: "from env", env: env{"MAILPROC_IMAP_PASSWORD": "dari-env"}, want: "dari-env"},
		{name: "literal in file", extra: `password = "di-file"`, want: "di-file"},
		{name: "env wins over file", extra: `password = "di-file"`, env: env{"MAILPROC_IMAP_PASSWORD": "dari-env"}, want: "dari-env"},
		{name: "from password_file", extra: fmt.Sprintf("password_file = %q", pwFile), want: testIMAPPassword},
		{name: "crlf trimmed", extra: fmt.Sprintf("password_file = %q", crlfFile), want: testIMAPPassword},
		{name: "from env _FILE", env: env{"MAILPROC_IMAP_PASSWORD_FILE": pwFile}, want: testIMAPPassword},
		{name: "env _FILE replaces password in file", extra: `password = "di-file"`,
			env: env{"MAILPROC_IMAP_PASSWORD_FILE": pwFile}, want: testIMAPPassword},
		{name: "env password replaces password_file in file", extra: fmt.Sprintf("password_file = %q", missing),
			env: env{"MAILPROC_IMAP_PASSWORD": "dari-env"}, want: "dari-env"},
		{name: "file missing", extra: fmt.Sprintf("password_file = %q", missing),
			wantErr: fmt.Sprintf("imap.password_file: open %s: no such file or directory", missing), isErr: fs.ErrNotExist},
		{name: "env file missing", env: env{"MAILPROC_IMAP_PASSWORD_FILE": missing},
			wantErr: fmt.Sprintf("imap.password_file: open %s: no such file or directory", missing), isErr: fs.ErrNotExist},
		{name: "file empty", extra: fmt.Sprintf("password_file = %q", emptyFile),
			wantErr: fmt.Sprintf("imap.password_file: %s is empty", emptyFile)},
		{name: "both in file", extra: fmt.Sprintf("password = \"x\"\npassword_file = %q", pwFile),
			wantErr: "imap.password: both imap.password and imap.password_file are set; use one"},
		{name: "both in env", env: env{"MAILPROC_IMAP_PASSWORD": "x", "MAILPROC_IMAP_PASSWORD_FILE": pwFile},
			wantErr: "imap.password: both MAILPROC_IMAP_PASSWORD and MAILPROC_IMAP_PASSWORD_FILE are set; use one"},
		{name: "none at all", wantErr: "imap.password: required"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			file := strings.Replace(minimal, "[imap]\n", "[imap]\n"+tc.extra+"\n", 1)
			c, err := loadWith(t, file, merge(hmac, tc.env))
			if tc.wantErr != "" {
				if !contains(problems(err), tc.wantErr) {
					t.Fatalf("error = %v\nwant line %q", err, tc.wantErr)
				}
				if tc.isErr != nil && !errors.Is(err, tc.isErr) {
					t.Errorf("errors.Is(err, %v) = false", tc.isErr)
				}
				var fe *FieldError
				if !errors.As(err, &fe) {
					t.Errorf("no *FieldError in %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := c.IMAP.Password.Reveal(); got != tc.want {
				t.Errorf("imap.password = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestHMACSecretFile(t *testing.T) {
	p := writeFile(t, "hmac", testHMAC+"\n")
	c := mustLoad(t, minimal+"\n", env{"MAILPROC_IMAP_PASSWORD": "x", "MAILPROC_DESK_HMAC_SECRET_FILE": p})
	if c.Desk.HMACSecret.Reveal() != testHMAC {
		t.Errorf("hmac_secret = %q", c.Desk.HMACSecret.Reveal())
	}
}

// TestHMACPreviousSecrets: the keys of before a rotation come one per line
// from a file or comma-separated from the environment, each at least 32
// characters; token_max_age defaults to 90 days.
func TestHMACPreviousSecrets(t *testing.T) {
	k1, k2 := strings.Repeat("a", 32), strings.Repeat("b", 40)
	base := env{"MAILPROC_IMAP_PASSWORD": "x", "MAILPROC_DESK_HMAC_SECRET": testHMAC}
	c := mustLoad(t, minimal, merge(base, env{"MAILPROC_DESK_HMAC_PREVIOUS_SECRETS_FILE": writeFile(t, "old", k1+"\n"+k2+"\n")}))
	if got := c.Desk.PreviousSecrets(); len(got) != 2 || string(got[0]) != k1 || string(got[1]) != k2 {
		t.Errorf("from a file: %q", got)
	}
	c = mustLoad(t, minimal, merge(base, env{"MAILPROC_DESK_HMAC_PREVIOUS_SECRETS": k1 + "," + k2}))
	if got := c.Desk.PreviousSecrets(); len(got) != 2 || string(got[1]) != k2 {
		t.Errorf("from the environment: %q", got)
	}
	if c.Desk.TokenMaxAge.D() != 90*24*time.Hour {
		t.Errorf("token_max_age = %v", c.Desk.TokenMaxAge)
	}
	if strings.Contains(fmt.Sprintf("%v %+v", c.Desk, c.Redacted().Desk), k1) {
		t.Error("a previous secret is printed")
	}
	_, err := loadWith(t, minimal, merge(base, env{"MAILPROC_DESK_HMAC_PREVIOUS_SECRETS": k1 + ",kurz"}))
	if err == nil || !strings.Contains(err.Error(), "desk.hmac_previous_secrets[2]: too short") {
		t.Errorf("a short previous secret: %v", err)
	}
}

func TestUnknownKey(t *testing.T) {
	file := strings.Replace(minimal, "[imap]\n", "[imap]\nhots = \"x\"\n", 1) + `
[calender]
mode = "24/7"
[[chain]]
titel = "Kepala Dinas"
addresses = ["kadis@pustakaarsip.kamparkab.go.id"]
`
	_, err := loadWith(t, file, secrets())
	for _, want := range []string{"imap.hots: unknown key; did you mean imap.host?",
		"calender: unknown key; did you mean calendar?", "chain[2].titel: unknown key; did you mean chain[2].title?"} {
		if !contains(problems(err), want) {
			t.Errorf("error = %v\nwant line %q", err, want)
		}
	}
	if !errors.Is(err, ErrUnknownKey) {
		t.Errorf("errors.Is(err, ErrUnknownKey) = false")
	}
}

func TestParseError(t *testing.T) {
	_, err := loadWith(t, minimal+"\n[desk\n", secrets())
	if err == nil || !strings.Contains(err.Error(), "mailproc.toml") {
		t.Errorf("error = %v, want one naming the file", err)
	}
	_, err = loadWith(t, strings.Replace(minimal, `after = "30m"`, `after = 30`, 1), secrets())
	if err == nil || !strings.Contains(err.Error(), `chain[1].after: want a duration like "30m", "1h", "14d" or "5 menit", "1 jam", "14 hari" (got "30")`) {
		t.Errorf("error = %v, want a duration error", err)
	}
	_, err = load(filepath.Join(t.TempDir(), "nope.toml"), secrets().lookup, nil)
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: error = %v", err)
	}
}

func TestEnvOnly(t *testing.T) {
	e := merge(secrets(), env{
		"MAILPROC_DESK_AGENCY":        "Dinas Perpustakaan dan Kearsipan Kabupaten Kampar",
		"MAILPROC_DESK_ADDRESS":       "layanan@pustakaarsip.kamparkab.go.id",
		"MAILPROC_DESK_OPS":           "operator.tik@pustakaarsip.kamparkab.go.id",
		"MAILPROC_IMAP_HOST":          "mail.kamparkab.go.id",
		"MAILPROC_IMAP_USERNAME":      "layanan@pustakaarsip.kamparkab.go.id",
		"MAILPROC_CALENDAR_MODE":      "24/7",
		"MAILPROC_LOG_FORMAT":         "json",
		"MAILPROC_HTTP_LISTEN":        "",
		"MAILPROC_DESK_TIMEZONE":      "Asia/Makassar",
		"MAILPROC_SMTP_GIVE_UP_AFTER": "2d",
	})
	_, err := load("", e.lookup, e.environ())
	// Staff and chain cannot come from the environment. (Line 1 is the
	// "config (environment only):" heading.)
	want := []string{"desk.staff: at least one required", "chain: at least one level required ([[chain]] with title, addresses, after)"}
	if got := problems(err); len(got) != 3 || !contains(got, want[0]) || !contains(got, want[1]) {
		t.Errorf("error = %v\nwant exactly %q", err, want)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(c *Config)
		want   string
	}{
		{"imap.host", func(c *Config) { c.IMAP.Host = "" }, "imap.host: required"},
		{"imap.tls", func(c *Config) { c.IMAP.TLS = "ssl" }, `imap.tls: must be one of tls, starttls, none (got "ssl")`},
		{"smtp.tls", func(c *Config) { c.SMTP.TLS = "SSL" }, `smtp.tls: must be one of tls, starttls, none (got "ssl")`},
		{"imap.port", func(c *Config) { c.IMAP.Port = 70000 }, "imap.port: must be between 1 and 65535 (got 70000)"},
		{"smtp.port", func(c *Config) { c.SMTP.Port = -1 }, "smtp.port: must be between 1 and 65535 (got -1)"},
		{"desk.address empty", func(c *Config) { c.Desk.Address = "" }, "desk.address: required"},
		{"desk.address", func(c *Config) { c.Desk.Address = "layanan" }, "desk.address: not an e-mail address"},
		{"desk.address display name", func(c *Config) { c.Desk.Address = "Layanan <layanan@pustakaarsip.kamparkab.go.id>" }, "desk.address: not an e-mail address"},
		{"desk.agency", func(c *Config) { c.Desk.Agency = " " }, "desk.agency: required"},
		{"desk.name", func(c *Config) { c.Desk.Name = "" }, "desk.name: required"},
		{"desk.data_dir", func(c *Config) { c.Desk.DataDir = "" }, "desk.data_dir: required"},
		{"desk.timezone", func(c *Config) { c.Desk.Timezone = "Asia/Jakarte" }, `desk.timezone: unknown time zone "Asia/Jakarte"`},
		{"desk.reopen_window", func(c *Config) { c.Desk.ReopenWindow = 0 }, "desk.reopen_window: must be greater than 0"},
		{"desk.closing_delay", func(c *Config) { c.Desk.ClosingDelay = Duration(15 * 24 * time.Hour) }, `desk.closing_delay: must be from 0s up to less than desk.reopen_window, e.g. "10m" (got "15d")`},
		{"desk.info_due", func(c *Config) { c.Desk.InfoDue = Duration(-time.Minute) }, "desk.info_due: must be greater than 0"},
		{"desk.complaint_due", func(c *Config) { c.Desk.ComplaintDue = 0 }, "desk.complaint_due: must be greater than 0"},
		{"desk.language", func(c *Config) { c.Desk.Language = "ms" }, `desk.language: must be one of id, en (got "ms")`},
		{"desk.template_dir", func(c *Config) { c.Desk.TemplateDir = "/nonexistent/templates" },
			"desk.template_dir: stat /nonexistent/templates: no such file or directory"},
		{"desk.website", func(c *Config) { c.Desk.Website = "pustakaarsip.kamparkab.go.id" },
			`desk.website: want an http:// or https:// URL (got "pustakaarsip.kamparkab.go.id")`},
		{"desk.ops empty", func(c *Config) { c.Desk.Ops = nil }, "desk.ops: at least one address required"},
		{"desk.ops item", func(c *Config) { c.Desk.Ops = append(c.Desk.Ops, "tik") }, "desk.ops[2]: not an e-mail address"},
		{"desk.ops is desk", func(c *Config) { c.Desk.Ops[0] = "LAYANAN@pustakaarsip.kamparkab.go.id" },
			"desk.ops[1]: is desk.address itself; mail to it would loop back into the desk"},
		{"desk.staff empty", func(c *Config) { c.Desk.Staff = nil }, "desk.staff: at least one required"},
		{"desk.staff name", func(c *Config) { c.Desk.Staff[0].Name = "" }, "desk.staff[1].name: required"},
		{"desk.staff address", func(c *Config) { c.Desk.Staff[0].Address = "rina" }, "desk.staff[1].address: not an e-mail address"},
		{"desk.staff is desk", func(c *Config) { c.Desk.Staff[0].Address = "Layanan@pustakaarsip.kamparkab.go.id" },
			"desk.staff[1].address: is desk.address itself; mail to it would loop back into the desk"},
		{"desk.hmac_secret", func(c *Config) { c.Desk.HMACSecret = "" }, "desk.hmac_secret: required"},
		{"desk.hmac_secret short", func(c *Config) { c.Desk.HMACSecret = "pendek" },
			"desk.hmac_secret: too short: want at least 32 characters (generate one with: openssl rand -hex 32)"},
		{"imap.username", func(c *Config) { c.IMAP.Username = "" }, "imap.username: required"},
		{"imap.password", func(c *Config) { c.IMAP.Password = "" }, "imap.password: required"},
		{"imap.inbox", func(c *Config) { c.IMAP.Inbox = "" }, "imap.inbox: required"},
		{"imap.processed_folder", func(c *Config) { c.IMAP.ProcessedFolder = "" }, "imap.processed_folder: required"},
		{"imap.quarantine_folder", func(c *Config) { c.IMAP.QuarantineFolder = "diproses" },
			`imap.quarantine_folder: must differ from imap.processed_folder (both "diproses")`},
		{"imap.sent_folder", func(c *Config) { c.IMAP.SentFolder = "inbox" },
			`imap.sent_folder: must differ from imap.inbox (both "inbox")`},
		{"imap.poll_interval", func(c *Config) { c.IMAP.PollInterval = 0 }, "imap.poll_interval: must be greater than 0"},
		{"imap.reconnect_min", func(c *Config) { c.IMAP.ReconnectMin = 0 }, "imap.reconnect_min: must be greater than 0"},
		{"imap.reconnect_max", func(c *Config) { c.IMAP.ReconnectMax = Duration(time.Millisecond) },
			"imap.reconnect_max: must not be less than imap.reconnect_min (1s)"},
		{"imap.fetch_batch", func(c *Config) { c.IMAP.FetchBatch = 0 }, "imap.fetch_batch: must be at least 1 (got 0)"},
		{"smtp.auth", func(c *Config) { c.SMTP.Auth = "cram-md5" }, `smtp.auth: must be one of plain, login, xoauth2, none (got "cram-md5")`},
		{"smtp.username", func(c *Config) { c.SMTP.Host = "relay.kamparkab.go.id"; c.SMTP.Auth = "login"; c.SMTP.Password = "p" },
			`smtp.username: required when smtp.auth is "login"`},
		{"smtp.password", func(c *Config) { c.SMTP.Host = "relay.kamparkab.go.id"; c.SMTP.Username = "u" },
			`smtp.password: required when smtp.auth is "plain"`},
		{"smtp.retry_max", func(c *Config) { c.SMTP.RetryMax = Duration(time.Second) },
			"smtp.retry_max: must not be less than smtp.retry_min (30s)"},
		{"smtp.give_up_after", func(c *Config) { c.SMTP.GiveUpAfter = 0 }, "smtp.give_up_after: must be greater than 0"},
		{"smtp.connections", func(c *Config) { c.SMTP.Connections = 0 }, "smtp.connections: must be between 1 and 16 (got 0)"},
		{"ack.per_sender_per_day", func(c *Config) { c.Ack.PerSenderPerDay = 0 },
			"ack.per_sender_per_day: must be at least 1 (got 0); to send none, set ack.enabled = false"},
		{"chain empty", func(c *Config) { c.Chain = nil },
			"chain: at least one level required ([[chain]] with title, addresses, after)"},
		{"chain addresses", func(c *Config) { c.Chain[0].Addresses = nil },
			"chain[1].addresses: required"},
		{"chain address", func(c *Config) { c.Chain[0].Addresses = append(c.Chain[0].Addresses, "kadis") },
			"chain[1].addresses[2]: not an e-mail address"},
		{"chain address is desk", func(c *Config) { c.Chain[0].Addresses[0] = c.Desk.Address },
			"chain[1].addresses[1]: is desk.address itself; mail to it would loop back into the desk"},
		{"chain title", func(c *Config) { c.Chain[0].Title = "" }, "chain[1].title: required"},
		{"chain after", func(c *Config) {
			c.Chain = append(c.Chain, ChainLevel{Title: "Kepala Dinas", Addresses: []string{"kadis@pustakaarsip.kamparkab.go.id"}})
			c.Chain[0].After = 0
		}, "chain[1].after: must be greater than 0"},
		{"chain after negative on last", func(c *Config) { c.Chain[0].After = Duration(-time.Hour) }, "chain[1].after: must be greater than 0"},
		{"calendar.mode", func(c *Config) { c.Calendar.Mode = "24x7" }, `calendar.mode: must be one of office, 24/7 (got "24x7")`},
		{"calendar.monday", func(c *Config) { c.Calendar.Monday = "7.30-16" }, "calendar.monday: want HH:MM-HH:MM"},
		{"calendar.friday", func(c *Config) { c.Calendar.Friday = "07:30-25:00" }, "calendar.friday: want HH:MM-HH:MM"},
		{"calendar.tuesday backwards", func(c *Config) { c.Calendar.Tuesday = "16:00-07:30" }, "calendar.tuesday: 16:00-07:30: closes before it opens"},
		{"calendar.wednesday overlap", func(c *Config) { c.Calendar.Wednesday = "07:30-12:00, 11:00-16:00" },
			"calendar.wednesday: 11:00-16:00: overlaps or precedes 07:30-12:00"},
		{"calendar all closed", func(c *Config) {
			c.Calendar.Monday, c.Calendar.Tuesday, c.Calendar.Wednesday, c.Calendar.Thursday, c.Calendar.Friday = "", "", "", "", ""
		}, `calendar: office mode needs opening hours on at least one day (or mode = "24/7")`},
		{"calendar.holidays", func(c *Config) { c.Calendar.Holidays = []string{"2026-08-17", "17-08-2026"} },
			`calendar.holidays[2]: want YYYY-MM-DD (got "17-08-2026")`},
		{"calendar.holidays_ics", func(c *Config) { c.Calendar.HolidaysICS = "/nonexistent/libur.ics" },
			"calendar.holidays_ics: stat /nonexistent/libur.ics: no such file or directory"},
		{"http.listen", func(c *Config) { c.HTTP.Listen = "8025" }, `http.listen: want host:port, e.g. 127.0.0.1:8025 (got "8025")`},
		{"http.password public", func(c *Config) { c.HTTP.Listen = ":8025" },
			`http.password: required with http.username when http.listen is not loopback (":8025")`},
		{"http.password half", func(c *Config) { c.HTTP.Username = "prometheus" }, "http.password: required when http.username is set"},
		{"http.username half", func(c *Config) { c.HTTP.Password = "x" }, "http.username: required when http.password is set"},
		{"log.level", func(c *Config) { c.Log.Level = "verbose" }, `log.level: must be one of debug, info, warn, error (got "verbose")`},
		{"log.format", func(c *Config) { c.Log.Format = "logfmt" }, `log.format: must be one of text, json (got "logfmt")`},
		{"records.retention_aduan", func(c *Config) { c.Records.RetentionAduan = Duration(-time.Hour) }, "records.retention_aduan: must not be negative (0 turns it off)"},
		{"records.archive_mirror", func(c *Config) { c.Records.ArchiveMirror = filepath.Join(c.Desk.DataDir, "cermin") },
			"records.archive_mirror: must be outside desk.data_dir: losing the data dir must not lose the copy"},
	}
	if err := validConfig().Validate(); err != nil {
		t.Fatalf("validConfig: %v", err)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := validConfig()
			tc.mutate(c)
			err := c.Validate()
			got := problems(err)
			if len(got) != 1 || !contains(got, tc.want) {
				t.Errorf("Validate() =\n%s\nwant exactly one line\n%s", err, tc.want)
			}
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Errorf("no *FieldError")
			}
		})
	}
}

// TestChainRepeatWarnings: an address on two levels of the chain, or twice
// on one, is accepted with a warning that names both places; a level of
// repeats only is called out as telling nobody new.
func TestChainRepeatWarnings(t *testing.T) {
	const (
		kasi  = "kasi.pelayanan@pustakaarsip.kamparkab.go.id"
		kabag = "kabag.pelayanan@pustakaarsip.kamparkab.go.id"
		kadis = "kepala.dinas@pustakaarsip.kamparkab.go.id"
		sekre = "sekretariat@pustakaarsip.kamparkab.go.id"
	)
	tests := []struct {
		name   string
		levels [][]string
		want   []string
	}{
		{"distinct", [][]string{{kasi}, {kabag}, {kadis, sekre}}, nil},
		{"secretary on two levels", [][]string{{kasi}, {kabag, sekre}, {kadis, "Sekretariat@pustakaarsip.kamparkab.go.id"}},
			[]string{"chain[3].addresses[2]: Sekretariat@pustakaarsip.kamparkab.go.id is already on chain[2] (Level 2), in Cc of every later escalation"}},
		{"twice on one level", [][]string{{kasi, kasi}, {kabag}},
			[]string{"chain[1].addresses[2]: " + kasi + " is listed twice on this level"}},
		{"level of repeats only", [][]string{{kasi}, {kabag}, {kasi, kabag}},
			[]string{"chain[3] (Level 3): every address is on an earlier level; escalating to this level tells nobody new"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := validConfig()
			c.Chain = nil
			for i, addrs := range tt.levels {
				c.Chain = append(c.Chain, ChainLevel{Title: fmt.Sprintf("Level %d", i+1), Addresses: addrs, After: Duration(time.Hour)})
			}
			if err := c.Validate(); err != nil {
				t.Fatalf("a repeat is a warning, not an error: %v", err)
			}
			if got := c.Warnings(); !slices.Equal(got, tt.want) {
				t.Errorf("warnings\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}

func TestValidateAllAtOnce(t *testing.T) {
	c := DefaultConfig()
	err := c.Validate()
	got := problems(err)
	for _, want := range []string{
		"desk.agency: required", "desk.address: required", "imap.host: required",
		"imap.username: required", "imap.password: required",
		"chain: at least one level required ([[chain]] with title, addresses, after)",
		"desk.staff: at least one required", "desk.ops: at least one address required",
		"desk.hmac_secret: required",
	} {
		if !contains(got, want) {
			t.Errorf("missing %q in\n%s", want, err)
		}
	}
}

func TestInsecure(t *testing.T) {
	tests := []struct {
		name     string
		host     string
		insecure bool
		want     string // "" = valid
	}{
		{"non-loopback refused", "mail.example.com", false,
			`imap.tls: "none" sends the password in clear text to non-loopback host mail.example.com; set imap.insecure = true to allow it`},
		{"non-loopback IP refused", "10.0.0.5", false,
			`imap.tls: "none" sends the password in clear text to non-loopback host 10.0.0.5; set imap.insecure = true to allow it`},
		{"non-loopback allowed with insecure", "mail.example.com", true, ""},
		{"localhost", "localhost", false, ""},
		{"127.0.0.1", "127.0.0.1", false, ""},
		{"127.8.9.10", "127.8.9.10", false, ""},
		{"::1", "::1", false, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := validConfig()
			c.IMAP.Host, c.IMAP.TLS, c.IMAP.Insecure = tc.host, NoTLS, tc.insecure
			c.SMTP.Host, c.SMTP.TLS, c.SMTP.Auth = "localhost", NoTLS, AuthNone
			err := c.Validate()
			if tc.want == "" {
				if err != nil {
					t.Errorf("Validate() = %v", err)
				}
				if c.IMAPAddr() != netJoin(tc.host, "143") {
					t.Errorf("IMAPAddr = %s", c.IMAPAddr())
				}
				return
			}
			if got := problems(err); len(got) != 1 || got[0] != tc.want {
				t.Errorf("Validate() =\n%v\nwant\n%s", err, tc.want)
			}
		})
	}
	// SMTP: the rule applies when a password is sent.
	c := validConfig()
	c.SMTP.Host, c.SMTP.TLS, c.SMTP.Username, c.SMTP.Password = "relay.example.com", NoTLS, "u", "p"
	want := `smtp.tls: "none" sends the password in clear text to non-loopback host relay.example.com; set smtp.insecure = true to allow it`
	if got := problems(c.Validate()); len(got) != 1 || got[0] != want {
		t.Errorf("smtp: %q, want %q", got, want)
	}
	// Without a login nothing secret is sent: valid, with a warning.
	c = validConfig()
	c.SMTP.Host, c.SMTP.TLS, c.SMTP.Auth = "relay.example.com", NoTLS, AuthNone
	if err := c.Validate(); err != nil {
		t.Errorf("smtp without auth: %v", err)
	}
	if w := c.Warnings(); len(w) != 1 || !strings.Contains(w[0], "unencrypted") {
		t.Errorf("warnings = %q", w)
	}
	// tls_skip_verify is allowed but warned about.
	c = validConfig()
	c.IMAP.TLSSkipVerify = true
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if w := c.Warnings(); len(w) != 1 || !strings.HasPrefix(w[0], "imap.tls_skip_verify:") {
		t.Errorf("warnings = %q", w)
	}
}

func netJoin(h, p string) string {
	if strings.Contains(h, ":") {
		return "[" + h + "]:" + p
	}
	return h + ":" + p
}

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"336h", 336 * time.Hour, true},
		{"14d", 14 * 24 * time.Hour, true},
		{"1d12h", 36 * time.Hour, true},
		{"5m", 5 * time.Minute, true},
		{"1h30m", 90 * time.Minute, true},
		{"-2d", -48 * time.Hour, true},
		{"0s", 0, true},
		{"30", 0, false},
		{"d", 0, false},
		{"1.5d", 0, false},
		{"14dd", 0, false},
		{"1d-2h", 0, false},
		{"", 0, false},
		{"empat belas hari", 0, false},
	}
	for _, tc := range tests {
		got, err := ParseDuration(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v, ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
	}
	for d, want := range map[time.Duration]string{14 * 24 * time.Hour: "14d", 36 * time.Hour: "36h", 5 * time.Minute: "5m", 90 * time.Minute: "1h30m", 90 * time.Second: "1m30s", 0: "0s", 2 * time.Hour: "2h"} {
		if got := Duration(d).String(); got != want {
			t.Errorf("Duration(%v).String() = %q, want %q", d, got, want)
		}
	}
}

func TestParseHours(t *testing.T) {
	spans, err := ParseHours("07:30-11:30, 13:30-24:00")
	if err != nil || fmt.Sprint(spans) != "[07:30-11:30 13:30-24:00]" {
		t.Errorf("ParseHours = %v, %v", spans, err)
	}
	if spans, err := ParseHours(""); err != nil || spans != nil {
		t.Errorf("closed day = %v, %v", spans, err)
	}
	for _, bad := range []string{"07:30", "7:30-16:00", "07:60-16:00", "24:00-24:00", "07:30-16:00,", "a-b"} {
		if _, err := ParseHours(bad); err == nil {
			t.Errorf("ParseHours(%q) accepted", bad)
		}
	}
}

func TestCalendarHelpers(t *testing.T) {
	c := validConfig()
	c.Calendar.Holidays = []string{"2026-08-17", "2026-12-25"}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	h := c.HolidayDates()
	wib := c.Location()
	if len(h) != 2 || !h[0].Equal(time.Date(2026, 8, 17, 0, 0, 0, 0, wib)) || h[0].Location() != wib {
		t.Errorf("HolidayDates = %v", h)
	}
	c.Calendar.Mode = Mode247
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(c.OfficeHours(time.Sunday)); got != "[00:00-24:00]" {
		t.Errorf("24/7 Sunday = %s", got)
	}
}

func TestRedacted(t *testing.T) {
	c := validConfig()
	c.SMTP.Host = "relay.kamparkab.go.id"
	c.SMTP.Username, c.SMTP.Password = "u", "smtp-Rahasia-42"
	c.HTTP.Username, c.HTTP.Password = "prometheus", "http-Rahasia-43"
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	secretValues := []string{testIMAPPassword, testHMAC, "smtp-Rahasia-42", "http-Rahasia-43"}

	var textLog, jsonLog bytes.Buffer
	slog.New(slog.NewTextHandler(&textLog, nil)).Info("config", "cfg", c, "imap", c.IMAP, "pw", c.IMAP.Password)
	slog.New(slog.NewJSONHandler(&jsonLog, nil)).Info("config", "cfg", c, "imap", c.IMAP, "pw", c.IMAP.Password)
	js, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	r := c.Redacted()
	outputs := map[string]string{
		"String":        c.String(),
		"%v":            fmt.Sprintf("%v", c),
		"%+v value":     fmt.Sprintf("%+v", *c),
		"%#v value":     fmt.Sprintf("%#v", *c),
		"%v section":    fmt.Sprintf("%v %+v %#v", c.IMAP, c.SMTP, c.HTTP),
		"%s secret":     fmt.Sprintf("%s %v %q", c.IMAP.Password, c.Desk.HMACSecret, c.SMTP.Password),
		"json":          string(js),
		"slog text":     textLog.String(),
		"slog json":     jsonLog.String(),
		"Redacted %#v":  fmt.Sprintf("%#v", *r),
		"Redacted raw":  r.IMAP.Password.Reveal() + r.SMTP.Password.Reveal() + r.HTTP.Password.Reveal() + r.Desk.HMACSecret.Reveal(),
		"Redacted json": func() string { b, _ := json.Marshal(r); return string(b) }(),
	}
	for name, out := range outputs {
		for _, s := range secretValues {
			if strings.Contains(out, s) {
				t.Errorf("%s contains secret %q:\n%s", name, s, out)
			}
		}
	}
	if !strings.Contains(c.String(), `password = "[redacted]"`) || !strings.Contains(c.String(), `host = "mail.kamparkab.go.id"`) {
		t.Errorf("String() =\n%s", c.String())
	}
	if r.IMAP.Password.Reveal() != "[redacted]" {
		t.Errorf("Redacted imap.password = %q", r.IMAP.Password.Reveal())
	}
	// The original is untouched and the copy is deep.
	if c.IMAP.Password.Reveal() != testIMAPPassword {
		t.Errorf("Redacted changed the original")
	}
	r.Desk.Staff[0].Name = "x"
	r.Chain[0].Addresses[0] = "x@y"
	if c.Desk.Staff[0].Name == "x" || c.Chain[0].Addresses[0] == "x@y" {
		t.Errorf("Redacted shares slices with the original")
	}
}

// TestExample loads mailproc.example.toml with the secrets from the
// environment, the way an operator runs it.
func TestExample(t *testing.T) {
	t.Setenv("MAILPROC_IMAP_PASSWORD", testIMAPPassword)
	t.Setenv("MAILPROC_DESK_HMAC_SECRET", testHMAC)
	c, err := Load(filepath.Join("..", "..", "mailproc.example.toml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Desk.Staff) != 2 || len(c.Chain) != 3 || c.Chain[2].Title != "Kepala Dinas" {
		t.Errorf("staff %d, chain %+v", len(c.Desk.Staff), c.Chain)
	}
	if c.IMAP.PasswordFile != "" || c.SMTP.Password.Reveal() != testIMAPPassword {
		t.Errorf("secrets: imap.password_file %q, smtp password set %v", c.IMAP.PasswordFile, c.SMTP.Password.IsSet())
	}
	if c.Desk.ReopenWindow.D() != 14*24*time.Hour || len(c.HolidayDates()) != 16 || len(c.Desk.Channels) != 3 {
		t.Errorf("reopen %v, holidays %d, channels %d", c.Desk.ReopenWindow, len(c.HolidayDates()), len(c.Desk.Channels))
	}
	if w := c.Warnings(); len(w) != 0 {
		t.Errorf("warnings: %q", w)
	}
}

// TestExampleDocumentsEveryKey: every key appears in its section of the
// example, set or commented out, with a comment above it.
func TestExampleDocumentsEveryKey(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "mailproc.example.toml"))
	if err != nil {
		t.Fatal(err)
	}
	keyRE := regexp.MustCompile(`^#?\s*([a-z_]+)\s*=`)
	found := map[string]bool{}
	section := ""
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "[") {
			section = strings.Trim(line, "[] ")
			continue
		}
		if m := keyRE.FindStringSubmatch(line); m != nil {
			found[section+"."+m[1]] = true
		}
	}
	want := []string{}
	for _, k := range Keys() {
		want = append(want, k.Path)
	}
	for _, f := range []reflect.Type{reflect.TypeOf(Staff{})} {
		for i := 0; i < f.NumField(); i++ {
			want = append(want, "desk.staff."+tomlName(f.Field(i)))
		}
	}
	ct := reflect.TypeOf(ChainLevel{})
	for i := 0; i < ct.NumField(); i++ {
		want = append(want, "chain."+tomlName(ct.Field(i)))
	}
	for _, k := range want {
		if !found[k] {
			t.Errorf("%s is not in mailproc.example.toml", k)
		}
	}
}

// Package config reads mailproc's configuration: one commented TOML file,
// overridden by MAILPROC_* environment variables, with secrets taken from the
// file, the environment or a file of their own (Docker and systemd
// credentials). See mailproc.example.toml for every key.
//
// Order of precedence, lowest first:
//
//  1. DefaultConfig
//  2. the TOML file; string values may contain ${NAME}, replaced by the
//     environment variable NAME
//  3. environment variables MAILPROC_<SECTION>_<KEY> (see Keys)
//  4. secrets read from <key>_file
//  5. values derived from others (database path, ports, SMTP account)
//  6. Validate
package config

import (
	"log/slog"
	"net"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // Asia/Jakarta must resolve even in a container without zoneinfo
)

// Config is the whole configuration of one desk.
type Config struct {
	Desk     Desk         `toml:"desk"`
	IMAP     IMAP         `toml:"imap"`
	SMTP     SMTP         `toml:"smtp"`
	Ack      Ack          `toml:"ack"`
	Chain    []ChainLevel `toml:"chain"` // escalation order is array order; level 1 is Chain[0]
	Calendar Calendar     `toml:"calendar"`
	HTTP     HTTP         `toml:"http"`
	Log      Log          `toml:"log"`
	Records  Records      `toml:"records"`
	Report   Report       `toml:"report"`

	// Filled by Validate.
	loc      *time.Location
	week     [7][]Span // by time.Weekday
	holidays []time.Time

	envWarnings  []string
	fileWarnings []string
	warnings     []string
}

// Desk is who the desk is, what it promises and who works it.
type Desk struct {
	Name         string   `toml:"name"`          // Layanan Informasi dan Aduan Masyarakat
	Agency       string   `toml:"agency"`        // Dinas Perpustakaan dan Kearsipan Kabupaten Kampar
	Address      string   `toml:"address"`       // the desk mailbox, e.g. layanan@pustakaarsip.kamparkab.go.id
	DataDir      string   `toml:"data_dir"`      // raw mail archive and database
	Database     string   `toml:"database"`      // default <data_dir>/mailproc.db
	Timezone     string   `toml:"timezone"`      // IANA name, default Asia/Jakarta (WIB)
	ReopenWindow Duration `toml:"reopen_window"` // a reply to a closed case within this reopens it
	// ClosingDelay: the closing mail (rating question) leaves this long
	// after the answer that closed the case, so the citizen reads the
	// answer first; "0s" sends it at once. Default 10m.
	ClosingDelay  Duration `toml:"closing_delay"`
	InfoDue       Duration `toml:"info_due"`       // informasi: answer within (service minutes)
	ComplaintDue  Duration `toml:"complaint_due"`  // aduan: follow-up (tindak lanjut) within
	Language      string   `toml:"language"`       // template language: id or en
	TemplateDir   string   `toml:"template_dir"`   // optional: templates here override the built-in ones
	PostalAddress string   `toml:"postal_address"` // for templates
	Phone         string   `toml:"phone"`
	WhatsApp      string   `toml:"whatsapp"`
	Website       string   `toml:"website"`
	Channels      []string `toml:"channels"`    // other channels of the service standard, one line each
	Ops           []string `toml:"ops"`         // told about quarantined mail, delivery failures, forged replies
	AuthservID    string   `toml:"authserv_id"` // trust Authentication-Results only from this server
	// RequireAuth relays a staff or head reply only when the desk server's
	// Authentication-Results (authserv_id) show DKIM or SPF pass for it:
	// "true", "false", or "auto" (the default): on from the first incoming
	// mail the desk's server stamped with authserv_id (remembered in the
	// database).
	RequireAuthMode AuthMode `toml:"require_auth"`
	// RequireAuth, set in code (the forgery tests build a Config), forces
	// require_auth on whatever the file says. Not read from the file.
	RequireAuth bool `toml:"-"`
	// OpsNoticeInterval: at most one ops notice of each kind per interval;
	// the others wait for one digest mail.
	OpsNoticeInterval Duration `toml:"ops_notice_interval"`
	// NotifyAttachmentsMax is how many bytes of a citizen's attachments are
	// attached to the staff notification; larger ones are only listed.
	NotifyAttachmentsMax int64 `toml:"notify_attachments_max"`
	// ReminderPercent sends staff one reminder when this share of a case's
	// time has passed unanswered (e.g. 80), before any head is told. 0: off.
	ReminderPercent int `toml:"reminder_percent"`
	// Staff (petugas informasi dan aduan) receive every new case and answer
	// it. Not overridable from the environment.
	Staff          []Staff `toml:"staff" env:"-"`
	HMACSecret     Secret  `toml:"hmac_secret" secret:"true"` // signs per-case tokens in Message-IDs
	HMACSecretFile string  `toml:"hmac_secret_file"`
	// HMACPreviousSecrets are keys that signed tokens before the last
	// rotation of hmac_secret: they still verify, nothing new is signed
	// with them. Several are separated by newlines or commas (the file
	// holds one per line). Remove a key to refuse every token it signed.
	HMACPreviousSecrets     Secret `toml:"hmac_previous_secrets" secret:"true"`
	HMACPreviousSecretsFile string `toml:"hmac_previous_secrets_file"`
	// TokenMaxAge is how long after it was sent a notification, escalation,
	// confirmation or help mail can still be answered to act on a case.
	TokenMaxAge Duration `toml:"token_max_age"`
	// DailyDigest sends staff, when the desk opens on each working day, the
	// open cases, those past their deadline and those due today. Default
	// true.
	DailyDigest bool `toml:"daily_digest"`
	// NotifyDigestOver: when more than this many staff notifications were
	// queued in the last five minutes (a start-up backlog, a flood), the
	// next ones wait: staff get one digest listing the cases, then the
	// notifications themselves, after every other mail. 0: never. Default 10.
	NotifyDigestOver int `toml:"notify_digest_over"`
}

// PreviousSecrets lists desk.hmac_previous_secrets, one key each.
func (d Desk) PreviousSecrets() [][]byte {
	var out [][]byte
	for _, s := range splitList(d.HMACPreviousSecrets.Reveal()) {
		out = append(out, []byte(s))
	}
	return out
}

// Staff is one petugas informasi dan aduan.
type Staff struct {
	Name    string `toml:"name"`
	Address string `toml:"address"`
}

// IMAP is the desk mailbox as mailproc reads it.
type IMAP struct {
	Host             string   `toml:"host"`
	Port             int      `toml:"port"` // default 993 (tls) or 143
	TLS              TLSMode  `toml:"tls"`
	Insecure         bool     `toml:"insecure"`        // allow tls = "none" to a non-loopback host
	TLSSkipVerify    bool     `toml:"tls_skip_verify"` // accept any certificate
	Username         string   `toml:"username"`
	Password         Secret   `toml:"password" secret:"true"`
	PasswordFile     string   `toml:"password_file"`
	Auth             string   `toml:"auth"`          // password (default), xoauth2, oauthbearer
	TokenFile        string   `toml:"token_file"`    // OAuth access token, kept fresh by a helper
	TokenCommand     []string `toml:"token_command"` // or a helper printing the token
	Inbox            string   `toml:"inbox"`
	ProcessedFolder  string   `toml:"processed_folder"`
	QuarantineFolder string   `toml:"quarantine_folder"`
	SentFolder       string   `toml:"sent_folder"` // "" disables the Sent copy and watching it
	// SentCopy is which sent mails get a copy in SentFolder: "all" (the
	// default), "citizen" (tanda terima, answer, closing) or "none".
	SentCopy     string   `toml:"sent_copy"`
	PollInterval Duration `toml:"poll_interval"`
	IDLE         bool     `toml:"idle"`
	ReconnectMin Duration `toml:"reconnect_min"`
	ReconnectMax Duration `toml:"reconnect_max"`
	FetchBatch   int      `toml:"fetch_batch"`
	// MaxMessageSize: a larger mail (by the server's RFC822.SIZE) goes to
	// the quarantine folder without being downloaded.
	MaxMessageSize int64 `toml:"max_message_size"`
	// StartAt is read only on the first start (no bookmark for the inbox
	// yet): "" takes every mail already in the inbox, "now" only mail that
	// arrives from then on, "YYYY-MM-DD" only mail that arrived from that
	// day (desk time zone) on. Mail it passes over stays in the inbox.
	StartAt string `toml:"start_at"`
}

// StartAt reads imap.start_at: now for "now", else the day it names (zero
// for "", every mail).
func (c *Config) StartAt() (now bool, from time.Time) {
	if c.IMAP.StartAt == "now" {
		return true, time.Time{}
	}
	if c.IMAP.StartAt == "" {
		return false, time.Time{}
	}
	t, _ := time.ParseInLocation(time.DateOnly, c.IMAP.StartAt, c.Location())
	return false, t
}

// SMTP is how mailproc sends as the desk.
type SMTP struct {
	Host          string   `toml:"host"` // default imap.host
	Port          int      `toml:"port"` // default 465 (tls), 587 (starttls), 25 (none)
	TLS           TLSMode  `toml:"tls"`
	Insecure      bool     `toml:"insecure"`
	TLSSkipVerify bool     `toml:"tls_skip_verify"`
	Username      string   `toml:"username"` // default imap.username when the host is imap.host
	Password      Secret   `toml:"password" secret:"true"`
	PasswordFile  string   `toml:"password_file"`
	Auth          string   `toml:"auth"`          // plain, login, xoauth2, none; default plain with a username, else none
	TokenFile     string   `toml:"token_file"`    // for xoauth2
	TokenCommand  []string `toml:"token_command"` // for xoauth2
	HELO          string   `toml:"helo"`          // "" = this machine's host name
	RetryMin      Duration `toml:"retry_min"`
	RetryMax      Duration `toml:"retry_max"`
	GiveUpAfter   Duration `toml:"give_up_after"`
	// Connections is how many SMTP sessions send at once; each is kept
	// open for up to 100 mails.
	Connections int `toml:"connections"`
}

// Ack is the acknowledgement (tanda terima) sent for every new case.
type Ack struct {
	Enabled         bool `toml:"enabled"`
	PerSenderPerDay int  `toml:"per_sender_per_day"`
	// PerHour caps the acknowledgements of the whole desk per clock hour, so
	// a flood of forged senders cannot make the desk a mail cannon.
	PerHour int `toml:"per_hour"`
}

// ChainLevel is one head in the escalation chain: Kepala Seksi Pelayanan,
// Kepala Bagian Pelayanan, Kepala Dinas.
type ChainLevel struct {
	Title     string   `toml:"title"` // Kepala Seksi Pelayanan
	Name      string   `toml:"name"`  // the person, for the salutation; optional
	Addresses []string `toml:"addresses"`
	// After is the service time this level has before the next level is
	// told. Optional on the last level.
	After Duration `toml:"after"`
}

// Calendar is the service calendar the deadlines run on.
type Calendar struct {
	Mode string `toml:"mode"` // office or 24/7
	// Office hours per weekday: "07:30-16:00", several spans comma-separated
	// ("07:30-11:30, 13:30-16:30"), "" = closed.
	Monday      string   `toml:"monday"`
	Tuesday     string   `toml:"tuesday"`
	Wednesday   string   `toml:"wednesday"`
	Thursday    string   `toml:"thursday"`
	Friday      string   `toml:"friday"`
	Saturday    string   `toml:"saturday"`
	Sunday      string   `toml:"sunday"`
	Holidays    []string `toml:"holidays"`     // YYYY-MM-DD: libur nasional and cuti bersama
	HolidaysICS string   `toml:"holidays_ics"` // optional iCalendar file with more holidays
}

// HTTP is the health and metrics endpoint.
type HTTP struct {
	Listen       string `toml:"listen"` // "" disables
	Username     string `toml:"username"`
	Password     Secret `toml:"password" secret:"true"`
	PasswordFile string `toml:"password_file"`
	// StatusUsername and StatusPassword are a second, read-only login for
	// the status page only (the heads): it does not open /metrics.
	StatusUsername     string `toml:"status_username"`
	StatusPassword     Secret `toml:"status_password" secret:"true"`
	StatusPasswordFile string `toml:"status_password_file"`
}

// Records is how the desk keeps its legal record: the backup of the archive
// and the database, and the retention schedule (Jadwal Retensi Arsip).
// Report is when the month report reaches the heads by itself.
type Report struct {
	// SendAt is the time of day (HH.MM or HH:MM, desk time) on the first
	// working day of each month when the previous month's report is mailed
	// to every head of the chain; default 08.00. "" sends none (the report
	// is then only made by mailproc report).
	SendAt string `toml:"send_at"`
}

// ReportSendAt is report.send_at after midnight (valid after Validate).
func (c *Config) ReportSendAt() time.Duration {
	d, _ := clock(strings.ReplaceAll(c.Report.SendAt, ".", ":"))
	return d
}

type Records struct {
	// ArchiveMirror is a directory (another disk, or a mounted backup
	// volume) that receives a synced copy of every archived mail before its
	// database row commits, so a restored database never names a file the
	// backup lacks. "" disables it.
	ArchiveMirror string `toml:"archive_mirror"`
	// LitestreamConfig is the litestream.yml that replicates the database;
	// mailproc check asks Litestream for the newest replicated change.
	LitestreamConfig string `toml:"litestream_config"`
	// BackupMaxAge makes mailproc check fail when the newest backup is
	// older than this. 0: only report the age.
	BackupMaxAge Duration `toml:"backup_max_age"`
	// RetentionInformasi and RetentionAduan: how long after it closed a
	// case keeps its mail bodies, attachments and raw files. 0: for ever.
	RetentionInformasi Duration `toml:"retention_informasi"`
	RetentionAduan     Duration `toml:"retention_aduan"`
}

// Log says how much is logged and how.
type Log struct {
	Level  string `toml:"level"`  // debug, info, warn, error
	Format string `toml:"format"` // text or json
}

// DefaultConfig returns the defaults: the service standard's promises, the
// folder names, WIB office hours. Hosts, addresses, staff and the chain have
// no default.
func DefaultConfig() *Config {
	return &Config{
		Desk: Desk{
			Name:         "Layanan Informasi dan Aduan Masyarakat",
			DataDir:      "./data",
			Timezone:     "Asia/Jakarta",
			ReopenWindow: Duration(14 * 24 * time.Hour),
			ClosingDelay: Duration(10 * time.Minute),
			InfoDue:      Duration(5 * time.Minute),
			ComplaintDue: Duration(time.Hour),
			Language:     "id",
			// Most mail servers take 25 MB; base64 adds a third.
			NotifyAttachmentsMax: 10 << 20,
			TokenMaxAge:          Duration(90 * 24 * time.Hour),
			RequireAuthMode:      AuthAuto,
			OpsNoticeInterval:    Duration(15 * time.Minute),
			DailyDigest:          true,
			NotifyDigestOver:     10,
		},
		Report: Report{SendAt: "08.00"},
		IMAP: IMAP{
			TLS:              TLS,
			Inbox:            "INBOX",
			ProcessedFolder:  "Diproses",
			QuarantineFolder: "Karantina",
			SentFolder:       "Sent",
			SentCopy:         "all",
			PollInterval:     Duration(60 * time.Second),
			IDLE:             true,
			ReconnectMin:     Duration(time.Second),
			ReconnectMax:     Duration(5 * time.Minute),
			FetchBatch:       200,
			MaxMessageSize:   50 << 20,
		},
		SMTP: SMTP{
			TLS:         TLS,
			RetryMin:    Duration(30 * time.Second),
			RetryMax:    Duration(30 * time.Minute),
			GiveUpAfter: Duration(24 * time.Hour),
			Connections: 2,
		},
		Ack: Ack{Enabled: true, PerSenderPerDay: 5, PerHour: 30},
		Calendar: Calendar{
			Mode:      ModeOffice,
			Monday:    "07:30-16:00",
			Tuesday:   "07:30-16:00",
			Wednesday: "07:30-16:00",
			Thursday:  "07:30-16:00",
			Friday:    "07:30-16:30",
		},
		HTTP: HTTP{Listen: "127.0.0.1:8025"},
		Log:  Log{Level: "info", Format: "text"},
	}
}

// Location is the desk's time zone, loaded by Validate. Before a successful
// Validate it is loaded on demand, falling back to UTC+7 (WIB).
func (c *Config) Location() *time.Location {
	if c.loc != nil {
		return c.loc
	}
	if loc, err := time.LoadLocation(c.Desk.Timezone); err == nil && c.Desk.Timezone != "" {
		return loc
	}
	return time.FixedZone("WIB", 7*3600)
}

// OfficeHours returns the office hours of a weekday (nil: closed). In 24/7
// mode every day is one span 00:00-24:00. Valid after Validate.
func (c *Config) OfficeHours(wd time.Weekday) []Span {
	if c.Calendar.Mode == Mode247 {
		return []Span{{0, 24 * time.Hour}}
	}
	return c.week[wd]
}

// HolidayDates returns calendar.holidays as midnights in Location, in file
// order. Valid after Validate. (holidays_ics is read by the calendar.)
func (c *Config) HolidayDates() []time.Time {
	return append([]time.Time(nil), c.holidays...)
}

// IMAPAddr is imap.host:imap.port.
func (c *Config) IMAPAddr() string {
	return net.JoinHostPort(c.IMAP.Host, strconv.Itoa(c.IMAP.portOrDefault()))
}

// SMTPAddr is smtp.host:smtp.port.
func (c *Config) SMTPAddr() string {
	host := c.SMTP.Host
	if host == "" {
		host = c.IMAP.Host
	}
	return net.JoinHostPort(host, strconv.Itoa(c.SMTP.portOrDefault()))
}

// DatabasePath is desk.database, or <desk.data_dir>/mailproc.db.
func (c *Config) DatabasePath() string {
	if c.Desk.Database != "" {
		return c.Desk.Database
	}
	return filepath.Join(c.Desk.DataDir, "mailproc.db")
}

// LogLevel is log.level as a slog.Level (info when unknown).
func (c *Config) LogLevel() slog.Level {
	var l slog.Level
	if err := l.UnmarshalText([]byte(c.Log.Level)); err != nil {
		return slog.LevelInfo
	}
	return l
}

// Warnings are things Load and Validate accepted but an operator should
// know: certificate checks switched off, unknown MAILPROC_* variables, a
// password sent over plain HTTP. `mailproc check` prints them; run logs them.
func (c *Config) Warnings() []string {
	return slices.Concat(c.fileWarnings, c.envWarnings, c.warnings)
}

func (m IMAP) portOrDefault() int {
	if m.Port != 0 {
		return m.Port
	}
	if TLSMode(strings.ToLower(string(m.TLS))) == TLS || m.TLS == "" {
		return 993
	}
	return 143
}

func (s SMTP) portOrDefault() int {
	if s.Port != 0 {
		return s.Port
	}
	switch TLSMode(strings.ToLower(string(s.TLS))) {
	case StartTLS:
		return 587
	case NoTLS:
		return 25
	}
	return 465
}

// AuthMode returns desk.require_auth in effect: "true" when RequireAuth
// was set in code, else the file's value.
func (d Desk) AuthMode() AuthMode {
	if d.RequireAuth {
		return AuthOn
	}
	return d.RequireAuthMode
}

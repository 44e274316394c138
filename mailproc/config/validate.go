package config

import (
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/dpk-kampar/mailproc/mailproc"
)

// Validate fills the values derived from others (desk.database, imap.port,
// smtp.host/port/username/password/auth) and lower-cases the enumerations,
// then checks everything. It returns all problems at once (errors.Join of
// *FieldError), each naming its key as in the file. A Config built in code
// must pass Validate before use: it also loads the time zone, office hours
// and holidays.
func (c *Config) Validate() error {
	c.derive()
	v := &validator{}
	c.validateDesk(v)
	c.validateIMAP(v)
	c.validateSMTP(v)
	c.validateAck(v)
	c.validateChain(v)
	c.validateCalendar(v)
	c.validateHTTP(v)
	c.validateLog(v)
	c.validateRecords(v)
	if _, ok := clock(strings.ReplaceAll(c.Report.SendAt, ".", ":")); !ok && c.Report.SendAt != "" {
		v.add("report.send_at", "want HH.MM, e.g. 08.00 (got %q)", c.Report.SendAt)
	}
	c.warnings = v.warnings
	return errors.Join(v.errs...)
}

type validator struct {
	errs     []error
	warnings []string
}

func (v *validator) add(key, format string, args ...any) {
	v.errs = append(v.errs, &FieldError{Key: key, Err: fmt.Errorf(format, args...)})
}

func (v *validator) wrap(key string, err error) {
	v.errs = append(v.errs, &FieldError{Key: key, Err: err})
}

func (v *validator) required(key, val string) bool {
	if strings.TrimSpace(val) == "" {
		v.add(key, "required")
		return false
	}
	return true
}

// secret is required for a secret, naming the three ways to give it.
func (v *validator) secret(key, val string) bool {
	if val != "" {
		return true
	}
	env := "MAILPROC_" + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
	v.add(key, "required: give it as %s_file = \"${CREDENTIALS_DIRECTORY}/%s\" (a file holding only the secret), "+
		"as the environment variable %s, or as %s_FILE naming such a file", key, secretFileName(key), env, env)
	return false
}

// secretFileName is the one name of a secret's file everywhere (README,
// unit, Dockerfile, example): imap_password, smtp_password, hmac_secret.
func secretFileName(key string) string {
	return strings.ReplaceAll(strings.TrimPrefix(key, "desk."), ".", "_")
}

func (v *validator) oneOf(key, val string, allowed ...string) bool {
	for _, a := range allowed {
		if val == a {
			return true
		}
	}
	v.add(key, "must be one of %s (got %q)", strings.Join(allowed, ", "), val)
	return false
}

func (v *validator) positive(key string, d Duration) {
	if d <= 0 {
		v.add(key, "must be greater than 0")
	}
}

func (v *validator) port(key string, p int) {
	if p < 1 || p > 65535 {
		v.add(key, "must be between 1 and 65535 (got %d)", p)
	}
}

// address checks a list entry or single e-mail address.
func (v *validator) address(key, a string) {
	if !v.required(key, a) {
		return
	}
	if !IsAddress(a) {
		hint := ""
		if p, err := mail.ParseAddress(a); err == nil && p.Name != "" {
			hint = fmt.Sprintf("; put the name in the name key and only %q here", p.Address)
		} else if strings.TrimSpace(a) != a {
			hint = "; remove the spaces around it"
		}
		v.add(key, "not an e-mail address: got %q, want a bare address like \"petugas@dinas.go.id\"%s", a, hint)
	}
}

// IsAddress reports whether s is a bare e-mail address, local@domain,
// without display name or angle brackets.
func IsAddress(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Name == "" && a.Address == s && strings.Contains(s, "@")
}

func (c *Config) derive() {
	lower := func(s *string) { *s = strings.ToLower(strings.TrimSpace(*s)) }
	lower((*string)(&c.IMAP.TLS))
	lower((*string)(&c.SMTP.TLS))
	lower(&c.SMTP.Auth)
	lower(&c.IMAP.Auth)
	lower(&c.Calendar.Mode)
	lower(&c.Log.Level)
	lower(&c.Log.Format)
	lower(&c.Desk.Language)

	if c.Desk.Database == "" && c.Desk.DataDir != "" {
		c.Desk.Database = filepath.Join(c.Desk.DataDir, "mailproc.db")
	}
	if c.IMAP.TLS == "" {
		c.IMAP.TLS = TLS
	}
	if c.SMTP.TLS == "" {
		c.SMTP.TLS = TLS
	}
	c.IMAP.Port = c.IMAP.portOrDefault()
	if c.SMTP.Host == "" {
		c.SMTP.Host = c.IMAP.Host
	}
	if c.IMAP.Auth == "" {
		c.IMAP.Auth = AuthPassword
	}
	smtpToken := c.SMTP.TokenFile != "" || len(c.SMTP.TokenCommand) > 0
	// The desk sends as the desk: on the same server, the same account,
	// with the same token when IMAP logs in with one.
	if c.SMTP.Auth != AuthNone && c.SMTP.Username == "" && c.SMTP.Password == "" &&
		c.SMTP.Host != "" && strings.EqualFold(c.SMTP.Host, c.IMAP.Host) {
		c.SMTP.Username = c.IMAP.Username
		if IsOAuth(c.IMAP.Auth) && (c.SMTP.Auth == "" || c.SMTP.Auth == AuthXOAUTH2) && !smtpToken {
			c.SMTP.Auth = AuthXOAUTH2
			c.SMTP.TokenFile, c.SMTP.TokenCommand = c.IMAP.TokenFile, c.IMAP.TokenCommand
		} else {
			c.SMTP.Password = c.IMAP.Password
		}
	}
	if c.SMTP.Auth == "" {
		c.SMTP.Auth = AuthNone
		switch {
		case smtpToken:
			c.SMTP.Auth = AuthXOAUTH2
		case c.SMTP.Username != "":
			c.SMTP.Auth = AuthPlain
		}
	}
	c.SMTP.Port = c.SMTP.portOrDefault()
}

func (c *Config) validateDesk(v *validator) {
	d := &c.Desk
	v.required("desk.name", d.Name)
	v.required("desk.agency", d.Agency)
	v.address("desk.address", d.Address)
	v.required("desk.data_dir", d.DataDir)
	switch d.AuthMode() {
	case AuthOn:
		if d.AuthservID == "" {
			v.add("desk.require_auth", "needs desk.authserv_id: the name of the desk's own server in its Authentication-Results headers")
		}
	case AuthOff, AuthAuto:
	default:
		v.add("desk.require_auth", "must be true, false or \"auto\" (got %q)", string(d.RequireAuthMode))
	}
	v.positive("desk.ops_notice_interval", d.OpsNoticeInterval)
	if d.ReminderPercent < 0 || d.ReminderPercent > 99 {
		v.add("desk.reminder_percent", "must be between 0 (off) and 99 (got %d)", d.ReminderPercent)
	}
	if d.NotifyDigestOver < 0 {
		v.add("desk.notify_digest_over", "must be 0 (never) or more (got %d)", d.NotifyDigestOver)
	}
	if d.NotifyAttachmentsMax < 0 {
		v.add("desk.notify_attachments_max", "must not be negative")
	}
	if d.DataDir != "" {
		v.required("desk.database", d.Database)
	}

	c.loc = nil
	if v.required("desk.timezone", d.Timezone) {
		loc, err := time.LoadLocation(d.Timezone)
		if err != nil {
			v.add("desk.timezone", "unknown time zone %q", d.Timezone)
		} else {
			c.loc = loc
		}
	}
	v.positive("desk.reopen_window", d.ReopenWindow)
	if d.ClosingDelay < 0 || (d.ReopenWindow > 0 && d.ClosingDelay >= d.ReopenWindow) {
		v.add("desk.closing_delay", "must be from 0s up to less than desk.reopen_window, e.g. \"10m\" (got \"%s\")", d.ClosingDelay)
	}
	v.positive("desk.info_due", d.InfoDue)
	v.positive("desk.complaint_due", d.ComplaintDue)
	v.oneOf("desk.language", d.Language, "id", "en")
	if d.TemplateDir != "" {
		if fi, err := os.Stat(d.TemplateDir); err != nil {
			v.wrap("desk.template_dir", err)
		} else if !fi.IsDir() {
			v.add("desk.template_dir", "%s is not a directory", d.TemplateDir)
		}
	}
	if d.Website != "" {
		u, err := url.Parse(d.Website)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			v.add("desk.website", "want an http:// or https:// URL (got %q)", d.Website)
		}
	}
	for i, ch := range d.Channels {
		v.required(fmt.Sprintf("desk.channels[%d]", i+1), ch)
	}
	if len(d.Ops) == 0 {
		v.add("desk.ops", "at least one address required")
	}
	for i, a := range d.Ops {
		key := fmt.Sprintf("desk.ops[%d]", i+1)
		v.address(key, a)
		c.notDesk(v, key, a)
	}
	if len(d.Staff) == 0 {
		v.add("desk.staff", "at least one required")
	}
	for i, s := range d.Staff {
		key := fmt.Sprintf("desk.staff[%d]", i+1)
		v.required(key+".name", s.Name)
		v.address(key+".address", s.Address)
		c.notDesk(v, key+".address", s.Address)
	}
	if v.secret("desk.hmac_secret", string(d.HMACSecret)) && len(d.HMACSecret) < 32 {
		v.add("desk.hmac_secret", "too short: want at least 32 characters (generate one with: openssl rand -hex 32)")
	}
	for i, k := range d.PreviousSecrets() {
		if len(k) < 32 {
			v.add(fmt.Sprintf("desk.hmac_previous_secrets[%d]", i+1), "too short: want at least 32 characters")
		}
	}
	v.positive("desk.token_max_age", d.TokenMaxAge)
}

// notDesk reports a person's address that is the desk mailbox itself: mail
// to it would come straight back in.
func (c *Config) notDesk(v *validator, key, addr string) {
	if addr != "" && strings.EqualFold(addr, c.Desk.Address) {
		v.add(key, "is desk.address itself; mail to it would loop back into the desk")
	}
}

// validateTLS checks one server's tls, insecure and host settings.
func validateTLS(v *validator, section, host string, mode TLSMode, insecure, skipVerify, sendsPassword bool) {
	if !v.oneOf(section+".tls", string(mode), string(TLS), string(StartTLS), string(NoTLS)) {
		return
	}
	if mode == NoTLS && host != "" && !mailproc.IsLoopback(host) {
		switch {
		case sendsPassword && !insecure:
			v.add(section+".tls", "%q sends the password in clear text to non-loopback host %s; set %s.insecure = true to allow it",
				NoTLS, host, section)
		case !sendsPassword:
			v.warnings = append(v.warnings, fmt.Sprintf("%s.tls: \"none\": mail to %s travels unencrypted", section, host))
		}
	}
	if skipVerify && mode != NoTLS {
		v.warnings = append(v.warnings, fmt.Sprintf("%s.tls_skip_verify: the certificate of %s is not checked; anyone on the path can read the password", section, host))
	}
}

// usualPorts says which port goes with which tls, per protocol.
var usualPorts = map[string]map[TLSMode][]int{
	"imap": {TLS: {993}, StartTLS: {143}, NoTLS: {143}},
	"smtp": {TLS: {465}, StartTLS: {587, 25}, NoTLS: {25, 587}},
}

// portHint warns of a port that usually speaks the other tls mode: the
// connection error it gives ("first record does not look like a TLS
// handshake") names neither key.
func portHint(v *validator, section string, mode TLSMode, port int) {
	usual := usualPorts[section]
	if _, known := usual[mode]; !known || slices.Contains(usual[mode], port) {
		return
	}
	for other, ports := range usual {
		if other != mode && other != NoTLS && slices.Contains(ports, port) {
			v.warnings = append(v.warnings, fmt.Sprintf(
				"%s.tls = %q with %s.port = %d: port %d usually speaks tls = %q; tls = %q usually goes with port %d",
				section, mode, section, port, port, other, mode, usual[mode][0]))
			return
		}
	}
}

func (c *Config) validateIMAP(v *validator) {
	m := &c.IMAP
	v.required("imap.host", m.Host)
	v.port("imap.port", m.Port)
	portHint(v, "imap", m.TLS, m.Port)
	validateTLS(v, "imap", m.Host, m.TLS, m.Insecure, m.TLSSkipVerify, true)
	v.required("imap.username", m.Username)
	if v.oneOf("imap.auth", m.Auth, AuthPassword, AuthXOAUTH2, AuthOAuthBearer) {
		if IsOAuth(m.Auth) {
			validateTokenSource(v, "imap", m.Auth, m.TokenFile, m.TokenCommand)
			if m.Password != "" {
				v.warnings = append(v.warnings, fmt.Sprintf("imap.password: not used with imap.auth = %q", m.Auth))
			}
		} else {
			v.secret("imap.password", string(m.Password))
			noTokenSource(v, "imap", m.Auth, `"xoauth2" or "oauthbearer"`, m.TokenFile, m.TokenCommand)
		}
	}
	v.oneOf("imap.sent_copy", m.SentCopy, "all", "citizen", "none")
	folders := []struct{ key, name string }{
		{"imap.inbox", m.Inbox},
		{"imap.processed_folder", m.ProcessedFolder},
		{"imap.quarantine_folder", m.QuarantineFolder},
		{"imap.sent_folder", m.SentFolder},
	}
	for i, f := range folders {
		if f.key != "imap.sent_folder" {
			v.required(f.key, f.name)
		}
		if f.name == "" {
			continue
		}
		for _, g := range folders[:i] {
			if strings.EqualFold(f.name, g.name) {
				v.add(f.key, "must differ from %s (both %q)", g.key, f.name)
				break
			}
		}
	}
	v.positive("imap.poll_interval", m.PollInterval)
	v.positive("imap.reconnect_min", m.ReconnectMin)
	v.positive("imap.reconnect_max", m.ReconnectMax)
	if m.ReconnectMin > 0 && m.ReconnectMax > 0 && m.ReconnectMax < m.ReconnectMin {
		v.add("imap.reconnect_max", "must not be less than imap.reconnect_min (%s)", m.ReconnectMin)
	}
	if m.FetchBatch < 1 {
		v.add("imap.fetch_batch", "must be at least 1 (got %d)", m.FetchBatch)
	}
	m.StartAt = strings.ToLower(strings.TrimSpace(m.StartAt))
	if m.StartAt != "" && m.StartAt != "now" {
		if _, err := time.Parse(time.DateOnly, m.StartAt); err != nil {
			v.add("imap.start_at", `want "now" or a date like "2026-12-01" (got %q)`, m.StartAt)
		}
	}
	if m.MaxMessageSize < 64<<10 {
		v.add("imap.max_message_size", "must be at least 65536 (64 KB) (got %d)", m.MaxMessageSize)
	}
}

// validateTokenSource checks the token_file and token_command of a section
// whose auth uses an OAuth access token: exactly one of them is needed.
func validateTokenSource(v *validator, section, auth, file string, command []string) {
	switch {
	case file == "" && len(command) == 0:
		v.add(section+".token_command", "%s.token_file or %s.token_command is required when %s.auth is %q",
			section, section, section, auth)
	case file != "" && len(command) > 0:
		v.add(section+".token_command", "set %s.token_file or %s.token_command, not both", section, section)
	case len(command) > 0 && strings.TrimSpace(command[0]) == "":
		v.add(section+".token_command", "the first element must be the program to run")
	}
}

// noTokenSource reports a token_file or token_command that auth would
// silently ignore.
func noTokenSource(v *validator, section, auth, oauthAuths, file string, command []string) {
	if file != "" {
		v.add(section+".token_file", "only used with %s.auth = %s (%s.auth is %q)", section, oauthAuths, section, auth)
	}
	if len(command) > 0 {
		v.add(section+".token_command", "only used with %s.auth = %s (%s.auth is %q)", section, oauthAuths, section, auth)
	}
}

// smtpLoginFromIMAP reports whether the SMTP login is the IMAP one (copied
// by derive), whose problems validateIMAP reports.
func (c *Config) smtpLoginFromIMAP() bool {
	if !strings.EqualFold(c.SMTP.Host, c.IMAP.Host) || c.SMTP.Username != c.IMAP.Username {
		return false
	}
	if c.SMTP.Auth == AuthXOAUTH2 {
		return IsOAuth(c.IMAP.Auth) && c.SMTP.TokenFile == c.IMAP.TokenFile &&
			slices.Equal(c.SMTP.TokenCommand, c.IMAP.TokenCommand)
	}
	return c.IMAP.Auth == AuthPassword && c.SMTP.Password == c.IMAP.Password
}

func (c *Config) validateSMTP(v *validator) {
	s := &c.SMTP
	// smtp.host defaults to imap.host, whose absence is reported there.
	v.port("smtp.port", s.Port)
	// A login copied from [imap] is reported there.
	if v.oneOf("smtp.auth", s.Auth, AuthPlain, AuthLogin, AuthXOAUTH2, AuthNone) {
		if s.Auth != AuthXOAUTH2 {
			noTokenSource(v, "smtp", s.Auth, `"xoauth2"`, s.TokenFile, s.TokenCommand)
		}
		if s.Auth != AuthNone && !c.smtpLoginFromIMAP() {
			if s.Username == "" {
				v.add("smtp.username", "required when smtp.auth is %q", s.Auth)
			}
			if s.Auth == AuthXOAUTH2 {
				validateTokenSource(v, "smtp", s.Auth, s.TokenFile, s.TokenCommand)
			} else if s.Password == "" {
				v.add("smtp.password", "required when smtp.auth is %q", s.Auth)
			}
		}
	}
	validateTLS(v, "smtp", s.Host, s.TLS, s.Insecure, s.TLSSkipVerify, s.Auth != AuthNone)
	portHint(v, "smtp", s.TLS, s.Port)
	v.positive("smtp.retry_min", s.RetryMin)
	v.positive("smtp.retry_max", s.RetryMax)
	if s.RetryMin > 0 && s.RetryMax > 0 && s.RetryMax < s.RetryMin {
		v.add("smtp.retry_max", "must not be less than smtp.retry_min (%s)", s.RetryMin)
	}
	v.positive("smtp.give_up_after", s.GiveUpAfter)
	if s.Connections < 1 || s.Connections > 16 {
		v.add("smtp.connections", "must be between 1 and 16 (got %d)", s.Connections)
	}
}

func (c *Config) validateAck(v *validator) {
	if c.Ack.Enabled && c.Ack.PerHour < 1 {
		v.add("ack.per_hour", "must be at least 1 (got %d); to send none, set ack.enabled = false", c.Ack.PerHour)
	}
	if c.Ack.Enabled && c.Ack.PerSenderPerDay < 1 {
		v.add("ack.per_sender_per_day", "must be at least 1 (got %d); to send none, set ack.enabled = false", c.Ack.PerSenderPerDay)
	}
}

func (c *Config) validateChain(v *validator) {
	if len(c.Chain) == 0 {
		v.add("chain", "at least one level required ([[chain]] with title, addresses, after)")
	}
	for i, l := range c.Chain {
		key := fmt.Sprintf("chain[%d]", i+1)
		v.required(key+".title", l.Title)
		if len(l.Addresses) == 0 {
			v.add(key+".addresses", "required")
		}
		for j, a := range l.Addresses {
			k := fmt.Sprintf("%s.addresses[%d]", key, j+1)
			v.address(k, a)
			c.notDesk(v, k, a)
		}
		last := i == len(c.Chain)-1
		if !last || l.After != 0 {
			v.positive(key+".after", l.After)
		}
	}
	c.warnRepeatedHeads(v)
}

// warnRepeatedHeads warns about an address listed on more than one level of
// the chain, or twice on one. Every level's mail has the earlier levels in
// Cc, so a repeat tells its owner nothing new; a level whose addresses are
// all repeats tells nobody new at all, and a case escalated to it waits for
// nobody. Not an error: the desk still works, only not as written.
func (c *Config) warnRepeatedHeads(v *validator) {
	first := map[string]int{} // lower-case address → the index of the level it is first on
	for i, l := range c.Chain {
		key := fmt.Sprintf("chain[%d]", i+1)
		var repeats []string
		for j, a := range l.Addresses {
			k := fmt.Sprintf("%s.addresses[%d]", key, j+1)
			at, seen := first[strings.ToLower(a)]
			switch {
			case !seen:
				first[strings.ToLower(a)] = i
			case at == i:
				repeats = append(repeats, fmt.Sprintf("%s: %s is listed twice on this level", k, a))
			default:
				repeats = append(repeats, fmt.Sprintf("%s: %s is already on chain[%d] (%s), in Cc of every later escalation",
					k, a, at+1, c.Chain[at].Title))
			}
		}
		if len(repeats) > 0 && len(repeats) == len(l.Addresses) {
			v.warnings = append(v.warnings, fmt.Sprintf(
				"chain[%d] (%s): every address is on an earlier level; escalating to this level tells nobody new", i+1, l.Title))
			continue
		}
		v.warnings = append(v.warnings, repeats...)
	}
}

func (c *Config) validateCalendar(v *validator) {
	cal := &c.Calendar
	v.oneOf("calendar.mode", cal.Mode, ModeOffice, Mode247)
	days := [7]struct {
		key, val string
	}{
		{"calendar.sunday", cal.Sunday},
		{"calendar.monday", cal.Monday},
		{"calendar.tuesday", cal.Tuesday},
		{"calendar.wednesday", cal.Wednesday},
		{"calendar.thursday", cal.Thursday},
		{"calendar.friday", cal.Friday},
		{"calendar.saturday", cal.Saturday},
	}
	open := false
	for wd, d := range days {
		spans, err := ParseHours(d.val)
		if err != nil {
			v.wrap(d.key, err)
		}
		c.week[wd] = spans
		open = open || len(spans) > 0
	}
	if cal.Mode == ModeOffice && !open {
		v.add("calendar", "office mode needs opening hours on at least one day (or mode = \"24/7\")")
	}
	c.holidays = nil
	for i, h := range cal.Holidays {
		t, err := time.ParseInLocation("2006-01-02", strings.TrimSpace(h), c.Location())
		if err != nil {
			v.add(fmt.Sprintf("calendar.holidays[%d]", i+1), "want YYYY-MM-DD (got %q)", h)
			continue
		}
		c.holidays = append(c.holidays, t)
	}
	if cal.HolidaysICS != "" {
		if _, err := os.Stat(cal.HolidaysICS); err != nil {
			v.wrap("calendar.holidays_ics", err)
		}
	}
}

// errHours is the message for office hours that cannot be read.
var errHours = errors.New("want HH:MM-HH:MM")

// ParseHours reads one day's office hours: "" (closed), "07:30-16:00", or
// several spans separated by commas, in order and not overlapping
// ("07:30-11:30, 13:30-16:30"). "24:00" may end a span.
func ParseHours(s string) ([]Span, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var spans []Span
	bad := fmt.Errorf(`%w: got %q, like "07:30-16:00" or "07.30-16.00" (several: "07:30-11:30, 13:30-16:30")`, errHours, s)
	for _, part := range strings.Split(s, ",") {
		from, to, ok := strings.Cut(strings.TrimSpace(part), "-")
		if !ok {
			return nil, bad
		}
		a, okA := clock(from)
		b, okB := clock(to)
		if !okA || !okB || a >= 24*time.Hour {
			return nil, bad
		}
		if b <= a {
			return nil, fmt.Errorf("%s: closes before it opens", strings.TrimSpace(part))
		}
		if n := len(spans); n > 0 && a < spans[n-1].End {
			return nil, fmt.Errorf("%s: overlaps or precedes %s", strings.TrimSpace(part), spans[n-1])
		}
		spans = append(spans, Span{Start: a, End: b})
	}
	return spans, nil
}

// clock reads "HH:MM" (00:00-24:00), or "HH.MM" as Indonesian writes it.
func clock(s string) (time.Duration, bool) {
	s = strings.TrimSpace(s)
	if len(s) != 5 || (s[2] != ':' && s[2] != '.') {
		return 0, false
	}
	h, err1 := strconv.Atoi(s[:2])
	m, err2 := strconv.Atoi(s[3:])
	if err1 != nil || err2 != nil || h < 0 || m < 0 || m > 59 || h > 24 || (h == 24 && m != 0) {
		return 0, false
	}
	return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute, true
}

func (c *Config) validateHTTP(v *validator) {
	h := &c.HTTP
	if h.Listen == "" {
		return
	}
	host, port, err := net.SplitHostPort(h.Listen)
	if n, perr := strconv.Atoi(port); err != nil || perr != nil || n < 0 || n > 65535 {
		v.add("http.listen", "want host:port, e.g. 127.0.0.1:8025 (got %q)", h.Listen)
		return
	}
	if (h.Username == "") != (h.Password == "") {
		if h.Username == "" {
			v.add("http.username", "required when http.password is set")
		} else {
			v.add("http.password", "required when http.username is set")
		}
	}
	if (h.StatusUsername == "") != (h.StatusPassword == "") {
		v.add("http.status_password", "http.status_username and http.status_password go together: set both or neither")
	} else if h.StatusUsername != "" {
		if h.Username == "" {
			v.add("http.status_username", "a read-only status login needs the full login (http.username, http.password) too; without it the status page needs no login at all")
		} else if h.StatusUsername == h.Username {
			v.add("http.status_username", "must differ from http.username (both %q)", h.Username)
		}
	}
	if !mailproc.IsLoopback(host) {
		if h.Username == "" && h.Password == "" {
			v.add("http.password", "required with http.username when http.listen is not loopback (%q)", h.Listen)
		}
		v.warnings = append(v.warnings, fmt.Sprintf("http.listen: %s is reachable from the network over plain HTTP; put a TLS reverse proxy in front", h.Listen))
	}
}

func (c *Config) validateRecords(v *validator) {
	r := &c.Records
	for _, d := range []struct {
		key string
		val Duration
	}{{"records.retention_informasi", r.RetentionInformasi}, {"records.retention_aduan", r.RetentionAduan},
		{"records.backup_max_age", r.BackupMaxAge}} {
		if d.val < 0 {
			v.add(d.key, "must not be negative (0 turns it off)")
		}
	}
	if r.ArchiveMirror != "" && c.Desk.DataDir != "" {
		mirror, _ := filepath.Abs(r.ArchiveMirror)
		data, _ := filepath.Abs(c.Desk.DataDir)
		if mirror == data || strings.HasPrefix(mirror, data+string(filepath.Separator)) {
			v.add("records.archive_mirror", "must be outside desk.data_dir: losing the data dir must not lose the copy")
		}
	}
}

// RetentionFor is records.retention_<kind>: how long after closing a case
// keeps its mail; 0 for ever.
func (c *Config) RetentionFor(kind string) time.Duration {
	switch kind {
	case "informasi":
		return c.Records.RetentionInformasi.D()
	case "aduan":
		return c.Records.RetentionAduan.D()
	}
	return 0
}

func (c *Config) validateLog(v *validator) {
	v.oneOf("log.level", c.Log.Level, "debug", "info", "warn", "error")
	v.oneOf("log.format", c.Log.Format, "text", "json")
}

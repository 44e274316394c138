package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/dpk-kampar/mailproc/mailproc"
	"github.com/dpk-kampar/mailproc/mailproc/config"
	"github.com/dpk-kampar/mailproc/mailproc/imap"
	"github.com/dpk-kampar/mailproc/mailproc/smtp"
	"github.com/dpk-kampar/mailproc/mailproc/sqlite"
	"github.com/dpk-kampar/mailproc/mailproc/template"
)

// runCheck is `mailproc check`: it prints one line per problem and exits 1
// if there is any, so an operator can run it before starting the daemon.
func runCheck(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("mailproc check", flag.ContinueOnError)
	cfgPath := fs.String("config", "mailproc.toml", "config file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var problems []string
	ok := func(format string, a ...any) { fmt.Fprintf(stdout, "ok      "+format+"\n", a...) }
	bad := func(format string, a ...any) {
		line := fmt.Sprintf(format, a...)
		problems = append(problems, line)
		fmt.Fprintln(stdout, "MASALAH "+line)
	}

	firstStart := false // no bookmark for the inbox: the first start takes what waits there
	cfg, err := config.Load(*cfgPath)
	if err != nil {
		for _, e := range splitErrors(err) {
			bad("config: %s", e)
		}
		return &exitError{1}
	}
	ok("config %s", *cfgPath)
	for _, w := range cfg.Warnings() {
		fmt.Fprintln(stdout, "warning "+w)
	}

	if err := checkDataDir(cfg.Desk.DataDir); err != nil {
		bad("desk.data_dir: %v", err)
	} else {
		ok("data dir %s is writable", cfg.Desk.DataDir)
		if db, err := sqlite.Open(cfg.DatabasePath()); err != nil {
			bad("desk.database: %v", err)
		} else {
			ok("database %s (schema version %d)", cfg.DatabasePath(), sqlite.SchemaVersion())
			if st, err := db.MailboxState(ctx, cfg.IMAP.Inbox); err == nil {
				firstStart = st.UIDValidity == 0
			}
			if line, err := requireAuthLine(ctx, cfg, db); err != nil {
				bad("desk.require_auth: %v", err)
			} else {
				ok("%s", line)
			}
			db.Close()
		}
	}
	checkBackup(ctx, cfg, time.Now(), ok, bad)

	if set, err := template.Load(cfg.Desk.TemplateDir, slog.New(slog.DiscardHandler)); err != nil {
		for _, e := range splitErrors(err) {
			bad("templates: %s", e)
		}
	} else if errs := set.Check(); len(errs) > 0 {
		for _, e := range errs {
			bad("templates: %v", e)
		}
	} else {
		ok("templates (%d)", len(template.Names()))
	}

	if clock, err := serviceClock(cfg); err != nil {
		bad("%v", err)
	} else {
		ok("service calendar (%s, %s); a complaint arriving now is due %s", cfg.Calendar.Mode, cfg.Desk.Timezone,
			mailproc.FormatWaktu(clock.Due(mailproc.KindAduan, time.Now()), cfg.Location()))
	}

	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	caps, imapProblems, imapNotes, err := imap.CheckLogin(ctx, imapConfig(cfg), cfg.IMAP.SentFolder)
	if err != nil {
		bad("imap %s: %v", cfg.IMAPAddr(), err)
	} else {
		ok("imap login %s@%s (%s)", cfg.IMAP.Username, cfg.IMAPAddr(), strings.Join(caps, " "))
		for _, p := range imapProblems {
			bad("imap: %s", p)
		}
		for _, n := range imapNotes {
			fmt.Fprintln(stdout, "catatan imap: "+n)
		}
		if line := stampLine(ctx, cfg); line != "" {
			fmt.Fprintln(stdout, "catatan imap: "+line)
		}
		if firstStart {
			if line := waitingLine(ctx, cfg, time.Now()); line != "" {
				fmt.Fprintln(stdout, line)
			}
		}
	}
	if err := smtp.CheckLogin(ctx, smtpConfig(cfg)); err != nil {
		bad("smtp %s: %v", cfg.SMTPAddr(), err)
	} else {
		ok("smtp %s (%s)", cfg.SMTPAddr(), cfg.SMTP.TLS)
		accepted, refused, deferred := probeRecipients(ctx, cfg)
		for _, p := range refused {
			bad("%s", p)
		}
		for _, d := range deferred {
			fmt.Fprintln(stdout, "warning "+d)
		}
		if accepted != "" {
			ok("%s", accepted)
		}
	}
	if len(problems) > 0 {
		fmt.Fprintf(stdout, "%d masalah\n", len(problems))
		return &exitError{1}
	}
	fmt.Fprintln(stdout, "semua baik")
	return nil
}

// recipient is an address the desk sends its own mail to (notifications,
// escalations, ops notices), with every config key that lists it.
type recipient struct {
	addr string
	keys []string // desk.staff[1].address, chain[3].addresses[1], …
	whos []string // Rina Marlina, Kepala Dinas, ops
}

func (r *recipient) String() string {
	return fmt.Sprintf("%s %s (%s)", strings.Join(r.keys, ", "), r.addr, strings.Join(r.whos, ", "))
}

// deskRecipients lists staff, ops and the heads of the chain, each address
// once (compared case-insensitively), in config order.
func deskRecipients(cfg *config.Config) []*recipient {
	var out []*recipient
	byAddr := map[string]*recipient{}
	add := func(addr, key, who string) {
		r := byAddr[strings.ToLower(addr)]
		if r == nil {
			r = &recipient{addr: addr}
			byAddr[strings.ToLower(addr)] = r
			out = append(out, r)
		}
		r.keys = append(r.keys, key)
		if !slices.Contains(r.whos, who) {
			r.whos = append(r.whos, who)
		}
	}
	for i, s := range cfg.Desk.Staff {
		add(s.Address, fmt.Sprintf("desk.staff[%d].address", i+1), s.Name)
	}
	for i, a := range cfg.Desk.Ops {
		add(a, fmt.Sprintf("desk.ops[%d]", i+1), "ops")
	}
	for i, l := range cfg.Chain {
		for j, a := range l.Addresses {
			add(a, fmt.Sprintf("chain[%d].addresses[%d]", i+1, j+1), l.Title)
		}
	}
	return out
}

// probeRecipients asks the SMTP server, as the desk, to take mail for every
// address of staff, ops and the chain, and sends nothing (RCPT TO, then
// RSET): a head's mistyped address is refused now, with the server's
// reply, rather than when the first case escalates to nobody. It returns
// the ok line when every address was taken, a problem per address refused
// for good (5xx) or for the whole probe failing, and a warning per address
// refused for now (4xx).
func probeRecipients(ctx context.Context, cfg *config.Config) (accepted string, refused, deferred []string) {
	rcpts := deskRecipients(cfg)
	addrs := make([]string, len(rcpts))
	byAddr := make(map[string]*recipient, len(rcpts))
	for i, r := range rcpts {
		addrs[i] = r.addr
		byAddr[strings.ToLower(r.addr)] = r
	}
	refusals, err := smtp.CheckRecipients(ctx, smtpConfig(cfg), cfg.Desk.Address, addrs)
	if err != nil {
		return "", []string{fmt.Sprintf("smtp %s: recipients of staff, ops and chain: %v", cfg.SMTPAddr(), err)}, nil
	}
	for _, f := range refusals {
		r := byAddr[strings.ToLower(f.Addr)]
		if f.Reply.Permanent() {
			refused = append(refused, fmt.Sprintf("%s: smtp %s refuses it: %v", r, cfg.SMTPAddr(), f.Reply))
		} else {
			deferred = append(deferred, fmt.Sprintf("%s: smtp %s defers it (try check again later): %v", r, cfg.SMTPAddr(), f.Reply))
		}
	}
	if len(refusals) == 0 {
		accepted = fmt.Sprintf("smtp %s accepts mail from %s to all %d addresses of staff, ops and chain (RCPT TO only, nothing sent)",
			cfg.SMTPAddr(), cfg.Desk.Address, len(rcpts))
	}
	return accepted, refused, deferred
}

// checkDataDir makes sure the data dir exists and a file can be written,
// synced and removed in it.
func checkDataDir(dir string) error {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".check-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.WriteString("mailproc check\n"); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// splitErrors unpacks an errors.Join into its lines.
func splitErrors(err error) []string {
	var j interface{ Unwrap() []error }
	if errors.As(err, &j) {
		var out []string
		for _, e := range j.Unwrap() {
			out = append(out, splitErrors(e)...)
		}
		return out
	}
	return strings.Split(err.Error(), "\n")
}

// requireAuthLine says whether desk.require_auth is on, and for "auto"
// whether (and since when, from which mail) it learnt the server stamps.
func requireAuthLine(ctx context.Context, cfg *config.Config, db *sqlite.DB) (string, error) {
	id := cfg.Desk.AuthservID
	switch cfg.Desk.AuthMode() {
	case config.AuthOn:
		return "desk.require_auth = true: staff and head replies must pass the Authentication-Results of " + id, nil
	case config.AuthOff:
		return "desk.require_auth = false: staff and head replies are checked by their token only", nil
	}
	if id == "" {
		return "desk.require_auth = auto, OFF: desk.authserv_id is not set", nil
	}
	value, at, seen, err := db.DeskState(ctx, mailproc.DeskStateAuthStamp)
	if err != nil {
		return "", err
	}
	if !seen {
		return "desk.require_auth = auto, OFF until a staff or head reply with a valid token carries Authentication-Results from " + id, nil
	}
	return "desk.require_auth = auto, ON since " + mailproc.FormatWaktu(at, cfg.Location()) + " (first stamped staff mail " + value + ")", nil
}

// stampLine tells whether the newest mails in the processed folder carry
// the desk server's Authentication-Results: does the server stamp them?
func stampLine(ctx context.Context, cfg *config.Config) string {
	const newest = 20
	looked, byID, err := imap.AuthStamps(ctx, imapConfig(cfg), cfg.IMAP.ProcessedFolder, newest)
	if err != nil || looked == 0 {
		return ""
	}
	var others []string
	for id, n := range byID {
		if id != "" && !strings.EqualFold(id, cfg.Desk.AuthservID) {
			others = append(others, fmt.Sprintf("%s (%d)", id, n))
		}
	}
	slices.Sort(others)
	line := fmt.Sprintf("of the newest %d mails in %s, %d carry Authentication-Results from desk.authserv_id %q, %d none",
		looked, cfg.IMAP.ProcessedFolder, byID[strings.ToLower(cfg.Desk.AuthservID)], cfg.Desk.AuthservID, byID[""])
	if len(others) > 0 {
		line += "; topmost from other servers: " + strings.Join(others, ", ")
	}
	return line
}

// waitingLine warns of the first-day mistake: on the first start (no
// bookmark yet) every mail already waiting in the inbox becomes a case, is
// acknowledged and, if old, escalates at once. It says how many wait, how
// old the oldest is, and what imap.start_at does about them; "" when the
// inbox is empty or cannot be read (the login line already said why).
func waitingLine(ctx context.Context, cfg *config.Config, now time.Time) string {
	startNow, since := cfg.StartAt()
	n, fromSince, oldest, err := imap.InboxWaiting(ctx, imapConfig(cfg), since)
	if err != nil || n == 0 {
		return ""
	}
	line := fmt.Sprintf("catatan kotak masuk: %d email menunggu, yang tertua %s", n, ageWords(now.Sub(oldest)))
	switch {
	case startNow:
		return line + ` — imap.start_at = "now": start pertama tidak mengambilnya; email itu tetap di kotak masuk`
	case !since.IsZero():
		return line + fmt.Sprintf(` — imap.start_at = %q: start pertama hanya mengambil %d email sejak tanggal itu; %d lainnya tetap di kotak masuk`,
			cfg.IMAP.StartAt, fromSince, n-fromSince)
	}
	return line + ` — akan menjadi kasus pada start pertama (tanda terima, dan eskalasi bila sudah lewat waktu); ` +
		`untuk hanya mengambil email baru, tulis imap.start_at = "now" (atau tanggal, mis. "` + now.In(cfg.Location()).Format(time.DateOnly) + `")`
}

// ageWords says an age as a person would: "21 hari", "5 jam", "kurang dari 1 jam".
func ageWords(d time.Duration) string {
	switch {
	case d >= 24*time.Hour:
		return fmt.Sprintf("%d hari", int(d/(24*time.Hour)))
	case d >= time.Hour:
		return fmt.Sprintf("%d jam", int(d/time.Hour))
	}
	return "kurang dari 1 jam"
}

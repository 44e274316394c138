package main

import (
	"context"
	"embed"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/mail"
	"os"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/dpk-kampar/mailproc/mailproc"
	"github.com/dpk-kampar/mailproc/mailproc/config"
	"github.com/dpk-kampar/mailproc/mailproc/memserver"
	"github.com/dpk-kampar/mailproc/mailproc/report"
	"github.com/dpk-kampar/mailproc/mailproc/sqlite"
)

// demodata holds the citizens' mails the demo sends: realistic Indonesian
// mail as Gmail, Yahoo, Outlook and phones write it, and one broken mail.
//
//go:embed demodata/*.eml
var demodata embed.FS

const (
	demoDesk     = "layanan@pustakaarsip.kamparkab.go.id"
	demoStaff    = "petugas@pustakaarsip.kamparkab.go.id"
	demoPassword = "demo"

	// demoSpeed is how fast the demo clock runs while the unanswered
	// complaint climbs the chain: 5 minutes a second, so its hour and the
	// chain's hour and a half pass in about half a minute.
	demoSpeed = 300
	// demoWait bounds each wait for the daemon. A step takes a fraction of
	// a second; the bound is for a loaded CI machine, and a hang.
	demoWait = 20 * time.Second
)

// demoStory is the demo's morning at the desk, in minutes after 09.00: four
// citizens write, staff answer three cases within their promise, one
// citizen rates the service. Budi's complaint (about a member of staff) is
// the one nobody answers: after the story, it climbs the chain.
var demoStory = []struct {
	minute int
	do     func(*demoRun) error
}{
	{0, citizenWrites("01-jam-buka.eml")},
	{1, citizenWrites("02-buku-rusak.eml")},
	{2, citizenWrites("03-arsip-outlook.eml")},
	{3, citizenWrites("04-susulan.eml")},
	{4, staffAnswers("siti.rahmawati@gmail.com", "Selamat pagi Ibu Siti,\r\n"+
		"Perpustakaan buka hari Sabtu pukul 08.00 sampai 12.00 WIB di Gedung Pustaka, Bangkinang.\r\n"+
		"Anak-anak boleh ikut masuk ke ruang baca bersama orang tua.\r\n")},
	{5, staffAnswers("andre.pratama@outlook.com", "Selamat pagi Bapak André,\r\n"+
		"Permohonan salinan arsip diajukan di loket Kearsipan dengan membawa KTP, kartu keluarga\r\n"+
		"dan surat keterangan ahli waris dari kelurahan. Salinan dapat diambil tiga hari kerja kemudian.\r\n")},
	{6, citizenWrites("05-pungli.eml")},
	{7, citizenWrites("06-rusak.eml")},
	{8, citizenRates("Siti Rahmawati <siti.rahmawati@gmail.com>", 4, "Terima kasih, jawabannya cepat dan jelas.")},
	{10, staffAnswers("warga.kampar@gmail.com", "Selamat pagi Bapak/Ibu,\r\n"+
		"Benar, pembuatan kartu anggota tidak dipungut biaya. Kami mohon maaf; uang Rp 20.000\r\n"+
		"dikembalikan di loket dengan menunjukkan email ini, dan petugas yang bersangkutan sudah ditegur.\r\n")},
}

// demoUnanswered is the citizen whose complaint nobody answers.
const demoUnanswered = "budi.santoso88@yahoo.co.id"

// runDemo is `mailproc demo`: the desk on an in-process IMAP server and SMTP
// sink, no config needed, on a clock of its own (demoClock). Citizens write,
// staff answer, one complaint goes unanswered and climbs the chain of heads
// on a fast clock; the terminal shows it as a timeline, then the cases and
// the month's report.
func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("mailproc demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	verbose := fs.Bool("v", false, "show the daemon's log")
	dataDir := fs.String("data", "", "keep the demo's data in this new directory (default: a temporary one, removed)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	logLevel := slog.LevelWarn
	if *verbose {
		logLevel = slog.LevelInfo
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: logLevel}))

	if *dataDir == "" {
		dir, err := os.MkdirTemp("", "mailproc-demo-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		*dataDir = dir
	}

	srv, err := memserver.Start(logger.With("component", "memserver"))
	if err != nil {
		return err
	}
	defer srv.Close()
	for _, u := range []string{demoDesk, demoStaff} {
		if err := srv.AddUser(u, demoPassword); err != nil {
			return err
		}
	}
	cfg, err := demoConfig(*dataDir, srv.IMAPAddr, srv.SMTPAddr)
	if err != nil {
		return err
	}
	// The story starts at 09.00 today with case number 1: an earlier run's
	// desk would make it a different story.
	if _, err := os.Stat(cfg.DatabasePath()); err == nil {
		return fmt.Errorf("demo: %s already holds a desk's data; give a new directory", *dataDir)
	}
	loc := cfg.Location()
	today := time.Now().In(loc)
	start := time.Date(today.Year(), today.Month(), today.Day(), 9, 0, 0, 0, loc)
	clock := newDemoClock(start, time.Now)

	fmt.Fprintf(stdout, "mailproc demo — %s, %s\n", cfg.Desk.Name, cfg.Desk.Agency)
	fmt.Fprintf(stdout, "IMAP (dalam proses) %s, SMTP (penampung) %s, data %s\n", srv.IMAPAddr, srv.SMTPAddr, *dataDir)
	fmt.Fprintf(stdout, "Jam demo mulai %s. Janji layanan: informasi dijawab dalam %s, aduan dalam %s.\n",
		mailproc.FormatWaktu(start, loc), mailproc.FormatDurasi(cfg.Desk.InfoDue.D()), mailproc.FormatDurasi(cfg.Desk.ComplaintDue.D()))
	fmt.Fprintf(stdout, "Yang belum dijawab naik ke pimpinan: %s.\n\n", chainText(cfg.Chain))

	m := NewMain()
	m.Config, m.Logger, m.Now = cfg, logger, clock.Now
	if err := m.Run(ctx); err != nil {
		m.Close()
		return err
	}
	defer m.Close()
	wakeCtx, stopWaking := context.WithCancel(ctx)
	waking := make(chan struct{})
	go func() {
		defer close(waking)
		clock.wakeEscalator(wakeCtx, m.DB.NextEscalation, m.Escalator.Wake)
	}()
	defer func() { stopWaking(); <-waking }() // before m.Close closes the database

	c, err := imapclient.DialInsecure(srv.IMAPAddr, nil)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	defer c.Close()
	if err := c.Login(demoDesk, demoPassword).Wait(); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	heads := map[string]string{}
	for _, l := range cfg.Chain {
		for _, a := range l.Addresses {
			heads[strings.ToLower(a)] = l.Title
		}
	}
	d := &demoRun{ctx: ctx, m: m, srv: srv, imap: c, clock: clock, tl: &demoTimeline{
		w: stdout, loc: loc, now: clock.Now, heads: heads, live: isTerminal(stdout),
		due: func(number string) time.Time {
			if cs, err := m.DB.CaseByNumber(ctx, number); err == nil && cs != nil {
				return cs.DueAt
			}
			return time.Time{}
		},
	}}
	for _, step := range demoStory {
		clock.SkipTo(start.Add(time.Duration(step.minute) * time.Minute))
		if err := step.do(d); err != nil {
			return err
		}
	}
	climbing, err := d.climb(demoUnanswered, cfg)
	if err != nil {
		return err
	}
	c.Logout().Wait()

	if ack := findSent(srv.Sent(), "", "] Tanda terima"); ack != nil {
		fmt.Fprintln(stdout, "\nContoh tanda terima (bagian teks):")
		fmt.Fprintln(stdout, indentText(textPart(ack.Data), "  │ "))
	}
	if answer := findSent(srv.Sent(), "", "] Jawaban"); answer != nil {
		fmt.Fprintln(stdout, "\nJawaban petugas yang diteruskan kepada warga (bagian teks, tanpa kutipan):")
		fmt.Fprintln(stdout, indentText(textPart(answer.Data), "  │ "))
	}
	fmt.Fprintln(stdout, "\nKotak masuk pimpinan (penampung SMTP):")
	printHeadMailboxes(stdout, srv.Sent(), cfg.Chain)

	fmt.Fprintln(stdout, "\nKasus (mailproc cases):")
	cases, err := m.DB.ListCases(ctx, sqlite.CaseFilter{})
	if err != nil {
		return err
	}
	printCaseList(stdout, cases, loc)
	fmt.Fprintf(stdout, "\nKasus yang naik ke pimpinan (mailproc cases %s):\n", climbing.Number)
	events, err := m.DB.Timeline(ctx, climbing.ID)
	if err != nil {
		return err
	}
	msgs, err := m.DB.CaseMessages(ctx, climbing.ID)
	if err != nil {
		return err
	}
	sent, err := m.DB.Outbox(ctx, sqlite.OutboxFilter{CaseID: climbing.ID})
	if err != nil {
		return err
	}
	printCase(stdout, climbing, events, msgs, sent, loc)
	q, err := m.DB.QuarantineList(ctx)
	if err != nil {
		return err
	}
	for _, e := range q {
		fmt.Fprintf(stdout, "\nKarantina: UID %d (%d byte) — %s\n", e.Delivery.UID, e.Size, e.Reason)
	}
	fmt.Fprintln(stdout, "\nLaporan bulan ini (mailproc report):")
	now := clock.Now().In(loc)
	if err := writeReport(ctx, stdout, m.DB, cfg, now.Year(), now.Month(), now, report.Text); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "\nEdisi publik untuk situs web instansi (mailproc report --public):")
	if err := writeReport(ctx, stdout, m.DB, cfg, now.Year(), now.Month(), now, report.PublicText); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "\nRiwayat kasus dan arsip diperiksa (mailproc verify):")
	res, err := m.DB.Verify(ctx, cfg.Desk.DataDir)
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	printVerified(stdout, res)
	fmt.Fprintf(stdout, "\nSelesai. Kotak masuk kosong; email yang diproses ada di folder %q, yang rusak di %q.\n",
		cfg.IMAP.ProcessedFolder, cfg.IMAP.QuarantineFolder)
	return nil
}

// demoRun is the demo under way: the daemon, the embedded servers, the
// demo's IMAP session (the citizens' and staff's mail is put into the desk's
// inbox through it, as a mail server's delivery would) and its clock.
type demoRun struct {
	ctx   context.Context
	m     *Main
	srv   *memserver.Server
	imap  *imapclient.Client
	clock *demoClock
	tl    *demoTimeline
}

// citizenWrites is a step of the story: a mail of demodata arrives.
func citizenWrites(name string) func(*demoRun) error {
	return func(d *demoRun) error {
		raw, err := demodata.ReadFile(path.Join("demodata", name))
		if err != nil {
			return err
		}
		d.tl.say("→ email masuk: %s", describeSeed(raw))
		return d.deliver(raw)
	}
}

// staffAnswers is a step of the story: staff answer the open case of a
// citizen by pressing Reply on its notification in their own mail client.
func staffAnswers(citizen, answer string) func(*demoRun) error {
	return func(d *demoRun) error {
		cs, err := d.openCaseOf(citizen)
		if err != nil {
			return err
		}
		notif := findSent(d.srv.Sent(), demoStaff, "["+cs.Number+"] Kasus baru")
		if notif == nil {
			return fmt.Errorf("demo: no notification of %s", cs.Number)
		}
		reply := demoStaffReply(notif.Data, answer, d.clock.Now())
		d.tl.say("→ %s membalas notifikasi %s", headerOf(reply, "From"), cs.Number)
		return d.deliver(reply)
	}
}

// citizenRates is a step of the story: the citizen replies to the closing
// mail with a score, as it asks.
func citizenRates(citizen string, score int, comment string) func(*demoRun) error {
	return func(d *demoRun) error {
		from, err := mail.ParseAddress(citizen)
		if err != nil {
			return err
		}
		addr := from.Address
		closing := findSent(d.srv.Sent(), addr, "] Selesai:")
		if closing == nil {
			return fmt.Errorf("demo: no closing mail to %s", addr)
		}
		subj := headerOf(closing.Data, "Subject")
		d.tl.say("→ warga %s menilai layanan %s: %d (%s)", addr, mailproc.FindNumber(subj), score, mailproc.RatingLabels[score])
		id := headerOf(closing.Data, "Message-Id")
		return d.deliver([]byte("From: " + citizen + "\r\nTo: " + demoDesk + "\r\nSubject: Re: " + subj +
			"\r\nDate: " + d.clock.Now().Format(time.RFC1123Z) + "\r\nMessage-ID: <demo-nilai-" + strconv.FormatInt(time.Now().UnixNano(), 10) +
			"@mail.gmail.com>\r\nIn-Reply-To: " + id + "\r\nReferences: " + id +
			"\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n" + strconv.Itoa(score) + " " + comment + "\r\n"))
	}
}

// deliver puts a mail into the desk's inbox, waits until the daemon has
// handled it and sent what it queued, and tells the timeline what went out.
func (d *demoRun) deliver(raw []byte) error {
	_, msgs, quarantined, err := d.m.DB.Counts(d.ctx)
	if err != nil {
		return err
	}
	if err := appendMailAt(d.imap, "INBOX", raw, d.clock.Now()); err != nil {
		return fmt.Errorf("demo: append: %w", err)
	}
	if err := waitHandled(d.ctx, d.m.DB, msgs+quarantined+1, demoWait); err != nil {
		return err
	}
	if err := waitOutboxEmpty(d.ctx, d.m.DB, demoWait); err != nil {
		return err
	}
	d.tl.sent(d.srv.Sent())
	return nil
}

// openCaseOf is the citizen's newest open case.
func (d *demoRun) openCaseOf(citizen string) (*mailproc.Case, error) {
	cases, err := d.m.DB.ListCases(d.ctx, sqlite.CaseFilter{})
	if err != nil {
		return nil, err
	}
	for _, c := range cases {
		if c.State.Open() && mailproc.SameAddr(c.CitizenAddr, citizen) {
			return c, nil
		}
	}
	return nil, fmt.Errorf("demo: no open case of %s", citizen)
}

// climb runs the clock fast until the citizen's unanswered case has
// climbed the whole chain, printing each escalation as the heads get it.
func (d *demoRun) climb(citizen string, cfg *config.Config) (*mailproc.Case, error) {
	cs, err := d.openCaseOf(citizen)
	if err != nil {
		return nil, err
	}
	last := cs.DueAt // the first head is told when the promise is broken
	for _, l := range cfg.Chain[:len(cfg.Chain)-1] {
		last = last.Add(l.After.D())
	}
	d.clock.SetSpeed(demoSpeed)
	d.tl.say("Tidak ada yang menjawab %s. Jam demo dipercepat: 1 detik = %s (±%s).",
		cs.Number, mailproc.FormatDurasi(demoSpeed*time.Second), mailproc.FormatDurasi(d.clock.WallUntil(last)))
	defer d.clock.SetSpeed(1)
	err = pollDB(d.ctx, d.clock.WallUntil(last)+demoWait, "the chain of heads", func() (bool, error) {
		d.tl.sent(d.srv.Sent())
		d.tl.tick()
		now, err := d.m.DB.CaseByNumber(d.ctx, cs.Number)
		if err != nil || now == nil {
			return false, err
		}
		cs = now
		pending, _, _, err := d.m.DB.OutboxCounts(d.ctx)
		return cs.EscalationLevel == len(cfg.Chain) && cs.EscalateAt.IsZero() && pending == 0, err
	})
	d.tl.sent(d.srv.Sent())
	d.tl.untick()
	return cs, err
}

// chainText is the chain for the terminal: "Kepala Seksi Pelayanan, setelah
// 30 menit Kepala Bagian Pelayanan, …".
func chainText(chain []config.ChainLevel) string {
	var b strings.Builder
	for i, l := range chain {
		if i > 0 {
			b.WriteString(", setelah " + mailproc.FormatDurasi(chain[i-1].After.D()) + " ")
		}
		b.WriteString(l.Title)
	}
	return b.String()
}

// printHeadMailboxes shows what each head of the chain got, by the SMTP
// sink's recipients: as the addressee (kepada) or in Cc (tembusan).
func printHeadMailboxes(w io.Writer, sent []memserver.Mail, chain []config.ChainLevel) {
	for _, l := range chain {
		for _, a := range l.Addresses {
			var got []string
			for _, s := range sent {
				if !containsFold(s.To, a) {
					continue
				}
				what := headerOf(s.Data, "Subject")
				if lv := demoLevelRE.FindStringSubmatch(what); lv != nil {
					what = "eskalasi tingkat " + lv[1]
				}
				if containsFold(addressesOf(s.Data, "Cc"), a) {
					what += " (tembusan)"
				}
				got = append(got, what)
			}
			fmt.Fprintf(w, "  %-24s %-45s %d email: %s\n", l.Title, a, len(got), strings.Join(got, ", "))
		}
	}
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

// findSent returns the first mail the SMTP sink got for rcpt ("" = anyone)
// whose subject contains subj.
func findSent(sent []memserver.Mail, rcpt, subj string) *memserver.Mail {
	for i, m := range sent {
		if !strings.Contains(headerOf(m.Data, "Subject"), subj) {
			continue
		}
		if rcpt == "" || containsFold(m.To, rcpt) {
			return &sent[i]
		}
	}
	return nil
}

// demoStaffReply is a reply to a notification as Gmail writes it in
// Indonesian: the answer on top, the attribution, the quoted notification.
func demoStaffReply(notif []byte, answer string, date time.Time) []byte {
	id, subject := headerOf(notif, "Message-Id"), headerOf(notif, "Subject")
	quoted := "> " + strings.ReplaceAll(textPart(notif), "\n", "\n> ")
	return []byte("From: Petugas Layanan <" + demoStaff + ">\r\nTo: " + demoDesk + "\r\nSubject: Re: " + subject +
		"\r\nDate: " + date.Format(time.RFC1123Z) + "\r\nMessage-ID: <demo-balasan-" + strconv.FormatInt(time.Now().UnixNano(), 10) +
		"@pustakaarsip.kamparkab.go.id>\r\nIn-Reply-To: " + id + "\r\nReferences: " + id +
		"\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n" + answer + "\r\n" +
		"Pada " + date.Format("02/01/2006 15.04") + " Layanan Informasi dan Aduan Masyarakat <" + demoDesk + "> menulis:\r\n" +
		strings.ReplaceAll(quoted, "\n", "\r\n") + "\r\n")
}

// demoConfig is a complete desk configuration for the embedded servers.
func demoConfig(dataDir, imapAddr, smtpAddr string) (*config.Config, error) {
	cfg := config.DefaultConfig()
	cfg.Desk.Agency = "Dinas Perpustakaan dan Kearsipan Kabupaten Kampar"
	cfg.Desk.Address = demoDesk
	cfg.Desk.DataDir = dataDir
	cfg.Desk.PostalAddress = "Jalan Mayjen D.I Pandjaitan No. 17 Bangkinang Kota 28412"
	cfg.Desk.Phone = "0762323710"
	cfg.Desk.Website = "https://pustakaarsip.kamparkab.go.id/"
	cfg.Desk.Ops = []string{"ops@pustakaarsip.kamparkab.go.id"}
	cfg.Desk.Staff = []config.Staff{{Name: "Petugas Layanan", Address: demoStaff}}
	cfg.Desk.HMACSecret = "demo-secret-demo-secret-demo-secret-0123"
	cfg.Chain = []config.ChainLevel{
		{Title: "Kepala Seksi Pelayanan", Addresses: []string{"kasi.pelayanan@pustakaarsip.kamparkab.go.id"}, After: config.Duration(30 * time.Minute)},
		{Title: "Kepala Bagian Pelayanan", Addresses: []string{"kabag.pelayanan@pustakaarsip.kamparkab.go.id"}, After: config.Duration(time.Hour)},
		{Title: "Kepala Dinas", Addresses: []string{"kadis@pustakaarsip.kamparkab.go.id"}},
	}
	cfg.Calendar.Mode = config.Mode247
	host, port, _ := splitHostPort(imapAddr)
	cfg.IMAP.Host, cfg.IMAP.Port, cfg.IMAP.TLS = host, port, config.NoTLS
	cfg.IMAP.Username, cfg.IMAP.Password = demoDesk, demoPassword
	cfg.IMAP.PollInterval = config.Duration(time.Second)
	cfg.IMAP.ReconnectMin = config.Duration(100 * time.Millisecond)
	cfg.IMAP.ReconnectMax = config.Duration(time.Second)
	shost, sport, _ := splitHostPort(smtpAddr)
	cfg.SMTP.Host, cfg.SMTP.Port, cfg.SMTP.TLS, cfg.SMTP.Auth = shost, sport, config.NoTLS, config.AuthNone
	cfg.HTTP.Listen = ""
	// The demo is one morning at the desk: no month report to the heads
	// and no staff digest among its mails (each has its own test).
	cfg.Report.SendAt, cfg.Desk.DailyDigest = "", false
	// Each step of the story waits until the outbox is empty, so the
	// closing mail leaves with the answer here (TestE2EClosingDelay shows
	// the delay).
	cfg.Desk.ClosingDelay = 0
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("demo config: %w", err)
	}
	return cfg, nil
}

// appendMail puts a raw mail into a mailbox, as a mail server's delivery would.
func appendMail(c *imapclient.Client, mailbox string, raw []byte) error {
	return appendMailAt(c, mailbox, raw, time.Now())
}

// appendMailAt is appendMail with the arrival time (INTERNALDATE) given:
// the demo's clock, not the wall clock.
func appendMailAt(c *imapclient.Client, mailbox string, raw []byte, at time.Time) error {
	cmd := c.Append(mailbox, int64(len(raw)), &imap.AppendOptions{Time: at})
	if _, err := cmd.Write(raw); err != nil {
		cmd.Close()
		return err
	}
	if err := cmd.Close(); err != nil {
		return err
	}
	_, err := cmd.Wait()
	return err
}

// waitOutboxEmpty waits until nothing is pending in the outbox.
func waitOutboxEmpty(ctx context.Context, db *sqlite.DB, timeout time.Duration) error {
	return pollDB(ctx, timeout, "the outbox to empty", func() (bool, error) {
		pending, _, _, err := db.OutboxCounts(ctx)
		return pending == 0, err
	})
}

// waitHandled waits until n mails have been stored or quarantined.
func waitHandled(ctx context.Context, db *sqlite.DB, n int, timeout time.Duration) error {
	return pollDB(ctx, timeout, fmt.Sprintf("%d mails to be handled", n), func() (bool, error) {
		_, msgs, quarantined, err := db.Counts(ctx)
		return msgs+quarantined >= n, err
	})
}

// pollDB checks done every 20 ms until it holds, fails, or timeout passes.
func pollDB(ctx context.Context, timeout time.Duration, what string, done func() (bool, error)) error {
	deadline := time.Now().Add(timeout)
	for {
		ok, err := done()
		if err != nil || ok {
			return err
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("demo: still waiting for %s after %s", what, timeout)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

package main

import (
	"context"
	"embed"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

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
)

// runDemo is `mailproc demo`: the desk on an in-process IMAP server and SMTP
// sink, no config needed. It seeds the desk mailbox, runs the daemon until
// every mail is handled, prints what happened, and exits.
func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("mailproc demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	verbose := fs.Bool("v", false, "show the daemon's log")
	dataDir := fs.String("data", "", "keep the demo's data in this directory (default: a temporary one, removed)")
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
	fmt.Fprintf(stdout, "mailproc demo — %s\n", "Layanan Informasi dan Aduan Masyarakat, Dinas Perpustakaan dan Kearsipan Kabupaten Kampar")
	fmt.Fprintf(stdout, "IMAP (dalam proses) %s, SMTP (penampung) %s, data %s\n\n", srv.IMAPAddr, srv.SMTPAddr, *dataDir)

	cfg, err := demoConfig(*dataDir, srv.IMAPAddr, srv.SMTPAddr)
	if err != nil {
		return err
	}
	m := NewMain()
	m.Config, m.Logger = cfg, logger
	if err := m.Run(ctx); err != nil {
		m.Close()
		return err
	}
	defer m.Close()

	// The citizens write, a moment apart, as they would.
	files, err := demodata.ReadDir("demodata")
	if err != nil {
		return err
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Name() < files[j].Name() })
	c, err := imapclient.DialInsecure(srv.IMAPAddr, nil)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	defer c.Close()
	if err := c.Login(demoDesk, demoPassword).Wait(); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	for i, f := range files {
		raw, err := demodata.ReadFile(path.Join("demodata", f.Name()))
		if err != nil {
			return err
		}
		// Each citizen has a mailbox on the embedded server, so the demo can
		// show what lands there.
		if from := seedFrom(raw); from != "" {
			srv.AddUser(from, demoPassword)
		}
		fmt.Fprintf(stdout, "→ email masuk: %s\n", describeSeed(raw))
		if err := appendMail(c, "INBOX", raw); err != nil {
			return fmt.Errorf("demo: append: %w", err)
		}
		if err := waitHandled(ctx, m.DB, i+1, 20*time.Second); err != nil {
			return err
		}
	}
	if err := waitOutboxEmpty(ctx, m.DB, 20*time.Second); err != nil {
		return err
	}

	// A member of staff answers the first case by pressing Reply on the
	// notification in their own mail client.
	if notif := findSent(srv.Sent(), demoStaff, "Kasus baru"); notif != nil {
		subj := headerOf(notif.Data, "Subject")
		fmt.Fprintf(stdout, "\n→ petugas %s membalas notifikasi %q\n", demoStaff, subj)
		reply := demoStaffReply(notif.Data, subj)
		_, before, _, _ := m.DB.Counts(ctx)
		if err := appendMail(c, "INBOX", reply); err != nil {
			return fmt.Errorf("demo: append: %w", err)
		}
		if err := waitMessages(ctx, m.DB, before+1, 20*time.Second); err != nil {
			return err
		}
		if err := waitOutboxEmpty(ctx, m.DB, 20*time.Second); err != nil {
			return err
		}
	}
	// The citizen rates the service by replying to the closing mail.
	if closing := findSent(srv.Sent(), "", "] Selesai:"); closing != nil {
		fmt.Fprintln(stdout, "→ warga menilai layanan: 4 (sangat puas)")
		id := headerOf(closing.Data, "Message-Id")
		rating := "From: Siti Rahmawati <siti.rahmawati@gmail.com>\r\nTo: " + demoDesk + "\r\nSubject: Re: " + headerOf(closing.Data, "Subject") +
			"\r\nMessage-ID: <demo-nilai@mail.gmail.com>\r\nIn-Reply-To: " + id + "\r\nReferences: " + id +
			"\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n4 Terima kasih, jawabannya cepat dan jelas.\r\n"
		_, before, _, _ := m.DB.Counts(ctx)
		if err := appendMail(c, "INBOX", []byte(rating)); err != nil {
			return fmt.Errorf("demo: append: %w", err)
		}
		if err := waitMessages(ctx, m.DB, before+1, 20*time.Second); err != nil {
			return err
		}
	}
	c.Logout().Wait()

	fmt.Fprintln(stdout, "\nEmail yang dikirim mailproc (penampung SMTP):")
	var firstAck []byte
	for _, sent := range srv.Sent() {
		subj, to := headerOf(sent.Data, "Subject"), strings.Join(sent.To, ", ")
		fmt.Fprintf(stdout, "  ← ke %s: %s\n", to, subj)
		if firstAck == nil && strings.Contains(subj, "Tanda terima") {
			firstAck = sent.Data
		}
	}
	if firstAck != nil {
		fmt.Fprintln(stdout, "\nContoh tanda terima (bagian teks):")
		fmt.Fprintln(stdout, indentText(textPart(firstAck), "  │ "))
	}
	if answer := findSent(srv.Sent(), "", "] Jawaban"); answer != nil {
		fmt.Fprintln(stdout, "\nJawaban petugas yang diteruskan kepada warga (bagian teks, tanpa kutipan):")
		fmt.Fprintln(stdout, indentText(textPart(answer.Data), "  │ "))
	}

	fmt.Fprintln(stdout, "\nKasus:")
	if err := printDemoCases(ctx, stdout, m.DB, cfg.Location()); err != nil {
		return err
	}
	q, err := m.DB.QuarantineList(ctx)
	if err != nil {
		return err
	}
	for _, e := range q {
		fmt.Fprintf(stdout, "\nKarantina: UID %d (%d byte) — %s\n", e.Delivery.UID, e.Size, e.Reason)
	}
	fmt.Fprintln(stdout, "\nLaporan bulan ini (mailproc report):")
	now := time.Now()
	if err := writeReport(ctx, stdout, m.DB, cfg, now.In(cfg.Location()).Year(), now.In(cfg.Location()).Month(), now, report.Text); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\nSelesai. Kotak masuk kosong; email yang diproses ada di folder %q, yang rusak di %q.\n",
		cfg.IMAP.ProcessedFolder, cfg.IMAP.QuarantineFolder)
	return nil
}

// findSent returns the first mail the SMTP sink got for rcpt ("" = anyone)
// whose subject contains subj.
func findSent(sent []memserver.Mail, rcpt, subj string) *memserver.Mail {
	for i, m := range sent {
		if !strings.Contains(headerOf(m.Data, "Subject"), subj) {
			continue
		}
		for _, to := range m.To {
			if rcpt == "" || strings.EqualFold(to, rcpt) {
				return &sent[i]
			}
		}
	}
	return nil
}

// demoStaffReply is a reply to a notification as Gmail writes it in
// Indonesian: the answer on top, the attribution, the quoted notification.
func demoStaffReply(notif []byte, subject string) []byte {
	id := headerOf(notif, "Message-Id")
	quoted := "> " + strings.ReplaceAll(textPart(notif), "\n", "\n> ")
	return []byte("From: Petugas Layanan <" + demoStaff + ">\r\nTo: " + demoDesk + "\r\nSubject: Re: " + subject +
		"\r\nDate: " + time.Now().Format(time.RFC1123Z) + "\r\nMessage-ID: <demo-balasan-" + strconv.FormatInt(time.Now().UnixNano(), 10) +
		"@pustakaarsip.kamparkab.go.id>\r\nIn-Reply-To: " + id + "\r\nReferences: " + id +
		"\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n" +
		"Selamat pagi Ibu Siti,\r\nPerpustakaan buka hari Sabtu pukul 08.00 sampai 12.00 WIB di Gedung Pustaka, Bangkinang.\r\n\r\n" +
		"Pada Jum, 27 Nov 2026 pukul 09.13 Layanan Informasi dan Aduan Masyarakat <" + demoDesk + "> menulis:\r\n" +
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
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("demo config: %w", err)
	}
	return cfg, nil
}

// appendMail puts a raw mail into a mailbox, as a mail server's delivery would.
func appendMail(c *imapclient.Client, mailbox string, raw []byte) error {
	cmd := c.Append(mailbox, int64(len(raw)), &imap.AppendOptions{Time: time.Now()})
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

func printDemoCases(ctx context.Context, w io.Writer, db *sqlite.DB, loc *time.Location) error {
	cases, err := db.ListCases(ctx, sqlite.CaseFilter{})
	if err != nil {
		return err
	}
	// Oldest first reads like a story.
	for i := len(cases) - 1; i >= 0; i-- {
		c := cases[i]
		events, err := db.Timeline(ctx, c.ID)
		if err != nil {
			return err
		}
		msgs, err := db.CaseMessages(ctx, c.ID)
		if err != nil {
			return err
		}
		fmt.Fprintln(w)
		printCase(w, c, events, msgs, loc)
	}
	return nil
}

// waitOutboxEmpty waits until nothing is pending in the outbox.
func waitOutboxEmpty(ctx context.Context, db *sqlite.DB, timeout time.Duration) error {
	return pollDB(ctx, timeout, "the outbox to empty", func() (bool, error) {
		pending, _, _, err := db.OutboxCounts(ctx)
		return pending == 0, err
	})
}

// waitMessages waits until n mails are stored.
func waitMessages(ctx context.Context, db *sqlite.DB, n int, timeout time.Duration) error {
	return pollDB(ctx, timeout, "the staff reply", func() (bool, error) {
		_, msgs, _, err := db.Counts(ctx)
		return msgs >= n, err
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

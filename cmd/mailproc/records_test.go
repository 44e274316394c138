package main

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/dpk-kampar/mailproc/mailproc"
	"github.com/dpk-kampar/mailproc/mailproc/archive"
	"github.com/dpk-kampar/mailproc/mailproc/config"
	"github.com/dpk-kampar/mailproc/mailproc/sqlite"
)

// recordsCase is one closed complaint of March 2026 with everything a case
// file shows: the citizen's mail (archived, with an attachment), the
// staff answer relayed to the citizen, an escalation to Kepala Seksi and a
// rating.
type recordsCase struct {
	Number, Citizen, CitizenText, Answer, Escalation string
	Files                                            []string // archive paths
}

func seedRecordsCase(t *testing.T, db *sqlite.DB, arch *archive.Dir, loc *time.Location, n int, citizen string) recordsCase {
	t.Helper()
	opened := time.Date(2026, time.March, 10+n, 9, 15, 0, 0, loc)
	rc := recordsCase{
		Number:      fmt.Sprintf("ADU-2026-%05d", 900+n),
		Citizen:     citizen,
		CitizenText: fmt.Sprintf("Atap ruang baca lantai %d bocor sejak minggu lalu, buku basah.", n+1),
		Answer:      fmt.Sprintf("Terima kasih, Bapak. Atap lantai %d sudah diperbaiki hari ini.", n+1),
		Escalation:  "tingkat 1 (Kepala Seksi Pelayanan, kasi.pelayanan@pustakaarsip.kamparkab.go.id) diberi tahu: batas waktu terlewati",
	}
	raw := fmt.Sprintf("From: Budi Santoso <%s>\r\nTo: layanan@pustakaarsip.kamparkab.go.id\r\nSubject: Keluhan atap bocor %d\r\nMessage-ID: <keluhan-%d@warga.test>\r\n\r\n%s\r\n", citizen, n, n, rc.CitizenText)
	w, err := arch.Create()
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte(raw))
	rel, sum, size, err := w.Commit()
	if err != nil {
		t.Fatal(err)
	}
	rc.Files = append(rc.Files, rel)
	var sent []*mailproc.OutgoingMail
	err = db.Intake(context.Background(), func(tx mailproc.IntakeTx) error {
		c := &mailproc.Case{Number: rc.Number, Kind: mailproc.KindAduan, State: mailproc.StateSelesai,
			CitizenAddr: citizen, CitizenName: "Budi Santoso", Subject: fmt.Sprintf("Keluhan atap bocor %d", n),
			OpenedAt: opened, DueAt: opened.Add(time.Hour), EscalationLevel: 1,
			FirstAnswerAt: opened.Add(2 * time.Hour), ClosedAt: opened.Add(3 * time.Hour)}
		if err := tx.CreateCase(c); err != nil {
			return err
		}
		m := &mailproc.Message{MessageID: fmt.Sprintf("keluhan-%d@warga.test", n),
			From: mailproc.Address{Name: "Budi Santoso", Addr: citizen}, Subject: c.Subject, Text: rc.CitizenText,
			Size: size, SHA256: sum, ArchivePath: rel, Received: opened,
			Attachments: []mailproc.Attachment{{Filename: "foto-atap.jpg", ContentType: "image/jpeg", Size: 48213, Part: "2"}}}
		if err := tx.InsertMessage(m, c.ID); err != nil {
			return err
		}
		for _, e := range []*mailproc.Event{
			{CaseID: c.ID, At: opened, Actor: citizen, Type: mailproc.EventCreated, Detail: "kasus dibuat dari email " + citizen, MessageID: m.ID},
			{CaseID: c.ID, At: opened.Add(time.Hour), Actor: mailproc.ActorSystem, Type: mailproc.EventEscalated, Detail: rc.Escalation},
			{CaseID: c.ID, At: opened.Add(2 * time.Hour), Actor: "rina.marlina@pustakaarsip.kamparkab.go.id", Type: mailproc.EventAnswer, Detail: "jawaban dikirim ke warga"},
		} {
			if err := tx.AddEvent(e); err != nil {
				return err
			}
		}
		for _, o := range []*mailproc.OutgoingMail{
			{CaseID: c.ID, Purpose: mailproc.PurposeEscalation, MessageID: fmt.Sprintf("esk-%d@pustakaarsip.kamparkab.go.id", n),
				To: []mailproc.Address{{Addr: "kasi.pelayanan@pustakaarsip.kamparkab.go.id"}}, Subject: "[" + c.Number + "] Eskalasi", Date: opened.Add(time.Hour),
				Text: "Kasus " + c.Number + " terlambat. Isi email warga: " + rc.CitizenText},
			{CaseID: c.ID, Purpose: mailproc.PurposeAnswer, MessageID: fmt.Sprintf("jwb-%d@pustakaarsip.kamparkab.go.id", n),
				To: []mailproc.Address{{Name: "Budi Santoso", Addr: citizen}}, Subject: "[" + c.Number + "] Keluhan atap bocor", Date: opened.Add(2 * time.Hour),
				Text: rc.Answer},
		} {
			o.From = mailproc.Address{Addr: "layanan@pustakaarsip.kamparkab.go.id"}
			if err := tx.EnqueueMail(o); err != nil {
				return err
			}
			sent = append(sent, o)
		}
		return tx.InsertRating(&mailproc.Rating{CaseID: c.ID, Score: 4, Comment: "Cepat, terima kasih Bu Rina", At: c.ClosedAt.Add(time.Hour)})
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range sent {
		if err := db.MarkSent(context.Background(), o.ID, o.Date.Add(time.Second)); err != nil {
			t.Fatal(err)
		}
	}
	return rc
}

// recordsDesk is the report desk of report_chromium_test.go with March 2026
// seeded, records.* added, and nRecords full cases from citizen.
func recordsDesk(t *testing.T, records string, nRecords int, citizen string) (cfgPath string, cfg *config.Config, cases []recordsCase) {
	t.Helper()
	dataDir := t.TempDir()
	cfgPath = reportMonthConfig(t, dataDir)
	appendFile(t, cfgPath, fmt.Sprintf("\n[records]\n%s\n", records))
	cfg, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	db, err := sqlite.Open(cfg.DatabasePath())
	if err != nil {
		t.Fatal(err)
	}
	seedReportMonth(t, db, cfg.Location())
	arch, err := archive.Open(dataDir)
	if err != nil {
		t.Fatal(err)
	}
	arch.Mirror = cfg.Records.ArchiveMirror
	for i := range nRecords {
		cases = append(cases, seedRecordsCase(t, db, arch, cfg.Location(), i, citizen))
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	return cfgPath, cfg, cases
}

func mailprocOut(t *testing.T, args ...string) string {
	t.Helper()
	var out, errb bytes.Buffer
	if code := run(context.Background(), args, &out, &errb); code != 0 {
		t.Fatalf("mailproc %s: exit %d\n%s%s", strings.Join(args, " "), code, out.String(), errb.String())
	}
	return out.String()
}

// TestRetentionKeepsReport: retention removes the mail content of March's
// closed cases (bodies, sent texts, rating comments, raw files in the
// archive and its mirror) and records it on each case, while the March
// report prints the same figures, text and CSV, before and after. A second
// run finds nothing; a dry run changes nothing.
func TestRetentionKeepsReport(t *testing.T) {
	mirror := t.TempDir()
	cfgPath, cfg, cases := recordsDesk(t, fmt.Sprintf("archive_mirror = %q\nretention_informasi = \"30d\"\nretention_aduan = \"30d\"", mirror), 2, "budi.santoso@warga.test")
	report := func() string {
		return withoutChainHead(mailprocOut(t, "report", "-config", cfgPath, "--month", "2026-03") +
			mailprocOut(t, "report", "-config", cfgPath, "--month", "2026-03", "--format", "csv"))
	}
	before := report()
	for _, rc := range cases {
		for _, root := range []string{cfg.Desk.DataDir, mirror} {
			if _, err := os.Stat(filepath.Join(root, rc.Files[0])); err != nil {
				t.Fatalf("before retention: %v", err)
			}
		}
	}

	dry := mailprocOut(t, "retention", "-config", cfgPath, "--dry-run")
	if !strings.Contains(dry, cases[0].Number) || !strings.Contains(dry, "--dry-run") {
		t.Errorf("dry run does not list %s:\n%s", cases[0].Number, dry)
	}
	if _, err := os.Stat(filepath.Join(cfg.Desk.DataDir, cases[0].Files[0])); err != nil {
		t.Fatalf("the dry run removed a file: %v", err)
	}

	out := mailprocOut(t, "retention", "-config", cfgPath, "--by", "operator arsip")
	if !strings.Contains(out, cases[1].Number) {
		t.Errorf("retention does not list %s:\n%s", cases[1].Number, out)
	}
	// The history stays verifiable: redacted rows are checked against
	// their stored digests, and their archive files may be gone.
	if v := mailprocOut(t, "verify", "-config", cfgPath); v == "" {
		t.Error("verify printed nothing after retention")
	}
	if after := report(); after != before {
		t.Errorf("the March report changed after retention:\n--- before\n%s\n--- after\n%s", before, after)
	}

	db, err := sqlite.Open(cfg.DatabasePath())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	for _, rc := range cases {
		for _, root := range []string{cfg.Desk.DataDir, mirror} {
			if _, err := os.Stat(filepath.Join(root, rc.Files[0])); !os.IsNotExist(err) {
				t.Errorf("%s: raw file in %s still there after retention (err %v)", rc.Number, root, err)
			}
		}
		c, err := db.CaseByNumber(ctx, rc.Number)
		if err != nil {
			t.Fatal(err)
		}
		if c.CitizenAddr != rc.Citizen || c.State != mailproc.StateSelesai {
			t.Errorf("%s: case changed: %+v", rc.Number, c)
		}
		html := mailprocOut(t, "export", "-config", cfgPath, rc.Number)
		for _, gone := range []string{rc.CitizenText, rc.Answer, "terima kasih Bu Rina"} {
			if strings.Contains(html, gone) {
				t.Errorf("%s: the case file still holds %q after retention", rc.Number, gone)
			}
		}
		for _, kept := range []string{rc.Escalation, "foto-atap.jpg", "retensi", "operator arsip", rc.Citizen} {
			if !strings.Contains(html, kept) {
				t.Errorf("%s: the case file lost %q after retention", rc.Number, kept)
			}
		}
	}
	if again := mailprocOut(t, "retention", "-config", cfgPath); !strings.Contains(again, "Tidak ada kasus") {
		t.Errorf("a second run found work:\n%s", again)
	}
	// Export of the raw mails skips a redacted mail instead of failing.
	mailprocOut(t, "export", "-config", cfgPath, cases[0].Number, "--eml", t.TempDir())
}

// TestForget: `mailproc forget ADDRESS` leaves no trace of the citizen in
// the database — not in any column of any table, not in the file's free
// pages or its WAL — nor in the archive or its mirror, while the counts and
// the March report stay as they were and other citizens are untouched.
// Each of the citizen's cases records who ran it; a dry run changes
// nothing.
func TestForget(t *testing.T) {
	const addr = "Budi.Santoso@warga.test"
	mirror := t.TempDir()
	cfgPath, cfg, cases := recordsDesk(t, fmt.Sprintf("archive_mirror = %q", mirror), 2, addr)
	// A mail of his on no case, and one to him in Cc of another citizen's.
	db, err := sqlite.Open(cfg.DatabasePath())
	if err != nil {
		t.Fatal(err)
	}
	err = db.Intake(context.Background(), func(tx mailproc.IntakeTx) error {
		return tx.InsertMessage(&mailproc.Message{MessageID: "lepas@warga.test", From: mailproc.Address{Name: "Budi Santoso", Addr: addr},
			Cc: []mailproc.Address{{Addr: "lain@warga.test"}}, Subject: "Budi Santoso menulis lagi", Text: "Surat tanpa kasus dari Budi Santoso."}, 0)
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	report := func() string {
		return withoutChainHead(mailprocOut(t, "report", "-config", cfgPath, "--month", "2026-03", "--format", "csv"))
	}
	before := report()
	traces := []string{"budi.santoso", "Budi Santoso", cases[0].CitizenText, cases[1].Answer, "terima kasih Bu Rina", "foto-atap"}

	dry := mailprocOut(t, "forget", "-config", cfgPath, "--dry-run", addr)
	if !strings.Contains(dry, "2 kasus, 3 email masuk") {
		t.Errorf("dry run: %s", dry)
	}
	if len(findTraces(t, cfg, traces)) == 0 {
		t.Fatal("the dry run removed the citizen's data")
	}

	out := mailprocOut(t, "forget", "-config", cfgPath, "--by", "operator ppid", addr)
	t.Log(out)
	if found := findTraces(t, cfg, traces); len(found) > 0 {
		t.Errorf("after forget the citizen is still in the database files:\n%s", strings.Join(found, "\n"))
	}
	for _, rc := range cases {
		for _, root := range []string{cfg.Desk.DataDir, mirror} {
			if _, err := os.Stat(filepath.Join(root, rc.Files[0])); !os.IsNotExist(err) {
				t.Errorf("%s: raw file in %s still there (err %v)", rc.Number, root, err)
			}
		}
	}
	if v := mailprocOut(t, "verify", "-config", cfgPath); v == "" {
		t.Error("verify printed nothing after forget")
	}
	if after := report(); after != before {
		t.Errorf("the March report changed:\n--- before\n%s\n--- after\n%s", before, after)
	}
	db, err = sqlite.Open(cfg.DatabasePath())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	nc, nm, _, err := db.Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if nm != 3 || nc < 3 {
		t.Errorf("counts after forget: %d cases, %d messages", nc, nm)
	}
	var pseudo string
	for _, rc := range cases {
		c, err := db.CaseByNumber(ctx, rc.Number)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasSuffix(c.CitizenAddr, "@"+mailproc.AnonymousDomain) || (pseudo != "" && c.CitizenAddr != pseudo) {
			t.Errorf("%s: citizen %q, want one pseudonym for both cases (%q)", rc.Number, c.CitizenAddr, pseudo)
		}
		pseudo = c.CitizenAddr
		evs, err := db.Timeline(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		last := evs[len(evs)-1]
		if last.Type != mailproc.EventForget || last.Actor != "operator ppid" {
			t.Errorf("%s: last event %+v, want the forget request by operator ppid", rc.Number, last)
		}
	}
	if other, err := db.CaseByNumber(ctx, "INF-2026-00001"); err != nil || !strings.HasPrefix(other.CitizenAddr, "warga") {
		t.Errorf("another citizen's case changed: %+v, %v", other, err)
	}
}

// chainHeadLine is the report's line naming the hash chain's head (text
// and CSV): retention and forget add events, so it moves while every
// figure stays.
var chainHeadLine = regexp.MustCompile(`(?m)^.*(Kepala rantai riwayat|kepala_rantai).*\n`)

// withoutChainHead is a report without its chain-head line.
func withoutChainHead(report string) string {
	if !chainHeadLine.MatchString(report) {
		panic("the report names no chain head: " + report)
	}
	return chainHeadLine.ReplaceAllString(report, "")
}

// findTraces returns which of the strings (case-insensitively) are in the
// database file or its WAL, byte for byte.
func findTraces(t *testing.T, cfg *config.Config, traces []string) []string {
	t.Helper()
	var found []string
	for _, f := range []string{cfg.DatabasePath(), cfg.DatabasePath() + "-wal"} {
		b, err := os.ReadFile(f)
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		lower := bytes.ToLower(b)
		for _, tr := range traces {
			if bytes.Contains(lower, bytes.ToLower([]byte(tr))) {
				found = append(found, fmt.Sprintf("%s: %q", filepath.Base(f), tr))
			}
		}
	}
	return found
}

// TestRetentionLoop: the daemon's daily retention runs at once when it
// starts (a period is configured), records itself as sistem, and stops
// with its context; with no period it returns at once.
func TestRetentionLoop(t *testing.T) {
	_, cfg, cases := recordsDesk(t, "retention_aduan = \"30d\"", 1, "budi.santoso@warga.test")
	db, err := sqlite.Open(cfg.DatabasePath())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { retentionLoop(ctx, db, cfg, slog.New(slog.DiscardHandler)); close(done) }()
	c, err := db.CaseByNumber(context.Background(), cases[0].Number)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, "the retention event", func() bool {
		evs, err := db.Timeline(context.Background(), c.ID)
		if err != nil {
			t.Fatal(err)
		}
		last := evs[len(evs)-1]
		return last.Type == mailproc.EventRetention && last.Actor == mailproc.ActorSystem
	})
	cancel()
	<-done

	off := *cfg
	off.Records.RetentionAduan, off.Records.RetentionInformasi = 0, 0
	retentionLoop(context.Background(), db, &off, slog.New(slog.DiscardHandler)) // returns: nothing to do
}

package mailproc_test

// The escalation chain with an injected clock and no sleeping: real SQLite,
// real templates, real MIME parsing; time is a variable the test moves.

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dpk-kampar/mailproc/mailproc"
	"github.com/dpk-kampar/mailproc/mailproc/archive"
	"github.com/dpk-kampar/mailproc/mailproc/mime"
	"github.com/dpk-kampar/mailproc/mailproc/sqlite"
	"github.com/dpk-kampar/mailproc/mailproc/template"
)

const desk = "layanan@pustakaarsip.kamparkab.go.id"

// deskWorld is the desk's domain wired to real adapters, on a fake clock.
type deskWorld struct {
	t   testing.TB
	dir string // the data directory: database and archive
	now time.Time
	db  *sqlite.DB
	in  *mailproc.Ingester
	esc *mailproc.Escalator
	uid uint32
	// behind is the Delivery.Behind of the next mail: how many more the
	// intake knows wait after it.
	behind int
}

func newDeskWorld(t testing.TB) *deskWorld {
	t.Helper()
	dir := t.TempDir()
	w := &deskWorld{t: t, dir: dir, now: time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)}
	db, arch := w.openDataDir(t, dir)
	tmpl, err := template.Load("", slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	wib, _ := time.LoadLocation("Asia/Jakarta")
	clock := mailproc.FixedClock{Info: 5 * time.Minute, Complaint: time.Hour}
	dirPeople := mailproc.Directory{People: []mailproc.Person{
		{Name: "Rina", Title: "Petugas", Addr: "petugas@pustakaarsip.kamparkab.go.id", Role: mailproc.RoleStaff},
		{Title: "Kepala Seksi Pelayanan", Addr: "kasi@pustakaarsip.kamparkab.go.id", Role: mailproc.RoleHead, Level: 1},
		{Title: "Kepala Bagian Pelayanan", Addr: "kabag@pustakaarsip.kamparkab.go.id", Role: mailproc.RoleHead, Level: 2},
		{Title: "Kepala Dinas", Addr: "kadis@pustakaarsip.kamparkab.go.id", Role: mailproc.RoleHead, Level: 3},
	}}
	comp := &mailproc.Composer{
		Desk:     mailproc.Desk{Name: "Layanan Informasi dan Aduan Masyarakat", Agency: "Dinas", Address: desk, Location: wib},
		Renderer: tmpl, Ops: []mailproc.Address{{Addr: "ops@pustakaarsip.kamparkab.go.id"}}, Promise: clock,
		Tokens: mailproc.Tokens{Secret: []byte("rahasia-rahasia-rahasia-rahasia-0123")}, Staff: dirPeople.Staff(), Now: w.clock,
	}
	w.db = db
	w.esc = mailproc.NewEscalator(mailproc.Escalator{Store: db, Next: db.NextEscalation, Composer: comp, Directory: dirPeople,
		After: []time.Duration{30 * time.Minute, time.Hour, 0}, Timer: clock, DigestOver: 5, Now: w.clock,
		Logger: slog.New(slog.DiscardHandler)})
	w.in = &mailproc.Ingester{Store: db, Archive: arch,
		Parse: func(r io.Reader) (*mailproc.Message, error) { return mime.Parse(r, mime.Options{}) },
		Clock: clock, Location: wib, ReopenWindow: 14 * 24 * time.Hour, Composer: comp, Directory: dirPeople,
		Escalator: w.esc, Tokens: comp.Tokens, AckEnabled: true, AckPolicy: mailproc.AckPolicy{DeskAddr: desk, PerSenderPerDay: 100},
		Now: w.clock, Logger: slog.New(slog.DiscardHandler)}
	return w
}

func (w *deskWorld) clock() time.Time { return w.now }

// openDataDir opens the database (dir/mailproc.db, created if missing) and
// the archive of a data directory, on the world's clock.
func (w *deskWorld) openDataDir(t testing.TB, dir string) (*sqlite.DB, *archive.Dir) {
	t.Helper()
	db, err := sqlite.Open(filepath.Join(dir, "mailproc.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.Now = w.clock
	arch, err := archive.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	return db, arch
}

// mail delivers a raw mail to the desk and returns the case number.
func (w *deskWorld) mail(raw string) string {
	w.t.Helper()
	w.uid++
	res, err := w.in.Ingest(context.Background(), mailproc.Delivery{Mailbox: "INBOX", UIDValidity: 1, UID: w.uid, Arrived: w.now, Behind: w.behind},
		strings.NewReader(strings.ReplaceAll(raw, "\n", "\r\n")))
	if err != nil || res.Disposition != mailproc.Stored {
		w.t.Fatalf("ingest: %+v %v", res, err)
	}
	return res.CaseNumber
}

func (w *deskWorld) complaint(from string) string {
	return w.mail(fmt.Sprintf("From: %s\nTo: %s\nSubject: [ADUAN] Buku rusak\nMessage-ID: <%d.%s>\n\nBuku yang saya pinjam rusak.\n", from, desk, w.uid, from))
}

// escalations returns the escalation mails queued so far: recipients → count.
func (w *deskWorld) escalations() []*mailproc.OutgoingMail {
	w.t.Helper()
	rows, err := w.db.Outbox(context.Background(), sqlite.OutboxFilter{Purpose: mailproc.PurposeEscalation})
	if err != nil {
		w.t.Fatal(err)
	}
	return rows
}

func (w *deskWorld) at(d time.Duration) {
	w.t.Helper()
	w.now = w.now.Add(d)
	if err := w.esc.EscalateDue(context.Background()); err != nil {
		w.t.Fatal(err)
	}
}

func TestEscalationChain(t *testing.T) {
	w := newDeskWorld(t)
	start := w.now
	number := w.complaint("siti@gmail.com")
	if next, ok, _ := w.db.NextEscalation(context.Background()); !ok || !next.Equal(start.Add(time.Hour)) {
		t.Fatalf("next escalation %v %v, want the complaint deadline", next, ok)
	}

	steps := []struct {
		after time.Duration // since the previous step
		to    string
		cc    []string
		total int
		level int
	}{
		{59 * time.Minute, "", nil, 0, 0},                               // not yet due
		{2 * time.Minute, "kasi@", nil, 1, 1},                           // deadline passed: Kepala Seksi
		{29 * time.Minute, "", nil, 1, 1},                               // Kasi's 30 minutes not over
		{2 * time.Minute, "kabag@", []string{"kasi@"}, 2, 2},            // Kepala Bagian, Kasi in Cc
		{61 * time.Minute, "kadis@", []string{"kasi@", "kabag@"}, 3, 3}, // Kepala Dinas
		{24 * time.Hour, "", nil, 3, 3},                                 // the chain ends there
	}
	for i, s := range steps {
		w.at(s.after)
		got := w.escalations()
		if len(got) != s.total {
			t.Fatalf("step %d: %d escalation mails, want %d", i, len(got), s.total)
		}
		c, _ := w.db.CaseByNumber(context.Background(), number)
		if c.EscalationLevel != s.level {
			t.Fatalf("step %d: level %d, want %d", i, c.EscalationLevel, s.level)
		}
		if s.to == "" {
			continue
		}
		last := got[len(got)-1]
		if !strings.HasPrefix(last.To[0].Addr, s.to) || len(last.Cc) != len(s.cc) {
			t.Fatalf("step %d: to %v cc %v", i, last.To, last.Cc)
		}
		for j, cc := range s.cc {
			if !strings.HasPrefix(last.Cc[j].Addr, cc) {
				t.Fatalf("step %d: cc %v", i, last.Cc)
			}
		}
		if !strings.Contains(last.Subject, number) || !strings.Contains(last.Text, "Buku yang saya pinjam rusak") ||
			!strings.Contains(last.Text, "terlambat") || !strings.Contains(last.Text, "Riwayat kasus") {
			t.Fatalf("step %d: escalation mail lacks the case:\n%s", i, last.Text)
		}
	}
	if c, _ := w.db.CaseByNumber(context.Background(), number); c.State != mailproc.StateDieskalasi || !c.EscalateAt.IsZero() {
		t.Fatalf("after the chain: state %s, escalate at %v", c.State, c.EscalateAt)
	}
}

// TestEscalationStopsWhenAnswered: a staff answer after the first head was
// told stops the chain.
func TestEscalationStopsWhenAnswered(t *testing.T) {
	w := newDeskWorld(t)
	number := w.complaint("siti@gmail.com")
	w.at(61 * time.Minute)
	if n := len(w.escalations()); n != 1 {
		t.Fatalf("%d escalations", n)
	}
	// The promise ran out unanswered: judged late when the head was told.
	c, _ := w.db.CaseByNumber(context.Background(), number)
	if v := c.Verdict; v.Outcome != mailproc.OutcomeLate || v.HasServiceTime || v.Promise != time.Hour ||
		v.Kind != mailproc.KindAduan || v.Calendar != (mailproc.FixedClock{Info: 5 * time.Minute, Complaint: time.Hour}).Version() {
		t.Fatalf("verdict at the deadline: %+v", v)
	}
	// The Kepala Seksi answers by replying to the escalation.
	esc := w.escalations()[0]
	w.mail(fmt.Sprintf("From: kasi@pustakaarsip.kamparkab.go.id\nTo: %s\nSubject: Re: %s\nIn-Reply-To: <%s>\nMessage-ID: <kasi-1@pustakaarsip.kamparkab.go.id>\n\nBuku akan kami ganti.\n\nPada Jum, 27 Nov 2026 pukul 10.01 Layanan <%s> menulis:\n> kutipan\n",
		desk, esc.Subject, esc.MessageID, desk))
	c, _ = w.db.CaseByNumber(context.Background(), number)
	if c.State != mailproc.StateDijawab || !c.EscalateAt.IsZero() {
		t.Fatalf("after the head's answer: state %s, escalate at %v", c.State, c.EscalateAt)
	}
	// Still late, now with the time to the first answer.
	if v := c.Verdict; v.Outcome != mailproc.OutcomeLate || !v.HasServiceTime || v.ServiceTime != c.FirstAnswerAt.Sub(c.OpenedAt) {
		t.Fatalf("verdict after the answer: %+v", v)
	}
	tl, _ := w.db.Timeline(context.Background(), c.ID)
	verdicts := 0
	for _, e := range tl {
		if e.Type == mailproc.EventVerdict {
			verdicts++
		}
	}
	if verdicts != 2 {
		t.Errorf("%d putusan events, want 2 (late, then its answer time)", verdicts)
	}
	w.at(48 * time.Hour)
	if n := len(w.escalations()); n != 1 {
		t.Fatalf("%d escalations after the answer, want still 1", n)
	}
	answers, _ := w.db.Outbox(context.Background(), sqlite.OutboxFilter{Purpose: mailproc.PurposeAnswer})
	if len(answers) != 1 || !strings.Contains(answers[0].Text, "Buku akan kami ganti") || !strings.Contains(answers[0].Text, "Kepala Seksi Pelayanan") {
		t.Fatalf("relayed answer: %+v", answers)
	}
}

// TestEscalationDigest: after downtime, many cases due for one head at once
// give one digest, and each case is escalated once.
func TestEscalationDigest(t *testing.T) {
	w := newDeskWorld(t)
	for i := 0; i < 7; i++ {
		w.complaint(fmt.Sprintf("warga%d@gmail.com", i))
	}
	w.at(3 * time.Hour) // the daemon was down; now it starts
	got := w.escalations()
	if len(got) != 1 || !strings.Contains(got[0].Subject, "7 kasus") {
		t.Fatalf("escalations after downtime: %d %v", len(got), got)
	}
	list, _ := w.db.ListCases(context.Background(), sqlite.CaseFilter{})
	for _, c := range list {
		if c.EscalationLevel != 1 {
			t.Fatalf("%s at level %d", c.Number, c.EscalationLevel)
		}
	}
	w.at(time.Minute)
	if n := len(w.escalations()); n != 1 {
		t.Fatalf("%d escalation mails, want the one digest", n)
	}
}

// TestAckShowsOfficeHoursDeadline: a complaint that arrives Friday 16.10
// WIB, with the desk open until 16.30 on Fridays, is due Monday 08.10 (20
// minutes on Friday, 40 on Monday), and the acknowledgement says so and
// says why.
func TestAckShowsOfficeHoursDeadline(t *testing.T) {
	w := newDeskWorld(t)
	wib, _ := time.LoadLocation("Asia/Jakarta")
	var week [7][]mailproc.DaySpan
	for wd := time.Monday; wd <= time.Friday; wd++ {
		end := 16 * time.Hour
		if wd == time.Friday {
			end += 30 * time.Minute
		}
		week[wd] = []mailproc.DaySpan{{Start: 7*time.Hour + 30*time.Minute, End: end}}
	}
	cal := mailproc.NewServiceCalendar(wib, week, nil, false)
	w.in.Clock = mailproc.CalendarClock{Calendar: cal, Info: 5 * time.Minute, Complaint: time.Hour}
	w.now = time.Date(2026, 11, 27, 16, 10, 0, 0, wib)
	number := w.complaint("siti@gmail.com")

	c, _ := w.db.CaseByNumber(context.Background(), number)
	if want := time.Date(2026, 11, 30, 8, 10, 0, 0, wib); !c.DueAt.Equal(want) || !c.EscalateAt.Equal(want) {
		t.Fatalf("due %v, escalate %v; want %v", c.DueAt, c.EscalateAt, want)
	}
	acks, _ := w.db.Outbox(context.Background(), sqlite.OutboxFilter{Purpose: mailproc.PurposeAck})
	if len(acks) != 1 {
		t.Fatalf("%d acks", len(acks))
	}
	for _, want := range []string{"Senin, 30 November 2026 pukul 08.10 WIB", "1 jam", "di luar jam layanan"} {
		if !strings.Contains(acks[0].Text, want) {
			t.Errorf("ack lacks %q:\n%s", want, acks[0].Text)
		}
	}
}

// TestReminder: staff are reminded once at 80% of the time, before the
// Kepala Seksi is told; an answer before that means no reminder.
func TestReminder(t *testing.T) {
	w := newDeskWorld(t)
	w.esc.ReminderPercent = 80
	w.complaint("siti@gmail.com")
	reminders := func() int {
		rows, _ := w.db.Outbox(context.Background(), sqlite.OutboxFilter{Purpose: mailproc.PurposeNotify})
		n := 0
		for _, r := range rows {
			if strings.Contains(r.Subject, "Pengingat") {
				n++
			}
		}
		return n
	}
	w.at(47 * time.Minute)
	if n := reminders(); n != 0 {
		t.Fatalf("%d reminders at 47 of 60 minutes", n)
	}
	w.at(2 * time.Minute)
	if n := reminders(); n != 1 {
		t.Fatalf("%d reminders at 49 of 60 minutes, want 1", n)
	}
	if n := len(w.escalations()); n != 0 {
		t.Fatalf("a head was told before the deadline")
	}
	w.at(12 * time.Minute)
	if n, e := reminders(), len(w.escalations()); n != 1 || e != 1 {
		t.Fatalf("after the deadline: %d reminders, %d escalations; want 1 and 1", n, e)
	}

	// An informasi answered within its first minutes gets no reminder.
	number := w.mail("From: budi@gmail.com\nTo: " + desk + "\nSubject: Jam buka\nMessage-ID: <jam-1@gmail.com>\n\nJam berapa buka?\n")
	c, _ := w.db.CaseByNumber(context.Background(), number)
	if c.RemindAt.IsZero() {
		t.Fatal("no reminder scheduled for the informasi")
	}
	notes, _ := w.db.Outbox(context.Background(), sqlite.OutboxFilter{Purpose: mailproc.PurposeNotify})
	var notif *mailproc.OutgoingMail
	for _, n := range notes {
		if strings.Contains(n.Subject, number) && strings.Contains(n.Subject, "Kasus baru") {
			notif = n
		}
	}
	w.mail(fmt.Sprintf("From: petugas@pustakaarsip.kamparkab.go.id\nTo: %s\nSubject: Re: %s\nIn-Reply-To: <%s>\nMessage-ID: <p-1@pustakaarsip.kamparkab.go.id>\n\nBuka jam 07.30.\n", desk, notif.Subject, notif.MessageID))
	w.at(10 * time.Minute)
	if n := reminders(); n != 1 {
		t.Fatalf("%d reminders after the informasi was answered, want still 1", n)
	}
}

// TestSatisfactionRating: an answered informasi closes with the closing
// mail; the citizen's "4 …" reply to it is a rating — no new case, no
// reopening, no acknowledgement — while a question in reply reopens it.
func TestSatisfactionRating(t *testing.T) {
	w := newDeskWorld(t)
	number := w.mail("From: Siti <siti@gmail.com>\nTo: " + desk + "\nSubject: Jam buka\nMessage-ID: <jam-1@gmail.com>\n\nJam berapa buka?\n")
	outbox := func(p mailproc.Purpose) []*mailproc.OutgoingMail {
		rows, _ := w.db.Outbox(context.Background(), sqlite.OutboxFilter{Purpose: p})
		return rows
	}
	notif := outbox(mailproc.PurposeNotify)[0]
	w.mail(fmt.Sprintf("From: petugas@pustakaarsip.kamparkab.go.id\nTo: %s\nSubject: Re: %s\nIn-Reply-To: <%s>\nMessage-ID: <p-1@pustakaarsip.kamparkab.go.id>\n\nBuka jam 07.30.\n", desk, notif.Subject, notif.MessageID))
	closing := outbox(mailproc.PurposeClosing)
	if len(closing) != 1 || !strings.Contains(closing[0].Text, "4 = sangat puas") {
		t.Fatalf("closing mails: %+v", closing)
	}
	acksBefore := len(outbox(mailproc.PurposeAck))
	w.mail(fmt.Sprintf("From: siti@gmail.com\nTo: %s\nSubject: Re: %s\nIn-Reply-To: <%s>\nMessage-ID: <nilai-1@gmail.com>\n\n4 Petugas cepat menjawab.\n\nPada Jum, 27 Nov 2026 pukul 10.15 Layanan <%s> menulis:\n> 1 = sangat tidak puas\n", desk, closing[0].Subject, closing[0].MessageID, desk))
	c, _ := w.db.CaseByNumber(context.Background(), number)
	if c.State != mailproc.StateSelesai {
		t.Fatalf("state %s after the rating", c.State)
	}
	ratings, _ := w.db.Ratings(context.Background(), []int64{c.ID})
	if len(ratings) != 1 || ratings[0].Score != 4 || ratings[0].Comment != "Petugas cepat menjawab." {
		t.Fatalf("ratings %+v", ratings)
	}
	if n, _ := w.db.ListCases(context.Background(), sqlite.CaseFilter{}); len(n) != 1 || len(outbox(mailproc.PurposeAck)) != acksBefore {
		t.Fatalf("the rating opened a case or got an acknowledgement")
	}
	// A question in reply to the closing mail reopens the case.
	w.mail(fmt.Sprintf("From: siti@gmail.com\nTo: %s\nSubject: Re: %s\nIn-Reply-To: <%s>\nMessage-ID: <tanya-2@gmail.com>\n\nKalau hari Minggu buka?\n", desk, closing[0].Subject, closing[0].MessageID))
	if c, _ := w.db.CaseByNumber(context.Background(), number); c.State == mailproc.StateSelesai {
		t.Fatal("a question after closing did not reopen the case")
	}
}

// TestEscalationAttachmentsCapped: an escalation carries the citizen's
// attachments only up to desk.notify_attachments_max, like the staff
// notification; the rest are listed as kept in the archive.
func TestEscalationAttachmentsCapped(t *testing.T) {
	w := newDeskWorld(t)
	w.in.Composer.NotifyAttachMax = 1000
	small := strings.Repeat("a", 600)
	big := strings.Repeat("b", 3000)
	w.mail("From: siti@gmail.com\nTo: " + desk + "\nSubject: [ADUAN] Buku rusak\nMessage-ID: <att.siti@gmail.com>\n" +
		"MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"x\"\n\n" +
		"--x\nContent-Type: text/plain\n\nBuku yang saya pinjam rusak.\n" +
		"--x\nContent-Type: text/plain; name=\"kecil.txt\"\nContent-Disposition: attachment; filename=\"kecil.txt\"\n\n" + small + "\n" +
		"--x\nContent-Type: text/plain; name=\"besar.txt\"\nContent-Disposition: attachment; filename=\"besar.txt\"\n\n" + big + "\n" +
		"--x--\n")
	w.at(61 * time.Minute)
	got := w.escalations()
	if len(got) != 1 {
		t.Fatalf("%d escalations, want 1", len(got))
	}
	esc := got[0]
	var names []string
	for _, a := range esc.Attachments {
		names = append(names, a.Filename)
	}
	if len(names) != 1 || names[0] != "kecil.txt" {
		t.Fatalf("escalation attaches %v, want only kecil.txt (budget 1000 bytes)", names)
	}
	if !strings.Contains(esc.Text, "kecil.txt") || !strings.Contains(esc.Text, "besar.txt") ||
		!strings.Contains(esc.Text, "tidak dilampirkan") {
		t.Fatalf("escalation text does not list both attachments:\n%s", esc.Text)
	}
}

// TestAckBudgetPerHour: with ack.per_hour = 3, the fourth new case of the
// hour still opens (staff are told) but gets no acknowledgement, ops gets
// one notice however many more come, and acknowledgements resume when the
// hour rolls.
func TestAckBudgetPerHour(t *testing.T) {
	w := newDeskWorld(t)
	w.in.AckPerHour = 3
	w.now = time.Date(2026, 11, 27, 9, 10, 0, 0, time.UTC)
	count := func(p mailproc.Purpose) int {
		rows, err := w.db.Outbox(context.Background(), sqlite.OutboxFilter{Purpose: p})
		if err != nil {
			t.Fatal(err)
		}
		return len(rows)
	}
	var numbers []string
	for i := range 6 {
		numbers = append(numbers, w.complaint(fmt.Sprintf("warga%d@gmail.com", i)))
		w.now = w.now.Add(time.Minute)
	}
	if n := count(mailproc.PurposeAck); n != 3 {
		t.Fatalf("%d acknowledgements in the hour, want 3", n)
	}
	if n := count(mailproc.PurposeNotify); n != 6 {
		t.Fatalf("%d staff notifications, want 6: every mail is a case", n)
	}
	if n := count(mailproc.PurposeOps); n != 1 {
		t.Fatalf("%d ops notices, want 1", n)
	}
	c, _ := w.db.CaseByNumber(context.Background(), numbers[5])
	evs, _ := w.db.Timeline(context.Background(), c.ID)
	found := false
	for _, e := range evs {
		found = found || (e.Type == mailproc.EventAck && strings.Contains(e.Detail, "per jam"))
	}
	if !found {
		t.Fatalf("case %s does not say why no acknowledgement was sent: %+v", numbers[5], evs)
	}
	w.now = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	w.complaint("warga-baru@gmail.com")
	if n := count(mailproc.PurposeAck); n != 4 {
		t.Fatalf("%d acknowledgements after the hour rolled, want 4", n)
	}
}

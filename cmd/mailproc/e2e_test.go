package main

// End-to-end tests of the spine against the real Dovecot + Postfix: mail
// sent through Postfix becomes cases, nothing lost, nothing twice.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"math/rand"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dpk-kampar/mailproc/mailproc"
	"github.com/dpk-kampar/mailproc/mailproc/sqlite"
)

// burst sends n citizen mails (distinct, unrelated) to the desk.
func burst(d *testDesk, n int, offset int) {
	s := d.sender()
	for i := offset; i < offset+n; i++ {
		from := fmt.Sprintf("warga%03d@warga.test", i%37)
		subj := fmt.Sprintf("Pertanyaan nomor %d tentang jam buka", i)
		if i%5 == 0 {
			subj = fmt.Sprintf("Keluhan %d: buku rusak", i)
		}
		s.send(from, d.Address, citizenMail(from, d.Address, subj,
			fmt.Sprintf("Selamat siang,\nini email ke-%d. Apakah perpustakaan buka hari Sabtu?\nTerima kasih.", i),
			fmt.Sprintf("Message-ID: <burst-%d-%s>", i, d.Address)))
	}
}

func TestE2EBurst200(t *testing.T) {
	d := newTestDesk(t)
	d.start()
	burst(d, 200, 0)
	db := d.db()
	waitFor(t, 90*time.Second, "200 cases", func() bool { c, _, _ := counts(t, db); return c >= 200 })
	waitFor(t, 30*time.Second, "INBOX empty", func() bool { return d.count("INBOX") == 0 })

	cases, msgs, q := counts(t, db)
	if cases != 200 || msgs != 200 || q != 0 {
		t.Fatalf("cases=%d messages=%d quarantined=%d, want 200/200/0", cases, msgs, q)
	}
	if n := d.count("Diproses"); n != 200 {
		t.Fatalf("Diproses holds %d, want 200", n)
	}
	// Every complaint subject became an ADU case, the rest INF, numbered
	// without gaps.
	list, err := db.ListCases(context.Background(), sqlite.CaseFilter{})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	var adu, inf int
	for _, c := range list {
		if seen[c.Number] {
			t.Fatalf("number %s twice", c.Number)
		}
		seen[c.Number] = true
		switch {
		case strings.HasPrefix(c.Number, "ADU-"):
			adu++
			if c.Kind != mailproc.KindAduan {
				t.Errorf("%s has kind %s", c.Number, c.Kind)
			}
		case strings.HasPrefix(c.Number, "INF-"):
			inf++
		}
	}
	if adu != 40 || inf != 160 {
		t.Fatalf("ADU=%d INF=%d, want 40/160", adu, inf)
	}
	year := time.Now().In(d.Config.Location()).Year()
	for _, want := range []string{fmt.Sprintf("ADU-%d-%05d", year, 40), fmt.Sprintf("INF-%d-%05d", year, 160)} {
		if !seen[want] {
			t.Errorf("missing %s: numbers are not gap-free", want)
		}
	}
}

// TestE2EKillRestart SIGKILLs the daemon while a burst arrives and checks
// that the restarted daemon ends with exactly one case per mail, every mail
// in Diproses, and that a further restart changes nothing.
func TestE2EKillRestart(t *testing.T) {
	d := newTestDesk(t)
	cfgPath := d.writeConfig()
	db := d.db()

	p := d.spawn(cfgPath)
	done := make(chan struct{})
	go func() { defer close(done); burst(d, 200, 0) }()
	kills := 0
	for kills < 3 {
		threshold := 30 + kills*50 + rand.Intn(20)
		waitFor(t, 60*time.Second, fmt.Sprintf("%d cases before kill %d", threshold, kills+1), func() bool {
			c, _, _ := counts(t, db)
			return c >= threshold
		})
		p.kill(t)
		kills++
		p = d.spawn(cfgPath)
	}
	<-done
	waitFor(t, 90*time.Second, "200 cases after restarts", func() bool { c, _, _ := counts(t, db); return c >= 200 })
	waitFor(t, 30*time.Second, "INBOX empty", func() bool { return d.count("INBOX") == 0 })

	check := func(stage string) {
		cases, msgs, q := counts(t, db)
		if cases != 200 || msgs != 200 || q != 0 {
			t.Fatalf("%s: cases=%d messages=%d quarantined=%d, want 200/200/0\n%s", stage, cases, msgs, q, p.output())
		}
		if n := d.count("Diproses"); n != 200 {
			t.Fatalf("%s: Diproses holds %d, want 200", stage, n)
		}
		if n := d.count("INBOX"); n != 0 {
			t.Fatalf("%s: INBOX holds %d, want 0", stage, n)
		}
	}
	check("after kills")

	// A clean stop (SIGTERM) exits 0, and a restart changes nothing. The
	// daemon spawned after the last kill may have found nothing left to
	// do, and the checks pass at once: the signal waits until it runs
	// (a SIGTERM before main's handler is installed kills it by default).
	waitFor(t, 30*time.Second, "the daemon started", func() bool { return strings.Contains(p.output(), "mailproc started") })
	p.cmd.Process.Signal(termSignal)
	if err := p.cmd.Wait(); err != nil {
		t.Fatalf("SIGTERM exit: %v\n%s", err, p.output())
	}
	p = d.spawn(cfgPath)
	time.Sleep(3 * time.Second) // one poll interval and more: time to do anything it wrongly would
	check("after restart")

	// mailproc cases list --json shows them all.
	cmd := exec.Command(binary(t), "cases", "list", "--json", "-config", cfgPath)
	cmd.Env = d.env()
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("cases list: %v", err)
	}
	var listed []struct{ Number, State string }
	if err := json.Unmarshal(out, &listed); err != nil {
		t.Fatalf("cases list --json: %v\n%s", err, out)
	}
	if len(listed) != 200 {
		t.Fatalf("cases list --json listed %d", len(listed))
	}
}

func TestE2EQuarantine(t *testing.T) {
	d := newTestDesk(t)
	d.start()
	s := d.sender()
	s.send("ani@warga.test", d.Address, citizenMail("ani@warga.test", d.Address, "Syarat kartu anggota", "Apa syarat membuat kartu anggota?"))
	d.appendRaw([]byte("\x00\x01\x02 ini bukan email \xff\xfe\r\n"))
	s.send("rudi@warga.test", d.Address, citizenMail("rudi@warga.test", d.Address, "Jam buka", "Jam berapa perpustakaan buka?"))

	db := d.db()
	waitFor(t, 30*time.Second, "3 mails handled", func() bool { _, m, q := counts(t, db); return m+q >= 3 })
	waitFor(t, 30*time.Second, "INBOX empty", func() bool { return d.count("INBOX") == 0 })
	cases, msgs, q := counts(t, db)
	if cases != 2 || msgs != 2 || q != 1 {
		t.Fatalf("cases=%d messages=%d quarantined=%d, want 2/2/1", cases, msgs, q)
	}
	if n := d.count("Karantina"); n != 1 {
		t.Fatalf("Karantina holds %d, want 1", n)
	}
	if n := d.count("Diproses"); n != 2 {
		t.Fatalf("Diproses holds %d, want 2", n)
	}
	entries, err := db.QuarantineList(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Reason == "" || entries[0].SHA256 == "" {
		t.Fatalf("quarantine entries: %+v", entries)
	}
}

// TestE2EOversizeQuarantined: on the real Dovecot, a mail above
// imap.max_message_size goes to Karantina by UID without being downloaded
// (nothing of its size reaches the archive), its reason is recorded, ops is
// told, and the mail after it is processed: the queue does not stall.
func TestE2EOversizeQuarantined(t *testing.T) {
	d := newTestDesk(t)
	d.Config.IMAP.MaxMessageSize = 128 << 10
	d.start()
	big := citizenMail("besar@warga.test", d.Address, "Pindaian arsip", strings.Repeat("Lampiran pindaian arsip 0123456789.\r\n", 8000)) // ~300 KB
	d.appendRaw(big)
	d.sender().send("rudi@warga.test", d.Address, citizenMail("rudi@warga.test", d.Address, "Jam buka", "Jam berapa perpustakaan buka?"))

	db := d.db()
	waitFor(t, 30*time.Second, "both mails handled", func() bool { _, m, q := counts(t, db); return m+q >= 2 })
	waitFor(t, 30*time.Second, "INBOX empty", func() bool { return d.count("INBOX") == 0 })
	if cases, msgs, q := counts(t, db); cases != 1 || msgs != 1 || q != 1 {
		t.Fatalf("cases=%d messages=%d quarantined=%d, want 1/1/1", cases, msgs, q)
	}
	if n := d.count("Karantina"); n != 1 {
		t.Fatalf("Karantina holds %d, want 1", n)
	}
	entries, err := db.QuarantineList(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || !strings.Contains(entries[0].Reason, "terlalu besar") || entries[0].Size <= 128<<10 ||
		entries[0].SHA256 != "" || entries[0].Delivery.UID == 0 {
		t.Fatalf("quarantine entries %d, first %+v (mail %d bytes): want the reason, the server's size, its UID and no archived copy", len(entries), *entries[0], len(big))
	}
	err = filepath.WalkDir(d.Config.Desk.DataDir, func(path string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() || !strings.HasSuffix(path, ".eml") {
			return err
		}
		if info, err := e.Info(); err == nil && info.Size() > 128<<10 {
			t.Errorf("%s (%d bytes) was downloaded into the archive", path, info.Size())
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	ops, err := db.Outbox(context.Background(), sqlite.OutboxFilter{Purpose: mailproc.PurposeOps})
	if err != nil {
		t.Fatal(err)
	}
	if len(ops) != 1 || !strings.Contains(ops[0].Text, "terlalu besar") {
		t.Fatalf("%d ops notices, want 1 naming the reason", len(ops))
	}
}

func TestE2EFollowUpJoinsCase(t *testing.T) {
	d := newTestDesk(t)
	d.start()
	db := d.db()
	s := d.sender()
	s.send("siti@warga.test", d.Address, citizenMail("Siti <siti@warga.test>", d.Address, "Buku rusak", "Saya kecewa, buku yang saya pinjam rusak."))
	waitFor(t, 30*time.Second, "first case", func() bool { c, _, _ := counts(t, db); return c == 1 })
	list, _ := db.ListCases(context.Background(), sqlite.CaseFilter{})
	number := list[0].Number
	if !strings.HasPrefix(number, "ADU-") {
		t.Fatalf("complaint got %s", number)
	}

	// The citizen writes again with the number in the subject, no threading
	// headers (a new mail, not a reply): it joins the case.
	s.send("siti@warga.test", d.Address, citizenMail("Siti <siti@warga.test>", d.Address, "Tambahan untuk "+number, "Foto buku menyusul."))
	// Someone else quoting the number does not join it.
	s.send("orang.lain@warga.test", d.Address, citizenMail("orang.lain@warga.test", d.Address, "["+number+"] saya juga", "Saya juga mengalami hal yang sama."))
	waitFor(t, 30*time.Second, "3 messages", func() bool { _, m, _ := counts(t, db); return m == 3 })

	cases, _, _ := counts(t, db)
	if cases != 2 {
		t.Fatalf("cases = %d, want 2 (the follow-up joins, the stranger opens a new case)", cases)
	}
	c, err := db.CaseByNumber(context.Background(), number)
	if err != nil {
		t.Fatal(err)
	}
	msgs, err := db.CaseMessages(context.Background(), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 2 {
		t.Fatalf("case %s has %d messages, want 2", number, len(msgs))
	}
	events, _ := db.Timeline(context.Background(), c.ID)
	var joined bool
	for _, e := range events {
		joined = joined || e.Type == mailproc.EventMessage
	}
	if !joined {
		t.Fatalf("no %s event on %s", mailproc.EventMessage, number)
	}
}

// TestE2ELargeAttachment sends a 30 MB attachment through Postfix and checks
// it becomes a case with the attachment listed, while the daemon's peak
// memory stays far below the size of the mail.
func TestE2ELargeAttachment(t *testing.T) {
	d := newTestDesk(t)
	cfgPath := d.writeConfig()
	p := d.spawn(cfgPath)
	db := d.db()

	const size = 30 << 20
	raw := bigMail("budi@warga.test", d.Address, size)
	d.sender().send("budi@warga.test", d.Address, raw)
	waitFor(t, 120*time.Second, "the large mail as a case", func() bool { c, _, _ := counts(t, db); return c == 1 })
	waitFor(t, 30*time.Second, "INBOX empty", func() bool { return d.count("INBOX") == 0 })

	list, _ := db.ListCases(context.Background(), sqlite.CaseFilter{})
	msgs, err := db.CaseMessages(context.Background(), list[0].ID)
	if err != nil || len(msgs) != 1 {
		t.Fatalf("messages: %v %d", err, len(msgs))
	}
	m := msgs[0]
	if len(m.Attachments) != 1 || m.Attachments[0].Size != size || m.Attachments[0].Filename != "scan-arsip.pdf" {
		t.Fatalf("attachments: %+v", m.Attachments)
	}
	if m.Size < size {
		t.Fatalf("archived size %d < attachment", m.Size)
	}
	rss := p.peakRSS(t)
	t.Logf("peak RSS while ingesting a %d MB mail: %.1f MB", size>>20, float64(rss)/(1<<20))
	if rss > 64<<20 {
		t.Fatalf("peak RSS %.1f MB: the mail is held in memory", float64(rss)/(1<<20))
	}
}

// bigMail is a citizen's mail with a base64 attachment of size bytes.
func bigMail(from, to string, size int) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: Scan arsip akta\r\nMessage-ID: <big-%d@warga.test>\r\n", from, to, time.Now().UnixNano())
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n")
	b.WriteString("--b1\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nBerikut scan arsip yang saya tanyakan.\r\n")
	b.WriteString("--b1\r\nContent-Type: application/pdf; name=\"scan-arsip.pdf\"\r\nContent-Disposition: attachment; filename=\"scan-arsip.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n")
	chunk := make([]byte, 57) // 57 bytes → one 76-character base64 line
	rnd := rand.New(rand.NewSource(1))
	enc := make([]byte, 76)
	for left := size; left > 0; left -= 57 {
		n := min(57, left)
		rnd.Read(chunk[:n])
		encodeBase64(enc, chunk[:n])
		b.Write(enc[:base64Len(n)])
		b.WriteString("\r\n")
	}
	b.WriteString("--b1--\r\n")
	return b.Bytes()
}

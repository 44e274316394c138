package mailproc_test

// Broken and hostile mail through the real intake: the MIME parser, the raw
// archive and SQLite, wired as the daemon wires them (deskWorld). Every
// mail must become a case (or a copy of one) or a quarantined mail with its
// reason; nothing may be lost, and the next mail must still go through.

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/dpk-kampar/mailproc/mailproc"
)

// deliver hands one raw mail to the ingester as the next UID of the inbox
// and checks what every delivery must leave behind, whatever the mail: no
// error (in a healthy store an error would leave the mail in the inbox to
// be fetched again for ever, stalling the queue), a known disposition, the
// delivery remembered, the raw bytes archived whole, and the store's counts
// moved by exactly that mail — one message for a stored mail, one
// quarantine entry for a quarantined one, nothing for a copy.
func (w *deskWorld) deliver(t testing.TB, r io.Reader) mailproc.IngestResult {
	t.Helper()
	ctx := context.Background()
	cases0, msgs0, quar0, err := w.db.Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	w.uid++
	d := mailproc.Delivery{Mailbox: "INBOX", UIDValidity: 1, UID: w.uid, Arrived: w.now}
	h := sha256.New()
	src := io.TeeReader(r, h)
	res, err := w.in.Ingest(ctx, d, src)
	if err != nil {
		t.Fatalf("Ingest: %v (temporary: %v): the mail would stay in the inbox", err, mailproc.IsTemporary(err))
	}
	if n, _ := src.Read(make([]byte, 1)); n > 0 {
		t.Errorf("the ingester did not read the mail to its end")
	}
	// The archive names a mail by the SHA-256 of what it wrote: this name
	// says it wrote exactly what the ingester read.
	sum := hex.EncodeToString(h.Sum(nil))
	if _, err := os.Stat(filepath.Join(w.dir, "archive", sum[:2], sum+".eml")); err != nil {
		t.Errorf("the raw mail is not in the archive: %v", err)
	}
	cases, msgs, quar, err := w.db.Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	dc, dm, dq := cases-cases0, msgs-msgs0, quar-quar0
	switch res.Disposition {
	case mailproc.Stored:
		if dm != 1 || dq != 0 || dc < 0 || dc > 1 {
			t.Errorf("stored, but cases +%d, messages +%d, quarantined +%d", dc, dm, dq)
		}
		if dc == 1 && res.CaseNumber == "" {
			t.Errorf("a case was opened but the result names none: %+v", res)
		}
	case mailproc.Duplicate:
		if dc != 0 || dm != 0 || dq != 0 {
			t.Errorf("duplicate, but cases +%d, messages +%d, quarantined +%d", dc, dm, dq)
		}
	case mailproc.Quarantined:
		if dc != 0 || dm != 0 || dq != 1 {
			t.Errorf("quarantined, but cases +%d, messages +%d, quarantined +%d", dc, dm, dq)
		}
		if strings.TrimSpace(res.Reason) == "" {
			t.Errorf("quarantined without a reason")
		}
	default:
		t.Errorf("disposition %q", res.Disposition)
	}
	if disp, seen, err := w.db.DeliverySeen(ctx, d); err != nil || !seen || disp != res.Disposition {
		t.Errorf("delivery recorded as %q (seen %v, %v), result %q", disp, seen, err, res.Disposition)
	}
	return res
}

// stored returns the message a stored delivery made, the newest of its case.
func (w *deskWorld) stored(t *testing.T, res mailproc.IngestResult) *mailproc.Message {
	t.Helper()
	msgs, err := w.db.CaseMessages(context.Background(), res.CaseID)
	if err != nil || len(msgs) == 0 {
		t.Fatalf("messages of case %d: %d, %v", res.CaseID, len(msgs), err)
	}
	return msgs[len(msgs)-1]
}

// brokenCorpus says what becomes of each mail in testdata/broken (INDEX
// there says the same in words): a case with these attachments, text,
// subject and note, or a quarantine entry whose reason holds note.
var brokenCorpus = []struct {
	file    string
	want    string   // "case" or "quarantine"
	atts    []string // attachment file names, in order
	text    []string // substrings of the case's text
	subject string   // "" to not check
	note    string   // substring of one of the parser's notes, or of the quarantine reason
}{
	{file: "boundary-missing-closing.eml", want: "case", atts: []string{"surat-kehilangan.pdf"},
		text: []string{"buku yang saya pinjam hilang di bus"}, note: "missing closing boundary"},
	{file: "boundary-missing-opening.eml", want: "case", atts: []string{"ktp.jpg"},
		text: []string{"mohon salinan arsip akta tanah tahun 1985"}, note: "missing opening boundary"},
	{file: "boundary-never-appears.eml", want: "case",
		text: []string{"Apakah perpustakaan buka hari Minggu?"}, note: `boundary "b3-tidak-pernah-ada" not found`},
	{file: "boundary-param-missing.eml", want: "case", atts: []string{"jembatan.jpg"},
		text: []string{"jembatan kayu di dekat sekolah rusak"}, note: `guessed "b4-guess"`},
	{file: "base64-illegal-chars.eml", want: "case",
		text: []string{"Saya ingin menanyakan status permohonan kartu anggota saya yang saya ajukan dua minggu lalu."}, note: "4 invalid byte(s)"},
	{file: "base64-truncated.eml", want: "case", atts: []string{"surat-kuasa.pdf"},
		text: []string{"Berikut surat kuasa"}},
	{file: "qp-broken.eml", want: "case",
		text: []string{"mati – panas sekali =ZZ dan =G1 pengap.\nSuhu = 34 derajat.", "Mohon segera diperbaiki."}},
	{file: "charset-klingon.eml", want: "case",
		text: []string{"Saya peneliti dari Café Literasi."}, note: `unknown charset "klingon"`},
	{file: "charset-windows-1252.eml", want: "case",
		text: []string{"Petugas loket bilang “sistem sedang rusak” – sudah tiga hari."}},
	{file: "charset-latin1-undeclared.eml", want: "case",
		text: []string{"Señor, saya mencari arsip kolonial", "Gracias, José."}, note: "decoded as Windows-1252"},
	{file: "header-8bit-utf8.eml", want: "case", subject: "Lampu jalan mati — mohon diperbaiki 🙏",
		text: []string{"Lampu jalan di depan perpustakaan mati"}},
	{file: "header-8bit-latin1.eml", want: "case", subject: "Café baca – jam buka",
		text: []string{"Kapan kafe baca"}, note: "8-bit bytes in header Subject are not UTF-8"},
	{file: "header-no-colon-middle.eml", want: "case", subject: "Peminjaman ruang rapat",
		text: []string{"untuk kegiatan karang taruna"}, note: "2 malformed line(s) skipped"},
	{file: "header-no-colon-first.eml", want: "case", subject: "Syarat menjadi anggota",
		text: []string{"Apa saja syarat menjadi anggota perpustakaan?"}, note: "1 line(s) before the first field skipped"},
	{file: "header-folded-garbage.eml", want: "case", subject: "Tanya jadwal pustaka keliling",
		text: []string{"Kapan pustaka keliling ke Desa Kuok?"}, note: "2 line(s) before the first field skipped"},
	{file: "no-message-id.eml", want: "case", text: []string{"Apakah bisa memesan buku lewat email?"}},
	{file: "duplicate-id-a.eml", want: "case", text: []string{"Nama: Wati"}},
	// Another sender's mail under A's Message-ID: a case of its own, not a
	// "copy" of A that would be dropped.
	{file: "duplicate-id-b.eml", want: "case", text: []string{"Atap ruang baca bocor"},
		note: "Message-ID <formulir@desa-kualu.example.id> belongs to another stored mail"},
	// A forwarded mail is one attachment, kept whole; the forwards inside it
	// are not opened.
	{file: "nested-rfc822.eml", want: "case", atts: []string{"FW Jawaban permohonan data.eml"},
		text: []string{"semua menyuruh ke kabupaten"}},
	{file: "nested-multipart-200.eml", want: "case",
		text: []string{"Teks di atas: mohon info layanan."}, note: "nested deeper than 20 levels"},
	{file: "empty.eml", want: "quarantine", note: "tidak dapat dibaca: mime: empty message"},
	{file: "header-only.eml", want: "case", subject: "Tanya jam buka"},
	{file: "body-only.eml", want: "quarantine", note: "tidak dapat dibaca: mime: no header"},
	{file: "no-sender-no-content.eml", want: "quarantine", note: "tidak dapat dibaca: mime: no sender address and no content"},
	{file: "control-bytes.eml", want: "case", text: []string{"terlampir di sistem.\n\nBaris berikut."}},
	// A bounce about nothing we sent is kept on no case, for ops to list.
	{file: "bounce-unknown.eml", want: "unlinked", note: "laporan pengiriman (DSN"},
	// Outlook's winmail.dat stays listed (its part is what staff can open);
	// the files inside follow it, so staff see what was sent.
	{file: "winmail-tnef.eml", want: "case", atts: []string{"winmail.dat", "surat-permohonan.pdf", "foto dokumen rusak.jpg"},
		text: []string{"Bersama ini kami kirimkan surat permohonan dan foto dokumen yang rusak."}},
	{file: "winmail-no-text-part.eml", want: "case", atts: []string{"winmail.dat", "daftar arsip.xlsx"},
		text: []string{"Kami mohon data arsip pertanahan Desa Kualu tahun 1975–1980."}, note: "text taken from winmail.dat"},
	{file: "winmail-damaged.eml", want: "case", atts: []string{"winmail.dat", "surat-permohonan.pdf", "FOTODO~1.JPG"},
		text: []string{"Surat permohonan terlampir."}, note: `part 2 ("winmail.dat") is cut short`},
}

func TestBrokenCorpus(t *testing.T) {
	w := newDeskWorld(t)
	ctx := context.Background()
	deliveries, duplicates := 0, 0
	deliverFile := func(t *testing.T, name string, prefix string) mailproc.IngestResult {
		t.Helper()
		b, err := os.ReadFile(filepath.Join("testdata", "broken", name))
		if err != nil {
			t.Fatal(err)
		}
		res := w.deliver(t, strings.NewReader(prefix+string(b)))
		deliveries++
		if res.Disposition == mailproc.Duplicate {
			duplicates++
		}
		return res
	}
	ids := map[string]string{} // file → stored Message-ID
	for _, tt := range brokenCorpus {
		t.Run(tt.file, func(t *testing.T) {
			res := deliverFile(t, tt.file, "")
			if tt.want == "quarantine" {
				if res.Disposition != mailproc.Quarantined || !strings.Contains(res.Reason, tt.note) {
					t.Fatalf("result %+v, want quarantined with a reason holding %q", res, tt.note)
				}
				return
			}
			if tt.want == "unlinked" {
				if res.Disposition != mailproc.Stored || res.CaseID != 0 || !strings.Contains(res.Reason, tt.note) {
					t.Fatalf("result %+v, want stored on no case with a reason holding %q", res, tt.note)
				}
				return
			}
			if res.Disposition != mailproc.Stored || res.CaseNumber == "" {
				t.Fatalf("result %+v, want a new case", res)
			}
			m := w.stored(t, res)
			ids[tt.file] = m.MessageID
			var names []string
			for _, a := range m.Attachments {
				names = append(names, a.Filename)
			}
			if !slices.Equal(names, tt.atts) {
				t.Errorf("attachments %q, want %q", names, tt.atts)
			}
			for _, s := range tt.text {
				if !strings.Contains(m.Text, s) {
					t.Errorf("text lacks %q:\n%s", s, m.Text)
				}
			}
			if strings.IndexFunc(m.Text, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' }) >= 0 {
				t.Errorf("text holds control characters: %q", m.Text)
			}
			if tt.subject != "" && m.Subject != tt.subject {
				t.Errorf("subject %q, want %q", m.Subject, tt.subject)
			}
			if tt.note != "" && !slices.ContainsFunc(m.Notes, func(n string) bool { return strings.Contains(n, tt.note) }) {
				t.Errorf("notes %q, want one holding %q", m.Notes, tt.note)
			}
		})
	}

	t.Run("duplicate Message-IDs", func(t *testing.T) {
		if ids["duplicate-id-a.eml"] != "formulir@desa-kualu.example.id" || !strings.HasSuffix(ids["duplicate-id-b.eml"], "@mailproc.invalid") {
			t.Fatalf("Message-IDs of A %q and B %q", ids["duplicate-id-a.eml"], ids["duplicate-id-b.eml"])
		}
		// The same mails fetched again — byte for byte, or through another
		// route with another trace header — are copies, not new cases.
		for _, again := range []struct{ file, prefix string }{
			{"duplicate-id-a.eml", ""},
			{"duplicate-id-a.eml", "Received: from relay2.example.id by mx.kamparkab.go.id; Tue, 20 Jan 2026 09:30:01 +0700\r\n"},
			{"duplicate-id-b.eml", ""},
			{"duplicate-id-b.eml", "Delivered-To: arsip@pustakaarsip.kamparkab.go.id\r\n"},
			{"no-message-id.eml", ""},
		} {
			if res := deliverFile(t, again.file, again.prefix); res.Disposition != mailproc.Duplicate {
				t.Errorf("%s again (%q): %+v, want a duplicate", again.file, again.prefix, res)
			}
		}
	})

	t.Run("the queue goes on", func(t *testing.T) {
		res := w.deliver(t, strings.NewReader(strings.ReplaceAll("From: Warga Baik <warga.baik@example.id>\nTo: "+desk+
			"\nSubject: Jam buka\nMessage-ID: <sesudah-korpus@example.id>\n\nJam berapa perpustakaan buka?\n", "\n", "\r\n")))
		deliveries++
		if res.Disposition != mailproc.Stored || res.CaseNumber == "" {
			t.Fatalf("a good mail after the broken ones: %+v", res)
		}
	})

	// Nothing is lost: every delivery is a stored message, a quarantine
	// entry or a copy of a stored message.
	_, msgs, quar, err := w.db.Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if msgs+quar+duplicates != deliveries {
		t.Errorf("%d deliveries, but %d messages + %d quarantined + %d duplicates", deliveries, msgs, quar, duplicates)
	}
}

// Every file in testdata/broken has its row in brokenCorpus and its line in
// INDEX, and INDEX says the same outcome: the index is read by people.
func TestBrokenCorpusIndex(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "broken", "*.eml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus: %v", err)
	}
	f, err := os.Open(filepath.Join("testdata", "broken", "INDEX"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	index := map[string]string{} // file → outcome column
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || strings.TrimSpace(line) == "" {
			continue
		}
		cols := strings.Split(line, "|")
		if len(cols) != 3 {
			t.Errorf("INDEX line %q: want file | what is broken | outcome", line)
			continue
		}
		index[strings.TrimSpace(cols[0])] = strings.TrimSpace(cols[2])
	}
	rows := map[string]string{}
	for _, tt := range brokenCorpus {
		rows[tt.file] = tt.want
	}
	for _, f := range files {
		name := filepath.Base(f)
		if rows[name] == "" {
			t.Errorf("%s has no row in brokenCorpus", name)
		}
		if out, ok := index[name]; !ok {
			t.Errorf("%s is not in INDEX", name)
		} else if !strings.HasPrefix(out, rows[name]) {
			t.Errorf("INDEX says %s → %q, the test says %q", name, out, rows[name])
		}
		delete(index, name)
	}
	for name := range index {
		t.Errorf("INDEX lists %s, which is not in testdata/broken", name)
	}
}

// A 50 MB mail (a scanned document as a base64 attachment, generated as it
// is read) is streamed: archived whole, its attachment counted to the
// byte, and memory independent of its size.
func TestBrokenCorpus50MB(t *testing.T) {
	if testing.Short() {
		t.Skip("50 MB")
	}
	const size = 50 << 20
	w := newDeskWorld(t)
	head := strings.ReplaceAll("From: Budi Santoso <budi@example.id>\nTo: "+desk+"\nSubject: Pindaian arsip 50 MB\n"+
		"Message-ID: <lima-puluh-mb@example.id>\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"b50\"\n\n"+
		"--b50\nContent-Type: text/plain; charset=utf-8\n\nPindaian arsip keluarga terlampir.\n\n"+
		"--b50\nContent-Type: application/pdf; name=\"pindaian.pdf\"\nContent-Transfer-Encoding: base64\n\n", "\n", "\r\n")
	mail := io.MultiReader(strings.NewReader(head), base64Lines(size), strings.NewReader("\r\n--b50--\r\n"))

	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	res := w.deliver(t, mail)
	runtime.ReadMemStats(&after)
	if res.Disposition != mailproc.Stored {
		t.Fatalf("result %+v", res)
	}
	m := w.stored(t, res)
	if len(m.Attachments) != 1 || m.Attachments[0].Size != size || m.Text != "Pindaian arsip keluarga terlampir." {
		t.Errorf("attachments %+v, text %q", m.Attachments, m.Text)
	}
	// TotalAlloc only grows: a bound on it bounds the peak, whenever the GC ran.
	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("%d MB raw mail: %.1f MB allocated", m.Size>>20, float64(alloc)/(1<<20))
	if alloc > 8<<20 {
		t.Errorf("%.1f MB allocated for a %d MB mail: it is being buffered", float64(alloc)/(1<<20), m.Size>>20)
	}
}

// base64Lines yields n incompressible bytes as base64 in 76-column CRLF
// lines, generated as they are read.
func base64Lines(n int64) io.Reader {
	pr, pw := io.Pipe()
	go func() {
		bw := bufio.NewWriterSize(pw, 64<<10) // one pipe hand-over per 64 KiB, not per line
		enc := base64.NewEncoder(base64.StdEncoding, &lineWriter{w: bw})
		_, err := io.CopyN(enc, rand.NewChaCha8([32]byte{5, 0}), n)
		if err == nil {
			err = enc.Close()
		}
		if err == nil {
			err = bw.Flush()
		}
		pw.CloseWithError(err)
	}()
	return pr
}

// lineWriter breaks what it writes into CRLF lines of 76 characters.
type lineWriter struct {
	w   io.Writer
	col int
}

func (l *lineWriter) Write(p []byte) (int, error) {
	n := len(p)
	for written := 0; len(p) > 0; {
		k := min(len(p), 76-l.col)
		if _, err := l.w.Write(p[:k]); err != nil {
			return written, err
		}
		written, l.col, p = written+k, l.col+k, p[k:]
		if l.col == 76 {
			if _, err := io.WriteString(l.w, "\r\n"); err != nil {
				return written, err
			}
			l.col = 0
		}
	}
	return n, nil
}

package template

import (
	"bytes"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
	_ "time/tzdata" // Asia/Jakarta on any test host

	"github.com/dpk-kampar/mailproc/mailproc"
)

// jakarta is the desk's real zone, so the tests format times exactly as
// the composer does.
func jakarta(t testing.TB) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Jakarta")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func kamparDesk(t testing.TB) mailproc.Desk {
	d := sampleDesk()
	d.Location = jakarta(t)
	return d
}

func load(t testing.TB, dir string) *Set {
	t.Helper()
	s, err := Load(dir, slog.New(slog.NewTextHandler(tWriter{t}, nil)))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// tWriter sends the Set's log through t.Logf.
type tWriter struct{ t testing.TB }

func (w tWriter) Write(p []byte) (int, error) {
	w.t.Logf("%s", bytes.TrimRight(p, "\n"))
	return len(p), nil
}

// ackData is the acknowledgement the composer would build for a mail that
// arrived at received and is due at due.
func ackData(t testing.TB, kind mailproc.Kind, number, name, subject string, received, due time.Time, promise time.Duration) mailproc.AckData {
	desk := kamparDesk(t)
	return mailproc.AckData{
		Desk: desk, Number: number, Kind: kind, KindLabel: kind.Label(),
		CitizenName: name, CitizenAddr: "siti.rahmawati@gmail.com", OriginalSubject: subject,
		ReceivedAt: mailproc.FormatWaktu(received, desk.Location),
		Promise:    mailproc.FormatDurasi(promise),
		DueAt:      mailproc.FormatWaktu(due, desk.Location),
		AfterHours: due.Sub(received) > promise+time.Minute,
	}
}

func TestRenderAck(t *testing.T) {
	s := load(t, "")
	loc := jakarta(t)
	friday := time.Date(2026, time.November, 27, 14, 0, 0, 0, loc)
	fridayNight := time.Date(2026, time.November, 27, 21, 40, 0, 0, loc)
	mondayOpen := time.Date(2026, time.November, 30, 7, 30, 0, 0, loc)

	tests := []struct {
		name        string
		data        mailproc.AckData
		subject     string
		greeting    string
		due         string
		promiseText []string // the service standard's promise, in both bodies
	}{
		{
			name:        "informasi in office hours",
			data:        ackData(t, mailproc.KindInformasi, "INF-2026-00042", "Siti Rahmawati", "Jam buka perpustakaan hari Sabtu", friday, friday.Add(5*time.Minute), 5*time.Minute),
			subject:     "[INF-2026-00042] Tanda terima: Jam buka perpustakaan hari Sabtu",
			greeting:    "Yth. Bapak/Ibu Siti Rahmawati,",
			due:         "Jumat, 27 November 2026 pukul 14.05 WIB",
			promiseText: []string{"permintaan informasi dijawab paling lambat", "5 menit"},
		},
		{
			name:        "aduan in office hours",
			data:        ackData(t, mailproc.KindAduan, "ADU-2026-00007", "Siti Rahmawati", "Buku pinjaman rusak", friday, friday.Add(time.Hour), time.Hour),
			subject:     "[ADU-2026-00007] Tanda terima: Buku pinjaman rusak",
			greeting:    "Yth. Bapak/Ibu Siti Rahmawati,",
			due:         "Jumat, 27 November 2026 pukul 15.00 WIB",
			promiseText: []string{"setiap aduan ditindaklanjuti dalam", "1 jam"},
		},
		{
			name:        "informasi after hours, no name, no subject",
			data:        ackData(t, mailproc.KindInformasi, "INF-2026-00043", "", "", fridayNight, mondayOpen.Add(5*time.Minute), 5*time.Minute),
			subject:     "[INF-2026-00043] Tanda terima email Bapak/Ibu",
			greeting:    "Yth. Bapak/Ibu,",
			due:         "Senin, 30 November 2026 pukul 07.35 WIB",
			promiseText: []string{"permintaan informasi dijawab paling lambat", "5 menit"},
		},
		{
			name:        "aduan after hours",
			data:        ackData(t, mailproc.KindAduan, "ADU-2026-00008", "Budi Santoso", "Keluhan: AC ruang baca mati", fridayNight, mondayOpen.Add(time.Hour), time.Hour),
			subject:     "[ADU-2026-00008] Tanda terima: Keluhan: AC ruang baca mati",
			greeting:    "Yth. Bapak/Ibu Budi Santoso,",
			due:         "Senin, 30 November 2026 pukul 08.30 WIB",
			promiseText: []string{"setiap aduan ditindaklanjuti dalam", "1 jam"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := s.Render(mailproc.AckTemplate(tt.data.Kind), tt.data)
			if err != nil {
				t.Fatal(err)
			}
			if r.Subject != tt.subject {
				t.Errorf("subject = %q, want %q", r.Subject, tt.subject)
			}
			// What a citizen checks, in the text body and, as the same
			// facts, in the HTML alternative.
			both := []string{
				tt.data.Number,
				tt.data.KindLabel,
				tt.data.ReceivedAt,
				tt.due,
				"Layanan ini tidak dipungut biaya.",
				"balas email ini",
				"[" + tt.data.Number + "]",
				"Lobby Lantai 2 Gedung Pustaka",
				"Media sosial: Instagram, Facebook dan Twitter/X",
				"(0762) 323710",
				"0812-0000-0000",
				"https://pustakaarsip.kamparkab.go.id/",
				"Jalan Mayjen D.I Pandjaitan No. 17",
				"Hormat kami,",
				"Dinas Perpustakaan dan Kearsipan Kabupaten Kampar",
				"Email ini dikirim otomatis oleh sistem layanan; balasan Bapak/Ibu akan kami terima.",
			}
			both = append(both, tt.promiseText...)
			if tt.data.OriginalSubject != "" {
				both = append(both, tt.data.OriginalSubject)
			}
			for _, want := range both {
				if !strings.Contains(r.Text, want) {
					t.Errorf("text body lacks %q", want)
				}
				if !strings.Contains(r.HTML, want) {
					t.Errorf("HTML body lacks %q", want)
				}
			}
			// Numbers a phone can tap, and a case number that does not break.
			for _, want := range []string{`href="tel:&#43;62762323710"`, `href="https://wa.me/6281200000000"`, "white-space:nowrap;\">" + tt.data.Number} {
				if !strings.Contains(r.HTML, want) {
					t.Errorf("HTML body lacks %q", want)
				}
			}
			if !strings.HasPrefix(r.Text, tt.greeting+"\n") {
				t.Errorf("text body starts %q, want greeting %q", firstLine(r.Text), tt.greeting)
			}
			if !strings.Contains(r.Text, "biarkan nomor ["+tt.data.Number+"] tetap tercantum pada baris subjek") {
				t.Errorf("text body lacks the reply instruction with the number")
			}
			// The number stands on a line of its own, where the eye finds it.
			if !strings.Contains(r.Text, "\n    "+tt.data.Number+"\n") {
				t.Errorf("text body lacks the number on its own line")
			}
			const afterHours = "di luar jam layanan atau pada hari libur"
			for body, got := range map[string]string{"text": r.Text, "HTML": r.HTML} {
				if strings.Contains(got, afterHours) != tt.data.AfterHours {
					t.Errorf("%s body: after-hours sentence present = %v, want %v", body, !tt.data.AfterHours, tt.data.AfterHours)
				}
			}
			assertNormalText(t, r.Text)
			if !strings.HasPrefix(r.HTML, "<!DOCTYPE html>") || strings.Contains(r.HTML, "<script") || strings.Contains(r.HTML, "<link") || strings.Contains(r.HTML, "<img") {
				t.Errorf("HTML is not a self-contained document:\n%s", r.HTML)
			}
		})
	}
}

// TestRenderAckDeskWithoutChannels checks the channels paragraph is left
// out, not printed empty, for a desk that configured none.
func TestRenderAckDeskWithoutChannels(t *testing.T) {
	s := load(t, "")
	loc := jakarta(t)
	at := time.Date(2026, time.November, 27, 9, 0, 0, 0, loc)
	d := ackData(t, mailproc.KindAduan, "ADU-2026-00007", "Siti Rahmawati", "Buku rusak", at, at.Add(time.Hour), time.Hour)
	d.Desk = mailproc.Desk{Name: "Layanan Informasi dan Aduan Masyarakat", Location: loc}
	r, err := s.Render(mailproc.TemplateAckAduan, d)
	if err != nil {
		t.Fatal(err)
	}
	for _, body := range []string{r.Text, r.HTML} {
		for _, absent := range []string{"dapat menghubungi kami melalui", "Telepon:", "WhatsApp:", "Situs web:", "Alamat:", "<ul"} {
			if strings.Contains(body, absent) {
				t.Errorf("body contains %q for a desk without channels", absent)
			}
		}
	}
	if !strings.Contains(r.Text, "Hormat kami,\n\nLayanan Informasi dan Aduan Masyarakat\n\n---\n") {
		t.Errorf("sign-off without agency is not clean:\n%s", r.Text)
	}
	assertNormalText(t, r.Text)
}

func TestRenderOps(t *testing.T) {
	s := load(t, "")
	desk := kamparDesk(t)
	at := mailproc.FormatWaktu(time.Date(2026, time.November, 27, 14, 2, 0, 0, desk.Location), desk.Location)
	quarantine := mailproc.OpsQuarantineData{
		Desk: desk, Mailbox: "INBOX", UID: 4711, MessageID: "CAF3x9q2k@mail.gmail.com", From: "budi.santoso@gmail.com",
		SHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", Size: 48213,
		ArchivePath: "data/archive/2026/11/27/9f86d081884c7d65.eml",
		Reason:      "tidak dapat dibaca: multipart: boundary tidak ditemukan", At: at, Folder: "Karantina",
	}
	failed := mailproc.OpsDeliveryData{
		Desk: desk, Number: "ADU-2026-00007", Purpose: mailproc.PurposeAck,
		Recipients: []string{"siti.rahmawati@gmial.com"},
		Subject:    "[ADU-2026-00007] Tanda terima: Buku pinjaman rusak",
		MessageID:  "mailproc.ack.adu-2026-00007.5f2c9e0a@pustakaarsip.kamparkab.go.id",
		Error:      "550 5.1.1 <siti.rahmawati@gmial.com>: Recipient address rejected: User unknown",
		Attempts:   1, At: at,
	}
	notify := failed
	notify.Number, notify.Purpose, notify.Recipients = "", mailproc.PurposeNotify, []string{"rina.marlina@pustakaarsip.kamparkab.go.id", "andi@pustakaarsip.kamparkab.go.id"}
	notify.Error, notify.Attempts = "452 4.2.2 Mailbox full", 12
	bounce := failed
	bounce.Bounce = true

	tests := []struct {
		name, tmpl string
		data       any
		subject    string
		want       []string
		absent     []string
	}{
		{"quarantine", mailproc.TemplateOpsQuarantine, quarantine,
			"Email dikarantina dari budi.santoso@gmail.com (folder Karantina)",
			[]string{"folder Karantina", quarantine.ArchivePath, quarantine.SHA256, quarantine.Reason, "<CAF3x9q2k@mail.gmail.com>", "INBOX, UID 4711", "48213 byte", at, "isi email tidak disertakan"},
			nil},
		{"delivery failed to a citizen", mailproc.TemplateOpsDeliveryFailed, failed,
			"[ADU-2026-00007] Gagal terkirim ke siti.rahmawati@gmial.com",
			[]string{"siti.rahmawati@gmial.com", failed.Error, "tanda terima untuk warga", "Periksa alamat penerima", "Warga belum menerima", "mailproc cases show ADU-2026-00007", "1 kali percobaan"},
			[]string{"desk.staff"}},
		{"delivery failed to staff, no case", mailproc.TemplateOpsDeliveryFailed, notify,
			"Gagal terkirim ke rina.marlina@pustakaarsip.kamparkab.go.id, andi@pustakaarsip.kamparkab.go.id",
			[]string{"rina.marlina@pustakaarsip.kamparkab.go.id, andi@pustakaarsip.kamparkab.go.id", "pemberitahuan kasus untuk petugas", "desk.staff", "(tidak terkait kasus)", "12 kali"},
			[]string{"mailproc cases show", "Warga belum"}},
		{"bounce", mailproc.TemplateOpsBounce, bounce,
			"[ADU-2026-00007] Bounce: email ke siti.rahmawati@gmial.com tidak terkirim",
			[]string{"bounce", "dicatat pada kasus ADU-2026-00007", "tidak dijadikan kasus baru", failed.Error, "Periksa alamat penerima", "mailproc cases show ADU-2026-00007"},
			nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := s.Render(tt.tmpl, tt.data)
			if err != nil {
				t.Fatal(err)
			}
			if r.Subject != tt.subject {
				t.Errorf("subject = %q, want %q", r.Subject, tt.subject)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.Text, w) {
					t.Errorf("body lacks %q", w)
				}
			}
			for _, a := range tt.absent {
				if strings.Contains(r.Text, a) {
					t.Errorf("body contains %q", a)
				}
			}
			if r.HTML != "" {
				t.Errorf("ops notice has an HTML alternative")
			}
			assertNormalText(t, r.Text)
		})
	}
}

// TestHostileInput: a citizen's name and subject are data, never markup or
// headers. The HTML alternative escapes them; the text body keeps them as
// the plain text they are; the subject stays one line.
func TestHostileInput(t *testing.T) {
	s := load(t, "")
	at := time.Date(2026, time.November, 27, 14, 0, 0, 0, jakarta(t))
	tests := []struct {
		name, citizen, subject string
		wantSubject            string
		htmlAbsent             []string
		htmlWant               []string
	}{
		{"script in name", `<script>alert("x")</script>`, "Jam buka perpustakaan hari Sabtu",
			"[INF-2026-00042] Tanda terima: Jam buka perpustakaan hari Sabtu",
			[]string{"<script>"}, []string{"&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;"}},
		{"tag in subject", "Siti Rahmawati", `"><img src=x onerror=alert(1)> Jam buka`,
			`[INF-2026-00042] Tanda terima: "><img src=x onerror=alert(1)> Jam buka`,
			[]string{"<img"}, []string{"&#34;&gt;&lt;img src=x onerror=alert(1)&gt; Jam buka"}},
		{"header injection in subject", "Siti Rahmawati", "Jam buka\r\nBcc: x@y",
			"[INF-2026-00042] Tanda terima: Jam buka Bcc: x@y",
			nil, nil},
		{"bare LF and controls in subject", "Siti", "Jam\nbuka\x00\x1b[31m\u2028Sabtu\t ",
			"[INF-2026-00042] Tanda terima: Jam buka[31m Sabtu",
			nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := ackData(t, mailproc.KindInformasi, "INF-2026-00042", tt.citizen, tt.subject, at, at.Add(5*time.Minute), 5*time.Minute)
			r, err := s.Render(mailproc.TemplateAckInformasi, d)
			if err != nil {
				t.Fatal(err)
			}
			if r.Subject != tt.wantSubject {
				t.Errorf("subject = %q, want %q", r.Subject, tt.wantSubject)
			}
			for _, a := range tt.htmlAbsent {
				if strings.Contains(r.HTML, a) {
					t.Errorf("HTML contains unescaped %q", a)
				}
				if !strings.Contains(r.Text, a) {
					t.Errorf("text body lost the literal %q", a)
				}
			}
			for _, w := range tt.htmlWant {
				if !strings.Contains(r.HTML, w) {
					t.Errorf("HTML lacks escaped %q", w)
				}
			}
			assertNormalText(t, r.Text)
		})
	}
}

func TestCleanSubject(t *testing.T) {
	tests := []struct{ in, want string }{
		{"  [INF-2026-00042] Tanda terima: Jam buka  ", "[INF-2026-00042] Tanda terima: Jam buka"},
		{"a\r\nBcc: x@y", "a Bcc: x@y"},
		{"a\rb\nc\td", "a b c d"},
		{"a\x00b\x7fc\u0085d", "abcd"},
		{"a\u2028b\u2029c", "a b c"},
		{"Perpustakaan\xff\xfe", "Perpustakaan\uFFFD"}, // a run of bad bytes is one U+FFFD
		{"\r\n\r\n", ""},
	}
	for _, tt := range tests {
		if got := cleanSubject(tt.in); got != tt.want {
			t.Errorf("cleanSubject(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestNormalizeText(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"crlf", "a\r\nb\rc\n", "a\nb\nc\n"},
		{"trailing spaces", "a  \nb\t\n", "a\nb\n"},
		{"blank runs", "a\n\n\n\nb\n \n\t\nc", "a\n\nb\n\nc\n"},
		{"leading and trailing blanks", "\n\n  \na\n\n\n", "a\n"},
		{"controls", "a\x00b\x1bc\td\n", "abc\td\n"},
		{"no wrap", strings.Repeat("kata ", 60), strings.TrimSpace(strings.Repeat("kata ", 60)) + "\n"},
		{"empty", " \n\n", ""},
	}
	for _, tt := range tests {
		if got := normalizeText(tt.in); got != tt.want {
			t.Errorf("%s: normalizeText(%q) = %q, want %q", tt.name, tt.in, got, tt.want)
		}
	}
}

func TestRenderUnknownTemplate(t *testing.T) {
	s := load(t, "")
	_, err := s.Render("ack-lainnya", mailproc.AckData{})
	if !errors.Is(err, mailproc.ErrNotFound) {
		t.Fatalf("err = %v, want ErrNotFound", err)
	}
}

func TestCheckBuiltins(t *testing.T) {
	s := load(t, "")
	for _, err := range s.Check() {
		t.Error(err)
	}
	for _, name := range Names() {
		if _, ok := s.entries[name]; !ok {
			t.Errorf("no built-in template %s", name)
		}
	}
}

// writeFiles creates a template directory with the given files.
func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestOverride(t *testing.T) {
	builtin := load(t, "")
	at := time.Date(2026, time.November, 27, 14, 0, 0, 0, jakarta(t))
	aduan := ackData(t, mailproc.KindAduan, "ADU-2026-00007", "Siti Rahmawati", "Buku rusak", at, at.Add(time.Hour), time.Hour)
	info := ackData(t, mailproc.KindInformasi, "INF-2026-00042", "Siti Rahmawati", "Jam buka", at, at.Add(5*time.Minute), 5*time.Minute)
	render := func(t *testing.T, s *Set, name string, data any) mailproc.Rendered {
		t.Helper()
		r, err := s.Render(name, data)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	wantBuiltinAduan := render(t, builtin, mailproc.TemplateAckAduan, aduan)
	wantBuiltinInfo := render(t, builtin, mailproc.TemplateAckInformasi, info)

	t.Run("text file replaces exactly one template", func(t *testing.T) {
		// Written on Windows: BOM and CRLF.
		dir := writeFiles(t, map[string]string{"ack-aduan.txt": "\uFEFFSubject: [{{.Number}}] Aduan diterima\r\n\r\nYth. {{.CitizenName}},\r\naduan Anda kami catat.\r\n"})
		s := load(t, dir)
		r := render(t, s, mailproc.TemplateAckAduan, aduan)
		if r.Subject != "[ADU-2026-00007] Aduan diterima" || r.Text != "Yth. Siti Rahmawati,\naduan Anda kami catat.\n" {
			t.Errorf("override not used: %q / %q", r.Subject, r.Text)
		}
		if r.HTML != wantBuiltinAduan.HTML {
			t.Errorf("the built-in ack-aduan.html should stay")
		}
		if got := render(t, s, mailproc.TemplateAckInformasi, info); got != wantBuiltinInfo {
			t.Errorf("ack-informasi changed by an override of ack-aduan")
		}
	})
	t.Run("html file replaces only the HTML alternative", func(t *testing.T) {
		dir := writeFiles(t, map[string]string{"ack-aduan.html": "<p>Nomor: <b>{{.Number}}</b></p>\n"})
		r := render(t, load(t, dir), mailproc.TemplateAckAduan, aduan)
		if r.HTML != "<p>Nomor: <b>ADU-2026-00007</b></p>\n" {
			t.Errorf("HTML = %q", r.HTML)
		}
		if r.Subject != wantBuiltinAduan.Subject || r.Text != wantBuiltinAduan.Text {
			t.Errorf("text part changed by an HTML override")
		}
	})
	t.Run("empty html file removes the HTML alternative", func(t *testing.T) {
		dir := writeFiles(t, map[string]string{"ack-aduan.html": "\n"})
		r := render(t, load(t, dir), mailproc.TemplateAckAduan, aduan)
		if r.HTML != "" || r.Text != wantBuiltinAduan.Text {
			t.Errorf("HTML = %q", r.HTML)
		}
	})
	t.Run("unknown file is logged and ignored", func(t *testing.T) {
		dir := writeFiles(t, map[string]string{"ack_aduan.txt": "{{broken", "README": "catatan", ".ack-aduan.txt.swp": "x"})
		var logs bytes.Buffer
		s, err := Load(dir, slog.New(slog.NewTextHandler(&logs, nil)))
		if err != nil {
			t.Fatal(err)
		}
		if got := render(t, s, mailproc.TemplateAckAduan, aduan); got != wantBuiltinAduan {
			t.Errorf("built-in changed")
		}
		for _, f := range []string{"ack_aduan.txt", "README"} {
			if !strings.Contains(logs.String(), filepath.Join(dir, f)) {
				t.Errorf("log does not name %s:\n%s", f, logs.String())
			}
		}
		if strings.Contains(logs.String(), ".swp") {
			t.Errorf("hidden file logged:\n%s", logs.String())
		}
	})
	t.Run("missing directory", func(t *testing.T) {
		_, err := Load(filepath.Join(t.TempDir(), "tidak-ada"), nil)
		if !errors.Is(err, os.ErrNotExist) {
			t.Errorf("err = %v, want ErrNotExist", err)
		}
	})
}

// TestBrokenOverride: a site's broken template stops the daemon at start
// (Load) or fails `mailproc check` (Check), naming the file to fix.
func TestBrokenOverride(t *testing.T) {
	tests := []struct {
		name    string
		file    string
		content string
		load    string // substring of the Load error; "" when Load succeeds
		check   string // substring of a Check error
	}{
		{"bad syntax", "ack-aduan.txt", "Subject: [{{.Number}}]\n\nYth. {{.CitizenName\n", "started at ack-aduan.txt:3", ""}, // the file's own line number
		{"bad syntax in subject", "ack-aduan.txt", "Subject: [{{.Number}]\n\nbody\n", "subject", ""},
		{"unknown function", "ack-aduan.txt", "Subject: x\n\n{{tanggal .DueAt}}\n", `function "tanggal" not defined`, ""},
		{"no subject line", "ack-aduan.txt", "Yth. Bapak/Ibu,\n\nterima kasih\n", "line 1", ""},
		{"no blank line after subject", "ack-aduan.txt", "Subject: x\nYth. Bapak/Ibu,\n", "line 2", ""},
		{"empty subject", "ack-aduan.txt", "Subject:  \n\nbody\n", "empty subject", ""},
		{"empty body", "ops-bounce.txt", "Subject: x\n\n\n", "empty body", ""},
		{"bad html syntax", "ack-aduan.html", "<p>{{if .Number}}</p>\n", "ack-aduan.html", ""},
		{"html not escapable", "ack-aduan.html", "<p><a href=\"{{.Number}}\n", "ack-aduan.html", ""},
		{"unknown field", "ack-aduan.txt", "Subject: [{{.Number}}]\n\nNomor {{.Nomor}}\n", "", "can't evaluate field Nomor"},
		{"unknown field in html", "ack-informasi.html", "<p>{{.Desk.Telepon}}</p>\n", "", "can't evaluate field Telepon"},
		{"multi-line subject", "ack-aduan.txt", "Subject: [{{.Number}}] {{join \"\\n\" .Desk.Channels}}\n\nbody\n", "", "more than one line"},
		{"subject renders empty", "ops-quarantine.txt", "Subject: {{.From}}\n\nbody\n", "", "subject renders empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeFiles(t, map[string]string{tt.file: tt.content})
			path := filepath.Join(dir, tt.file)
			s, err := Load(dir, nil)
			if tt.load != "" {
				if err == nil {
					t.Fatal("Load succeeded")
				}
				if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), tt.load) {
					t.Errorf("Load error %q should name %s and say %q", err, path, tt.load)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			errs := s.Check()
			found := false
			for _, err := range errs {
				if strings.Contains(err.Error(), path) && strings.Contains(err.Error(), tt.check) {
					found = true
				}
			}
			if !found {
				t.Errorf("Check errors %v: none names %s and says %q", errs, path, tt.check)
			}
		})
	}
}

// TestFuncs renders the whole function map through an override, with the
// desk in another zone to show waktu uses the desk's location.
func TestFuncs(t *testing.T) {
	dir := writeFiles(t, map[string]string{"ops-bounce.txt": "Subject: {{upper .Number}}\n\n" +
		"{{waktu .At}}\n{{durasi .Took}}\n{{.To | join \", \"}}\n{{indent \"> \" .Quote}}\n"})
	s := load(t, dir)
	makassar, err := time.LoadLocation("Asia/Makassar")
	if err != nil {
		t.Fatal(err)
	}
	data := map[string]any{
		"Desk":   mailproc.Desk{Location: makassar},
		"Number": "adu-2026-00007",
		"At":     time.Date(2026, time.November, 27, 7, 5, 0, 0, time.UTC),
		"Took":   90 * time.Minute,
		"To":     []string{"a@kamparkab.go.id", "b@kamparkab.go.id"},
		"Quote":  "baris satu\nbaris dua",
	}
	r, err := s.Render(mailproc.TemplateOpsBounce, data)
	if err != nil {
		t.Fatal(err)
	}
	want := "Jumat, 27 November 2026 pukul 15.05 WITA\n1 jam 30 menit\na@kamparkab.go.id, b@kamparkab.go.id\n> baris satu\n> baris dua\n"
	if r.Subject != "ADU-2026-00007" || r.Text != want {
		t.Errorf("got %q / %q, want %q", r.Subject, r.Text, want)
	}
	// The templates bound to one zone are kept; another desk's zone gets
	// its own, and the first zone's come back unchanged.
	jkt := jakarta(t)
	for _, c := range []struct {
		loc  *time.Location
		want string
	}{{jkt, "pukul 14.05 WIB"}, {makassar, "pukul 15.05 WITA"}, {jkt, "pukul 14.05 WIB"}} {
		data["Desk"] = mailproc.Desk{Location: c.loc}
		if r, err := s.Render(mailproc.TemplateOpsBounce, data); err != nil || !strings.Contains(r.Text, c.want) {
			t.Errorf("desk in %s: %q, %v; want %q", c.loc, firstLine(r.Text), err, c.want)
		}
	}
	delete(data, "Quote")
	if _, err := s.Render(mailproc.TemplateOpsBounce, data); err == nil || !strings.Contains(err.Error(), "Quote") {
		t.Errorf("a missing map key should fail (missingkey=error), got %v", err)
	}
}

// TestConcurrentRender renders from many goroutines at once, for desks in
// different zones (run with -race).
func TestConcurrentRender(t *testing.T) {
	s := load(t, "")
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, name := range Names() {
				for _, sm := range samples(name) {
					if _, err := s.Render(name, sm.data); err != nil {
						t.Errorf("goroutine %d: %v", i, err)
					}
				}
			}
		}()
	}
	wg.Wait()
}

func assertNormalText(t *testing.T, s string) {
	t.Helper()
	switch {
	case strings.Contains(s, "\r"):
		t.Errorf("text body has CR")
	case strings.Contains(s, "\n\n\n"):
		t.Errorf("text body has more than one blank line in a row")
	case strings.Contains(s, " \n") || strings.Contains(s, "\t\n"):
		t.Errorf("text body has trailing white space")
	case strings.HasPrefix(s, "\n") || !strings.HasSuffix(s, "\n") || strings.HasSuffix(s, "\n\n"):
		t.Errorf("text body does not start with text and end with one newline")
	}
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

package mime

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/dpk-kampar/mailproc/mailproc"
)

// testLogger writes through t.Logf, so parser logs show with the failing test.
func testLogger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type tWriter struct{ t testing.TB }

func (w tWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Logf("%s", strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// countingSource counts what Parse reads, to check it reads to the end.
type countingSource struct {
	r   io.Reader
	n   int64
	eof bool
}

func (c *countingSource) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if err == io.EOF {
		c.eof = true
	}
	return n, err
}

func parseString(t *testing.T, raw string) *mailproc.Message {
	t.Helper()
	m, err := Parse(strings.NewReader(raw), Options{Logger: testLogger(t)})
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	checkInvariants(t, m, DefaultMaxText)
	checkParts(t, raw, m)
	return m
}

// checkInvariants asserts what must hold for every parsed mail, whatever its
// input: valid UTF-8, no control characters, every bound respected.
func checkInvariants(t testing.TB, m *mailproc.Message, maxText int) {
	t.Helper()
	if !utf8.ValidString(m.Text) {
		t.Errorf("Text is not valid UTF-8: %q", m.Text)
	}
	if len(m.Text) > maxText {
		t.Errorf("Text has %d bytes, bound %d", len(m.Text), maxText)
	}
	for _, r := range m.Text {
		if r != '\n' && r != '\t' && (r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0)) {
			t.Errorf("Text holds control character %U", r)
			break
		}
	}
	if strings.Contains(m.Text, "\r") {
		t.Errorf("Text holds CR")
	}
	oneLine := func(what, s string, maxRunes int) {
		if !utf8.ValidString(s) {
			t.Errorf("%s is not valid UTF-8: %q", what, s)
		}
		if n := utf8.RuneCountInString(s); n > maxRunes {
			t.Errorf("%s has %d runes, bound %d", what, n, maxRunes)
		}
		for _, r := range s {
			if r < 0x20 || r == 0x7f {
				t.Errorf("%s holds control character %U", what, r)
				break
			}
		}
	}
	oneLine("Subject", m.Subject, maxSubjectRunes)
	oneLine("MessageID", m.MessageID, maxIDBytes)
	for _, l := range [][]mailproc.Address{{m.From}, {m.Sender}, m.ReplyTo, m.To, m.Cc} {
		if len(l) > maxAddresses {
			t.Errorf("%d addresses, bound %d", len(l), maxAddresses)
		}
		for _, a := range l {
			oneLine("address name", a.Name, maxNameRunes)
			oneLine("address", a.Addr, maxAddrBytes)
		}
	}
	if len(m.InReplyTo) > maxRefs || len(m.References) > maxRefs {
		t.Errorf("%d/%d reference ids, bound %d", len(m.InReplyTo), len(m.References), maxRefs)
	}
	for _, id := range append(append([]string{}, m.InReplyTo...), m.References...) {
		oneLine("reference", id, maxIDBytes)
	}
	if len(m.Attachments) > maxAttachments {
		t.Errorf("%d attachments, bound %d", len(m.Attachments), maxAttachments)
	}
	for _, a := range m.Attachments {
		oneLine("filename", a.Filename, maxFilenameRunes+4)
		oneLine("content type", a.ContentType, 1000)
		if a.Size < 0 {
			t.Errorf("negative size %d", a.Size)
		}
	}
	if len(m.Notes) > maxNotes {
		t.Errorf("%d notes, bound %d", len(m.Notes), maxNotes)
	}
	for _, n := range m.Notes {
		oneLine("note", n, maxNoteBytes)
	}
	if r := m.Report; r != nil {
		if len(r.OriginalIDs) > maxReportIDs || len(r.Recipients) > maxReportRecipients {
			t.Errorf("Report has %d ids, %d recipients", len(r.OriginalIDs), len(r.Recipients))
		}
		for _, id := range r.OriginalIDs {
			oneLine("report id", id, maxIDBytes)
		}
		for _, a := range r.Recipients {
			oneLine("report recipient", a, maxAddrBytes)
		}
		oneLine("report action", r.Action, maxKeywordBytes)
		oneLine("report status", r.Status, maxKeywordBytes)
		oneLine("report diagnostic", r.Diagnostic, maxDiagnosticRunes)
	}
	if len(m.AuthResults) > maxAuthResults {
		t.Errorf("%d Authentication-Results, bound %d", len(m.AuthResults), maxAuthResults)
	}
	for _, s := range []string{m.Auto.AutoSubmitted, m.Auto.Precedence, m.Auto.XAutoResponseSuppress, m.Auto.ReturnPath, m.Auto.ContentType, m.Auto.ReportType} {
		oneLine("auto header", s, maxAddrBytes)
	}
}

func TestParseFixtures(t *testing.T) {
	type att = mailproc.Attachment
	tests := []struct {
		file         string
		wantErr      error
		messageID    string
		from         mailproc.Address
		subject      string
		date         string // RFC 3339, "" for zero
		text         []string
		notText      []string
		fromHTML     bool
		attachments  []att
		notes        []string // substrings, each must be in some note
		noNotes      bool
		check        func(t *testing.T, m *mailproc.Message)
		textNonEmpty bool
	}{{
		file:      "gmail-id-plain.eml",
		messageID: "CAKx9v+3hQ7mZ0pL2fN8rT1bY4wE6sD5aG9jH3kU7iO0pR2tV=g@mail.gmail.com",
		from:      mailproc.Address{Name: "Budi Santoso", Addr: "budi.santoso1987@gmail.com"},
		subject:   "Mohon informasi jam buka perpustakaan – hari Sabtu",
		date:      "2026-01-12T09:14:01+07:00",
		text: []string{
			"Selamat pagi Bapak/Ibu petugas layanan,\n\nSaya Budi Santoso",
			// A soft line break of quoted-printable in the middle of a word.
			"Mohon informasi mengenai jam buka Perpustakaan Daerah Kabupaten Kampar",
			"untuk pelajar – apakah cukup",
			"Salam,\nBudi Santoso\n0812-7654-3210",
		},
		notText: []string{"<div", "=\n", "=E2"},
		noNotes: true,
		check: func(t *testing.T, m *mailproc.Message) {
			if len(m.To) != 1 || m.To[0].Addr != "layanan@pustakaarsip.kamparkab.go.id" {
				t.Errorf("To = %v", m.To)
			}
			if len(m.AuthResults) != 1 || !strings.HasPrefix(m.AuthResults[0], "mx.kamparkab.go.id; dkim=pass header.d=gmail.com") ||
				!strings.Contains(m.AuthResults[0], "dmarc=pass") {
				t.Errorf("AuthResults = %q", m.AuthResults)
			}
			if m.Auto != (mailproc.AutoHeaders{ReturnPath: "budi.santoso1987@gmail.com", ContentType: "multipart/alternative"}) {
				t.Errorf("Auto = %+v", m.Auto)
			}
		},
	}, {
		file:      "iphone-id.eml",
		messageID: "8E0B4F3C-2A1D-4B7E-9C6F-5D3A2E1B0F94@icloud.com",
		from:      mailproc.Address{Name: "Siti Rahmawati", Addr: "siti.rahma@icloud.com"},
		subject:   "Laporan jalan rusak di Kualu",
		date:      "2026-01-12T13:02:47+07:00",
		text:      []string{"Jl. Raya Bangkinang–Pekanbaru km 12", "ditindaklanjuti 🙏", "Siti Rahmawati\n\nDikirim dari iPhone saya"},
		notText:   []string{"<br>", "<div"},
		noNotes:   true,
	}, {
		file:      "outlook-html-only.eml",
		messageID: "SG2PR04MB5821A7C0F3E1D2B9C4A8E6F1D33A2@SG2PR04MB5821.apcprd04.prod.outlook.com",
		from:      mailproc.Address{Name: "Andi Pratama", Addr: "andi.pratama@sinarkampar.co.id"},
		subject:   "Keluhan pelayanan pengurusan arsip",
		date:      "2026-01-13T02:41:19Z",
		fromHTML:  true,
		text: []string{
			"Yth. Petugas Layanan Informasi,\n\nKami dari CV Sinar Kampar",
			"status masih “dalam proses”. Petugas di loket hanya menjawab ‘tunggu saja’.", // Windows-1252 quotes
			"tautan ini ( https://drive.example.co.id/berkas/12345 )",
			"Hormat kami,\nAndi Pratama\nDirektur – CV Sinar Kampar",
		},
		notText: []string{"MsoNormal", "font-family", "spidmax", "<o:p>", "&nbsp;", "\u00a0"},
		noNotes: true,
		check: func(t *testing.T, m *mailproc.Message) {
			// Outlook writes To: "addr" <addr>; the name adds nothing.
			if len(m.To) != 1 || m.To[0].Name != "" {
				t.Errorf("To = %+v", m.To)
			}
		},
	}, {
		file:      "iso-8859-1-subject.eml",
		messageID: "20260114102005.3f1a@correo.example.es",
		from:      mailproc.Address{Name: "José Ramírez", Addr: "jose.ramirez@correo.example.es"},
		// Encoded words across a fold; =96 is Windows-1252's en dash.
		subject: "Solicitud de información – arsip kolonial Kampar (José)",
		date:    "2026-01-14T10:20:05+01:00",
		text:    []string{"Saya José, peneliti", "(sekitar 1900–1930)", "José Ramírez"},
		noNotes: true,
	}, {
		file:      "gb2312.eml",
		messageID: "5f2c1a7e.3b9d.19bc1e4a2f1.Coremail.wangming2019@163.com",
		from:      mailproc.Address{Name: "王明", Addr: "wangming2019@163.com"},
		subject:   "咨询图书馆开放时间",
		date:      "2026-01-15T09:03:40+08:00",
		text:      []string{"您好：", "请问甘巴县图书馆周六开放吗？外国人可以办理借书证吗？", "谢谢！\n王明"},
		notText:   []string{"<br>"},
		noNotes:   true,
	}, {
		file:      "iso-2022-jp.eml",
		messageID: "20260115132958.A1B2.K.TANAKA@example.ac.jp",
		from:      mailproc.Address{Name: "田中 健", Addr: "k.tanaka@example.ac.jp"},
		subject:   "図書館の利用について",
		date:      "2026-01-15T13:29:58+09:00",
		text:      []string{"カンパル県図書館 御中", "資料の閲覧は予約が必要でしょうか。"},
		notText:   []string{"\x1b"},
		noNotes:   true,
	}, {
		file:      "attachment-pdf.eml",
		messageID: "7c1e9a52-3d4f-4b8a-9e21-6f0d2c8b7a13@yahoo.co.id",
		from:      mailproc.Address{Name: "Rina Kurnia", Addr: "rina.kurnia@yahoo.co.id"},
		subject:   "Pengaduan: jalan rusak, laporan terlampir",
		date:      "2026-01-16T10:05:09+07:00",
		// format=flowed: Thunderbird's soft wrap is joined back.
		text:        []string{"laporan pengaduan jalan rusak di Desa Kualu beserta foto-fotonya. Mohon ditindaklanjuti.", "Terima kasih,\nRina Kurnia"},
		notText:     []string{"JVBERi0", "This is a multi-part message"},
		attachments: []att{{Filename: "Laporan Pengaduan Jalan Rusak – Desa Kualu.pdf", ContentType: "application/pdf", Size: 481, Part: "2"}},
		noNotes:     true,
	}, {
		file:      "no-message-id.eml",
		messageID: "",
		from:      mailproc.Address{Name: "Formulir Desa Kualu", Addr: "formulir@desa-kualu.example.id"},
		subject:   "Pertanyaan dari formulir website",
		date:      "2026-01-16T14:39:58+07:00",
		text:      []string{"Nama: Dewi Lestari", "Pesan: Mohon info syarat peminjaman ruang pertemuan"},
		noNotes:   true,
	}, {
		file:      "unknown-charset.eml",
		messageID: "20260117075510.GA1234@example.id",
		from:      mailproc.Address{Name: "Hendra Wijaya", Addr: "hendra@example.id"},
		subject:   "Tanya jadwal layanan keliling",
		date:      "2026-01-17T07:55:10+07:00",
		text:      []string{"Desa Pulau Jambu?\nAnak-anak di sini sangat menunggu — terima kasih."},
		notes:     []string{`unknown charset "x-unknown-foo" in message body: kept raw (valid UTF-8)`},
	}, {
		file:        "missing-boundary.eml",
		messageID:   "b1_7f3e0c9a2d4b6e8f1a3c5e7d9b0f2a4c@aplikasi-desa.example.id",
		from:        mailproc.Address{Name: "Aplikasi Desa", Addr: "notifikasi@aplikasi-desa.example.id"},
		subject:     "Aduan warga: lampu jalan mati",
		date:        "2026-01-17T20:12:00+07:00",
		text:        []string{"lampu jalan di depan masjid mati sejak seminggu."},
		notText:     []string{"--b1_", "This is a multi-part"},
		attachments: []att{{Filename: "lampu.jpg", ContentType: "image/jpeg", Size: 512, Part: "2"}},
		notes:       []string{"missing multipart boundary in message body (multipart/mixed): guessed"},
	}, {
		file:      "bad-base64.eml",
		messageID: "d41d8cd98f00b204e9800998ecf8427e@example.id",
		from:      mailproc.Address{Name: "Yusuf Maulana", Addr: "yusuf.m@example.id"},
		subject:   "Status permohonan salinan arsip",
		date:      "2026-01-18T16:45:30+07:00",
		// The corrupt line is dropped whole; the text around it is intact.
		text:    []string{"atas nama orang tua saya yang saya ajukan bulan lalu. Nomor permohonan 2025/ARS/0915.", "Terima kasih.\nYusuf"},
		notText: []string{"\uFFFD", "Bad"},
		// The attachment lacks its padding: decoded in full all the same.
		attachments: []att{{Filename: "data.bin", ContentType: "application/octet-stream", Size: 200, Part: "2"}},
		notes:       []string{"bad base64 in part 1: 1 corrupt line(s) dropped, 4 invalid byte(s)"},
	}, {
		file:      "eight-bit-header.eml",
		messageID: "1768737660.5551.dede@yahoo.co.id",
		from:      mailproc.Address{Name: "Dédé Suryana", Addr: "dede.suryana@yahoo.co.id"}, // domain lower-cased
		subject:   "Lampu jalan mati — Jl. Pramuka, mohon diperbaiki 🙏",
		date:      "2026-01-18T19:01:00+07:00",
		text:      []string{"Mohon diperbaiki — terima kasih."},
		noNotes:   true,
	}, {
		file:      "forwarded-rfc822.eml",
		messageID: "DB9PR02MB7291F6E2C1A0B3D4E5F6A7B8C9D0@DB9PR02MB7291.eurprd02.prod.outlook.com",
		from:      mailproc.Address{Name: "Maria Ulfa", Addr: "maria.ulfa@example.id"},
		subject:   "FW: Re: Keluhan pelayanan perpustakaan",
		date:      "2026-01-19T08:30:00+07:00",
		text:      []string{"Saya teruskan jawaban petugas loket. Saya kecewa dengan pelayanannya."},
		// The forwarded mail is one attachment; its own text and image are
		// not descended into.
		notText:     []string{"buku yang Ibu cari"},
		attachments: []att{{Filename: "Re Keluhan pelayanan perpustakaan.eml", ContentType: "message/rfc822", Size: 696, Part: "2"}},
		noNotes:     true,
	}, {
		file:      "winmail-tnef.eml",
		messageID: "000001dc8a3f$1b2c3d40$51576bc0$@kecamatan-tambang.example.go.id",
		from:      mailproc.Address{Name: "Sekretariat Kecamatan Tambang", Addr: "sekretariat@kecamatan-tambang.example.go.id"},
		subject:   "Permohonan data arsip kependudukan",
		date:      "2026-01-19T09:10:00+07:00",
		text:      []string{"Dengan hormat,\nBersama ini kami mohon data arsip kependudukan tahun 1990-2000."},
		// Outlook's winmail.dat, and the file inside it, so staff without
		// Outlook see what was sent.
		attachments: []att{
			{Filename: "winmail.dat", ContentType: "application/ms-tnef", Size: 535, Part: "2"},
			{Filename: "surat-permohonan.pdf", ContentType: "application/pdf", Size: 142},
		},
		noNotes: true,
	}, {
		file:      "bounce-dsn.eml",
		messageID: "20260120030005.4dQFj45Uw2z4wKv@mx.kamparkab.go.id",
		from:      mailproc.Address{Name: "Mail Delivery System", Addr: "MAILER-DAEMON@mx.kamparkab.go.id"},
		subject:   "Undelivered Mail Returned to Sender",
		date:      "2026-01-20T10:00:05+07:00",
		text:      []string{"could not\nbe delivered", "<warga.salah@example.id>: host mx.example.id[203.0.113.9] said: 550 5.1.1"},
		notText:   []string{"Reporting-MTA"},
		attachments: []att{
			{Filename: "delivery-status.txt", ContentType: "message/delivery-status", Size: 490, Part: "2"},
			{Filename: "rfc822-headers.txt", ContentType: "text/rfc822-headers", Size: 309, Part: "3"},
		},
		noNotes: true,
		check: func(t *testing.T, m *mailproc.Message) {
			want := mailproc.AutoHeaders{AutoSubmitted: "auto-replied", ReturnPath: "<>", ContentType: "multipart/report", ReportType: "delivery-status"}
			if m.Auto != want {
				t.Errorf("Auto = %+v, want %+v", m.Auto, want)
			}
			// The Message-ID of our acknowledgement, from the returned headers:
			// the only link from a bounce to its case.
			wantReport := mailproc.DeliveryReport{
				OriginalIDs: []string{"ack.INF-2026-00042.k7Qx@pustakaarsip.kamparkab.go.id"},
				Recipients:  []string{"warga.salah@example.id"},
				Action:      "failed",
				Status:      "5.1.1",
				Diagnostic:  "smtp; 550 5.1.1 <warga.salah@example.id>: Recipient address rejected: User unknown in virtual mailbox table",
			}
			if m.Report == nil || fmt.Sprintf("%+v", *m.Report) != fmt.Sprintf("%+v", wantReport) {
				t.Errorf("Report = %+v, want %+v", m.Report, wantReport)
			}
		},
	}, {
		file:      "out-of-office.eml",
		messageID: "SG2PR04MB58210E1F2A3B4C5D6E7F8091A2B3@SG2PR04MB5821.apcprd04.prod.outlook.com",
		from:      mailproc.Address{Name: "Andi Pratama", Addr: "andi.pratama@sinarkampar.co.id"},
		subject:   "Balasan Otomatis: [ADU-2026-00007] Keluhan pelayanan pengurusan arsip",
		date:      "2026-01-13T02:45:01Z",
		text:      []string{"Saya sedang cuti sampai 20 Januari 2026. Untuk hal mendesak silakan hubungi kantor di 0761-123456."},
		noNotes:   true,
		check: func(t *testing.T, m *mailproc.Message) {
			if m.Auto.AutoSubmitted != "auto-replied" || !m.Auto.HasXAutoResponseSuppress || m.Auto.XAutoResponseSuppress != "All" {
				t.Errorf("Auto = %+v", m.Auto)
			}
			if len(m.InReplyTo) != 1 || m.InReplyTo[0] != "ack.ADU-2026-00007.p2Lm@pustakaarsip.kamparkab.go.id" {
				t.Errorf("InReplyTo = %q", m.InReplyTo)
			}
			if len(m.References) != 2 || m.References[0] != "CAKx9v+3hQ@mail.gmail.com" {
				t.Errorf("References = %q", m.References)
			}
		},
	}, {
		file:      "list-mail.eml",
		messageID: "20260114080000.1.kominfo@kamparkab.go.id",
		from:      mailproc.Address{Name: "Diskominfo Kampar", Addr: "diskominfo@kamparkab.go.id"},
		subject:   "[Pengumuman] Libur cuti bersama Isra Mikraj",
		date:      "2026-01-14T08:00:00+07:00",
		text:      []string{"tanggal 16 Januari 2026 adalah cuti bersama."},
		noNotes:   true,
		check: func(t *testing.T, m *mailproc.Message) {
			if !m.Auto.ListHeaders || m.Auto.Precedence != "list" || m.Auto.AutoSubmitted != "" {
				t.Errorf("Auto = %+v", m.Auto)
			}
		},
	}, {
		file:    "empty.eml",
		wantErr: ErrEmpty,
	}, {
		file:    "garbage-no-header.eml",
		wantErr: ErrNoHeader,
	}}

	seen := make(map[string]bool)
	for _, tt := range tests {
		seen[tt.file] = true
		t.Run(tt.file, func(t *testing.T) {
			f, err := os.Open(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			fi, _ := f.Stat()
			src := &countingSource{r: f}
			m, err := Parse(src, Options{Logger: testLogger(t)})
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				if m != nil {
					t.Errorf("message returned with an error")
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			checkInvariants(t, m, DefaultMaxText)
			if src.n != fi.Size() || !src.eof {
				t.Errorf("read %d of %d bytes (EOF %v): the mail must be read to its end", src.n, fi.Size(), src.eof)
			}
			if m.MessageID != tt.messageID {
				t.Errorf("MessageID = %q, want %q", m.MessageID, tt.messageID)
			}
			if m.From != tt.from {
				t.Errorf("From = %+v, want %+v", m.From, tt.from)
			}
			if m.Subject != tt.subject {
				t.Errorf("Subject = %q, want %q", m.Subject, tt.subject)
			}
			if got := formatDate(m.Date); got != tt.date {
				t.Errorf("Date = %s, want %s", got, tt.date)
			}
			for _, s := range tt.text {
				if !strings.Contains(m.Text, s) {
					t.Errorf("Text lacks %q; text:\n%s", s, m.Text)
				}
			}
			for _, s := range tt.notText {
				if strings.Contains(m.Text, s) {
					t.Errorf("Text holds %q; text:\n%s", s, m.Text)
				}
			}
			if m.FromHTML != tt.fromHTML {
				t.Errorf("FromHTML = %v", m.FromHTML)
			}
			if m.TextTruncated {
				t.Errorf("TextTruncated set")
			}
			if len(m.Attachments) != len(tt.attachments) {
				t.Errorf("Attachments = %+v, want %+v", m.Attachments, tt.attachments)
			} else {
				for i := range tt.attachments {
					if m.Attachments[i] != tt.attachments[i] {
						t.Errorf("Attachments[%d] = %+v, want %+v", i, m.Attachments[i], tt.attachments[i])
					}
				}
			}
			if tt.noNotes && len(m.Notes) > 0 {
				t.Errorf("Notes = %q, want none", m.Notes)
			}
			for _, want := range tt.notes {
				if !hasNote(m, want) {
					t.Errorf("Notes = %q, want one with %q", m.Notes, want)
				}
			}
			if tt.check != nil {
				tt.check(t, m)
			} else if m.Report != nil {
				t.Errorf("Report = %+v on a mail that is not a bounce", m.Report)
			}
		})
	}
	for _, rc := range robotCases {
		seen[rc.file] = true
	}
	files, _ := filepath.Glob("testdata/*.eml")
	for _, f := range files {
		if !seen[filepath.Base(f)] {
			t.Errorf("fixture %s has no test case", f)
		}
	}
}

func formatDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.RFC3339)
}

// checkNote asserts that a note of m holds want or, for want "", that m
// has no notes.
func checkNote(t *testing.T, m *mailproc.Message, want string) {
	t.Helper()
	switch {
	case want != "" && !hasNote(m, want):
		t.Errorf("Notes = %q, want %q", m.Notes, want)
	case want == "" && len(m.Notes) > 0:
		t.Errorf("Notes = %q, want none", m.Notes)
	}
}

func hasNote(m *mailproc.Message, sub string) bool {
	for _, n := range m.Notes {
		if strings.Contains(n, sub) {
			return true
		}
	}
	return false
}

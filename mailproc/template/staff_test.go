package template

import (
	"go/ast"
	"go/parser"
	"go/token"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dpk-kampar/mailproc/mailproc"
)

// TestNamesInSync: every Template* constant of templatedata.go is a
// required template, so Check reports a site that lacks one.
func TestNamesInSync(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "../templatedata.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var consts []string
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, spec := range g.Specs {
			vs := spec.(*ast.ValueSpec)
			for i, n := range vs.Names {
				if !strings.HasPrefix(n.Name, "Template") || i >= len(vs.Values) {
					continue
				}
				if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
					v, _ := strconv.Unquote(lit.Value)
					consts = append(consts, v)
				}
			}
		}
	}
	if len(consts) < 10 {
		t.Fatalf("found only %d template constants in templatedata.go: %v", len(consts), consts)
	}
	names := Names()
	for _, c := range consts {
		if !slices.Contains(names, c) {
			t.Errorf("template %q is a constant in templatedata.go but not in Names()", c)
		}
	}
	for _, n := range names {
		if !slices.Contains(consts, n) {
			t.Errorf("Names() lists %q, which is no constant in templatedata.go", n)
		}
	}
}

func notifyData(t testing.TB) mailproc.NotifyData {
	desk := kamparDesk(t)
	received := time.Date(2026, time.November, 27, 14, 0, 0, 0, desk.Location)
	d := sampleNotify(desk, received)
	d.ReceivedAt = mailproc.FormatWaktu(received, desk.Location)
	d.DueAt = mailproc.FormatWaktu(received.Add(time.Hour), desk.Location)
	return d
}

func TestRenderNotify(t *testing.T) {
	s := load(t, "")
	newCase := notifyData(t)
	followUp := newCase
	followUp.FollowUp, followUp.Attachments = true, nil
	followUp.Text = "Maaf, satu lagi: nomor anggota saya 1402-0042."
	reopened := followUp
	reopened.Reopened, reopened.Truncated = true, true
	noSubject := newCase
	noSubject.Subject, noSubject.CitizenName, noSubject.DueAt = "", "", "-"

	tests := []struct {
		name    string
		data    mailproc.NotifyData
		subject string
		want    []string // in the text and the HTML body
	}{
		{"new case", newCase, "[ADU-2026-00007] Kasus baru: Buku pinjaman rusak dan denda keterlambatan",
			[]string{"Ada kasus baru untuk dijawab.", "Siti Rahmawati", "Pesan warga", "Jumat, 27 November 2026 pukul 15.00 WIB"}},
		{"follow-up", followUp, "[ADU-2026-00007] Pesan lanjutan dari warga: Buku pinjaman rusak dan denda keterlambatan",
			[]string{"pesan lanjutan untuk kasus ADU-2026-00007", "Pesan lanjutan warga"}},
		{"reopened", reopened, "[ADU-2026-00007] Kasus dibuka kembali: Buku pinjaman rusak dan denda keterlambatan",
			[]string{"DIBUKA KEMBALI", "(dipotong)"}},
		{"no subject, no name, nothing due", noSubject, "[ADU-2026-00007] Kasus baru: (tanpa subjek)",
			[]string{"(tanpa subjek)", "siti.rahmawati@gmail.com"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := s.Render(mailproc.TemplateNotify, tt.data)
			if err != nil {
				t.Fatal(err)
			}
			if r.Subject != tt.subject {
				t.Errorf("subject = %q, want %q", r.Subject, tt.subject)
			}
			want := append([]string{
				tt.data.Number, tt.data.KindLabel, tt.data.CitizenAddr, tt.data.ReceivedAt,
				"Balas email ini untuk menjawab warga.",
				"#catatan sudah ditelepon",
			}, tt.want...)
			if tt.data.DueAt != "-" {
				want = append(want, tt.data.DueAt, "(standar "+tt.data.Promise+")")
			}
			for _, c := range tt.data.Commands {
				want = append(want, c.Command, c.Alias, c.Meaning)
			}
			for _, a := range tt.data.Attachments {
				want = append(want, a.Filename, a.ContentType, a.Size)
			}
			for _, w := range want {
				if !strings.Contains(r.Text, w) {
					t.Errorf("text body lacks %q", w)
				}
				if !strings.Contains(r.HTML, w) {
					t.Errorf("HTML body lacks %q", w)
				}
			}
			// The citizen's text is a quoted block, every line of it.
			if !strings.Contains(r.Text, normalizeText(indent("> ", tt.data.Text))) {
				t.Errorf("text body lacks the citizen's text as a quoted block:\n%s", r.Text)
			}
			for body, got := range map[string]string{"text": r.Text, "HTML": r.HTML} {
				if strings.Contains(got, "(dipotong") != tt.data.Truncated {
					t.Errorf("%s body: (dipotong) present = %v, want %v", body, !tt.data.Truncated, tt.data.Truncated)
				}
				if strings.Contains(got, "Batas jawab") != (tt.data.DueAt != "-") {
					t.Errorf("%s body: deadline shown for DueAt %q", body, tt.data.DueAt)
				}
			}
			// The example answer: the command alone on the first line,
			// the answer below it.
			if !strings.Contains(r.Text, "    #aduan\n    Mohon maaf") {
				t.Errorf("text body lacks the #aduan example with the answer below it")
			}
			// The one line that matters stands on its own, after the
			// citizen's message and before the command list.
			balas := strings.Index(r.Text, "\nBalas email ini untuk menjawab warga.\n")
			if balas < 0 || balas < strings.Index(r.Text, "> ") || balas > strings.Index(r.Text, "#catatan") {
				t.Errorf("the reply line is not on its own line between the message and the commands:\n%s", r.Text)
			}
			if len(tt.data.Attachments) > 0 && !strings.Contains(r.Text, "- foto-halaman-sobek.jpg (image/jpeg, 1,2 MB) - terlampir\n- video-buku.mp4 (video/mp4, 38,5 MB) - tidak dilampirkan") {
				t.Errorf("attachments not listed with what is attached:\n%s", r.Text)
			}
			assertNormalText(t, r.Text)
		})
	}
}

func answerData(t testing.TB) mailproc.AnswerData {
	d := sampleAnswer(kamparDesk(t))
	// What staff write: paragraphs, an indented list, a link.
	d.Answer = "Mohon maaf atas ketidaknyamanannya, Ibu Siti.\n\n" +
		"Denda Rp 15.000 kami batalkan karena kerusakan buku sudah tercatat sebelum dipinjamkan. Langkah selanjutnya:\n" +
		"  1. Kembalikan buku di loket sirkulasi lantai 1.\n" +
		"  2. Tunjukkan email ini kepada petugas.\n\n" +
		"Katalog daring: https://pustakaarsip.kamparkab.go.id/katalog?q=sejarah&jenis=buku"
	return d
}

func TestRenderAnswer(t *testing.T) {
	s := load(t, "")
	staff := answerData(t)
	closed := staff
	closed.Closed = true
	head := staff
	head.StaffName, head.StaffTitle, head.Attachments = "", "Kepala Seksi Pelayanan", nil
	noSubject := staff
	noSubject.OriginalSubject, noSubject.CitizenName = "", ""
	info := staff
	info.Number, info.Kind, info.KindLabel, info.Closed = "INF-2026-00042", mailproc.KindInformasi, mailproc.KindInformasi.Label(), true

	tests := []struct {
		name      string
		data      mailproc.AnswerData
		subject   string
		greeting  string
		intro     string
		signature string
	}{
		{"by staff", staff, "[ADU-2026-00007] Jawaban: Buku pinjaman rusak dan denda keterlambatan", "Yth. Bapak/Ibu Siti Rahmawati,",
			"jawaban kami atas aduan Bapak/Ibu dengan nomor registrasi ADU-2026-00007",
			"Hormat kami,\n\nRina Marlina\nPetugas Layanan Informasi\nLayanan Informasi dan Aduan Masyarakat\nDinas Perpustakaan dan Kearsipan Kabupaten Kampar\n"},
		{"closed", closed, "[ADU-2026-00007] Jawaban: Buku pinjaman rusak dan denda keterlambatan", "Yth. Bapak/Ibu Siti Rahmawati,",
			"nomor registrasi ADU-2026-00007", "Rina Marlina\nPetugas Layanan Informasi\n"},
		{"by a head", head, "[ADU-2026-00007] Jawaban: Buku pinjaman rusak dan denda keterlambatan", "Yth. Bapak/Ibu Siti Rahmawati,",
			"nomor registrasi ADU-2026-00007", "Hormat kami,\n\nKepala Seksi Pelayanan\nLayanan Informasi dan Aduan Masyarakat\n"},
		{"no subject, no name", noSubject, "[ADU-2026-00007] Jawaban atas email Bapak/Ibu", "Yth. Bapak/Ibu,",
			"nomor registrasi ADU-2026-00007.", "Rina Marlina\n"},
		{"information request", info, "[INF-2026-00042] Jawaban: Buku pinjaman rusak dan denda keterlambatan", "Yth. Bapak/Ibu Siti Rahmawati,",
			"jawaban kami atas permintaan informasi Bapak/Ibu dengan nomor registrasi INF-2026-00042", "Rina Marlina\n"},
	}
	// Staff who greet the citizen themselves are not preceded by a second
	// greeting.
	greeted := staff
	greeted.Answer, greeted.Greeted = "Selamat pagi Ibu Siti,\n\n"+staff.Answer, true
	if r, err := s.Render(mailproc.TemplateAnswer, greeted); err != nil {
		t.Fatal(err)
	} else if strings.Contains(r.Text, "Yth.") || strings.Contains(r.HTML, "Yth.") ||
		!strings.HasPrefix(r.Text, "Berikut jawaban kami") || !strings.Contains(r.Text, "Selamat pagi Ibu Siti,") {
		t.Errorf("a greeting answer greets twice or lost its own:\n%s", r.Text)
	}
	// A closed answer names the real reopen period, not "the period set".
	if r, err := s.Render(mailproc.TemplateAnswer, closed); err != nil {
		t.Fatal(err)
	} else {
		for body, got := range map[string]string{"text": r.Text, "HTML": r.HTML} {
			if !strings.Contains(got, "balas email ini dalam 14 hari;") || strings.Contains(got, "ditentukan") {
				t.Errorf("%s body does not say the reopen period in days:\n%s", body, got)
			}
		}
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := s.Render(mailproc.TemplateAnswer, tt.data)
			if err != nil {
				t.Fatal(err)
			}
			if r.Subject != tt.subject {
				t.Errorf("subject = %q, want %q", r.Subject, tt.subject)
			}
			if !strings.HasPrefix(r.Text, tt.greeting+"\n\n") {
				t.Errorf("text body starts %q, want %q", firstLine(r.Text), tt.greeting)
			}
			// The answer exactly as staff wrote it, as paragraphs of its
			// own: not quoted, not re-wrapped.
			if !strings.Contains(r.Text, "\n\n"+tt.data.Answer+"\n\n") {
				t.Errorf("text body lacks the answer verbatim:\n%s", r.Text)
			}
			for _, w := range []string{
				tt.intro, tt.signature,
				"Layanan ini tidak dipungut biaya.",
				"biarkan nomor [" + tt.data.Number + "] tetap tercantum pada baris subjek",
				"Email ini dikirim otomatis oleh sistem layanan; balasan Bapak/Ibu akan kami terima.",
			} {
				if !strings.Contains(r.Text, w) {
					t.Errorf("text body lacks %q", w)
				}
			}
			for _, w := range []string{tt.data.Number, "Layanan ini tidak dipungut biaya.", "Katalog daring: https://pustakaarsip.kamparkab.go.id/katalog?q=sejarah&amp;jenis=buku", "  1. Kembalikan buku"} {
				if !strings.Contains(r.HTML, w) {
					t.Errorf("HTML body lacks %q", w)
				}
			}
			for body, got := range map[string]string{"text": r.Text, "HTML": r.HTML} {
				if strings.Contains(got, "dibuka kembali") != tt.data.Closed || strings.Contains(got, "selesai") != tt.data.Closed {
					t.Errorf("%s body: closing paragraph present = %v, want %v", body, !tt.data.Closed, tt.data.Closed)
				}
				if strings.Contains(got, "surat-pembatalan-denda.pdf (240 KB)") != (len(tt.data.Attachments) > 0) {
					t.Errorf("%s body: attachment line wrong for %d attachments", body, len(tt.data.Attachments))
				}
				if strings.Contains(got, "> ") && body == "text" {
					t.Errorf("text body quotes something:\n%s", got)
				}
			}
			assertNormalText(t, r.Text)
		})
	}
}

// TestStaffTemplatesHostileInput: what a citizen writes (name, subject,
// text, attachment names) and what staff write are data. The HTML
// alternatives escape it; the text bodies keep it literally.
func TestStaffTemplatesHostileInput(t *testing.T) {
	s := load(t, "")
	const (
		script = `<script>alert("x")</script>`
		img    = `"><img src=x onerror=alert(1)>`
		svg    = `<svg onload=alert(1)>.jpg`
	)
	n := notifyData(t)
	n.CitizenName, n.Subject = script, img
	n.Text = "Halo\n" + script + "\n" + img + "\n</pre><a href=\"javascript:alert(1)\">klik</a>"
	n.Attachments = []mailproc.AttachmentLine{{Filename: svg, ContentType: "text/html", Size: "1 KB", Attached: true}}
	a := answerData(t)
	a.CitizenName, a.OriginalSubject = script, img
	a.Answer = "Jawaban " + script + "\n</pre>" + img
	a.StaffName = `<b>Rina</b>`
	a.Attachments = []mailproc.AttachmentLine{{Filename: svg, ContentType: "image/svg+xml", Size: "1 KB", Attached: true}}

	for _, tc := range []struct {
		name string
		data any
	}{{mailproc.TemplateNotify, n}, {mailproc.TemplateAnswer, a}} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := s.Render(tc.name, tc.data)
			if err != nil {
				t.Fatal(err)
			}
			for _, bad := range []string{"<script", "<img", "<svg", "<a href=\"javascript", "<b>Rina"} {
				if strings.Contains(r.HTML, bad) {
					t.Errorf("HTML contains unescaped %q", bad)
				}
			}
			for _, esc := range []string{"&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;", "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;", "&lt;svg onload=alert(1)&gt;.jpg"} {
				if !strings.Contains(r.HTML, esc) {
					t.Errorf("HTML lacks escaped %q", esc)
				}
			}
			if strings.Count(r.HTML, "</pre>") != strings.Count(r.HTML, "<pre") {
				t.Errorf("a </pre> in the data closed the template's block")
			}
			for _, lit := range []string{script, img, svg} {
				if !strings.Contains(r.Text, lit) {
					t.Errorf("text body lost the literal %q", lit)
				}
			}
			if strings.ContainsAny(r.Subject, "\r\n") {
				t.Errorf("subject %q is not one line", r.Subject)
			}
		})
	}
}

func TestRenderConfirm(t *testing.T) {
	s := load(t, "")
	a := answerData(t)
	sent := mailproc.ConfirmData{
		Desk: kamparDesk(t), Number: "ADU-2026-00007", CitizenAddr: "siti.rahmawati@gmail.com", Answer: a.Answer,
		Actions:     []string{"jawaban dikirim ke siti.rahmawati@gmail.com", "jenis kasus: Aduan", "kasus ditutup (selesai)"},
		Attachments: a.Attachments,
	}
	r, err := s.Render(mailproc.TemplateConfirm, sent)
	if err != nil {
		t.Fatal(err)
	}
	if r.Subject != "[ADU-2026-00007] Terkirim ke warga" {
		t.Errorf("subject = %q", r.Subject)
	}
	for _, w := range []string{
		"siti.rahmawati@gmail.com",
		"- jawaban dikirim ke siti.rahmawati@gmail.com\n- jenis kasus: Aduan\n- kasus ditutup (selesai)\n",
		normalizeText(indent("> ", a.Answer)),
		"surat-pembatalan-denda.pdf (application/pdf, 240 KB)",
	} {
		if !strings.Contains(r.Text, w) {
			t.Errorf("text body lacks %q:\n%s", w, r.Text)
		}
	}
	assertNormalText(t, r.Text)

	noted := mailproc.ConfirmData{Desk: kamparDesk(t), Number: "INF-2026-00042", CitizenAddr: "warga.kampar@yahoo.co.id",
		Actions: []string{"catatan internal disimpan (tidak dikirim ke warga)"}}
	r, err = s.Render(mailproc.TemplateConfirm, noted)
	if err != nil {
		t.Fatal(err)
	}
	if r.Subject != "[INF-2026-00042] Dicatat" {
		t.Errorf("subject = %q", r.Subject)
	}
	if !strings.Contains(r.Text, "Tidak ada yang dikirim kepada warga.") || !strings.Contains(r.Text, "- catatan internal disimpan") {
		t.Errorf("text body:\n%s", r.Text)
	}
	for _, absent := range []string{"> ", "Lampiran", "Teks yang dikirim"} {
		if strings.Contains(r.Text, absent) {
			t.Errorf("a note-only confirmation says %q", absent)
		}
	}
	assertNormalText(t, r.Text)
}

func TestRenderHelp(t *testing.T) {
	s := load(t, "")
	tests := []struct {
		name    string
		data    mailproc.HelpData
		subject string
		want    []string
	}{
		{"unknown commands", mailproc.HelpData{Desk: kamparDesk(t), Number: "ADU-2026-00007", Unknown: []string{"#selesaii", "#tutup"}, Commands: mailproc.Commands},
			"[ADU-2026-00007] Perintah tidak dikenal",
			[]string{"kasus ADU-2026-00007", "perintah yang tidak dikenal:\n- #selesaii\n- #tutup\n", "tidak ada perintah yang dijalankan"}},
		{"general help with a problem", mailproc.HelpData{Desk: kamparDesk(t), Problem: "balasan tidak berisi jawaban atau perintah", Commands: mailproc.Commands},
			"Bantuan perintah",
			[]string{"Masalah: balasan tidak berisi jawaban atau perintah"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := s.Render(mailproc.TemplateHelp, tt.data)
			if err != nil {
				t.Fatal(err)
			}
			if r.Subject != tt.subject {
				t.Errorf("subject = %q, want %q", r.Subject, tt.subject)
			}
			want := append([]string{"TIDAK ADA yang dikirim kepada warga", "baris pertama", "#catatan sudah ditelepon"}, tt.want...)
			for _, c := range mailproc.Commands {
				want = append(want, c.Command+" ("+c.Alias+") - "+c.Meaning)
			}
			for _, w := range want {
				if !strings.Contains(r.Text, w) {
					t.Errorf("text body lacks %q", w)
				}
			}
			if r.HTML != "" {
				t.Errorf("help has an HTML alternative")
			}
			assertNormalText(t, r.Text)
		})
	}
}

func TestRenderOpsForgery(t *testing.T) {
	s := load(t, "")
	d := mailproc.OpsForgeryData{
		Desk: kamparDesk(t), Number: "ADU-2026-00007", From: "rina.marlina@pustakaarsip.kamparkab.go.id",
		Subject:   "Re: [ADU-2026-00007] Kasus baru: Buku pinjaman rusak",
		MessageID: "CAF3x9q2k@mail.gmail.com",
		Reason:    "pengirim tidak terverifikasi (DKIM/SPF): mail.pustakaarsip.kamparkab.go.id: dkim=fail for pustakaarsip.kamparkab.go.id",
		At:        "Jumat, 27 November 2026 pukul 14.15 WIB",
	}
	r, err := s.Render(mailproc.TemplateOpsForgery, d)
	if err != nil {
		t.Fatal(err)
	}
	if r.Subject != "Balasan petugas ditolak: rina.marlina@pustakaarsip.kamparkab.go.id" {
		t.Errorf("subject = %q", r.Subject)
	}
	for _, w := range []string{
		d.From, d.Reason, d.At, "<CAF3x9q2k@mail.gmail.com>", "Kasus      : ADU-2026-00007",
		"tidak ada yang dikirim kepada warga", "desk.staff", "DKIM, SPF dan DMARC", "authserv_id", "arsip",
		"mailproc cases show ADU-2026-00007", "isi email tidak disertakan",
	} {
		if !strings.Contains(r.Text, w) {
			t.Errorf("text body lacks %q", w)
		}
	}
	if r.HTML != "" {
		t.Errorf("ops notice has an HTML alternative")
	}
	assertNormalText(t, r.Text)

	d.Number, d.From = "", ""
	r, err = s.Render(mailproc.TemplateOpsForgery, d)
	if err != nil {
		t.Fatal(err)
	}
	if r.Subject != "Balasan petugas ditolak: (pengirim tidak terbaca)" || strings.Contains(r.Text, "mailproc cases show") {
		t.Errorf("without case and sender: %q\n%s", r.Subject, r.Text)
	}
}

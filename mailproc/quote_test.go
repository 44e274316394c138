package mailproc_test

import (
	"bytes"
	"io"
	stdmime "mime"
	"mime/multipart"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/dpk-kampar/mailproc/mailproc"
	"github.com/dpk-kampar/mailproc/mailproc/mime"
)

// replyFixtures returns the replies of testdata/replies, each as the mail
// client wrote it, parsed the way intake parses it.
func replyFixtures(t testing.TB) map[string]*mailproc.Message {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "replies", "*.eml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) == 0 {
		t.Fatal("no fixtures in testdata/replies")
	}
	msgs := make(map[string]*mailproc.Message)
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		m, err := mime.Parse(f, mime.Options{})
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		msgs[strings.TrimSuffix(filepath.Base(p), ".eml")] = m
	}
	return msgs
}

// TestStripQuoteCorpus checks every real client's reply against the answer a
// person reads in it (name.want.txt).
func TestStripQuoteCorpus(t *testing.T) {
	for name, m := range replyFixtures(t) {
		t.Run(name, func(t *testing.T) {
			want, err := os.ReadFile(filepath.Join("testdata", "replies", name+".want.txt"))
			if err != nil {
				t.Fatal(err)
			}
			got := mailproc.StripQuote(m.Text)
			if strings.Contains(name, "collapsed") {
				// Its text/plain lost its line breaks (Samsung Email):
				// the answer is cut from the HTML alternative, which
				// only ReplyText reads.
				got = mailproc.ReplyText(m, nil)
			}
			if strings.TrimSpace(got) != strings.TrimSpace(string(want)) {
				t.Errorf("StripQuote of the mail's text (FromHTML=%v):\n%s\n--- got ---\n%s\n--- want ---\n%s",
					m.FromHTML, m.Text, got, want)
			}
			// The answer is what staff commands are read from: the
			// quote must not hide them, nor leave quoted ones.
			if again := mailproc.StripQuote(got); again != got {
				t.Errorf("not idempotent:\n%s\n--- then ---\n%s", got, again)
			}
		})
	}
}

// TestRepliesCommands reads the staff commands from each fixture's answer,
// as the relay does: commands written above the quote are found, and the
// command list quoted from our own notification ("Perintah: #catatan, …")
// never is.
func TestRepliesCommands(t *testing.T) {
	want := map[string][]mailproc.Command{
		"gmail-en-wrapped":             {{Name: mailproc.CmdTindaklanjut, Arg: "menunggu konfirmasi jadwal dari Bidang Layanan Perpustakaan"}},
		"gmail-id-wrapped":             {{Name: mailproc.CmdSelesai}},
		"outlook-desktop-html-only-id": {{Name: mailproc.CmdAduan, Arg: "warga mengeluhkan layanan loket, bukan sekadar bertanya"}},
		"outlook-plain-pesan-asli": {{Name: mailproc.CmdCatatan, Arg: "warga sudah dihubungi lewat telepon, jawaban lisan sudah diberikan\n" +
			"Pak Budi menelepon loket pukul 10.30 dan sudah kami jelaskan jam buka Sabtu.\nTidak perlu jawaban email."}},
		"outlook-android-id": {{Name: mailproc.CmdTindaklanjut}},
		"outlook-ios-en":     {{Name: mailproc.CmdEskalasi, Arg: "unit AC harus diganti, perlu persetujuan anggaran Kepala Dinas"}},
		"zimbra-en":          {{Name: mailproc.CmdSelesai}},
		"roundcube-id":       {{Name: mailproc.CmdInformasi, Arg: "ini pertanyaan jam buka, bukan keluhan"}},
	}
	for name, m := range replyFixtures(t) {
		cmds, unknown, rest := mailproc.ParseCommands(mailproc.StripQuote(m.Text))
		if len(unknown) != 0 {
			t.Errorf("%s: unknown commands %q", name, unknown)
		}
		if len(cmds) != len(want[name]) {
			t.Errorf("%s: commands %q, want %q", name, cmds, want[name])
			continue
		}
		for i := range cmds {
			if cmds[i] != want[name][i] {
				t.Errorf("%s: command %d = %q, want %q", name, i, cmds[i], want[name][i])
			}
		}
		if name == "outlook-plain-pesan-asli" {
			if rest != "" {
				t.Errorf("%s: a #catatan reply left %q for the citizen", name, rest)
			}
		} else if rest == "" || strings.HasPrefix(rest, "#") {
			t.Errorf("%s: answer for the citizen = %q", name, rest)
		}
	}
}

// TestStripQuoteHTMLAlternatives strips the HTML alternative of every
// multipart/alternative fixture, made into an HTML-only mail, and expects the
// same answer: a client or a relay that drops the plain part must not change
// what reaches the citizen. Blank lines are not compared, because the
// parser's HTML conversion drops the blank lines of <div><br></div> and
// <br><br> (a parser matter, not a quote matter).
func TestStripQuoteHTMLAlternatives(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join("testdata", "replies", "*.eml"))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, p := range paths {
		html := htmlAlternative(t, p)
		if html == "" {
			continue
		}
		n++
		name := strings.TrimSuffix(filepath.Base(p), ".eml")
		t.Run(name, func(t *testing.T) {
			m, err := mime.Parse(strings.NewReader(html), mime.Options{})
			if err != nil {
				t.Fatal(err)
			}
			want, err := os.ReadFile(filepath.Join("testdata", "replies", name+".want.txt"))
			if err != nil {
				t.Fatal(err)
			}
			got := mailproc.StripQuote(m.Text)
			if withoutBlankLines(got) != withoutBlankLines(string(want)) {
				t.Errorf("StripQuote of the HTML alternative's text:\n%s\n--- got ---\n%s\n--- want ---\n%s", m.Text, got, want)
			}
		})
	}
	if n < 10 {
		t.Errorf("only %d fixtures with an HTML alternative", n)
	}
}

// htmlAlternative returns the mail at path as an HTML-only mail made of its
// text/html alternative, or "" if it is not multipart/alternative.
func htmlAlternative(t *testing.T, path string) string {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	mt, params, err := stdmime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		return ""
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		part, err := mr.NextRawPart()
		if err != nil {
			t.Fatalf("%s: no text/html part: %v", path, err)
		}
		if !strings.HasPrefix(part.Header.Get("Content-Type"), "text/html") {
			continue
		}
		body, err := io.ReadAll(part)
		if err != nil {
			t.Fatal(err)
		}
		return "From: " + msg.Header.Get("From") + "\nContent-Type: " + part.Header.Get("Content-Type") +
			"\nContent-Transfer-Encoding: " + part.Header.Get("Content-Transfer-Encoding") + "\n\n" + string(body)
	}
}

func withoutBlankLines(s string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

func TestStripQuote(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain answer untouched", "Baik, terima kasih.\n\nSalam,\nDewi", "Baik, terima kasih.\n\nSalam,\nDewi"},
		{"empty", "", ""},
		{"blank lines only", "\n \n\t\n", ""},
		{"CRLF line ends", "Ya.\r\n\r\nPada 27/11/2026 10.15, Layanan menulis:\r\n> Tanya?\r\n", "Ya."},
		{"leading and trailing blank lines trimmed", "\n\n  \nYa, buka.\n\n\n", "Ya, buka."},
		{"three blank lines collapse to one", "Satu.\n\n\n\nDua.", "Satu.\n\nDua."},
		{"two blank lines are kept", "Satu.\n\n\nDua.", "Satu.\n\n\nDua."},
		{"trailing white space on lines dropped", "Satu.  \nDua.\t", "Satu.\nDua."},
		{"indentation kept", "Langkah:\n  1. Datang ke loket\n  2. Isi formulir", "Langkah:\n  1. Datang ke loket\n  2. Isi formulir"},

		// Attribution lines, and prose that only looks like one.
		{"pada dasarnya is no attribution", "Pada dasarnya saya setuju.\n\nTerima kasih.", "Pada dasarnya saya setuju.\n\nTerima kasih."},
		{"pada dasarnya before a quote stays", "Pada dasarnya saya setuju\n> usul Bapak", "Pada dasarnya saya setuju"},
		{"on the 5th floor is no attribution", "On the 5th floor we have the archive reading room.\nOpen 08.00-16.00.", "On the 5th floor we have the archive reading room.\nOpen 08.00-16.00."},
		{"on a date without wrote stays", "On 27 Nov 2026 at 10:15 the library opens.", "On 27 Nov 2026 at 10:15 the library opens."},
		{"url with wrote: in the middle", "Lihat https://forum.kamparkab.go.id/t/42?user=budi&wrote:ya untuk detailnya.\nPada 27 Nov 2026 pukul 10.15 kami sudah membalas https://x.id/menulis: di sana.",
			"Lihat https://forum.kamparkab.go.id/t/42?user=budi&wrote:ya untuk detailnya.\nPada 27 Nov 2026 pukul 10.15 kami sudah membalas https://x.id/menulis: di sana."},
		{"attribution not followed by a quote cuts (Yahoo)", "Terima kasih.\n\nPada Jumat, 27 November 2026 10.15.00 WIB, Layanan <layanan@pustakaarsip.kamparkab.go.id> menulis:\n\nYth. Bapak Budi,\nNomor INF-2026-00042", "Terima kasih."},
		{"attribution wrapped over three lines", "Ya.\n\nOn Fri, Nov 27, 2026 at 10:15 AM Layanan Informasi dan Aduan Masyarakat Dinas Perpustakaan\ndan Kearsipan Kabupaten Kampar <\nlayanan@pustakaarsip.kamparkab.go.id> wrote:\n\n> Tanya", "Ya."},
		{"weak attribution before a quote", "Layanan Informasi menulis:\n> Apakah buka?\nYa, buka.", "Ya, buka."},
		{"old Gmail attribution", "Sudah.\n\n2026-11-27 10:15 GMT+07:00 Layanan <layanan@pustakaarsip.kamparkab.go.id>:\n\n> Tanya", "Sudah."},
		{"prose ending in menulis: without a quote stays", "Seperti yang Bapak menulis:\nbuku itu hilang.", "Seperti yang Bapak menulis:\nbuku itu hilang."},
		{"typed text before an attribution with white space after it", "Ya, buka. Pada 27/11/2026 10.15, Layanan menulis: \t", "Ya, buka."},

		// Quotes.
		{"interleaved keeps every new block in order", "On 11/27/26 10:15 AM, Layanan wrote:\n> Satu?\nJawab satu.\n> Dua?\n>> lama\n\nJawab dua.\n> Tiga?", "Jawab satu.\n\nJawab dua."},
		{"nested quote only", "Ya.\n\n>> lama\n> > lebih lama", "Ya."},
		{"indented quote", "Ya.\n\n   > kutipan", "Ya."},

		// Header blocks.
		{"Zimbra block", "Sudah kami proses.\n\n----- Pesan Asli -----\nDari: \"Layanan\" <layanan@pustakaarsip.kamparkab.go.id>\nKepada: \"Dewi\" <dewi@pustakaarsip.kamparkab.go.id>\nTerkirim: Jumat, 27 November 2026 10:15:42\nSubjek: [INF-2026-00042] Tanya\n\nisi", "Sudah kami proses."},
		{"block without a separator", "Ya.\n\nFrom: Layanan <layanan@pustakaarsip.kamparkab.go.id>\nSent: Friday, November 27, 2026 10:15 AM\nTo: Andi\nSubject: Tanya\n\nisi", "Ya."},
		{"block with bold markers", "Ya.\n\n*From:* Layanan <layanan@pustakaarsip.kamparkab.go.id>\n*Date:* Fri, Nov 27, 2026 at 10:15 AM\n*Subject:* Tanya\n*To:* Andi\n\nisi", "Ya."},
		{"memo header in an answer is kept", "Berikut isi nota dinas:\n\nKepada : Kepala Dinas\nDari: Kepala Seksi Pelayanan\nTanggal: 27 November 2026\nNomor: 045/PLY/XI/2026\nPerihal: Perbaikan AC\n\nMohon persetujuan.",
			"Berikut isi nota dinas:\n\nKepada : Kepala Dinas\nDari: Kepala Seksi Pelayanan\nTanggal: 27 November 2026\nNomor: 045/PLY/XI/2026\nPerihal: Perbaikan AC\n\nMohon persetujuan."},
		{"a single Dari: line is kept", "Dari: Bidang Arsip\nBerkas Bapak sudah selesai.", "Dari: Bidang Arsip\nBerkas Bapak sudah selesai."},
		{"underscores alone are kept", "Ringkasan\n____________\nsatu", "Ringkasan\n____________\nsatu"},
		{"forwarded inside a reply is cut", "Jawaban dari Bidang Arsip di bawah.\n\n---------- Forwarded message ---------\nFrom: Arsip <arsip@kamparkab.go.id>\nDate: Fri, Nov 27, 2026 at 9:00 AM\nSubject: Re: Berkas\nTo: Andi\n\nisi", "Jawaban dari Bidang Arsip di bawah."},

		// Signatures.
		{"text after the delimiter is dropped", "Ya, buka.\n\n-- \nDewi Lestari\nSeksi Pelayanan\n\nPS: ini juga dibuang", "Ya, buka."},
		{"bare -- as Outlook writes it", "Ya, buka.\n--\nAndi", "Ya, buka."},
		{"--- is no delimiter", "Ya.\n---\nTidak.", "Ya.\n---\nTidak."},
		{"-- inside a line is no delimiter", "Jam 08.00 -- 12.00", "Jam 08.00 -- 12.00"},
		{"signature ends at the next quote", "Jawab satu.\n-- \nDewi\n> Dua?\nJawab dua.", "Jawab satu.\n\nJawab dua."},
		{"sign-off kept", "Sudah kami kirim.\n\nSalam,\nDewi", "Sudah kami kirim.\n\nSalam,\nDewi"},
		{"iPhone ID", "Ya.\n\nDikirim dari iPhone saya", "Ya."},
		{"iPhone EN", "Ya.\n\nSent from my iPhone", "Ya."},
		{"Samsung", "Ya.\n\nDikirim dari ponsel Samsung Galaxy saya", "Ya."},
		{"Outlook Android", "Ya.\n\nSent from Outlook for Android", "Ya."},
		{"Outlook iOS with link", "Ya.\n\nGet Outlook for iOS<https://aka.ms/o0ukef>", "Ya."},
		{"Outlook Android ID, HTML link", "Ya.\n\nDapatkan Outlook untuk Android ( https://aka.ms/AAb9ysg )", "Ya."},
		{"FairEmail", "Ya.\n\nSent from FairEmail", "Ya."},
		{"Yahoo Android ID", "Ya.\n\nDikirim dari Yahoo Mail di Android", "Ya."},
		{"two client lines", "Ya.\nSent from my iPhone\nGet Outlook for iOS", "Ya."},
		{"client line inside a paragraph stays", "Sent from my iPhone\nmaaf kalau singkat.", "Sent from my iPhone\nmaaf kalau singkat."},
		{"dikirim dari in prose stays", "Berkas sudah kami kirim.\n\nDikirim dari kantor pos Bangkinang.", "Berkas sudah kami kirim.\n\nDikirim dari kantor pos Bangkinang."},

		// Commands survive.
		{"commands survive", "#selesai\n#catatan sudah ditelepon\n\nPada 27/11/2026 10.15, Layanan menulis:\n> Tanya", "#selesai\n#catatan sudah ditelepon"},

		// Fallbacks.
		{"answer typed inside the quote", "Pada 27/11/2026 10.15, Layanan menulis:\n> Ya, buka hari Sabtu.\n>\n> Pada 27/11/2026 10.00, Budi menulis:\n>> Apakah buka hari Sabtu?", "Ya, buka hari Sabtu."},
		{"answer typed inside an HTML quote", "On Fri, Nov 27, 2026 at 10:15 AM Layanan <layanan@pustakaarsip.kamparkab.go.id> wrote:\n\n> Ya, buka.\n>\n> On Fri, Nov 27, 2026 at 10:00 AM Budi <budi@gmail.com> wrote:\n> > Apakah buka?", "Ya, buka."},
		{"a deeper quote alone is no mark of an older mail", "On Fri, Nov 27, 2026 at 10:15 AM Layanan <layanan@pustakaarsip.kamparkab.go.id> wrote:\n\n> Kasus baru\n>\n> > Apakah buka?", ""},
		// Documents the limit: an untouched reply to a mail that quotes an
		// attributed mail looks exactly like an answer typed inside the quote.
		{"untouched reply to a mail with an attribution inside", "Pada 27/11/2026 10.15, Layanan menulis:\n> Kasus baru\n> Pada 27/11/2026 10.00, Budi menulis:\n>> Apakah buka?", "Kasus baru"},
		{"no deeper than one level", "Pada 27/11/2026 10.15, Layanan menulis:\n> Pada 27/11/2026 10.10, Budi menulis:\n>> Terima kasih.\n>> Pada 27/11/2026 10.00, Layanan menulis:\n>>> Jawaban lama", ""},
		{"flat quote only is no answer", "Pada 27/11/2026 10.15, Layanan menulis:\n> Kasus baru INF-2026-00042\n> Apakah buka?", ""},
		{"unchanged reply is no answer", "\n\n-- \nDewi\n\nPada 27/11/2026 10.15, Layanan menulis:\n> Kasus baru\n>> Apakah buka?", ""},
		{"bottom-posted under an unquoted original is no answer", "________________________________\nFrom: Layanan <layanan@pustakaarsip.kamparkab.go.id>\nSent: Friday, November 27, 2026 10:15 AM\nTo: Andi\nSubject: Tanya\n\n> Apakah buka?\n>> lama\n\nYa, buka.", ""},
		{"signature only is no answer", "-- \nDewi Lestari", ""},
		{"client line only is no answer", "Dikirim dari iPhone saya", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := mailproc.StripQuote(tt.in)
			if got != tt.want {
				t.Errorf("StripQuote(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
			if again := mailproc.StripQuote(got); again != got {
				t.Errorf("not idempotent: %q then %q", got, again)
			}
		})
	}
}

func FuzzStripQuote(f *testing.F) {
	for _, m := range replyFixtures(f) {
		f.Add(m.Text)
	}
	f.Add("Ya.\n\nPada 27/11/2026 10.15, Layanan menulis:\n> Tanya")
	f.Add("> a\n>> b\nc\n-- \nd\n\n\n\ne")
	f.Add("On 2026 10:15 x\n> y\nwrote:")
	f.Add("0 Pada 0.0.00 menulis: ")
	f.Add("Sent from my iPhone\nSent from my iPad\n\nFrom: a@b\nSent: 10:15\nTo: c\n")
	f.Fuzz(func(t *testing.T, in string) {
		out := mailproc.StripQuote(in)
		if utf8.ValidString(in) && !utf8.ValidString(out) {
			t.Fatalf("valid UTF-8 in, invalid out: %q", out)
		}
		if len(out) > len(in)+8 {
			t.Fatalf("output longer than input: %d > %d", len(out), len(in))
		}
		if again := mailproc.StripQuote(out); again != out {
			t.Fatalf("not idempotent:\n%q\nthen\n%q", out, again)
		}
	})
}

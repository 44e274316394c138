package mailproc_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/dpk-kampar/mailproc/mailproc"
)

// TestReplyTextCorpus reads every client fixture the way the relay does
// (ReplyText, both bodies) and expects the answer a person reads in it.
func TestReplyTextCorpus(t *testing.T) {
	for name, m := range replyFixtures(t) {
		t.Run(name, func(t *testing.T) {
			want, err := os.ReadFile(filepath.Join("testdata", "replies", name+".want.txt"))
			if err != nil {
				t.Fatal(err)
			}
			got := mailproc.ReplyText(m, nil)
			if strings.TrimSpace(got) != strings.TrimSpace(string(want)) {
				t.Errorf("ReplyText:\n--- got ---\n%s\n--- want ---\n%s\n--- html ---\n%s", got, want, m.HTMLText)
			}
		})
	}
}

// TestReplyMarker: the marker cuts however the client left it, and takes the
// attribution or header block above it along.
func TestReplyMarker(t *testing.T) {
	m := mailproc.ReplyMarker
	for _, tt := range []struct{ name, in, want string }{
		{"unquoted under a header block", "Ya.\n\nFrom: Layanan <l@x.id>\nSent: Friday, November 27, 2026 10:15 AM\nTo: Rina\nSubject: x\n\n" + m + "\n\nisi", "Ya."},
		{"under a header block in an unknown language", "Ya.\n\nQqq: Layanan <l@x.id>\nWww: 27.11.2026 10:15\n\n" + m + "\n\nisi", "Ya."},
		{"under an attribution in an unknown language", "Ya.\n\nLayanan kirjoitti:\n\n> " + m + "\n> isi", "Ya."},
		{"non-breaking spaces", "Ya.\n\n──\u00a0Tulis\u00a0jawaban di atas garis ini\u00a0──\nisi", "Ya."},
		{"re-wrapped", "Ya.\n\n── Tulis jawaban di\natas garis ini ──\nisi", "Ya."},
		{"dashes instead of box drawing, other case", "Ya.\n\n-- TULIS JAWABAN DI ATAS GARIS INI --\nisi", "Ya."},
		{"quoted, bottom-posted answer below", "Layanan kirjoitti:\n> " + m + "\n> isi\n\nYa, di bawah.", "Ya, di bawah."},
		{"typed text with a colon right above the marker is not an attribution when it is long", "Ya.\nJadwal kami sebagai berikut ini dan berlaku mulai minggu depan untuk semua:\n\n> " + m, "Ya.\nJadwal kami sebagai berikut ini dan berlaku mulai minggu depan untuk semua:"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := mailproc.ReplyText(&mailproc.Message{Text: tt.in}, nil); got != tt.want {
				t.Errorf("ReplyText(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}

// FuzzReplyText: any text, HTML text and original: no panic, valid UTF-8
// out, and whatever is read still holding the marker or a long line of the
// original is held by the guard.
func FuzzReplyText(f *testing.F) {
	f.Add("Ya.\n\n"+mailproc.ReplyMarker+"\nisi", "", "")
	f.Add("Ya.\n> Warga : Siti <s@x.id>", "Ya.", mailproc.ReplyMarker+"\n\nWarga : Siti <s@x.id>")
	f.Add("RinaSent from my Galaxy-------- Pesan asli --------Dari: L <l@x.id>", "Rina", "Warga       : Siti Rahmawati <siti@example.org>")
	f.Fuzz(func(t *testing.T, text, html, orig string) {
		m := &mailproc.Message{Text: text, HTMLText: html}
		got := mailproc.ReplyText(m, []string{orig})
		if !utf8.ValidString(got) && utf8.ValidString(text) && utf8.ValidString(html) {
			t.Fatalf("invalid UTF-8 out: %q", got)
		}
		held := mailproc.LeakFindings(got, []string{orig})
		if strings.Contains(got, mailproc.ReplyMarker) && len(held) == 0 {
			t.Fatalf("the marker passes the guard: %q", got)
		}
	})
}

package mailproc_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dpk-kampar/mailproc/mailproc"
)

// TestLeakFindings: what the guard finds, and what it lets pass.
func TestLeakFindings(t *testing.T) {
	notif := mailproc.ReplyMarker + "\n\nAda kasus baru untuk dijawab.\n\nWarga       : Siti Rahmawati <siti@example.org>\nBatas jawab : Jumat, 27 November 2026 pukul 10.20 WIB\n\n" +
		"Pesan warga:\n\n> Apakah perpustakaan buka hari Sabtu?\n\nBalas email ini untuk menjawab warga. Perintah: #catatan, #selesai, #aduan, #informasi, #eskalasi, #tindaklanjut."
	originals := []string{notif}
	for _, tt := range []struct {
		name, text string
		held       bool
	}{
		{"a typed answer", "Perpustakaan buka hari Sabtu pukul 08.00.", false},
		{"the citizen's own question repeated", "Apakah perpustakaan buka hari Sabtu? Ya, buka.", false},
		{"a common phrase", "Terima kasih.\n\nSalam,\nRina", false},
		{"the marker", "Ya.\n\n" + mailproc.ReplyMarker, true},
		{"the marker with other spaces", "Ya.\n──  Tulis\u00a0jawaban di atas garis ini ──", true},
		{"the marker wrapped", "Ya.\n── Tulis jawaban di atas\ngaris ini ──", true},
		{"a token", "Ya. mailproc.notify.inf-2026-00042.5f0c3a9e1b7d4e2f8a6c0b19.9d4e6a1f0c3b7e52a8d1f4c6b0e9a37d@x", true},
		{"the citizen's address line", "Ya.\nWarga : Siti Rahmawati <siti@example.org>", true},
		{"the line inside a typed sentence", "Data kami: Warga       : Siti Rahmawati <siti@example.org> sudah dicatat.", true},
		{"the command hint, re-wrapped and quoted", "Ya.\n> Balas email ini untuk menjawab warga. Perintah: #catatan,\n> #selesai, #aduan", true},
		{"a piece of a wrapped line", "Ya.\nPerintah: #catatan, #selesai, #aduan, #informasi, #eskalasi", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := mailproc.LeakFindings(tt.text, originals)
			if (len(f) > 0) != tt.held {
				t.Errorf("LeakFindings(%q) = %q, held want %v", tt.text, f, tt.held)
			}
		})
	}
	// A token as the desk signs it today (key id, recipient, day).
	tok := mailproc.Tokens{Secret: []byte("0123456789abcdef0123456789abcdef")}.MessageID(mailproc.PurposeNotify,
		"INF-2026-00042", "rina@pustakaarsip.kamparkab.go.id", "layanan@pustakaarsip.kamparkab.go.id", time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC))
	if f := mailproc.LeakFindings("Ya.\n> <"+tok+">", nil); len(f) == 0 {
		t.Errorf("a token of today's format (%s) is not found", tok)
	}
	if f := mailproc.LeakFindings("Ya. "+mailproc.ReplyMarker, nil); len(f) == 0 {
		t.Error("the marker is found without the original too")
	}
}

// TestLeakGuardFixtures runs the guard on every client fixture of
// testdata/replies (most predate the marker; it is removed from the others). The mail each
// answers is what the reply holds besides the answer, unquoted. The typed
// answer passes; the whole reply, as it would be relayed by a stripper that
// found nothing, is held; and with its original known, the reply is read
// exactly.
func TestLeakGuardFixtures(t *testing.T) {
	for name, m := range replyFixtures(t) {
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("testdata", "replies", name+".want.txt"))
			if err != nil {
				t.Fatal(err)
			}
			want := strings.TrimSpace(string(b))
			// The answer's lines are taken out once, in order; the
			// rest is the original.
			typed := strings.Split(want, "\n")
			var orig []string
			for _, l := range strings.Split(m.Text, "\n") {
				l = strings.TrimSpace(strings.TrimLeft(l, "> "))
				if len(typed) > 0 && l == strings.TrimSpace(typed[0]) {
					typed = typed[1:]
					continue
				}
				orig = append(orig, l)
			}
			originals := []string{strings.Join(orig, "\n")}
			if f := mailproc.LeakFindings(want, originals); len(f) != 0 {
				t.Errorf("the typed answer is held: %q", f)
			}
			if f := mailproc.LeakFindings(m.Text, originals); len(f) == 0 {
				t.Error("the whole reply passes the guard")
			}
			got := mailproc.ReplyText(m, originals)
			if strings.TrimSpace(got) != want {
				t.Errorf("with the original known:\n--- got ---\n%s\n--- want ---\n%s", got, want)
			}
			// With the marker removed (the fixtures that have one) and
			// no original known, the guesses give the answer or the
			// guard holds what they give.
			bare := *m
			bare.Text = strings.ReplaceAll(m.Text, mailproc.ReplyMarker, "")
			bare.HTMLText = strings.ReplaceAll(m.HTMLText, mailproc.ReplyMarker, "")
			if g := mailproc.ReplyText(&bare, nil); strings.TrimSpace(g) != want && len(mailproc.LeakFindings(g, originals)) == 0 {
				t.Errorf("without marker and original, a wrong answer passes the guard:\n%s", g)
			}
		})
	}
}

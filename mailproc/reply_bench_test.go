package mailproc_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/dpk-kampar/mailproc/mailproc"
)

// BenchmarkReplyKnownOriginal100kB reads a 100 kB reply whose quote is the
// desk's own 100 kB notification, known from the outbox (inspect -config and
// the relay): the marker, every line looked up in the original, the leak
// guard. The inspect goal is < 50 ms for the whole command.
func BenchmarkReplyKnownOriginal100kB(b *testing.B) {
	var orig strings.Builder
	orig.WriteString(mailproc.ReplyMarker + "\n\nAda kasus baru untuk dijawab.\n\nWarga       : Siti <siti@example.org>\n\n")
	for i := 0; orig.Len() < 100<<10; i++ {
		fmt.Fprintf(&orig, "> Kalimat %d dari warga tentang layanan perpustakaan daerah yang perlu diperiksa petugas.\n", i)
	}
	orig.WriteString("\nBalas email ini untuk menjawab warga.\n")
	reply := "Selamat siang Ibu Siti,\n\nKeluhan Ibu sudah kami teruskan.\n\nPada Jum, 27 Nov 2026 pukul 10.15 Layanan <layanan@example.org> menulis:\n> " +
		strings.ReplaceAll(orig.String(), "\n", "\n> ")
	m := &mailproc.Message{Text: reply, HTMLText: reply}
	originals := []string{orig.String()}
	b.SetBytes(int64(len(reply)))
	for b.Loop() {
		r := mailproc.ReplyText(m, originals)
		if r != "Selamat siang Ibu Siti,\n\nKeluhan Ibu sudah kami teruskan." {
			b.Fatalf("got %q", r)
		}
		if f := mailproc.LeakFindings(r, originals); len(f) != 0 {
			b.Fatal(f)
		}
	}
}

// BenchmarkLeakGuard100kB is the leak guard's worst case: the whole 100 kB
// quote left in the answer, against a 100 kB original.
func BenchmarkLeakGuard100kB(b *testing.B) {
	var orig strings.Builder
	for i := 0; orig.Len() < 100<<10; i++ {
		fmt.Fprintf(&orig, "Baris internal %d dari notifikasi untuk petugas layanan perpustakaan.\n", i)
	}
	text := strings.ReplaceAll(orig.String(), "\n", " ")
	originals := []string{orig.String()}
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		if f := mailproc.LeakFindings(text, originals); len(f) == 0 {
			b.Fatal("nothing found")
		}
	}
}

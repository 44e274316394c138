package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// bigReply writes a staff reply of about size bytes: an Outlook answer above
// a long notification, in text/plain and its HTML alternative, as a staff
// member's reply to a long citizen mail arrives.
func bigReply(tb testing.TB, size int) string {
	tb.Helper()
	var para strings.Builder
	for i := 0; para.Len() < size/4; i++ {
		fmt.Fprintf(&para, "Kalimat %d dari warga tentang layanan perpustakaan daerah yang perlu diperiksa petugas.\n", i)
	}
	quote := para.String()
	plain := "Selamat siang Ibu Siti,\n\nKeluhan Ibu sudah kami teruskan ke bagian sarana.\n\nSalam,\nRina\n" +
		"________________________________\nFrom: Layanan <layanan@pustakaarsip.kamparkab.go.id>\nSent: Friday, November 27, 2026 10:15 AM\n" +
		"To: Rina <rina@kamparkab.go.id>\nSubject: [ADU-2026-00007] Kasus baru\n\n" + quote
	html := "<html><body><div>Selamat siang Ibu Siti,</div><div><br></div><div>Keluhan Ibu sudah kami teruskan ke bagian sarana.</div>" +
		"<div>Salam,<br>Rina</div><div id=\"appendonsend\"></div><hr><div id=\"divRplyFwdMsg\"><b>From:</b> Layanan</div><div>" +
		strings.ReplaceAll(quote, "\n", "<br>\n") + "</div></body></html>"
	raw := "From: Rina <rina@kamparkab.go.id>\r\nTo: layanan@pustakaarsip.kamparkab.go.id\r\nSubject: RE: [ADU-2026-00007] Kasus baru\r\n" +
		"Message-ID: <big@kamparkab.go.id>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=\"b\"\r\n\r\n" +
		"--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + plain + "\r\n--b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + html + "\r\n--b--\r\n"
	p := filepath.Join(tb.TempDir(), "big.eml")
	if err := os.WriteFile(p, []byte(raw), 0o600); err != nil {
		tb.Fatal(err)
	}
	return p
}

// BenchmarkInspect100kB is `mailproc inspect --json` on a 100 kB staff
// reply: parse, every decision, the reply read from both bodies, the leak
// guard, JSON out (no process start). Goal: < 50 ms.
func BenchmarkInspect100kB(b *testing.B) {
	p := bigReply(b, 100<<10)
	st, err := os.Stat(p)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(st.Size())
	for b.Loop() {
		if err := runInspect(context.Background(), []string{"--json", p}, nil, io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}

package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestDemo runs `mailproc demo` as a newcomer would and checks that each
// step of the desk shows on the terminal.
func TestDemo(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"demo"}, &out, &errb); code != 0 {
		t.Fatalf("demo exit %d\n%s\n%s", code, out.String(), errb.String())
	}
	o := out.String()
	for _, want := range []string{
		"→ email masuk: Siti Rahmawati",
		"[INF-2026-00001] Tanda terima: Jam buka perpustakaan hari Sabtu", // the numbering year is the WIB year of today
		"[ADU-2026-00001] Tanda terima: Keluhan",
		"Kasus baru",
		"Pesan lanjutan dari warga",
		"Email dikarantina",
		"Jawaban petugas yang diteruskan",
		"Perpustakaan buka hari Sabtu pukul 08.00",
		"Terkirim ke warga",
		"tidak dipungut biaya",
		"Karantina: UID 6",
		"Laporan Bulanan",
		"1 penilaian, rata-rata 4,00 dari 4",
		"Persentase sesuai janji     : 100,0%", // the one informasi answered, within 5 minutes
	} {
		if strings.Contains(want, "2026") {
			want = strings.ReplaceAll(want, "2026", yearNow())
		}
		if !strings.Contains(o, want) {
			t.Errorf("demo output lacks %q", want)
		}
	}
	if i := strings.Index(o, "Jawaban petugas yang diteruskan"); i >= 0 && strings.Contains(o[i:], "menulis:") {
		t.Error("the relayed answer carries the quoted notification")
	}
}

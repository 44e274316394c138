package report

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/dpk-kampar/mailproc/mailproc"
)

// TestPublic: the public edition carries the figures, the IKM with its
// grade and the chain head, and none of the case lines the internal report
// lists (numbers); the internal report carries the chain head and the IKM
// too.
func TestPublic(t *testing.T) {
	r := sample(t)
	r.ChainHead = "peristiwa #12 0123456789abcdef, pesan #4 fedcba9876543210"
	r.AddRatings([]*mailproc.Case{
		{ID: 1, Kind: mailproc.KindInformasi, State: mailproc.StateSelesai, OpenedAt: r.From.Add(26 * 3600e9)},
	}, []mailproc.Rating{{CaseID: 1, Score: 3}})
	for name, render := range map[string]func(*bytes.Buffer) error{
		"text": func(b *bytes.Buffer) error { return PublicText(b, r) },
		"html": func(b *bytes.Buffer) error { return PublicHTML(b, r) },
	} {
		var b bytes.Buffer
		if err := render(&b); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		for _, want := range []string{"Hasil Pemantauan Standar Pelayanan", "Maret 2026", "75,00", "Kurang Baik",
			"50,0%", r.ChainHead, "Tingkat 2"} {
			if !strings.Contains(out, want) {
				t.Errorf("public %s lacks %q:\n%s", name, want, out)
			}
		}
		if m := regexp.MustCompile(`(INF|ADU)-\d{4}-\d+|@`).FindString(out); m != "" {
			t.Errorf("public %s holds %q", name, m)
		}
	}
	var b bytes.Buffer
	if err := Text(&b, r); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Kepala rantai riwayat: " + r.ChainHead, "IKM 75,00 (mutu C, Kurang Baik); 1 jawaban; tingkat respons 100,0% dari 1 kasus selesai", "ADU-2026-00007"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("text report lacks %q:\n%s", want, b.String())
		}
	}
}

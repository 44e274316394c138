package report

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
	"time"
	_ "time/tzdata"

	"golang.org/x/net/html"

	"github.com/dpk-kampar/mailproc/mailproc"
)

// sample is a March 2026 in WIB, 24/7: two informasi (one on time, one
// 7 minutes), one aduan never answered and escalated to level 2.
func sample(t *testing.T) mailproc.MonthReport {
	t.Helper()
	wib, err := time.LoadLocation("Asia/Jakarta")
	if err != nil {
		t.Fatal(err)
	}
	at := func(d, h, m int) time.Time { return time.Date(2026, 3, d, h, m, 0, 0, wib) }
	cases := []*mailproc.Case{
		{ID: 1, Number: "INF-2026-00041", Kind: mailproc.KindInformasi, State: mailproc.StateSelesai,
			OpenedAt: at(2, 9, 0), FirstAnswerAt: at(2, 9, 3), ClosedAt: at(2, 9, 3)},
		{ID: 2, Number: "INF-2026-00042", Kind: mailproc.KindInformasi, State: mailproc.StateDijawab,
			OpenedAt: at(2, 10, 0), FirstAnswerAt: at(2, 10, 7), DueAt: at(2, 10, 5)},
		{ID: 3, Number: "ADU-2026-00007", Kind: mailproc.KindAduan, State: mailproc.StateDieskalasi,
			OpenedAt: at(5, 8, 0), DueAt: at(5, 9, 0), EscalationLevel: 2, Channel: mailproc.ChannelTelepon},
	}
	esc := map[int64][]*mailproc.Event{3: {
		{Type: mailproc.EventEscalated, Detail: "tingkat 1 (Kepala Seksi Pelayanan, kasi@x.id) diberi tahu"},
		{Type: mailproc.EventEscalated, Detail: "tingkat 2 (Kepala Bagian Pelayanan, kabag@x.id) diberi tahu"},
	}}
	return mailproc.BuildMonthReport(2026, time.March, wib, cases, esc, mailproc.StandardClock, nil, at(5, 12, 0))
}

func TestText(t *testing.T) {
	var b bytes.Buffer
	if err := Text(&b, sample(t)); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"Laporan Bulanan Maret 2026",
		"Jumlah kasus: 3",
		"Permintaan Informasi (janji layanan 5 menit)",
		"Aduan (janji layanan 1 jam)",
		"Persentase sesuai janji     : 50,0%",
		"Persentase sesuai janji     : 0,0%",
		"Waktu jawaban pertama p50   : 3 menit",
		"Waktu jawaban pertama p90   : 7 menit",
		"Tingkat 1: 1", "Tingkat 2: 1",
		"Kasus masih terbuka: 2",
		"INF-2026-00042",
		"Kasus terbuka yang melewati batas waktu: 1",
		"ADU-2026-00007  batas Kamis, 5 Maret 2026 pukul 09.00 WIB  terlambat 3 jam  eskalasi tingkat 2",
		"Kepuasan warga: belum ada data",
		"  Email (email)               :     2             1         1  3 menit",
		"  Telepon (telepon)           :     1             0         1  -",
		"  Kotak saran (kotaksaran)    :     0             0         0  -",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("text lacks %q:\n%s", want, out)
		}
	}
}

func TestCSV(t *testing.T) {
	var b bytes.Buffer
	if err := CSV(&b, sample(t)); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(recs[0], ",") != "bagian,butir,jenis,nilai,keterangan" {
		t.Errorf("header %v", recs[0])
	}
	got := map[string]string{}
	for _, r := range recs[1:] {
		got[r[0]+"/"+r[1]+"/"+r[2]] = r[3]
	}
	for key, want := range map[string]string{
		"ringkasan/jumlah_kasus/semua":              "3",
		"jenis/jumlah_kasus/informasi":              "2",
		"jenis/persen_sesuai_janji/informasi":       "50.0",
		"jenis/jawaban_pertama_p50_menit/informasi": "3.0",
		"jenis/jawaban_pertama_p90_menit/informasi": "7.0",
		"jenis/jawaban_pertama_p50_menit/aduan":     "",
		"jenis/melewati_janji/aduan":                "1",
		"status/dieskalasi/semua":                   "1",
		"eskalasi/tingkat_2/semua":                  "1",
		"harian/2026-03-02/informasi":               "2",
		"harian_sesuai_janji/2026-03-02/semua":      "1",
		"harian_melewati_janji/2026-03-05/semua":    "1",
		"terlambat/ADU-2026-00007/aduan":            "180.0",
		"terbuka/INF-2026-00042/informasi":          "",
		"kepuasan/hasil/semua":                      "",
		"harian/2026-03-31/aduan":                   "0",
		"kanal/jumlah_kasus/email":                  "2",
		"kanal/sesuai_janji/email":                  "1",
		"kanal/jawaban_pertama_p50_menit/email":     "3.0",
		"kanal/jumlah_kasus/telepon":                "1",
		"kanal/melewati_janji/telepon":              "1",
		"kanal/jawaban_pertama_p50_menit/telepon":   "",
		"kanal/jumlah_kasus/whatsapp":               "0",
	} {
		if v, ok := got[key]; !ok || v != want {
			t.Errorf("%s = %q (present %v), want %q", key, v, ok, want)
		}
	}
	if recs[len(recs)-1][4] != "belum ada data" {
		t.Errorf("last row %v", recs[len(recs)-1])
	}
}

func TestHTML(t *testing.T) {
	var b bytes.Buffer
	if err := HTML(&b, sample(t)); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	doc, err := html.Parse(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	var svgs, rects, scripts, links int
	var text strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "svg":
				svgs++
			case "rect":
				rects++
			case "script":
				scripts++
			case "link", "img", "iframe":
				links++
			}
		}
		if n.Type == html.TextNode {
			text.WriteString(n.Data)
			text.WriteString(" ")
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	if svgs != 2 || rects != 2*2*31 {
		t.Errorf("%d <svg>, %d <rect>; want 2 and %d", svgs, rects, 2*2*31)
	}
	if scripts != 0 || links != 0 {
		t.Errorf("page is not self-contained: %d scripts, %d external elements", scripts, links)
	}
	if strings.Contains(out, "ZgotmplZ") {
		t.Error("html/template rejected a value (ZgotmplZ)")
	}
	words := text.String()
	for _, want := range []string{
		"Laporan Bulanan Maret 2026", "Kasus harian", "Sesuai janji", "Melewati janji",
		"50,0%", "0,0%", "3 menit", "7 menit", "Tingkat 2", "INF-2026-00042", "ADU-2026-00007",
		"3 jam", "belum ada data", "Kepuasan warga",
	} {
		if !strings.Contains(words, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	// The bar of 2 March in the daily chart holds two informasi cases:
	// the full height of the scale.
	if !strings.Contains(out, `<rect x="66" y="20" width="16" height="170" fill="#4a7fb5"/>`) {
		t.Errorf("bar of 2 March not at full scale:\n%s", out)
	}
}

func TestEmptyMonth(t *testing.T) {
	r := mailproc.BuildMonthReport(2026, time.February, time.UTC, nil, nil, mailproc.StandardClock, nil, time.Now())
	for name, f := range map[string]func(*bytes.Buffer, mailproc.MonthReport) error{
		"text": func(b *bytes.Buffer, r mailproc.MonthReport) error { return Text(b, r) },
		"csv":  func(b *bytes.Buffer, r mailproc.MonthReport) error { return CSV(b, r) },
		"html": func(b *bytes.Buffer, r mailproc.MonthReport) error { return HTML(b, r) },
	} {
		var b bytes.Buffer
		if err := f(&b, r); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		if !strings.Contains(b.String(), "belum ada data") {
			t.Errorf("%s: no satisfaction line", name)
		}
	}
}

// TestHTMLChannels: the page has the per-channel table, a row per channel.
func TestHTMLChannels(t *testing.T) {
	var b bytes.Buffer
	if err := HTML(&b, sample(t)); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"<h2>Kasus per kanal</h2>",
		`<tr><td>Telepon (telepon)</td><td class="n">1</td><td class="n">0</td><td class="n">1</td>`,
		`<tr><td>Email (email)</td><td class="n">2</td><td class="n">1</td><td class="n">1</td><td class="n">3 menit</td></tr>`} {
		if !strings.Contains(out, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
}

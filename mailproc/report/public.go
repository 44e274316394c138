package report

import (
	"html/template"
	"io"
	"strconv"
	ttemplate "text/template"
	"time"

	"github.com/dpk-kampar/mailproc/mailproc"
)

// The public edition (`mailproc report --public`): the month's results of
// the service standard as the agency publishes them on its website. It
// holds counts, shares, median times, escalations per level and the IKM —
// never a name, an address, a subject or a registration number, because
// the templates below are given only the figures (publicData), not the
// case lines of the report.

// PublicTitle is the public edition's heading.
func PublicTitle(r mailproc.MonthReport) string {
	return "Hasil Pemantauan Standar Pelayanan Informasi dan Pengaduan — " + bulan[r.Month-1] + " " + strconv.Itoa(r.Year)
}

// publicData is everything the public edition may print.
type publicData struct {
	Title       string
	From, Last  time.Time
	Now         time.Time
	AllHours    bool
	Closed      bool
	Total       int
	Kinds       []mailproc.KindStats
	Escalations []mailproc.LevelCount
	IKM         []mailproc.IKMStats
	ChainHead   string
}

func public(r mailproc.MonthReport) publicData {
	return publicData{Title: PublicTitle(r), From: r.From, Last: r.To.AddDate(0, 0, -1), Now: r.Now,
		AllHours: r.AllHours, Closed: r.Closed, Total: r.Total, Kinds: r.Kinds,
		Escalations: r.Escalations, IKM: r.IKM, ChainHead: r.ChainHead}
}

const publicTextTmpl = `{{.Title}}
Periode {{tgl .From}} s.d. {{tgl .Last}}{{if not .Closed}} (bulan berjalan; angka dapat berubah){{end}}
Diterbitkan {{waktu .Now}}

Sesuai standar pelayanan, setiap permintaan informasi dan pengaduan yang
masuk melalui surel dicatat, diberi tanda terima, dan dijawab dalam waktu
yang dijanjikan, dihitung dalam {{if .AllHours}}waktu 24 jam sehari{{else}}jam layanan (hari kerja, di luar hari libur){{end}}.

Jumlah permohonan dan pengaduan: {{.Total}}
{{range .Kinds}}
{{kind .Kind}} (janji layanan {{janji .}})
  Jumlah                          : {{.Cases}}
  Dijawab                         : {{.Answered}}
  Dijawab sesuai janji layanan    : {{pct .}}
  Median waktu jawaban pertama    : {{durasi .P50 .HasTimes}}
{{end}}
Diteruskan kepada pimpinan (eskalasi), per tingkat
{{range .Escalations}}  Tingkat {{.Level}}: {{.Count}}
{{else}}  Tidak ada.
{{end}}
Survei Kepuasan Masyarakat (Indeks Kepuasan Masyarakat, skala 25-100)
{{range .IKM}}  {{printf "%-22s" (ikmlabel .)}}: {{ikm .}}
{{end}}
Kode pencocokan data (kepala rantai riwayat): {{.ChainHead}}
`

const publicHTMLTmpl = `<!DOCTYPE html>
<html lang="id">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:46em;margin:2em auto;padding:0 1em;color:#222;line-height:1.5}
table{border-collapse:collapse;margin:1em 0}
td,th{border:1px solid #bbb;padding:0.3em 0.6em;text-align:left}
td.n{text-align:right}
th{background:#eee}
.nilai{font-size:1.6em;font-weight:bold}
</style>
</head>
<body>
<h1>{{.Title}}</h1>
<p>Periode {{tgl .From}} s.d. {{tgl .Last}}{{if not .Closed}} (bulan berjalan; angka dapat berubah){{end}}. Diterbitkan {{waktu .Now}}.</p>
<p>Sesuai standar pelayanan, setiap permintaan informasi dan pengaduan yang masuk melalui surel dicatat, diberi tanda terima,
dan dijawab dalam waktu yang dijanjikan, dihitung dalam {{if .AllHours}}waktu 24 jam sehari{{else}}jam layanan (hari kerja, di luar hari libur){{end}}.</p>

<h2>Kinerja layanan</h2>
<p>Jumlah permohonan dan pengaduan: <strong>{{.Total}}</strong>.</p>
<table>
<tr><th></th>{{range .Kinds}}<th>{{kind .Kind}}</th>{{end}}</tr>
<tr><td>Janji layanan</td>{{range .Kinds}}<td class="n">{{janji .}}</td>{{end}}</tr>
<tr><td>Jumlah</td>{{range .Kinds}}<td class="n">{{.Cases}}</td>{{end}}</tr>
<tr><td>Dijawab</td>{{range .Kinds}}<td class="n">{{.Answered}}</td>{{end}}</tr>
<tr><td>Dijawab sesuai janji layanan</td>{{range .Kinds}}<td class="n">{{pct .}}</td>{{end}}</tr>
<tr><td>Median waktu jawaban pertama</td>{{range .Kinds}}<td class="n">{{durasi .P50 .HasTimes}}</td>{{end}}</tr>
</table>

<h2>Diteruskan kepada pimpinan</h2>
{{if .Escalations}}<table>
<tr><th>Tingkat</th><th>Jumlah</th></tr>
{{range .Escalations}}<tr><td>Tingkat {{.Level}}</td><td class="n">{{.Count}}</td></tr>
{{end}}</table>{{else}}<p>Tidak ada permohonan atau pengaduan yang perlu diteruskan kepada pimpinan.</p>{{end}}

<h2>Survei Kepuasan Masyarakat</h2>
<p>Indeks Kepuasan Masyarakat (IKM) = nilai rata-rata × 25, skala 25-100, dengan mutu pelayanan
A (Sangat Baik), B (Baik), C (Kurang Baik), D (Tidak Baik) menurut PermenPANRB No. 14 Tahun 2017.</p>
<table>
<tr><th></th><th>IKM</th><th>Mutu pelayanan</th><th>Jawaban</th><th>Tingkat respons</th></tr>
{{range .IKM}}<tr><td>{{ikmlabel .}}</td><td class="n">{{if .HasIndex}}<span class="nilai">{{comma .Index 2}}</span>{{else}}-{{end}}</td><td>{{if .HasIndex}}{{.Grade.Letter}} ({{.Grade.Label}}){{else}}belum ada data{{end}}</td><td class="n">{{.Answers}}</td><td class="n">{{if .HasRate}}{{comma .ResponseRate 1}}%{{else}}-{{end}}</td></tr>
{{end}}</table>

<p><small>Kode pencocokan data (kepala rantai riwayat): <code>{{.ChainHead}}</code></small></p>
</body>
</html>
`

// PublicText writes the public edition as plain text.
func PublicText(w io.Writer, r mailproc.MonthReport) error {
	t, err := ttemplate.New("public").Funcs(funcs(r)).Parse(publicTextTmpl)
	if err != nil {
		return err
	}
	return t.Execute(w, public(r))
}

// PublicHTML writes the public edition as one self-contained page for the
// agency's website.
func PublicHTML(w io.Writer, r mailproc.MonthReport) error {
	t, err := template.New("public").Funcs(funcs(r)).Parse(publicHTMLTmpl)
	if err != nil {
		return err
	}
	return t.Execute(w, public(r))
}

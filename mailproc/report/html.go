package report

import (
	"html/template"
	"io"
	"strconv"
	"time"

	"github.com/dpk-kampar/mailproc/mailproc"
)

// chart is a bar chart of the days of the month, two series stacked,
// laid out in Go so the template only places numbers.
type chart struct {
	Title, Label  string // Label: the chart's aria-label
	Width, Height int
	Bottom        int // y of the axis
	Left          int // x of the axis
	Max           int // the top of the scale
	Series        [2]series
	Bars          []bar
	Ticks         []tick
}

type series struct{ Name, Color string }

type bar struct {
	X, W   int
	Day    string // "1" … "31", shown under every bar
	Y0, H0 int    // first series, from the axis up
	Y1, H1 int    // second series, on top
	Tip    string // <title>: the numbers of the day
	LabelX int
}

type tick struct {
	Y     int
	Value int
}

const (
	chartHeight = 220
	chartTop    = 20
	chartBottom = 190
	chartLeft   = 40
	barStep     = 22
)

func dayChart(r mailproc.MonthReport, title string, s [2]series, a, b func(mailproc.DayStats) int) chart {
	c := chart{Title: title, Label: title, Height: chartHeight, Bottom: chartBottom, Left: chartLeft, Series: s}
	c.Width = chartLeft + barStep*len(r.Days) + 10
	for _, d := range r.Days {
		c.Max = max(c.Max, a(d)+b(d))
	}
	scale := max(c.Max, 1)
	// Ticks at 0, half and the top, whole numbers.
	for _, v := range []int{0, (scale + 1) / 2, scale} {
		if len(c.Ticks) > 0 && c.Ticks[len(c.Ticks)-1].Value == v {
			continue
		}
		c.Ticks = append(c.Ticks, tick{Y: chartBottom - v*(chartBottom-chartTop)/scale, Value: v})
	}
	for i, d := range r.Days {
		va, vb := a(d), b(d)
		h0 := va * (chartBottom - chartTop) / scale
		h1 := vb * (chartBottom - chartTop) / scale
		x := chartLeft + 4 + i*barStep
		c.Bars = append(c.Bars, bar{
			X: x, W: barStep - 6, Day: strconv.Itoa(d.Date.Day()), LabelX: x + (barStep-6)/2,
			Y0: chartBottom - h0, H0: h0, Y1: chartBottom - h0 - h1, H1: h1,
			Tip: mailproc.FormatTanggal(d.Date, r.Location) + ": " + s[0].Name + " " + strconv.Itoa(va) +
				", " + s[1].Name + " " + strconv.Itoa(vb),
		})
	}
	return c
}

const htmlTmpl = `<!DOCTYPE html>
<html lang="id">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{title}}</title>
<style>
body{font-family:system-ui,sans-serif;margin:2em;color:#222;max-width:60em}
table{border-collapse:collapse;margin:0.5em 0 1.5em}
th,td{border:1px solid #bbb;padding:0.3em 0.7em;text-align:left}
td.n{text-align:right}
td.nomor{white-space:nowrap}
th{background:#eee}
figure{margin:1em 0 2em}
svg{max-width:100%;height:auto}
.legend span{display:inline-block;width:0.9em;height:0.9em;margin:0 0.3em 0 1em;vertical-align:middle}
.instansi{margin:0 0 0.3em;font-size:1.05em}
.lebar{overflow-x:auto;max-width:100%}
@media (max-width:600px){body{margin:0.7em}th,td{padding:0.2em 0.35em}h1{font-size:1.4em}}
@media print{@page{size:A4;margin:15mm}body{margin:0;max-width:none;font-size:10pt}.lebar{overflow:visible}
figure,tr{break-inside:avoid}h2{break-after:avoid}}
</style>
</head>
<body>
{{if .R.Agency}}<p class="instansi"><strong>{{.R.Agency}}</strong>{{if .R.DeskName}}<br>{{.R.DeskName}}{{end}}</p>{{end}}
<h1>{{title}}</h1>
<p>Periode {{tgl .R.From}} s.d. {{tgl .Last}}. Dibuat {{waktu .R.Now}}.</p>
{{if .R.ChainHead}}<p class="rantai">Kepala rantai riwayat: <code>{{.R.ChainHead}}</code></p>{{end}}

<h2>Ringkasan per jenis</h2>
<div class="lebar"><table>
<tr><th></th>{{range .R.Kinds}}<th>{{kind .Kind}}</th>{{end}}</tr>
<tr><td>Janji layanan</td>{{range .R.Kinds}}<td class="n">{{janji .}}</td>{{end}}</tr>
<tr><td>Jumlah kasus</td>{{range .R.Kinds}}<td class="n">{{.Cases}}</td>{{end}}</tr>
<tr><td>Dijawab</td>{{range .R.Kinds}}<td class="n">{{.Answered}}</td>{{end}}</tr>
<tr><td>Dijawab sesuai janji</td>{{range .R.Kinds}}<td class="n">{{.Within}}</td>{{end}}</tr>
<tr><td>Melewati janji</td>{{range .R.Kinds}}<td class="n">{{.Late}}</td>{{end}}</tr>
<tr><td>Belum jatuh tempo</td>{{range .R.Kinds}}<td class="n">{{.Pending}}</td>{{end}}</tr>
<tr><td>Ditutup tanpa jawaban</td>{{range .R.Kinds}}<td class="n">{{.ClosedUnanswered}}</td>{{end}}</tr>
<tr><td>Persentase sesuai janji</td>{{range .R.Kinds}}<td class="n">{{pct .}}</td>{{end}}</tr>
<tr><td>Waktu jawaban pertama (median, p50)</td>{{range .R.Kinds}}<td class="n">{{durasi .P50 .HasTimes}}</td>{{end}}</tr>
<tr><td>Waktu jawaban pertama (p90)</td>{{range .R.Kinds}}<td class="n">{{durasi .P90 .HasTimes}}</td>{{end}}</tr>
</table></div>
<p>Jumlah seluruh kasus: <strong>{{.R.Total}}</strong>. Waktu dihitung dalam jam layanan ({{if .R.AllHours}}setiap saat, 24 jam sehari{{else}}hari kerja, di luar hari libur{{end}}).</p>

{{range .Charts}}
<figure>
<figcaption><strong>{{.Title}}</strong>
<span class="legend">{{range .Series}}<span style="background:{{.Color}}"></span>{{.Name}}{{end}}</span></figcaption>
<svg xmlns="http://www.w3.org/2000/svg" width="{{.Width}}" height="{{.Height}}" viewBox="0 0 {{.Width}} {{.Height}}" role="img" aria-label="{{.Label}}">
<title>{{.Title}}</title>
{{$c := .}}{{range .Ticks}}<line x1="{{$c.Left}}" y1="{{.Y}}" x2="{{$c.Width}}" y2="{{.Y}}" stroke="#ddd"/>
<text x="{{$c.Left}}" dx="-4" y="{{.Y}}" dy="4" font-size="11" text-anchor="end">{{.Value}}</text>
{{end}}{{range .Bars}}<g><title>{{.Tip}}</title>
<rect x="{{.X}}" y="{{.Y0}}" width="{{.W}}" height="{{.H0}}" fill="{{index $c.Series 0 | color}}"/>
<rect x="{{.X}}" y="{{.Y1}}" width="{{.W}}" height="{{.H1}}" fill="{{index $c.Series 1 | color}}"/>
<text x="{{.LabelX}}" y="{{$c.Bottom}}" dy="14" font-size="10" text-anchor="middle">{{.Day}}</text></g>
{{end}}<line x1="{{.Left}}" y1="{{.Bottom}}" x2="{{.Width}}" y2="{{.Bottom}}" stroke="#333"/>
</svg>
</figure>
{{end}}

<h2>Kasus per kanal</h2>
<div class="lebar"><table>
<tr><th>Kanal</th><th>Jumlah kasus</th><th>Sesuai janji</th><th>Melewati janji</th><th>Jawaban pertama (p50)</th></tr>
{{range .R.Channels}}<tr><td>{{kanal .Channel}}</td><td class="n">{{.Cases}}</td><td class="n">{{.Within}}</td><td class="n">{{.Late}}</td><td class="n">{{durasi .P50 .HasTimes}}</td></tr>
{{end}}</table></div>

<h2>Kasus per status</h2>
<table>
<tr><th>Status</th><th>Jumlah</th></tr>
{{range .R.States}}<tr><td>{{state .State}}</td><td class="n">{{.Count}}</td></tr>
{{end}}</table>

<h2>Eskalasi per tingkat</h2>
{{if .R.Escalations}}<table>
<tr><th>Tingkat</th><th>Jumlah</th></tr>
{{range .R.Escalations}}<tr><td>Tingkat {{.Level}}</td><td class="n">{{.Count}}</td></tr>
{{end}}</table>{{else}}<p>Tidak ada eskalasi.</p>{{end}}

<h2>Kasus masih terbuka ({{len .R.Open}})</h2>
{{if .R.Open}}<div class="lebar"><table>
<tr><th>Nomor</th><th>Perihal</th><th>Jenis</th><th>Status</th><th>Dibuka</th><th>Batas waktu</th></tr>
{{range .R.Open}}<tr><td class="nomor">{{.Number}}</td><td>{{.Subject}}</td><td>{{kind .Kind}}</td><td>{{state .State}}</td><td>{{waktu .OpenedAt}}</td><td>{{waktu .DueAt}}</td></tr>
{{end}}</table></div>{{else}}<p>Tidak ada.</p>{{end}}

<h2>Kasus terbuka yang melewati batas waktu ({{len .R.Overdue}})</h2>
{{if .R.Overdue}}<div class="lebar"><table>
<tr><th>Nomor</th><th>Perihal</th><th>Jenis</th><th>Batas waktu</th><th>Terlambat</th><th>Eskalasi</th></tr>
{{range .R.Overdue}}<tr><td class="nomor">{{.Number}}</td><td>{{.Subject}}</td><td>{{kind .Kind}}</td><td>{{waktu .DueAt}}</td><td>{{durasi .Late (not $.R.Closed)}}</td><td>{{if .EscalationLevel}}tingkat {{.EscalationLevel}}{{else}}-{{end}}</td></tr>
{{end}}</table></div>{{else}}<p>Tidak ada.</p>{{end}}

<h2>Kepuasan warga</h2>
<p>{{.R.Satisfaction}}</p>
{{if .R.IKM}}<div class="lebar"><table>
<tr><th>Indeks Kepuasan Masyarakat</th><th>IKM</th><th>Mutu</th><th>Jawaban</th><th>Tingkat respons</th></tr>
{{range .R.IKM}}<tr><td>{{ikmlabel .}}</td><td class="n">{{if .HasIndex}}{{comma .Index 2}}{{else}}-{{end}}</td><td>{{if .HasIndex}}{{.Grade.Letter}} ({{.Grade.Label}}){{else}}-{{end}}</td><td class="n">{{.Answers}}</td><td class="n">{{if .HasRate}}{{comma .ResponseRate 1}}%{{else}}-{{end}}</td></tr>
{{end}}</table></div>{{end}}
</body>
</html>
`

// HTML writes the report as one self-contained page: no scripts, no
// external files; the charts are inline SVG.
func HTML(w io.Writer, r mailproc.MonthReport) error {
	f := funcs(r)
	f["color"] = func(s series) template.CSS { return template.CSS(s.Color) }
	t, err := template.New("html").Funcs(f).Parse(htmlTmpl)
	if err != nil {
		return err
	}
	data := struct {
		R      mailproc.MonthReport
		Last   time.Time
		Charts []chart
	}{
		R:    r,
		Last: r.To.AddDate(0, 0, -1),
		Charts: []chart{
			dayChart(r, "Kasus harian", [2]series{{"Permintaan Informasi", "#4a7fb5"}, {"Aduan", "#e0913a"}},
				func(d mailproc.DayStats) int { return d.Informasi }, func(d mailproc.DayStats) int { return d.Aduan }),
			dayChart(r, "Jawaban sesuai dan melewati janji layanan (per hari kasus dibuka)",
				[2]series{{"Sesuai janji", "#3a9a5b"}, {"Melewati janji", "#c8423b"}},
				func(d mailproc.DayStats) int { return d.Within }, func(d mailproc.DayStats) int { return d.Late }),
		},
	}
	return t.Execute(w, data)
}

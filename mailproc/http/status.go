package http

import (
	"bytes"
	"context"
	"html/template"
	nethttp "net/http"
	"strconv"
	"strings"
	"time"

	"github.com/dpk-kampar/mailproc/mailproc"
)

// statusPage is the read-only status page (halaman status): plain HTML, no
// script, readable on a phone.
var statusPage = template.Must(template.New("status").Parse(`<!DOCTYPE html>
<html lang="id">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="60">
<title>Status layanan{{if .Agency}} — {{.Agency}}{{end}}</title>
<style>
body { font-family: sans-serif; margin: 1.5em; max-width: 50em; }
table { border-collapse: collapse; margin-bottom: 1.5em; }
th, td { border: 1px solid #999; padding: .3em .6em; text-align: left; }
td.n { text-align: right; }
.buruk { color: #a00; font-weight: bold; }
.instansi { margin: 0 0 .3em; }
.lebar { overflow-x: auto; max-width: 100%; }
.nomor { white-space: nowrap; }
@media (max-width: 600px) { body { margin: .7em; } th, td { padding: .2em .35em; }
  table.kasus, table.kasus tbody, table.kasus tr, table.kasus td { display: block; }
  table.kasus tr.kepala { display: none; }
  table.kasus tr { border: 1px solid #999; margin-bottom: .5em; padding: .2em .4em; }
  table.kasus td { border: none; padding: .1em 0; }
  table.kasus td:first-child { font-weight: bold; }
  table.kasus td[data-judul]::before { content: attr(data-judul) ": "; font-weight: bold; } }
@media print { @page { size: A4; margin: 15mm; } body { margin: 0; max-width: none; } .lebar { overflow: visible; } tr { break-inside: avoid; } }
</style>
</head>
<body>
{{if .Agency}}<p class="instansi"><strong>{{.Agency}}</strong>{{if .DeskName}}<br>{{.DeskName}}{{end}}</p>{{end}}
<h1>Status layanan</h1>
<p>Per {{.Now}}.
{{if .IMAPConnected}}Kotak surat terhubung{{else}}<span class="buruk">Kotak surat tidak terhubung</span>{{end}};
sinkronisasi terakhir: {{.LastSync}}.</p>

<h2>Kasus terlambat: {{.OverdueN}}</h2>
{{if lt (len .Overdue) .OverdueN}}<p>{{len .Overdue}} yang paling lama terlambat ditampilkan.</p>
{{end}}{{if .Overdue}}<div class="lebar"><table class="kasus">
<tr class="kepala"><th>Nomor</th><th>Perihal</th><th>Umur</th><th>Terlambat</th><th>Eskalasi</th></tr>
{{range .Overdue}}<tr><td class="nomor">{{.Number}}</td><td>{{.Subject}}<br><small>{{.Kind}}, {{.State}}; batas {{.DueAt}}</small></td><td class="nomor" data-judul="Umur">{{.Age}}</td><td class="buruk" data-judul="Terlambat">{{.Late}}</td><td class="nomor" data-judul="Eskalasi">{{.Level}}</td></tr>
{{end}}</table></div>
{{else}}<p>Tidak ada kasus yang terlambat.</p>
{{end}}
<h2>Kasus terbuka: {{.Open}}</h2>
{{if lt (len .OpenCases) .Open}}<p>{{len .OpenCases}} yang paling lama terbuka ditampilkan.</p>
{{end}}{{if .OpenCases}}<div class="lebar"><table class="kasus">
<tr class="kepala"><th>Nomor</th><th>Perihal</th><th>Umur</th><th>Status</th></tr>
{{range .OpenCases}}<tr><td class="nomor">{{.Number}}</td><td>{{.Subject}}<br><small>{{.Kind}}</small></td><td class="nomor" data-judul="Umur">{{.Age}}</td><td data-judul="Status">{{.State}}</td></tr>
{{end}}</table></div>
{{end}}
<h2>Bulan ini ({{.Month}})</h2>
<table>
<tr><td>Permintaan informasi masuk</td><td class="n">{{.M.Informasi}}</td></tr>
<tr><td>Aduan masuk</td><td class="n">{{.M.Aduan}}</td></tr>
<tr><td>Dijawab</td><td class="n">{{.M.Answered}}</td></tr>
<tr><td>Dijawab tepat waktu</td><td class="n">{{.M.AnsweredOnTime}}</td></tr>
<tr><td>Selesai</td><td class="n">{{.M.Closed}}</td></tr>
<tr><td>Dieskalasi ke pimpinan</td><td class="n">{{.M.Escalated}}</td></tr>
</table>
{{if .M.Channels}}<h2>Kasus bulan ini per kanal</h2>
<table>
{{range .M.Channels}}<tr><td>{{.Channel.Label}}</td><td class="n">{{.N}}</td></tr>
{{end}}</table>
{{end}}
<h2>Surat keluar</h2>
<table>
<tr><td>Menunggu dikirim</td><td class="n">{{.Pending}}</td></tr>
<tr><td>Gagal terkirim</td><td class="n{{if .Failed}} buruk{{end}}">{{.Failed}}</td></tr>
</table>
</body>
</html>
`))

type statusData struct {
	Agency, DeskName string
	Now, LastSync    string
	IMAPConnected    bool
	Open             int
	Overdue          []statusCase
	OverdueN         int // all overdue cases; Overdue lists the most overdue
	OpenCases        []statusCase
	Month            string
	M                MonthFigures
	Pending, Failed  int
}

// statusCase is a case line as the page shows it: Late and Level only in
// the overdue list.
type statusCase struct {
	Number, Subject, Kind, State, DueAt, Age, Late, Level string
}

// maxStatusSubject bounds a subject on the status page, in runes: the
// line stays a line on a phone.
const maxStatusSubject = 80

func statusCaseOf(c CaseLine, now time.Time, loc *time.Location) statusCase {
	level := "-"
	if c.EscalationLevel > 0 {
		level = "tingkat " + strconv.Itoa(c.EscalationLevel)
	}
	subject := []rune(strings.TrimSpace(c.Subject))
	if len(subject) > maxStatusSubject {
		cut := string(subject[:maxStatusSubject-1])
		if i := strings.LastIndexByte(cut, ' '); i > len(cut)*3/4 {
			cut = cut[:i] // at a word, not inside one
		}
		subject = append([]rune(strings.TrimSpace(cut)), '…')
	}
	if len(subject) == 0 {
		subject = []rune("(tanpa subjek)")
	}
	sc := statusCase{Number: c.Number, Subject: string(subject), Kind: c.Kind.Label(), State: string(c.State),
		Age: age(now.Sub(c.OpenedAt)), Level: level}
	if !c.DueAt.IsZero() {
		sc.DueAt, sc.Late = mailproc.FormatWaktu(c.DueAt, loc), mailproc.FormatDurasi(now.Sub(c.DueAt))
	}
	return sc
}

// age is how long a case has been open, to the largest whole unit: "3
// hari", "5 jam", "12 menit".
func age(d time.Duration) string {
	switch {
	case d >= 24*time.Hour:
		return strconv.Itoa(int(d/(24*time.Hour))) + " hari"
	case d >= time.Hour:
		return strconv.Itoa(int(d/time.Hour)) + " jam"
	case d >= time.Minute:
		return strconv.Itoa(int(d/time.Minute)) + " menit"
	}
	return "< 1 menit"
}

// status serves the status page from Stats.
func (s *Server) status(w nethttp.ResponseWriter, r *nethttp.Request) {
	if s.Stats == nil {
		nethttp.Error(w, "statistik tidak tersedia", nethttp.StatusServiceUnavailable)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), statsTimeout)
	defer cancel()
	st, err := s.Stats(ctx)
	if err != nil {
		s.log().Error("status page: read stats", "err", err)
		nethttp.Error(w, "statistik tidak dapat dibaca; lihat log", nethttp.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	data := statusFrom(st)
	data.Agency, data.DeskName = s.Agency, s.DeskName
	if err := statusPage.Execute(&buf, data); err != nil {
		s.log().Error("status page", "err", err)
		nethttp.Error(w, "halaman status gagal dibuat", nethttp.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(buf.Bytes())
}

func statusFrom(st Stats) statusData {
	now := st.now()
	loc := now.Location()
	d := statusData{
		Now:           mailproc.FormatWaktu(now, loc),
		LastSync:      "belum pernah",
		IMAPConnected: st.IMAPConnected,
		Open:          st.Open,
		OverdueN:      st.OverdueCount(),
		M:             st.Month,
		Pending:       st.OutboxTotal(mailproc.OutboxPending),
		Failed:        st.OutboxTotal(mailproc.OutboxFailed),
	}
	if !st.LastSync.IsZero() {
		d.LastSync = mailproc.FormatWaktu(st.LastSync, loc) + " (" + mailproc.FormatDurasi(now.Sub(st.LastSync)) + " lalu)"
	}
	month := st.Month.Start
	if month.IsZero() {
		month = now
	}
	// "1 November 2026" → "November 2026"
	_, d.Month, _ = strings.Cut(mailproc.FormatTanggal(month, loc), " ")
	for _, c := range st.Overdue {
		d.Overdue = append(d.Overdue, statusCaseOf(c, now, loc))
	}
	for _, c := range st.OpenCases {
		d.OpenCases = append(d.OpenCases, statusCaseOf(c, now, loc))
	}
	return d
}

package http

import (
	"bytes"
	"context"
	"html/template"
	nethttp "net/http"
	"strconv"
	"strings"

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
@media (max-width: 600px) { body { margin: .7em; } th, td { padding: .2em .35em; } }
@media print { @page { size: A4; margin: 15mm; } body { margin: 0; max-width: none; } .lebar { overflow: visible; } tr { break-inside: avoid; } }
</style>
</head>
<body>
{{if .Agency}}<p class="instansi"><strong>{{.Agency}}</strong>{{if .DeskName}}<br>{{.DeskName}}{{end}}</p>{{end}}
<h1>Status layanan</h1>
<p>Per {{.Now}}.
{{if .IMAPConnected}}Kotak surat terhubung{{else}}<span class="buruk">Kotak surat tidak terhubung</span>{{end}};
sinkronisasi terakhir: {{.LastSync}}.</p>

<h2>Kasus terbuka: {{.Open}}</h2>

<h2>Kasus terlambat: {{.OverdueN}}</h2>
{{if lt (len .Overdue) .OverdueN}}<p>{{len .Overdue}} yang paling lama terlambat ditampilkan.</p>
{{end}}{{if .Overdue}}<div class="lebar"><table>
<tr><th>Nomor</th><th>Jenis</th><th>Status</th><th>Batas waktu</th><th>Terlambat</th><th>Eskalasi</th></tr>
{{range .Overdue}}<tr><td>{{.Number}}</td><td>{{.Kind}}</td><td>{{.State}}</td><td>{{.DueAt}}</td><td class="buruk">{{.Late}}</td><td>{{.Level}}</td></tr>
{{end}}</table></div>
{{else}}<p>Tidak ada kasus yang terlambat.</p>
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
	Overdue          []statusOverdue
	OverdueN         int // all overdue cases; Overdue lists the most overdue
	Month            string
	M                MonthFigures
	Pending, Failed  int
}

type statusOverdue struct {
	Number, Kind, State, DueAt, Late, Level string
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
	for _, o := range st.Overdue {
		level := "-"
		if o.EscalationLevel > 0 {
			level = "tingkat " + strconv.Itoa(o.EscalationLevel)
		}
		d.Overdue = append(d.Overdue, statusOverdue{
			Number: o.Number, Kind: o.Kind.Label(), State: string(o.State),
			DueAt: mailproc.FormatWaktu(o.DueAt, loc), Late: mailproc.FormatDurasi(now.Sub(o.DueAt)),
			Level: level,
		})
	}
	return d
}

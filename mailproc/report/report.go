// Package report prints a mailproc.MonthReport for people: as text for the
// terminal, as CSV for a spreadsheet, and as one self-contained HTML page
// (no JavaScript, charts as inline SVG). Titles and labels are in Bahasa
// Indonesia, times in the desk's time zone.
package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	ttemplate "text/template"
	"time"

	"github.com/dpk-kampar/mailproc/mailproc"
)

var bulan = [...]string{"Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli",
	"Agustus", "September", "Oktober", "November", "Desember"}

// Title is the report's heading: "Laporan Bulanan Maret 2026".
func Title(r mailproc.MonthReport) string {
	return fmt.Sprintf("Laporan Bulanan %s %d", bulan[r.Month-1], r.Year)
}

var stateLabels = map[mailproc.State]string{
	mailproc.StateBaru:       "Baru",
	mailproc.StateDiakui:     "Diakui",
	mailproc.StateDijawab:    "Dijawab",
	mailproc.StateDieskalasi: "Dieskalasi",
	mailproc.StateSelesai:    "Selesai",
}

func stateLabel(s mailproc.State) string {
	if l, ok := stateLabels[s]; ok {
		return l
	}
	return string(s)
}

// channelLabel names a channel as the service standard does.
func channelLabel(c mailproc.Channel) string { return c.Label() }

func kindLabel(k mailproc.Kind) string { return k.Label() }

func percent(k mailproc.KindStats) string {
	if !k.HasPercent {
		return "-"
	}
	return strings.Replace(strconv.FormatFloat(k.WithinPercent, 'f', 1, 64), ".", ",", 1) + "%"
}

func durasi(d time.Duration, ok bool) string {
	if !ok {
		return "-"
	}
	if d == 0 {
		return "0 menit"
	}
	return mailproc.FormatDurasi(d)
}

// comma writes x with d decimals and a decimal comma, as Indonesian does.
func comma(x float64, d int) string {
	return strings.Replace(strconv.FormatFloat(x, 'f', d, 64), ".", ",", 1)
}

// ikmLine is one line of the satisfaction index: "IKM 87,50 (B, Baik);
// 10 jawaban; tingkat respons 50,0% dari 20 kasus selesai".
func ikmLine(s mailproc.IKMStats) string {
	out := "IKM belum ada data"
	if s.HasIndex {
		out = "IKM " + comma(s.Index, 2) + " (mutu " + s.Grade.Letter + ", " + s.Grade.Label + ")"
	}
	out += "; " + strconv.Itoa(s.Answers) + " jawaban"
	if s.HasRate {
		out += "; tingkat respons " + comma(s.ResponseRate, 1) + "% dari " + strconv.Itoa(s.Closed) + " kasus selesai"
	}
	return out
}

// ikmLabel names the row of an IKMStats: the kind, or all cases.
func ikmLabel(s mailproc.IKMStats) string {
	if s.Kind == "" {
		return "Semua layanan"
	}
	return s.Kind.Label()
}

// promiseText is the promise of a kind, or a note that it changed.
func promiseText(k mailproc.KindStats) string {
	if k.PromiseVaries {
		return "berbeda-beda dalam bulan ini"
	}
	return durasi(k.Promise, true)
}

func funcs(r mailproc.MonthReport) map[string]any {
	return map[string]any{
		"ikm":      ikmLine,
		"ikmlabel": ikmLabel,
		"janji":    promiseText,
		"comma":    comma,
		"kind":     kindLabel,
		"state":    stateLabel,
		"kanal":    channelLabel,
		"pct":      percent,
		"durasi":   durasi,
		"waktu":    func(t time.Time) string { return mailproc.FormatWaktu(t, r.Location) },
		"tgl":      func(t time.Time) string { return mailproc.FormatTanggal(t, r.Location) },
		"title":    func() string { return Title(r) },
	}
}

const textTmpl = `{{title}}
Dibuat: {{waktu .Now}}
Periode: {{tgl .From}} s.d. {{tgl (.To.AddDate 0 0 -1)}}
{{if .ChainHead}}Kepala rantai riwayat: {{.ChainHead}}
{{end}}
Jumlah kasus: {{.Total}}
{{range .Kinds}}
{{kind .Kind}} (janji layanan {{janji .}})
  Kasus                       : {{.Cases}}
  Dijawab                     : {{.Answered}}
  Dijawab sesuai janji        : {{.Within}}
  Melewati janji              : {{.Late}}
  Belum jatuh tempo           : {{.Pending}}
  Ditutup tanpa jawaban       : {{.ClosedUnanswered}}
  Persentase sesuai janji     : {{pct .}}
  Waktu jawaban pertama p50   : {{durasi .P50 .HasTimes}}
  Waktu jawaban pertama p90   : {{durasi .P90 .HasTimes}}
{{end}}
Kasus per kanal                 kasus  sesuai janji  melewati  jawaban pertama p50
{{range .Channels}}  {{printf "%-28s" (kanal .Channel)}}: {{printf "%5d" .Cases}}  {{printf "%12d" .Within}}  {{printf "%8d" .Late}}  {{durasi .P50 .HasTimes}}
{{end}}
Kasus per status
{{range .States}}  {{printf "%-12s" (state .State)}}: {{.Count}}
{{end}}
Eskalasi per tingkat
{{range .Escalations}}  Tingkat {{.Level}}: {{.Count}}
{{else}}  (tidak ada eskalasi)
{{end}}
Kasus masih terbuka: {{len .Open}}
{{range .Open}}  {{.Number}}  {{state .State}}  dibuka {{waktu .OpenedAt}}
{{end}}
Kasus terbuka yang melewati batas waktu: {{len .Overdue}}
{{range .Overdue}}  {{.Number}}  batas {{waktu .DueAt}}  terlambat {{durasi .Late (not $.Closed)}}{{if .EscalationLevel}}  eskalasi tingkat {{.EscalationLevel}}{{end}}
{{end}}
Kepuasan warga: {{.Satisfaction}}
{{range .IKM}}  {{printf "%-22s" (ikmlabel .)}}: {{ikm .}}
{{end}}`

// Text writes the report for a terminal.
func Text(w io.Writer, r mailproc.MonthReport) error {
	t, err := ttemplate.New("text").Funcs(funcs(r)).Parse(textTmpl)
	if err != nil {
		return err
	}
	return t.Execute(w, r)
}

// CSVHeader is the header row of CSV: one value per row, so a
// spreadsheet can filter and pivot. Durations are in minutes and
// percentages in percent, both with a decimal point.
var CSVHeader = []string{"bagian", "butir", "jenis", "nilai", "keterangan"}

// CSV writes the report as one table with a header row.
func CSV(w io.Writer, r mailproc.MonthReport) error {
	cw := csv.NewWriter(w)
	row := func(rec ...string) { _ = cw.Write(rec) }
	num := strconv.Itoa
	menit := func(d time.Duration) string { return strconv.FormatFloat(d.Minutes(), 'f', 1, 64) }

	row(CSVHeader...)
	period := fmt.Sprintf("%04d-%02d", r.Year, int(r.Month))
	row("periode", "bulan", "semua", period, Title(r))
	row("periode", "kepala_rantai", "semua", "", r.ChainHead)
	row("ringkasan", "jumlah_kasus", "semua", num(r.Total), "")
	for _, k := range r.Kinds {
		kk := string(k.Kind)
		row("jenis", "janji_layanan_menit", kk, menit(k.Promise), "waktu layanan")
		row("jenis", "jumlah_kasus", kk, num(k.Cases), "")
		row("jenis", "dijawab", kk, num(k.Answered), "")
		row("jenis", "sesuai_janji", kk, num(k.Within), "")
		row("jenis", "melewati_janji", kk, num(k.Late), "termasuk yang belum dijawab setelah janji lewat")
		row("jenis", "belum_jatuh_tempo", kk, num(k.Pending), "")
		row("jenis", "ditutup_tanpa_jawaban", kk, num(k.ClosedUnanswered), "")
		pct, p50, p90 := "", "", ""
		if k.HasPercent {
			pct = strconv.FormatFloat(k.WithinPercent, 'f', 1, 64)
		}
		if k.HasTimes {
			p50, p90 = menit(k.P50), menit(k.P90)
		}
		row("jenis", "persen_sesuai_janji", kk, pct, "")
		row("jenis", "jawaban_pertama_p50_menit", kk, p50, "waktu layanan")
		row("jenis", "jawaban_pertama_p90_menit", kk, p90, "waktu layanan")
	}
	for _, c := range r.Channels {
		p50 := ""
		if c.HasTimes {
			p50 = menit(c.P50)
		}
		ch := string(c.Channel)
		row("kanal", "jumlah_kasus", ch, num(c.Cases), "")
		row("kanal", "sesuai_janji", ch, num(c.Within), "")
		row("kanal", "melewati_janji", ch, num(c.Late), "termasuk yang belum dijawab setelah janji lewat")
		row("kanal", "jawaban_pertama_p50_menit", ch, p50, "waktu layanan")
	}
	for _, s := range r.States {
		row("status", string(s.State), "semua", num(s.Count), "")
	}
	for _, e := range r.Escalations {
		row("eskalasi", "tingkat_"+num(e.Level), "semua", num(e.Count), "")
	}
	for _, d := range r.Days {
		date := d.Date.Format("2006-01-02")
		row("harian", date, string(mailproc.KindInformasi), num(d.Informasi), "kasus dibuka")
		row("harian", date, string(mailproc.KindAduan), num(d.Aduan), "kasus dibuka")
		row("harian_sesuai_janji", date, "semua", num(d.Within), "")
		row("harian_melewati_janji", date, "semua", num(d.Late), "")
	}
	for _, c := range r.Open {
		late := ""
		if c.Overdue && !r.Closed {
			late = menit(c.Late)
		}
		row("terbuka", c.Number, string(c.Kind), late, "status "+string(c.State)+
			"; dibuka "+c.OpenedAt.In(r.Location).Format("2006-01-02 15:04"))
	}
	for _, c := range r.Overdue {
		late := ""
		if !r.Closed {
			late = menit(c.Late)
		}
		row("terlambat", c.Number, string(c.Kind), late,
			"menit terlambat; batas "+c.DueAt.In(r.Location).Format("2006-01-02 15:04"))
	}
	row("kepuasan", "hasil", "semua", "", r.Satisfaction)
	for _, s := range r.IKM {
		kk := string(s.Kind)
		if kk == "" {
			kk = "semua"
		}
		ikm, rate := "", ""
		if s.HasIndex {
			ikm = strconv.FormatFloat(s.Index, 'f', 2, 64)
		}
		if s.HasRate {
			rate = strconv.FormatFloat(s.ResponseRate, 'f', 1, 64)
		}
		row("ikm", "indeks", kk, ikm, s.Grade.Letter+" "+s.Grade.Label)
		row("ikm", "jawaban", kk, num(s.Answers), "")
		for score := 1; score <= 4; score++ {
			row("ikm", "nilai_"+num(score), kk, num(s.Counts[score]), mailproc.RatingLabels[score])
		}
		row("ikm", "tingkat_respons_persen", kk, rate, "penilaian / kasus selesai ("+num(s.Closed)+")")
	}
	cw.Flush()
	return cw.Error()
}

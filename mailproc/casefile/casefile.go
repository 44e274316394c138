// Package casefile writes one case as a self-contained, printable HTML file
// for a records request or a citizen's own access request (issue 16): the
// case, every event, every mail received and sent with its text and
// attachment names, the escalations and the rating. The page loads nothing
// from anywhere (inline CSS, no script, no image), so it reads the same
// archived, mailed or printed.
package casefile

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"time"

	"github.com/dpk-kampar/mailproc/mailproc"
)

// File is everything one case file shows.
type File struct {
	Case     *mailproc.Case
	Events   []*mailproc.Event
	Received []*mailproc.Message      // stored mail of the case, oldest first
	Sent     []*mailproc.OutgoingMail // mail mailproc sent about it, oldest first
	Ratings  []mailproc.Rating
	Agency   string
	Desk     string
	Location *time.Location
	Made     time.Time // when the file was written
	MadeBy   string
}

//go:embed casefile.html.tmpl
var page string

var tmpl = template.Must(template.New("casefile").Funcs(template.FuncMap{
	"purpose": purposeLabel,
	"bytes":   sizeLabel,
}).Parse(page))

// HTML writes f as one HTML page.
func HTML(w io.Writer, f File) error {
	loc := f.Location
	if loc == nil {
		loc = time.UTC
	}
	data := struct {
		File
		When        func(time.Time) string
		Escalations []*mailproc.Event
	}{File: f, When: func(t time.Time) string {
		if t.IsZero() {
			return "-"
		}
		return t.In(loc).Format("02-01-2006 15.04.05 MST")
	}}
	for _, e := range f.Events {
		if e.Type == mailproc.EventEscalated {
			data.Escalations = append(data.Escalations, e)
		}
	}
	if err := tmpl.Execute(w, data); err != nil {
		return fmt.Errorf("casefile: %w", err)
	}
	return nil
}

// purposeLabel says in the desk's words what a sent mail was and who saw it.
func purposeLabel(p mailproc.Purpose) string {
	switch p {
	case mailproc.PurposeAck:
		return "Tanda terima (ke warga)"
	case mailproc.PurposeAnswer:
		return "Jawaban (ke warga)"
	case mailproc.PurposeClosing:
		return "Penutupan (ke warga)"
	case mailproc.PurposeNotify:
		return "Pemberitahuan ke petugas (internal)"
	case mailproc.PurposeConfirm:
		return "Konfirmasi ke petugas (internal)"
	case mailproc.PurposeHelp:
		return "Bantuan perintah ke petugas (internal)"
	case mailproc.PurposeEscalation:
		return "Eskalasi ke pimpinan (internal)"
	case mailproc.PurposeOps:
		return "Pemberitahuan operator (internal)"
	}
	return string(p)
}

func sizeLabel(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d byte", n)
}

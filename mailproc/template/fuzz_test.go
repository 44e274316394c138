package template

import (
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/dpk-kampar/mailproc/mailproc"
)

// FuzzRender renders both acknowledgements, the staff notification and the
// answer with whatever a citizen's From name and Subject (and, for the
// notification and the answer, the text) may hold. Whatever comes in,
// rendering must not fail or panic, the subject must be one clean line,
// and every part valid UTF-8.
func FuzzRender(f *testing.F) {
	for _, seed := range [][2]string{
		{"Siti Rahmawati", "Jam buka perpustakaan hari Sabtu"},
		{"", ""},
		{"Budi", "[ADU-2026-00007] Re: Buku pinjaman rusak"},
		{`<script>alert(1)</script>`, `"><img src=x onerror=alert(1)>`},
		{"Siti\r\nBcc: x@y", "Jam buka\r\nBcc: x@y"},
		{"\x00\x1b[2J", "\u2028\u2029\u0085\t"},
		{"\xff\xfe", "Perpustakaan \xc3\x28"},
		{"{{.Number}}", "{{template \"x\"}}"},
		{"王小明", "図書館の開館時間"},
	} {
		f.Add(seed[0], seed[1])
	}
	s, err := Load("", nil)
	if err != nil {
		f.Fatal(err)
	}
	at := time.Date(2026, time.November, 27, 14, 0, 0, 0, wib)
	f.Fuzz(func(t *testing.T, name, subject string) {
		type job struct {
			tmpl string
			data any
		}
		var jobs []job
		for _, kind := range []mailproc.Kind{mailproc.KindInformasi, mailproc.KindAduan} {
			jobs = append(jobs, job{mailproc.AckTemplate(kind), mailproc.AckData{
				Desk: sampleDesk(), Number: "INF-2026-00042", Kind: kind, KindLabel: kind.Label(),
				CitizenName: name, CitizenAddr: "warga@example.id", OriginalSubject: subject,
				ReceivedAt: mailproc.FormatWaktu(at, wib), Promise: "5 menit",
				DueAt: mailproc.FormatWaktu(at.Add(5*time.Minute), wib),
			}})
		}
		n := sampleNotify(sampleDesk(), at)
		n.CitizenName, n.Subject, n.Text = name, subject, subject+"\n"+name
		n.Attachments[0].Filename = name
		a := sampleAnswer(sampleDesk())
		a.CitizenName, a.OriginalSubject, a.Answer = name, subject, subject
		jobs = append(jobs, job{mailproc.TemplateNotify, n}, job{mailproc.TemplateAnswer, a})
		for _, j := range jobs {
			r, err := s.Render(j.tmpl, j.data)
			if err != nil {
				t.Fatal(err)
			}
			if r.Subject == "" || strings.ContainsAny(r.Subject, "\r\n") || strings.IndexFunc(r.Subject, unicode.IsControl) >= 0 {
				t.Errorf("subject %q is not one clean line", r.Subject)
			}
			if r.Subject != strings.TrimSpace(r.Subject) {
				t.Errorf("subject %q not trimmed", r.Subject)
			}
			for part, v := range map[string]string{"subject": r.Subject, "text": r.Text, "html": r.HTML} {
				if !utf8.ValidString(v) {
					t.Errorf("%s is not valid UTF-8: %q", part, v)
				}
			}
			if strings.Contains(r.Text, "\r") {
				t.Errorf("text has CR")
			}
			if strings.Contains(r.HTML, "<script>") || strings.Contains(r.HTML, "<img") {
				t.Errorf("HTML has unescaped markup from the input")
			}
		}
	})
}

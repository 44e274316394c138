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
// notification and the answer, the text and an attachment's name) may
// hold. Whatever comes in, rendering must not fail or panic, the subject
// must be one clean line (no header injection), every part valid UTF-8,
// the citizen's fields escaped wherever they land in the HTML, and a name
// that is plain text must reach the letter as written: data is never run
// as a template.
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
		{"Budi {{.Desk.Name}} {{range .}}x{{end}}", "{{define \"a\"}}{{end}}}}{{"},
		{"<svg/onload=alert(1)>", "' onmouseover='alert(1)' a=\"&amp;&#x3c;"},
		{"\u202eSiti\u2066", "Subjek\x00dengan\x00NUL\r\n\r\n<b>body</b>"},
		{strings.Repeat("Siti{{.Number}}<script>\r\n", 3000), strings.Repeat("Jam buka \x00\u2028", 5000)},
	} {
		f.Add(seed[0], seed[1])
	}
	s, err := Load("", nil)
	if err != nil {
		f.Fatal(err)
	}
	at := time.Date(2026, time.November, 27, 14, 0, 0, 0, wib)
	f.Fuzz(func(t *testing.T, name, subject string) {
		rendered := renderAll(t, s, at, name, subject)
		for _, r := range rendered {
			checkRendered(t, r)
		}
		// The same fields between markers: whatever lands in the HTML
		// between two markers came from the citizen and must be escaped.
		const mark = "QZQ"
		if strings.Contains(name+subject, mark) {
			return
		}
		for _, r := range renderAll(t, s, at, mark+name+mark, mark+subject+mark) {
			parts := strings.Split(r.HTML, mark)
			if len(parts)%2 == 0 {
				t.Fatalf("markers unpaired in the HTML:\n%s", r.HTML)
			}
			for i := 1; i < len(parts); i += 2 {
				if strings.ContainsAny(parts[i], "<>\"'") {
					t.Errorf("unescaped citizen text in the HTML: %q", parts[i])
				}
			}
		}
		// A name that is plain text is written as it is, in every letter
		// that greets the citizen ({{…}} in it is text, not template).
		if name != "" && name == strings.TrimSpace(name) && utf8.ValidString(name) &&
			strings.IndexFunc(name, func(r rune) bool { return unicode.IsControl(r) || r == '\u2028' || r == '\u2029' }) < 0 {
			for _, r := range rendered[:2] { // the acknowledgements
				if !strings.Contains(r.Text, "Yth. Bapak/Ibu "+name+",") {
					t.Errorf("the name %q is not in the letter as written:\n%s", name, r.Text)
				}
			}
		}
	})
}

// renderAll renders both acknowledgements, the notification and the answer
// with the citizen's name and subject, in that order.
func renderAll(t *testing.T, s *Set, at time.Time, name, subject string) []mailproc.Rendered {
	t.Helper()
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
	var out []mailproc.Rendered
	for _, j := range jobs {
		r, err := s.Render(j.tmpl, j.data)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

// checkRendered asserts what every rendered mail must be, whatever its data.
func checkRendered(t *testing.T, r mailproc.Rendered) {
	t.Helper()
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
	if strings.Contains(r.HTML, "<script") || strings.Contains(r.HTML, "<img") || strings.Contains(r.HTML, "<svg") {
		t.Errorf("HTML has unescaped markup from the input")
	}
}

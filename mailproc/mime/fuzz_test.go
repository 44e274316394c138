package mime

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func readFixtures(tb testing.TB) []string {
	files, err := filepath.Glob("testdata/*.eml")
	if err != nil || len(files) == 0 {
		tb.Fatalf("no fixtures: %v", err)
	}
	var out []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, string(b))
	}
	return out
}

// FuzzParse feeds Parse arbitrary bytes, seeded with every real mail in
// testdata and the broken-mail corpus (mailproc/testdata/broken): it must
// never panic, never fail on anything that starts with a header and has a
// sender or content, and always return valid, bounded values, and every
// attachment it lists must open again by its Part with its Size. A small
// MaxText makes the truncation paths common.
func FuzzParse(f *testing.F) {
	for _, r := range readFixtures(f) {
		f.Add([]byte(r))
	}
	broken, _ := filepath.Glob("../testdata/broken/*.eml")
	for _, file := range broken {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("From: a@b.id\r\nContent-Type: multipart/mixed\r\n\r\n--x\r\n\r\nisi\r\n"))
	f.Add([]byte("From: a@b.id\r\nContent-Type: text/html\r\n\r\n<a href=x><b>t</b></a><pre> p </pre><blockquote>q"))
	const maxText = 512
	f.Fuzz(func(t *testing.T, raw []byte) {
		src := &countingSource{r: strings.NewReader(string(raw))}
		m, err := Parse(src, Options{MaxText: maxText})
		if err != nil {
			if m != nil {
				t.Fatalf("message returned with error %v", err)
			}
			if !strings.HasPrefix(err.Error(), "mime: ") {
				t.Fatalf("error %q", err)
			}
			return
		}
		if !src.eof || src.n != int64(len(raw)) {
			t.Fatalf("read %d of %d bytes", src.n, len(raw))
		}
		checkInvariants(t, m, maxText)
		checkParts(t, string(raw), m)
	})
}

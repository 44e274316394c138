package template

import (
	"slices"
	"strings"
	"testing"
	"unicode"
)

// The normalisers work line by line without collecting the lines, and trim
// ASCII line ends without decoding them; the slice-based splitting and
// normalizeHTML they replaced, and strings.TrimRightFunc, are the
// reference.
func refLines(s string) []string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.Split(lineBreaks.Replace(s), "\n")
}

func refNormalizeHTML(s string) string {
	ls := refLines(s)
	for i, line := range ls {
		ls[i] = strings.TrimRightFunc(stripControls(line), unicode.IsSpace)
	}
	out := strings.Trim(strings.Join(ls, "\n"), "\n")
	if out == "" {
		return ""
	}
	return out + "\n"
}

var normalizeSeeds = []string{
	"", "\n", " \n\t\n", "a", "a\n", "\n\na  \n\n\nb\t\n\n", "a\r\nb\rc\u2028d\u2029e",
	"<pre>\n\n  x  \n\n</pre>\n\n", "tab\t\x00ctl\x1b[0m \u00a0\n\u0085\nnbsp\u00a0",
	"bad \xff\xfe utf8\n\v\f\n", "\r\r\n\n\r", "  lead\n\n\n\ntrail  \n \n",
}

func TestNormalizeAsBefore(t *testing.T) {
	for _, s := range normalizeSeeds {
		checkNormalize(t, s)
	}
}

func FuzzNormalizeAsBefore(f *testing.F) {
	for _, s := range normalizeSeeds {
		f.Add(s)
	}
	f.Fuzz(checkNormalize)
}

func checkNormalize(t *testing.T, s string) {
	if got, want := slices.Collect(lines(s)), refLines(s); !slices.Equal(got, want) {
		t.Errorf("lines(%q) = %q, want %q", s, got, want)
	}
	for _, line := range refLines(s) {
		if got, want := trimRightSpace(line), strings.TrimRightFunc(line, unicode.IsSpace); got != want {
			t.Errorf("trimRightSpace(%q) = %q, want %q", line, got, want)
		}
	}
	if got, want := normalizeHTML(s), refNormalizeHTML(s); got != want {
		t.Errorf("normalizeHTML(%q) = %q, want %q", s, got, want)
	}
}

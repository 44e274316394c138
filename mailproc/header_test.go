package mailproc

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestSanitizeHeader(t *testing.T) {
	tests := []struct {
		name string
		in   string
		max  int
		want string
	}{
		{"plain", "Mohon info jam buka", 200, "Mohon info jam buka"},
		{"empty", "", 200, ""},
		{"only space", " \t\r\n ", 200, ""},
		{"CRLF injection", "Halo\r\nBcc: x@y", 200, "Halo Bcc: x@y"},
		{"bare LF injection", "Halo\nBcc: korban@x.test", 200, "Halo Bcc: korban@x.test"},
		{"bare CR injection", "Halo\rBcc: korban@x.test", 200, "Halo Bcc: korban@x.test"},
		{"folded subject", "Permohonan\r\n\tinformasi", 200, "Permohonan informasi"},
		{"NEL LS PS", "a\u0085b\u2028c\u2029d", 200, "a b c d"},
		{"runs of white space", "  a \t\t b\u00a0\u3000c  ", 200, "a b c"},
		{"C0 and DEL removed", "a\x00b\x07c\x1bd\x7fe", 200, "abcde"},
		{"C1 removed", "a\u0080b\u009fc", 200, "abc"},
		{"bidi override removed", "invoice\u202egpj.exe", 200, "invoicegpj.exe"},
		{"bidi all removed", "\u202a\u202b\u202c\u202d\u202ex\u2066\u2067\u2068\u2069", 200, "x"},
		{"marks and joiners kept", "\u200fمرحبا\u200e 👩\u200d💻", 200, "\u200fمرحبا\u200e 👩\u200d💻"},
		{"invalid UTF-8", "ab\xffcd", 200, "ab\ufffdcd"},
		{"invalid run is one replacement", "ab\xff\xfe\xfdcd", 200, "ab\ufffdcd"},
		{"truncated sequence", "kopi \xe2\x98", 200, "kopi \ufffd"},
		{"real U+FFFD kept", "a\ufffd\ufffdb", 200, "a\ufffd\ufffdb"},
		{"Arabic", "السلام عليكم، أريد معلومات", 200, "السلام عليكم، أريد معلومات"},
		{"Chinese", "请问图书馆几点开门？", 200, "请问图书馆几点开门？"},
		{"emoji", "Terima kasih 🙏🏽👍", 200, "Terima kasih 🙏🏽👍"},
		{"Javanese script", "ꦱꦸꦒꦺꦁ ꦫꦮꦸꦃ", 200, "ꦱꦸꦒꦺꦁ ꦫꦮꦸꦃ"},
		{"exactly max", "abcde", 5, "abcde"},
		{"trailing space after max is not a cut", "abcde   ", 5, "abcde"},
		{"cut ASCII", "abcdefgh", 5, "abcd…"},
		{"cut at space drops it", "abc defgh", 5, "abc…"},
		{"cut before space", "abcd efgh", 5, "abcd…"},
		{"cut Chinese at rune boundary", "请问图书馆几点开门", 4, "请问图…"},
		{"cut emoji at rune boundary", "😀😃😄😁😆", 3, "😀😃…"},
		{"cut does not end in a joiner", "ab👩\u200d💻", 4, "ab👩…"},
		{"max 1", "abc", 1, "…"},
		{"no limit", strings.Repeat("a", 300), 0, strings.Repeat("a", 300)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := SanitizeHeader(tt.in, tt.max)
			if got != tt.want {
				t.Errorf("SanitizeHeader(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
			}
			checkHeaderSafe(t, got, tt.max)
		})
	}
}

func TestSanitizeHeaderLong(t *testing.T) {
	// 10 kB of mixed scripts, line breaks and hostile bytes: always bounded,
	// valid UTF-8 and on one line.
	unit := "Pengaduan\r\nBcc: korban@x.test\t" + "السلام" + "图书馆" + "😀" + "ꦱꦸꦒꦺꦁ" + "\xff\u202e\x00"
	in := strings.Repeat(unit, 10240/len(unit)+1)
	if len(in) < 10240 {
		t.Fatalf("input only %d bytes", len(in))
	}
	for _, max := range []int{1, 2, 77, 200, 998} {
		got := SanitizeHeader(in, max)
		checkHeaderSafe(t, got, max)
		if n := utf8.RuneCountInString(got); n != max {
			t.Errorf("max %d: got %d runes", max, n)
		}
		if !strings.HasSuffix(got, "…") {
			t.Errorf("max %d: cut without ellipsis: %q", max, got)
		}
	}
	// A 10 kB subject without a single space is cut just the same.
	got := SanitizeHeader(strings.Repeat("x", 10240), 200)
	if got != strings.Repeat("x", 199)+"…" {
		t.Errorf("long word: got %d runes", utf8.RuneCountInString(got))
	}
}

func checkHeaderSafe(t *testing.T, s string, max int) {
	t.Helper()
	if !utf8.ValidString(s) {
		t.Errorf("%q is not valid UTF-8", s)
	}
	if max > 0 && utf8.RuneCountInString(s) > max {
		t.Errorf("%q has %d runes, more than %d", s, utf8.RuneCountInString(s), max)
	}
	if s != strings.TrimSpace(s) {
		t.Errorf("%q is not trimmed", s)
	}
	if strings.Contains(s, "  ") {
		t.Errorf("%q has a run of spaces", s)
	}
	for _, r := range s {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || (unicode.IsSpace(r) && r != ' ') ||
			(r >= '\u202a' && r <= '\u202e') || (r >= '\u2066' && r <= '\u2069') {
			t.Errorf("%q contains %U", s, r)
		}
	}
}

func FuzzSanitizeHeader(f *testing.F) {
	for _, s := range []string{"Halo\r\nBcc: x@y", "ab\xff\xfecd", "السلام\u202e", "👩\u200d💻 ꦱꦸꦒꦺꦁ", "  a  b  "} {
		f.Add(s, 10)
	}
	f.Fuzz(func(t *testing.T, s string, max int) {
		max = max % 300
		got := SanitizeHeader(s, max)
		checkHeaderSafe(t, got, max)
		if SanitizeHeader(got, max) != got {
			t.Errorf("not idempotent: %q → %q", got, SanitizeHeader(got, max))
		}
	})
}

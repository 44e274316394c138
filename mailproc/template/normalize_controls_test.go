package template

import (
	"testing"
	"unicode"
)

// TestStripControls: the printable-ASCII shortcut keeps exactly what the
// rune-by-rune filter keeps: tab stays; C0 controls, DEL and the C1
// controls (two bytes in UTF-8) go; other non-ASCII text stays.
func TestStripControls(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"", ""},
		{"Yth. Bapak/Ibu petugas,", "Yth. Bapak/Ibu petugas,"},
		{"kolom\tkedua", "kolom\tkedua"},
		{"a\x00b\x1bc\x7fd", "abcd"},
		{"sebelum\u0085sesudah", "sebelumsesudah"},
		{"\u009fakhir", "akhir"},
		{"Rp 10.000 — café ñ 日本", "Rp 10.000 — café ñ 日本"},
		{"~ { } |", "~ { } |"},
	} {
		if got := stripControls(tt.in); got != tt.want {
			t.Errorf("stripControls(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	// Every single byte and every rune up to U+00FF, against the filter.
	for r := rune(0); r <= 0xff; r++ {
		in := "x" + string(r) + "y"
		want := "xy"
		if r == '\t' || !unicode.IsControl(r) {
			want = in
		}
		if got := stripControls(in); got != want {
			t.Errorf("stripControls(%q) = %q, want %q", in, got, want)
		}
	}
}

package mailproc

import "testing"

func TestFormatAndParseNumber(t *testing.T) {
	tests := []struct {
		kind      Kind
		year, seq int
		want      string
	}{
		{KindInformasi, 2026, 42, "INF-2026-00042"},
		{KindAduan, 2026, 7, "ADU-2026-00007"},
		{KindAduan, 2027, 123456, "ADU-2027-123456"},
	}
	for _, tt := range tests {
		got := FormatNumber(tt.kind, tt.year, tt.seq)
		if got != tt.want {
			t.Errorf("FormatNumber = %s, want %s", got, tt.want)
		}
		k, y, s, err := ParseNumber(got)
		if err != nil || k != tt.kind || y != tt.year || s != tt.seq {
			t.Errorf("ParseNumber(%s) = %s %d %d %v", got, k, y, s, err)
		}
	}
	for _, bad := range []string{"", "INF-26-00001", "XYZ-2026-00001", "INF-2026-001", " INF-2026-00001"} {
		if _, _, _, err := ParseNumber(bad); err == nil {
			t.Errorf("ParseNumber(%q) accepted", bad)
		}
	}
}

func TestFindNumber(t *testing.T) {
	tests := map[string]string{
		"[ADU-2026-00007] Tanda terima: Buku rusak":     "ADU-2026-00007",
		"Re: [ADU-2026-00007] Tanda terima: Buku rusak": "ADU-2026-00007",
		"RE: [adu-2026-00007] tanda terima":             "ADU-2026-00007",
		"Fwd: INF-2026-00042 jam buka":                  "INF-2026-00042",
		"Nomor saya XINF-2026-00042":                    "",
		"Jam buka perpustakaan":                         "",
		"INF-2026-0004 terlalu pendek":                  "",
	}
	for in, want := range tests {
		if got := FindNumber(in); got != want {
			t.Errorf("FindNumber(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNormalizeNumber(t *testing.T) {
	tests := []struct{ in, want string }{
		{"inf-2026-2", "INF-2026-00002"},
		{"ADU-2026-00007", "ADU-2026-00007"},
		{" [adu-2026-7] ", "ADU-2026-00007"},
		{"INF-2026-000123", "INF-2026-00123"},
		{"ADU-2026-123456", "ADU-2026-123456"},
		{"XYZ-2026-1", ""},
		{"INF-26-1", ""},
		{"INF-2026-", ""},
	}
	for _, tt := range tests {
		got, err := NormalizeNumber(tt.in)
		if got != tt.want || (err == nil) != (tt.want != "") {
			t.Errorf("NormalizeNumber(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

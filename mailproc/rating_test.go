package mailproc

import "testing"

func TestParseRating(t *testing.T) {
	tests := []struct {
		text    string
		score   int
		comment string
		ok      bool
	}{
		{"4", 4, "", true},
		{"4 Petugas cepat dan jelas.", 4, "Petugas cepat dan jelas.", true},
		{"3. Cukup baik\nTapi agak lama.", 3, "Cukup baik\nTapi agak lama.", true},
		{"  1 - kecewa", 1, "kecewa", true},
		{"(2) kurang", 2, "kurang", true},
		{"4\n\nPada Jum, 27 Nov 2026 pukul 10.15 Layanan <l@x.id> menulis:\n> nilai 1-4", 4, "", true},
		{"5 sangat puas sekali", 0, "", false},
		{"42 orang antre", 0, "", false},
		{"Masih ada pertanyaan: jam buka Minggu?", 0, "", false},
		{"", 0, "", false},
	}
	for _, tt := range tests {
		score, comment, ok := ParseRating(tt.text)
		if ok != tt.ok || score != tt.score || comment != tt.comment {
			t.Errorf("ParseRating(%q) = %d %q %v, want %d %q %v", tt.text, score, comment, ok, tt.score, tt.comment, tt.ok)
		}
	}
}

func TestSatisfactionSummary(t *testing.T) {
	if got := SatisfactionSummary(nil); got != SatisfactionNoData {
		t.Errorf("no ratings: %q", got)
	}
	got := SatisfactionSummary([]Rating{{Score: 4}, {Score: 3}, {Score: 4}, {Score: 1}})
	if want := "4 penilaian, rata-rata 3,00 dari 4 (sangat puas 2, puas 1, tidak puas 0, sangat tidak puas 1)"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

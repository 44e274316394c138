package mailproc

import (
	"testing"
	"time"
)

func TestFormatWaktu(t *testing.T) {
	wib, err := time.LoadLocation("Asia/Jakarta")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		in   time.Time
		loc  *time.Location
		want string
	}{
		{time.Date(2026, 11, 27, 7, 5, 0, 0, time.UTC), wib, "Jumat, 27 November 2026 pukul 14.05 WIB"},
		{time.Date(2026, 12, 31, 17, 30, 0, 0, time.UTC), wib, "Jumat, 1 Januari 2027 pukul 00.30 WIB"},
		{time.Date(2026, 8, 16, 23, 59, 0, 0, wib), wib, "Minggu, 16 Agustus 2026 pukul 23.59 WIB"},
		{time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC), time.FixedZone("", 8*3600), "Senin, 2 Maret 2026 pukul 09.00 WITA"},
	}
	for _, tt := range tests {
		if got := FormatWaktu(tt.in, tt.loc); got != tt.want {
			t.Errorf("FormatWaktu(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestFormatDurasi(t *testing.T) {
	tests := map[time.Duration]string{
		5 * time.Minute:                "5 menit",
		time.Hour:                      "1 jam",
		90 * time.Minute:               "1 jam 30 menit",
		49 * time.Hour:                 "2 hari 1 jam",
		20 * time.Second:               "20 detik",
		-3 * time.Minute:               "3 menit",
		5*time.Minute + 29*time.Second: "5 menit",
	}
	for in, want := range tests {
		if got := FormatDurasi(in); got != want {
			t.Errorf("FormatDurasi(%v) = %q, want %q", in, got, want)
		}
	}
}

// TestFormatTerlambat: no mail says "terlambat 0 detik": a case escalated
// the moment it fell due is not called late at all.
func TestFormatTerlambat(t *testing.T) {
	due := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	tests := []struct {
		now  time.Time
		want string
	}{
		{due, ""},
		{due.Add(400 * time.Millisecond), ""},
		{due.Add(59 * time.Second), ""},
		{due.Add(-time.Hour), ""},
		{due.Add(time.Minute), "1 menit"},
		{due.Add(26 * time.Hour), "1 hari 2 jam"},
	}
	for _, tt := range tests {
		if got := FormatTerlambat(due, tt.now); got != tt.want {
			t.Errorf("FormatTerlambat(due, due%+v) = %q, want %q", tt.now.Sub(due), got, tt.want)
		}
	}
	if got := FormatTerlambat(time.Time{}, due); got != "" {
		t.Errorf("no due time: %q", got)
	}
}

func TestStartsWithGreeting(t *testing.T) {
	tests := map[string]bool{
		"Selamat pagi Ibu Siti,\n\nPerpustakaan buka pukul 08.00.": true,
		"  selamat siang, Pak Budi":                                true,
		"Yth. Bapak Budi,":                                         true,
		"Assalamualaikum wr. wb.":                                  true,
		"Dengan hormat,":                                           true,
		"Ibu Siti, jam buka kami 08.00.":                           true,
		"Perpustakaan buka pukul 08.00.":                           false,
		"Terima kasih atas pertanyaannya.":                         false,
		"Ibukota kabupaten":                                        false,
		"":                                                         false,
	}
	for in, want := range tests {
		if got := StartsWithGreeting(in); got != want {
			t.Errorf("StartsWithGreeting(%q) = %v, want %v", in, got, want)
		}
	}
}

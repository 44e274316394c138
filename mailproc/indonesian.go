package mailproc

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

var (
	hariID  = [...]string{"Minggu", "Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu"}
	bulanID = [...]string{"Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli",
		"Agustus", "September", "Oktober", "November", "Desember"}
)

// FormatWaktu writes a moment the way an Indonesian letter does, in the
// desk's time zone: "Jumat, 27 November 2026 pukul 14.05 WIB". The zone
// abbreviation is the one of loc (WIB for Asia/Jakarta; WITA, WIT for the
// other Indonesian zones).
func FormatWaktu(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return "-"
	}
	if loc == nil {
		loc = time.UTC
	}
	t = t.In(loc)
	return fmt.Sprintf("%s, %d %s %d pukul %02d.%02d %s",
		hariID[t.Weekday()], t.Day(), bulanID[t.Month()-1], t.Year(), t.Hour(), t.Minute(), zoneName(t))
}

// FormatTanggal writes a date: "27 November 2026".
func FormatTanggal(t time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	t = t.In(loc)
	return fmt.Sprintf("%d %s %d", t.Day(), bulanID[t.Month()-1], t.Year())
}

// zoneName is the zone's abbreviation; Go prints a bare offset ("+07")
// for zones whose tzdata has no letters, so the Indonesian names are
// filled in from the offset.
func zoneName(t time.Time) string {
	name, off := t.Zone()
	if name != "" && !strings.HasPrefix(name, "+") && !strings.HasPrefix(name, "-") {
		return name
	}
	switch off {
	case 7 * 3600:
		return "WIB"
	case 8 * 3600:
		return "WITA"
	case 9 * 3600:
		return "WIT"
	case 0:
		return "UTC"
	}
	return name
}

// FormatTerlambat says how late a case is past due, for "terlambat …":
// "" when it is not (yet) late by a whole minute, so no mail says
// "terlambat 0 detik" about a case escalated the moment it fell due.
func FormatTerlambat(due, now time.Time) string {
	if due.IsZero() || now.Sub(due) < time.Minute {
		return ""
	}
	return FormatDurasi(now.Sub(due))
}

// FormatDurasi writes a duration in Indonesian words: "5 menit", "1 jam",
// "1 jam 30 menit", "2 hari". Seconds are shown only below a minute (the
// demo's fast clock).
func FormatDurasi(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	if d < time.Minute {
		return fmt.Sprintf("%d detik", int(d.Round(time.Second)/time.Second))
	}
	d = d.Round(time.Minute)
	days := int(d / (24 * time.Hour))
	d -= time.Duration(days) * 24 * time.Hour
	hours := int(d / time.Hour)
	mins := int((d - time.Duration(hours)*time.Hour) / time.Minute)
	var parts []string
	if days > 0 {
		parts = append(parts, fmt.Sprintf("%d hari", days))
	}
	if hours > 0 {
		parts = append(parts, fmt.Sprintf("%d jam", hours))
	}
	if mins > 0 {
		parts = append(parts, fmt.Sprintf("%d menit", mins))
	}
	return strings.Join(parts, " ")
}

// greetingRE matches the greetings staff open an answer with.
var greetingRE = regexp.MustCompile(`(?i)^\s*(yth\b|kepada\s+yth|selamat\s+(pagi|siang|sore|malam)\b|assalamu|salam\b|halo\b|hai\b|dengan\s+hormat\b|bapak\b|ibu\b)`)

// StartsWithGreeting reports whether an answer opens with a greeting of
// its own, so the answer mail does not greet the citizen twice.
func StartsWithGreeting(text string) bool {
	return greetingRE.MatchString(text)
}

package mailproc

import (
	"testing"
	"time"
)

// TestMonthReportDue: the previous month's report is due from send_at on
// the first day of the month the desk opens: a weekend or a holiday on the
// 1st moves it to the next working day, and it stays due for the rest of
// the month (a daemon down at that hour sends it when it comes back).
func TestMonthReportDue(t *testing.T) {
	wib := time.FixedZone("WIB", 7*3600)
	weekday := []DaySpan{{Start: 8 * time.Hour, End: 16 * time.Hour}}
	var hours [7][]DaySpan
	for d := time.Monday; d <= time.Friday; d++ {
		hours[d] = weekday
	}
	// 1 November 2026 is a Sunday; 1 January 2027 a Friday and a holiday.
	cal := NewServiceCalendar(wib, hours, []time.Time{time.Date(2027, 1, 1, 0, 0, 0, 0, wib)}, false)
	at := func(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, wib) }
	for _, tt := range []struct {
		now       time.Time
		wantMonth time.Month
		wantAt    time.Time
		due       bool
	}{
		{at(2026, 12, 1, 7, 59), time.November, at(2026, 12, 1, 8, 0), false}, // Tuesday the 1st, before 08.00
		{at(2026, 12, 1, 8, 0), time.November, at(2026, 12, 1, 8, 0), true},
		{at(2026, 12, 20, 13, 0), time.November, at(2026, 12, 1, 8, 0), true}, // missed: still due
		{at(2026, 11, 1, 9, 0), time.October, at(2026, 11, 2, 8, 0), false},   // Sunday: Monday the 2nd
		{at(2026, 11, 2, 8, 0), time.October, at(2026, 11, 2, 8, 0), true},
		{at(2027, 1, 1, 9, 0), time.December, at(2027, 1, 4, 8, 0), false}, // holiday, weekend: Monday the 4th
	} {
		_, month, when, due := MonthReportDue(tt.now, wib, cal, 8*time.Hour)
		if month != tt.wantMonth || !when.Equal(tt.wantAt) || due != tt.due {
			t.Errorf("at %v: month %v, send at %v, due %v; want %v, %v, %v", tt.now, month, when, due, tt.wantMonth, tt.wantAt, tt.due)
		}
	}
}

package mailproc

import (
	"testing"
	"time"
)

func TestStaffDigestDue(t *testing.T) {
	wib := time.FixedZone("WIB", 7*3600)
	var hours [7][]DaySpan
	for d := time.Monday; d <= time.Friday; d++ {
		hours[d] = []DaySpan{{Start: 7*time.Hour + 30*time.Minute, End: 16 * time.Hour}}
	}
	cal := NewServiceCalendar(wib, hours, nil, false)
	at := func(d, h, m int) time.Time { return time.Date(2026, 12, d, h, m, 0, 0, wib) }
	for _, tt := range []struct {
		now time.Time
		day string
		due bool
	}{
		{at(1, 7, 29), "2026-12-01", false}, // Tuesday, before opening
		{at(1, 7, 30), "2026-12-01", true},
		{at(1, 18, 0), "2026-12-01", true}, // down at opening: sent when back
		{at(5, 9, 0), "2026-12-05", false}, // Saturday: closed
	} {
		day, due := StaffDigestDue(tt.now, wib, cal)
		if day != tt.day || due != tt.due {
			t.Errorf("%v: %s %v, want %s %v", tt.now, day, due, tt.day, tt.due)
		}
	}
}

func TestDigestLists(t *testing.T) {
	wib := time.FixedZone("WIB", 7*3600)
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, wib)
	cs := []*Case{
		{Number: "late", State: StateDiakui, DueAt: now.Add(-time.Minute)},
		{Number: "today", State: StateBaru, DueAt: now.Add(time.Hour)},
		{Number: "tomorrow", State: StateBaru, DueAt: now.Add(16 * time.Hour)},
		{Number: "answered", State: StateDijawab, DueAt: now.Add(-time.Hour)},
		{Number: "followup", State: StateDijawab, NeedsFollowUp: true, DueAt: now.Add(-time.Hour)},
		{Number: "closed", State: StateSelesai, DueAt: now.Add(-time.Hour)},
	}
	overdue, today := DigestLists(cs, now, wib)
	names := func(cs []*Case) (out []string) {
		for _, c := range cs {
			out = append(out, c.Number)
		}
		return out
	}
	if got := names(overdue); len(got) != 2 || got[0] != "late" || got[1] != "followup" {
		t.Errorf("overdue %v", got)
	}
	if got := names(today); len(got) != 1 || got[0] != "today" {
		t.Errorf("due today %v", got)
	}
}

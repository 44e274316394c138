package mailproc_test

import (
	"testing"
	"time"

	"github.com/dpk-kampar/mailproc/mailproc"
)

func TestJudge(t *testing.T) {
	cal, wib := reportCalendar(t)
	clock := mailproc.CalendarClock{Calendar: cal, Info: 5 * time.Minute, Complaint: time.Hour}
	at := func(d, h, m, s int) time.Time { return time.Date(2026, 3, d, h, m, s, 0, wib) }
	for _, tc := range []struct {
		name     string
		kind     mailproc.Kind
		opened   time.Time
		runOut   time.Time // zero: no escalation before the answer
		answered time.Time
		want     mailproc.Outcome
		took     time.Duration
	}{
		{"informasi tepat 5 menit", mailproc.KindInformasi, at(11, 9, 0, 0), time.Time{}, at(11, 9, 5, 0), mailproc.OutcomeWithin, 5 * time.Minute},
		{"informasi 5 menit 1 detik", mailproc.KindInformasi, at(11, 9, 0, 0), time.Time{}, at(11, 9, 5, 1), mailproc.OutcomeLate, 5*time.Minute + time.Second},
		// Friday 16.10 → Monday 08.05: 20 + 35 minutes of office time.
		{"aduan melewati akhir pekan", mailproc.KindAduan, at(6, 16, 10, 0), time.Time{}, at(9, 8, 5, 0), mailproc.OutcomeWithin, 55 * time.Minute},
		// Judged late at the deadline; answered within a minute after it:
		// still late.
		{"terlambat lalu dijawab", mailproc.KindInformasi, at(11, 9, 0, 0), at(11, 9, 5, 0), at(11, 9, 5, 0), mailproc.OutcomeLate, 5 * time.Minute},
		{"terlambat belum dijawab", mailproc.KindAduan, at(11, 9, 0, 0), at(11, 10, 0, 0), time.Time{}, mailproc.OutcomeLate, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &mailproc.Case{Kind: tc.kind, OpenedAt: tc.opened}
			if !tc.runOut.IsZero() {
				mailproc.JudgeRunOut(c, clock, tc.runOut)
			}
			if !tc.answered.IsZero() {
				c.FirstAnswerAt = tc.answered
				mailproc.JudgeAnswer(c, clock, tc.answered)
			}
			v := c.Verdict
			if v.Outcome != tc.want || v.HasServiceTime != !tc.answered.IsZero() || v.ServiceTime != tc.took ||
				v.Kind != tc.kind || v.Promise != clock.For(tc.kind) || v.Calendar != clock.Version() {
				t.Errorf("verdict %+v, want %s after %v", v, tc.want, tc.took)
			}
			// Made once: a later answer, kind or calendar changes nothing.
			before := c.Verdict
			c.Kind, c.FirstAnswerAt = mailproc.KindAduan, tc.answered.Add(time.Hour)
			mailproc.JudgeAnswer(c, mailproc.StandardClock, c.FirstAnswerAt)
			mailproc.JudgeRunOut(c, mailproc.StandardClock, c.FirstAnswerAt)
			if c.Verdict != before && !tc.answered.IsZero() {
				t.Errorf("verdict changed: %+v → %+v", before, c.Verdict)
			}
		})
	}
}

// TestCalendarVersion: any change of what decides a verdict gives a new
// version; the same configuration gives the same one.
func TestCalendarVersion(t *testing.T) {
	cal, wib := reportCalendar(t)
	base := mailproc.CalendarClock{Calendar: cal, Info: 5 * time.Minute, Complaint: time.Hour}
	same, _ := reportCalendar(t)
	if v := (mailproc.CalendarClock{Calendar: same, Info: 5 * time.Minute, Complaint: time.Hour}).Version(); v != base.Version() {
		t.Errorf("same calendar: %s vs %s", v, base.Version())
	}
	holiday := mailproc.NewServiceCalendar(wib, cal.Hours, []time.Time{time.Date(2026, 3, 17, 0, 0, 0, 0, wib), time.Date(2026, 3, 18, 0, 0, 0, 0, wib)}, false)
	hours := cal.Hours
	hours[time.Saturday] = []mailproc.DaySpan{{Start: 8 * time.Hour, End: 12 * time.Hour}}
	longer := mailproc.NewServiceCalendar(wib, hours, []time.Time{time.Date(2026, 3, 17, 0, 0, 0, 0, wib)}, false)
	seen := map[string]string{base.Version(): "base"}
	for name, c := range map[string]mailproc.CalendarClock{
		"holiday": {Calendar: holiday, Info: 5 * time.Minute, Complaint: time.Hour},
		"hours":   {Calendar: longer, Info: 5 * time.Minute, Complaint: time.Hour},
		"promise": {Calendar: cal, Info: 10 * time.Minute, Complaint: time.Hour},
		"24/7":    {Calendar: mailproc.NewServiceCalendar(wib, cal.Hours, nil, true), Info: 5 * time.Minute, Complaint: time.Hour},
	} {
		v := c.Version()
		if other, dup := seen[v]; dup {
			t.Errorf("%s has the version of %s: %s", name, other, v)
		}
		seen[v] = name
	}
}

func TestParseChainHead(t *testing.T) {
	h := mailproc.ChainHead{EventID: 30, EventHash: "553dab97633f04b8aa00", MessageID: 9, MessageHash: "f8a9e15e4e52811fbb"}
	got, err := mailproc.ParseChainHead(h.String())
	if err != nil || got.EventID != 30 || got.EventHash != "553dab97633f04b8" || got.MessageID != 9 || got.MessageHash != "f8a9e15e4e52811f" {
		t.Errorf("ParseChainHead(%q) = %+v, %v", h.String(), got, err)
	}
	for _, bad := range []string{"", "peristiwa #30, pesan #9", "peristiwa #30 553d, pesan #9 f8a9e15e4e52811f", "peristiwa #x 553dab97633f04b8, pesan #9 f8a9e15e4e52811f",
		"peristiwa #30 553dab97633f04bZ, pesan #9 f8a9e15e4e52811f"} {
		if _, err := mailproc.ParseChainHead(bad); err == nil {
			t.Errorf("ParseChainHead(%q) accepted", bad)
		}
	}
}

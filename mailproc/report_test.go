package mailproc_test

import (
	"testing"
	"time"

	"github.com/dpk-kampar/mailproc/mailproc"
)

// reportCalendar is a desk in WIB open Monday to Thursday 07.30-16.00 and
// Friday 07.30-16.30, closed at the weekend and on 17 March 2026 (a
// holiday).
func reportCalendar(t *testing.T) (*mailproc.ServiceCalendar, *time.Location) {
	t.Helper()
	wib := mustLoc(t, "Asia/Jakarta")
	var w [7][]mailproc.DaySpan
	for wd := time.Monday; wd <= time.Thursday; wd++ {
		w[wd] = []mailproc.DaySpan{{Start: 7*time.Hour + 30*time.Minute, End: 16 * time.Hour}}
	}
	w[time.Friday] = []mailproc.DaySpan{{Start: 7*time.Hour + 30*time.Minute, End: 16*time.Hour + 30*time.Minute}}
	hol := []time.Time{time.Date(2026, 3, 17, 0, 0, 0, 0, wib)}
	return mailproc.NewServiceCalendar(wib, w, hol, false), wib
}

func TestBuildMonthReportAnsweredWithinPromise(t *testing.T) {
	cal, wib := reportCalendar(t)
	at := func(d, h, m int) time.Time { return time.Date(2026, 3, d, h, m, 0, 0, wib) }
	now := at(31, 12, 0)

	tests := []struct {
		name           string
		kind           mailproc.Kind
		opened, answer time.Time
		state          mailproc.State
		within, late   int
		pending        int
		closedNoAnswer int
	}{
		// 6 March 2026 is a Friday: 20 minutes until 16.30, then 35 minutes
		// on Monday from 07.30: 55 minutes of service time.
		{"aduan Jumat 16.10 dijawab Senin 08.05", mailproc.KindAduan, at(6, 16, 10), at(9, 8, 5), mailproc.StateDijawab, 1, 0, 0, 0},
		{"aduan Jumat 16.10 dijawab Senin 08.41", mailproc.KindAduan, at(6, 16, 10), at(9, 8, 41), mailproc.StateDijawab, 0, 1, 0, 0},
		{"informasi malam dijawab 07.33", mailproc.KindInformasi, at(10, 23, 0), at(11, 7, 33), mailproc.StateSelesai, 1, 0, 0, 0},
		{"informasi tepat 5 menit", mailproc.KindInformasi, at(11, 9, 0), at(11, 9, 5), mailproc.StateSelesai, 1, 0, 0, 0},
		{"informasi 5 menit 1 detik", mailproc.KindInformasi, at(11, 9, 0), at(11, 9, 5).Add(time.Second), mailproc.StateSelesai, 0, 1, 0, 0},
		// 16 March 15.58 (Monday): 2 minutes, then 17 March is a holiday,
		// then 3 minutes on the 18th from 07.30.
		{"informasi melewati hari libur", mailproc.KindInformasi, at(16, 15, 58), at(18, 7, 33), mailproc.StateSelesai, 1, 0, 0, 0},
		{"informasi melewati hari libur terlambat", mailproc.KindInformasi, at(16, 15, 58), at(18, 7, 34), mailproc.StateSelesai, 0, 1, 0, 0},
		{"aduan Sabtu dijawab Senin 08.30", mailproc.KindAduan, at(7, 10, 0), at(9, 8, 30), mailproc.StateDijawab, 1, 0, 0, 0},
		{"belum dijawab lewat janji", mailproc.KindInformasi, at(30, 9, 0), time.Time{}, mailproc.StateDieskalasi, 0, 1, 0, 0},
		// Opened 31 March 11.58, now 12.00: 2 of its 5 minutes gone.
		{"belum dijawab masih dalam janji", mailproc.KindInformasi, at(31, 11, 58), time.Time{}, mailproc.StateDiakui, 0, 0, 1, 0},
		{"ditutup tanpa jawaban", mailproc.KindAduan, at(12, 9, 0), time.Time{}, mailproc.StateSelesai, 0, 0, 0, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := &mailproc.Case{ID: 1, Number: "X", Kind: tc.kind, State: tc.state,
				OpenedAt: tc.opened.UTC(), FirstAnswerAt: tc.answer, DueAt: tc.opened.Add(time.Hour)}
			r := mailproc.BuildMonthReport(2026, time.March, wib, []*mailproc.Case{c}, nil,
				mailproc.StandardClock, cal, now)
			ks := r.Kinds[0]
			if tc.kind == mailproc.KindAduan {
				ks = r.Kinds[1]
			}
			if ks.Kind != tc.kind || ks.Cases != 1 {
				t.Fatalf("kind stats %+v", ks)
			}
			if ks.Within != tc.within || ks.Late != tc.late || ks.Pending != tc.pending || ks.ClosedUnanswered != tc.closedNoAnswer {
				t.Errorf("within/late/pending/closed = %d/%d/%d/%d, want %d/%d/%d/%d",
					ks.Within, ks.Late, ks.Pending, ks.ClosedUnanswered, tc.within, tc.late, tc.pending, tc.closedNoAnswer)
			}
			day := r.Days[tc.opened.Day()-1]
			if day.Cases() != 1 || day.Within != tc.within || day.Late != tc.late {
				t.Errorf("day %v: %+v", tc.opened.Day(), day)
			}
		})
	}
}

func TestBuildMonthReportMonth(t *testing.T) {
	cal, wib := reportCalendar(t)
	at := func(m time.Month, d, h, min int) time.Time { return time.Date(2026, m, d, h, min, 0, 0, wib) }
	now := at(time.April, 2, 9, 0) // Thursday

	cases := []*mailproc.Case{
		// Not in March (in WIB): the last minute of February and the first
		// of April.
		{ID: 90, Number: "INF-2026-00001", Kind: mailproc.KindInformasi, State: mailproc.StateBaru,
			OpenedAt: at(time.February, 28, 23, 59), DueAt: at(time.March, 2, 7, 35)},
		{ID: 91, Number: "INF-2026-00099", Kind: mailproc.KindInformasi, State: mailproc.StateBaru,
			OpenedAt: at(time.April, 1, 0, 0), DueAt: at(time.April, 1, 7, 35)},

		// 1 March 00.30 WIB is 28 February in UTC: still March.
		{ID: 1, Number: "INF-2026-00002", Kind: mailproc.KindInformasi, State: mailproc.StateSelesai,
			OpenedAt: at(time.March, 1, 0, 30).UTC(), FirstAnswerAt: at(time.March, 2, 7, 32), ClosedAt: at(time.March, 2, 7, 32)},
		{ID: 2, Number: "INF-2026-00003", Kind: mailproc.KindInformasi, State: mailproc.StateSelesai,
			OpenedAt: at(time.March, 2, 9, 0), FirstAnswerAt: at(time.March, 2, 9, 4)},
		{ID: 3, Number: "INF-2026-00004", Kind: mailproc.KindInformasi, State: mailproc.StateSelesai,
			OpenedAt: at(time.March, 2, 10, 0), FirstAnswerAt: at(time.March, 2, 10, 10)},
		{ID: 4, Number: "ADU-2026-00001", Kind: mailproc.KindAduan, State: mailproc.StateDijawab,
			OpenedAt: at(time.March, 6, 16, 10), FirstAnswerAt: at(time.March, 9, 8, 5), DueAt: at(time.March, 9, 8, 40)},
		// Answered, but the staff marked it #tindaklanjut and the follow-up
		// deadline has passed: overdue.
		{ID: 5, Number: "ADU-2026-00002", Kind: mailproc.KindAduan, State: mailproc.StateDijawab, NeedsFollowUp: true,
			OpenedAt: at(time.March, 10, 9, 0), FirstAnswerAt: at(time.March, 10, 9, 30), DueAt: at(time.April, 1, 15, 0),
			EscalationLevel: 2},
		// Answered, nothing more owed: open, not overdue, although DueAt
		// is long past.
		{ID: 6, Number: "ADU-2026-00003", Kind: mailproc.KindAduan, State: mailproc.StateDijawab,
			OpenedAt: at(time.March, 11, 9, 0), FirstAnswerAt: at(time.March, 11, 11, 0), DueAt: at(time.March, 11, 10, 0)},
		// Never answered, escalated twice, overdue since 31 March 16.00-ish.
		{ID: 7, Number: "ADU-2026-00004", Kind: mailproc.KindAduan, State: mailproc.StateDieskalasi,
			OpenedAt: at(time.March, 31, 15, 0), DueAt: at(time.April, 1, 8, 0), EscalationLevel: 2},
	}
	esc := map[int64][]*mailproc.Event{
		5: {
			{Type: mailproc.EventEscalated, Detail: "tingkat 1 (Kepala Seksi Pelayanan, kasi@x.id) diberi tahu: batas waktu terlewati"},
			{Type: mailproc.EventEscalated, Detail: "tingkat 2 (Kepala Bagian Pelayanan, kabag@x.id) diberi tahu: diminta oleh staf@x.id"},
		},
		7: {
			{Type: mailproc.EventEscalated, Detail: "tingkat 1 (Kepala Seksi Pelayanan, kasi@x.id) diberi tahu: batas waktu terlewati"},
			{Type: mailproc.EventEscalated, Detail: "tingkat 2 (Kepala Bagian Pelayanan, kabag@x.id) diberi tahu: batas waktu terlewati"},
			{Type: mailproc.EventEscalated, Detail: "tidak ada tingkat pimpinan berikutnya; eskalasi berhenti di tingkat 2"},
			{Type: mailproc.EventNote, Detail: "tingkat 3 (bukan eskalasi)"},
		},
		90: {{Type: mailproc.EventEscalated, Detail: "tingkat 3 (Kepala Dinas, kadis@x.id) diberi tahu: x"}},
	}
	// The daemon judged each case when it happened: at the first answer,
	// or (case 7) when its deadline passed and the first head was told.
	clock := mailproc.CalendarClock{Calendar: cal, Info: 5 * time.Minute, Complaint: time.Hour}
	for _, c := range cases {
		mailproc.JudgeAnswer(c, clock, c.FirstAnswerAt)
	}
	mailproc.JudgeRunOut(cases[len(cases)-1], clock, at(time.April, 1, 8, 0))
	r := mailproc.BuildMonthReport(2026, time.March, wib, cases, esc, mailproc.StandardClock, cal, now)

	if r.Total != 7 || !r.Closed {
		t.Fatalf("Total = %d, want 7", r.Total)
	}
	if len(r.Days) != 31 || r.Days[0].Informasi != 1 || r.Days[1].Informasi != 2 || r.Days[30].Aduan != 1 {
		t.Errorf("days: %d, 1st %+v, 2nd %+v, 31st %+v", len(r.Days), r.Days[0], r.Days[1], r.Days[30])
	}
	inf, adu := r.Kinds[0], r.Kinds[1]
	// informasi: 1 March 00.30 → 2 March 07.32 is 2 minutes; 4 minutes;
	// 10 minutes.
	if inf.Cases != 3 || inf.Within != 2 || inf.Late != 1 || !inf.HasPercent || int(inf.WithinPercent*10) != 666 {
		t.Errorf("informasi %+v", inf)
	}
	if inf.P50 != 4*time.Minute || inf.P90 != 10*time.Minute {
		t.Errorf("informasi p50/p90 = %v/%v", inf.P50, inf.P90)
	}
	// aduan: 55 minutes, 30 minutes, 2 hours; the unanswered one was
	// opened 31 March 15.00, one hour of service ran out on 1 April.
	if adu.Cases != 4 || adu.Answered != 3 || adu.Within != 2 || adu.Late != 2 || adu.WithinPercent != 50 {
		t.Errorf("aduan %+v", adu)
	}
	if adu.P50 != 55*time.Minute || adu.P90 != 2*time.Hour {
		t.Errorf("aduan p50/p90 = %v/%v", adu.P50, adu.P90)
	}
	wantStates := map[mailproc.State]int{mailproc.StateSelesai: 3, mailproc.StateDijawab: 3, mailproc.StateDieskalasi: 1}
	for _, s := range r.States {
		if s.Count != wantStates[s.State] {
			t.Errorf("state %s: %d, want %d", s.State, s.Count, wantStates[s.State])
		}
	}
	if len(r.Escalations) != 2 || r.Escalations[0] != (mailproc.LevelCount{Level: 1, Count: 2}) ||
		r.Escalations[1] != (mailproc.LevelCount{Level: 2, Count: 2}) {
		t.Errorf("escalations %+v", r.Escalations)
	}
	var open []string
	for _, l := range r.Open {
		open = append(open, l.Number)
	}
	if got := len(open); got != 4 || open[0] != "ADU-2026-00001" || open[3] != "ADU-2026-00004" {
		t.Errorf("open %v", open)
	}
	if len(r.Overdue) != 2 || r.Overdue[0].Number != "ADU-2026-00002" || r.Overdue[1].Number != "ADU-2026-00004" {
		t.Fatalf("overdue %+v", r.Overdue)
	}
	// March has ended: how late an open case is today is not a figure of
	// March, and would move with the calendar.
	if r.Overdue[0].Late != 0 || r.Overdue[1].Late != 0 {
		t.Errorf("late in a closed month %v, %v", r.Overdue[0].Late, r.Overdue[1].Late)
	}
	// Read in April, the same cases are overdue by service time.
	april := mailproc.BuildMonthReport(2026, time.April, wib, cases[1:2], nil, mailproc.StandardClock, cal, now)
	if april.Closed {
		t.Error("April is closed on 2 April")
	}
	cur := mailproc.BuildMonthReport(2026, time.March, wib, cases, esc, mailproc.StandardClock, cal, at(time.March, 31, 16, 0))
	if len(cur.Overdue) != 0 || cur.Closed {
		t.Errorf("31 March 16.00: overdue %+v", cur.Overdue)
	}
	if r.Satisfaction != mailproc.SatisfactionNoData {
		t.Errorf("satisfaction %q", r.Satisfaction)
	}
}

func TestBuildMonthReportEmpty(t *testing.T) {
	r := mailproc.BuildMonthReport(2026, time.February, nil, nil, nil, mailproc.StandardClock, nil, time.Now())
	if r.Total != 0 || len(r.Days) != 28 || len(r.Kinds) != 2 || r.Kinds[0].HasPercent || r.Kinds[1].HasTimes {
		t.Errorf("%+v", r)
	}
	if len(r.Escalations) != 0 || len(r.Open) != 0 {
		t.Errorf("%+v", r)
	}
}

func TestEscalationLevelOf(t *testing.T) {
	for detail, want := range map[string]int{
		"tingkat 1 (Kepala Seksi, a@b) diberi tahu": 1,
		"tingkat 12 (x)": 12,
		"tidak ada tingkat pimpinan berikutnya; eskalasi berhenti di tingkat 2": 0,
		"tingkat (x)":    0,
		"tingkat 0 (x)":  0,
		"tingkat 2x (x)": 0,
	} {
		got, ok := mailproc.EscalationLevelOf(detail)
		if got != want || ok != (want > 0) {
			t.Errorf("EscalationLevelOf(%q) = %d, %v; want %d", detail, got, ok, want)
		}
	}
}

// TestBuildMonthReportClosedMonthReadsVerdicts: a closed month counts the
// stored verdicts — under the kind and promise judged — whatever the
// calendar, promise and kind given now; an undecided case is late only
// when open, unanswered and past its stored deadline.
func TestBuildMonthReportClosedMonthReadsVerdicts(t *testing.T) {
	cal, wib := reportCalendar(t)
	at := func(d, h, m int) time.Time { return time.Date(2026, 3, d, h, m, 0, 0, wib) }
	late := mailproc.Verdict{Outcome: mailproc.OutcomeLate, Kind: mailproc.KindAduan, Promise: time.Hour, Calendar: "x"}
	within := mailproc.Verdict{Outcome: mailproc.OutcomeWithin, Kind: mailproc.KindInformasi, Promise: 5 * time.Minute,
		ServiceTime: 4 * time.Minute, HasServiceTime: true, Calendar: "x"}
	cases := []*mailproc.Case{
		// Judged late at its deadline, then closed unanswered: still late.
		{ID: 1, Number: "ADU-2026-00001", Kind: mailproc.KindAduan, State: mailproc.StateSelesai, OpenedAt: at(2, 9, 0), Verdict: late},
		// Judged within as informasi, reclassified since, and answered
		// after 3 hours of today's calendar: within, informasi, 4 minutes.
		{ID: 2, Number: "ADU-2026-00002", Kind: mailproc.KindAduan, State: mailproc.StateSelesai, OpenedAt: at(3, 9, 0),
			FirstAnswerAt: at(3, 12, 0), Verdict: within},
		// Undecided: open and past its deadline, or closed, or not yet due.
		{ID: 3, Number: "INF-2026-00003", Kind: mailproc.KindInformasi, State: mailproc.StateDiakui, OpenedAt: at(4, 9, 0), DueAt: at(4, 9, 5)},
		{ID: 4, Number: "INF-2026-00004", Kind: mailproc.KindInformasi, State: mailproc.StateSelesai, OpenedAt: at(4, 9, 0), DueAt: at(4, 9, 5)},
		{ID: 5, Number: "INF-2026-00005", Kind: mailproc.KindInformasi, State: mailproc.StateDiakui, OpenedAt: at(31, 23, 0), DueAt: at(31, 23, 0).AddDate(0, 0, 5)},
	}
	now := time.Date(2026, 4, 2, 9, 0, 0, 0, wib)
	for _, promise := range []mailproc.FixedClock{mailproc.StandardClock, {Info: time.Minute, Complaint: 10 * time.Hour}} {
		for _, c := range []*mailproc.ServiceCalendar{cal, nil} {
			r := mailproc.BuildMonthReport(2026, time.March, wib, cases, nil, promise, c, now)
			inf, adu := r.Kinds[0], r.Kinds[1]
			if !r.Closed || inf.Cases != 4 || inf.Within != 1 || inf.Late != 1 || inf.ClosedUnanswered != 1 || inf.Pending != 1 ||
				inf.P50 != 4*time.Minute || inf.Promise != 5*time.Minute {
				t.Errorf("promise %v, calendar %v: informasi %+v", promise, c != nil, inf)
			}
			if adu.Cases != 1 || adu.Late != 1 || adu.ClosedUnanswered != 0 || adu.Promise != time.Hour {
				t.Errorf("promise %v, calendar %v: aduan %+v", promise, c != nil, adu)
			}
		}
	}
}

// TestBuildMonthReportPromiseVaries: verdicts made under two promises in
// one month are said to differ, not printed as today's promise.
func TestBuildMonthReportPromiseVaries(t *testing.T) {
	at := func(d int) time.Time { return time.Date(2026, 3, d, 9, 0, 0, 0, time.UTC) }
	v := func(p time.Duration) mailproc.Verdict {
		return mailproc.Verdict{Outcome: mailproc.OutcomeWithin, Kind: mailproc.KindInformasi, Promise: p, HasServiceTime: true}
	}
	cases := []*mailproc.Case{
		{ID: 1, Kind: mailproc.KindInformasi, State: mailproc.StateSelesai, OpenedAt: at(2), Verdict: v(5 * time.Minute)},
		{ID: 2, Kind: mailproc.KindInformasi, State: mailproc.StateSelesai, OpenedAt: at(3), Verdict: v(10 * time.Minute)},
	}
	r := mailproc.BuildMonthReport(2026, time.March, time.UTC, cases, nil, mailproc.StandardClock, nil, at(31).AddDate(0, 1, 0))
	if inf := r.Kinds[0]; !inf.PromiseVaries || inf.Within != 2 {
		t.Errorf("informasi %+v", inf)
	}
	if adu := r.Kinds[1]; adu.PromiseVaries || adu.Promise != time.Hour {
		t.Errorf("aduan (no verdicts: today's promise) %+v", adu)
	}
}

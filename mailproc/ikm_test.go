package mailproc_test

import (
	"testing"
	"time"

	"github.com/dpk-kampar/mailproc/mailproc"
)

func TestGradeIKM(t *testing.T) {
	for _, tc := range []struct {
		index float64
		want  string
	}{
		{100, "A"}, {88.31, "A"}, {88.305, "A"}, {88.30, "B"}, {76.61, "B"}, {76.60, "C"},
		{65.00, "C"}, {64.99, "D"}, {25, "D"},
	} {
		if g := mailproc.GradeIKM(tc.index); g.Letter != tc.want {
			t.Errorf("GradeIKM(%v) = %+v, want %s", tc.index, g, tc.want)
		}
	}
}

// TestAddRatings: IKM per kind and over all, one respondent per case (the
// latest rating), response rate over the month's closed cases, ratings of
// other months' cases left out.
func TestAddRatings(t *testing.T) {
	at := func(d int) time.Time { return time.Date(2026, 3, d, 9, 0, 0, 0, time.UTC) }
	cases := []*mailproc.Case{
		{ID: 1, Kind: mailproc.KindInformasi, State: mailproc.StateSelesai, OpenedAt: at(2)},
		{ID: 2, Kind: mailproc.KindInformasi, State: mailproc.StateSelesai, OpenedAt: at(3)},
		{ID: 3, Kind: mailproc.KindInformasi, State: mailproc.StateDijawab, OpenedAt: at(4)},
		// Judged as aduan, reclassified since: counted as judged.
		{ID: 4, Kind: mailproc.KindInformasi, State: mailproc.StateSelesai, OpenedAt: at(5),
			Verdict: mailproc.Verdict{Outcome: mailproc.OutcomeLate, Kind: mailproc.KindAduan}},
		{ID: 9, Kind: mailproc.KindAduan, State: mailproc.StateSelesai, OpenedAt: at(5).AddDate(0, 1, 0)},
	}
	r := mailproc.BuildMonthReport(2026, time.March, time.UTC, cases, nil, mailproc.StandardClock, nil, at(31))
	r.AddRatings(cases, []mailproc.Rating{
		{CaseID: 1, Score: 2}, {CaseID: 1, Score: 4}, // changed their mind: 4 counts
		{CaseID: 2, Score: 3},
		{CaseID: 4, Score: 1},
		{CaseID: 9, Score: 1}, // April
	})
	inf, adu, all := r.IKM[0], r.IKM[1], r.IKM[2]
	// informasi: (4+3)/2 × 25 = 87,50 → B; 2 of 2 closed.
	if inf.Answers != 2 || inf.Index != 87.5 || inf.Grade.Letter != "B" || inf.Closed != 2 || inf.ResponseRate != 100 {
		t.Errorf("informasi %+v", inf)
	}
	if adu.Answers != 1 || adu.Index != 25 || adu.Grade.Label != "Tidak Baik" || adu.Counts[1] != 1 {
		t.Errorf("aduan %+v", adu)
	}
	// all: (4+3+1)/3 × 25 = 66,67 → C; 3 of 3 closed.
	if all.Answers != 3 || all.Index != 66.67 || all.Grade.Letter != "C" || all.Closed != 3 || !all.HasRate {
		t.Errorf("all %+v", all)
	}
	if r.Satisfaction == mailproc.SatisfactionNoData {
		t.Error("no distribution line")
	}
}

package mailproc

import (
	"testing"
	"time"
)

func TestOpsNoticeNow(t *testing.T) {
	t0 := time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		last time.Time
		now  time.Time
		want bool
	}{
		{"never sent", time.Time{}, t0, true},
		{"just sent", t0, t0, false},
		{"within the interval", t0, t0.Add(14*time.Minute + 59*time.Second), false},
		{"interval passed exactly", t0, t0.Add(15 * time.Minute), true},
		{"long after", t0, t0.Add(3 * time.Hour), true},
		{"clock went back", t0, t0.Add(-time.Minute), false},
	} {
		if got := OpsNoticeNow(tc.last, tc.now, 15*time.Minute); got != tc.want {
			t.Errorf("%s: OpsNoticeNow = %v, want %v", tc.name, got, tc.want)
		}
	}
}

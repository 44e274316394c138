package mailproc

import (
	"testing"
	"time"
)

func TestRetentionDue(t *testing.T) {
	now := time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)
	r := Retention{KindInformasi: 30 * 24 * time.Hour}
	closed := func(kind Kind, ago time.Duration) *Case {
		return &Case{Kind: kind, State: StateSelesai, ClosedAt: now.Add(-ago)}
	}
	for _, tc := range []struct {
		name string
		c    *Case
		want bool
	}{
		{"closed longer ago than the period", closed(KindInformasi, 31*24*time.Hour), true},
		{"closed exactly the period ago", closed(KindInformasi, 30*24*time.Hour), true},
		{"closed within the period", closed(KindInformasi, 29*24*time.Hour), false},
		{"kind without a period is kept", closed(KindAduan, 3650*24*time.Hour), false},
		{"open case, however old", &Case{Kind: KindInformasi, State: StateDijawab, OpenedAt: now.AddDate(-5, 0, 0)}, false},
		{"selesai without a closing time", &Case{Kind: KindInformasi, State: StateSelesai}, false},
	} {
		if got := r.Due(tc.c, now); got != tc.want {
			t.Errorf("%s: Due = %v, want %v", tc.name, got, tc.want)
		}
	}
	if _, ok := (Retention{}).Cutoff(KindInformasi, now); ok {
		t.Error("Cutoff of a kind without a period: ok, want kept for ever")
	}
	if cut, ok := r.Cutoff(KindInformasi, now); !ok || !cut.Equal(now.Add(-30*24*time.Hour)) {
		t.Errorf("Cutoff = %v, %v", cut, ok)
	}
}

func TestReplaceAddr(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"balasan dari Budi@Contoh.ID ditolak", "balasan dari X ditolak"},
		{"budi@contoh.id, budi@contoh.id", "X, X"},
		{"tidak ada alamat", "tidak ada alamat"},
		{"", ""},
	} {
		if got := ReplaceAddr(tc.in, "budi@contoh.id", "X"); got != tc.want {
			t.Errorf("ReplaceAddr(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

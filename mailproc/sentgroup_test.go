package mailproc

import (
	"slices"
	"testing"
	"time"
)

// TestSentGroupAdd: a group is handed back for its commit when it holds
// SentGroupMax mails or its first mail has waited sentGroupWait, not
// before; take empties it whatever it holds.
func TestSentGroupAdd(t *testing.T) {
	t0 := time.Date(2026, 12, 5, 7, 0, 0, 0, time.UTC)
	acc := func(id int64, after time.Duration) accepted {
		return accepted{m: &OutgoingMail{ID: id}, at: t0.Add(after)}
	}
	for _, tt := range []struct {
		name  string
		adds  []time.Duration // when each mail was accepted
		flush []int           // after which adds (0-based) a group came back, and its size
		sizes []int
		rest  int // left for take
	}{
		{"one mail waits", []time.Duration{0}, nil, nil, 1},
		{"full at SentGroupMax", make([]time.Duration, SentGroupMax+1), []int{SentGroupMax - 1}, []int{SentGroupMax}, 1},
		{"the first mail waited long enough", []time.Duration{0, time.Millisecond, sentGroupWait}, []int{2}, []int{3}, 0},
		{"just under the wait", []time.Duration{0, sentGroupWait - time.Millisecond}, nil, nil, 2},
		{"the wait counts from a group's first mail", []time.Duration{0, sentGroupWait, sentGroupWait + time.Millisecond}, []int{1}, []int{2}, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var g sentGroup
			var flush, sizes []int
			for i, d := range tt.adds {
				if got := g.add(acc(int64(i+1), d)); got != nil {
					flush, sizes = append(flush, i), append(sizes, len(got))
				}
			}
			if !slices.Equal(flush, tt.flush) || !slices.Equal(sizes, tt.sizes) {
				t.Errorf("groups after adds %v of sizes %v, want %v of %v", flush, sizes, tt.flush, tt.sizes)
			}
			if rest := g.take(); len(rest) != tt.rest {
				t.Errorf("take = %d mails, want %d", len(rest), tt.rest)
			}
			if again := g.take(); again != nil {
				t.Errorf("take after take = %d mails", len(again))
			}
		})
	}
}

package main

import (
	"context"
	"sync/atomic"
	"testing"
	"time"
)

func TestDemoClock(t *testing.T) {
	wall := time.Date(2026, 11, 27, 15, 0, 0, 0, time.UTC)
	start := time.Date(2026, 11, 27, 9, 0, 0, 0, time.FixedZone("WIB", 7*3600))
	c := newDemoClock(start, func() time.Time { return wall })
	check := func(step string, want time.Time) {
		t.Helper()
		if got := c.Now(); !got.Equal(want) {
			t.Errorf("%s: Now %s, want %s", step, got, want)
		}
	}
	check("start", start)
	wall = wall.Add(2 * time.Second)
	check("real speed", start.Add(2*time.Second))
	c.SkipTo(start.Add(4 * time.Minute))
	check("stepped", start.Add(4*time.Minute))
	c.SkipTo(start.Add(time.Minute))
	check("never back", start.Add(4*time.Minute))

	c.SetSpeed(300)
	check("sped up", start.Add(4*time.Minute))
	wall = wall.Add(2 * time.Second)
	check("fast", start.Add(14*time.Minute))
	if got := c.WallUntil(start.Add(64 * time.Minute)); got != 10*time.Second {
		t.Errorf("WallUntil 50 clock minutes ahead at 300×: %s, want 10s", got)
	}
	if got := c.WallUntil(start); got >= 0 {
		t.Errorf("WallUntil a passed time: %s, want < 0", got)
	}
	c.SetSpeed(1)
	wall = wall.Add(time.Second)
	check("slow again", start.Add(14*time.Minute+time.Second))
}

// TestDemoClockWakesEscalator: the escalator is woken when the fast clock
// reaches the next escalation, not when the wall clock would.
func TestDemoClockWakesEscalator(t *testing.T) {
	start := time.Now()
	c := newDemoClock(start, time.Now)
	c.SetSpeed(300)
	due := start.Add(time.Minute) // 200 ms of wall time at 300×
	var woken atomic.Int64
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		c.wakeEscalator(ctx, func(context.Context) (time.Time, bool, error) { return due, true, nil }, func() {
			woken.CompareAndSwap(0, int64(time.Since(start)))
		})
	}()
	deadline := time.Now().Add(10 * time.Second)
	for woken.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-done
	got := time.Duration(woken.Load())
	if got == 0 {
		t.Fatal("the escalator was not woken within 10 s; its escalation was due after 200 ms")
	}
	if got < 190*time.Millisecond {
		t.Errorf("woken after %s, before the clock reached the escalation (200 ms)", got)
	}
	t.Logf("woken after %s", got)
}

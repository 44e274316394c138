package main

import (
	"context"
	"sync"
	"time"
)

// demoClock is the clock `mailproc demo` gives the daemon (Main.Now). The
// demo's morning starts at 09.00 WIB today; the demo steps the clock a
// minute at a time between the citizens' mails, so the timeline reads like a
// morning at the desk rather than one second of it, and then lets it run
// fast while nobody answers a complaint, so that the hour's promise and each
// level of the chain pass in half a minute. The promises themselves stay as
// published (5 menit, 1 jam): only the clock is fast, so the acknowledgements
// print the real deadlines.
type demoClock struct {
	wall func() time.Time // time.Now; a test's fake

	mu    sync.Mutex
	since time.Time // the wall time of the last change
	at    time.Time // what the clock showed then
	speed float64   // clock time per wall time
}

func newDemoClock(start time.Time, wall func() time.Time) *demoClock {
	return &demoClock{wall: wall, since: wall(), at: start, speed: 1}
}

// Now is the demo's time. It never goes back.
func (c *demoClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.nowLocked(c.wall())
}

func (c *demoClock) nowLocked(wall time.Time) time.Time {
	return c.at.Add(time.Duration(float64(wall.Sub(c.since)) * c.speed))
}

// SkipTo moves the clock forward to t; a t already passed changes nothing.
func (c *demoClock) SkipTo(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	wall := c.wall()
	if now := c.nowLocked(wall); t.After(now) {
		c.since, c.at = wall, t
	}
}

// SetSpeed makes the clock run speed times as fast as the wall clock from
// now on.
func (c *demoClock) SetSpeed(speed float64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	wall := c.wall()
	c.since, c.at, c.speed = wall, c.nowLocked(wall), speed
}

// WallUntil is the wall time left until the clock shows t, at its speed now;
// 0 or less when t has passed.
func (c *demoClock) WallUntil(t time.Time) time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Duration(float64(t.Sub(c.nowLocked(c.wall()))) / c.speed)
}

// demoWakeEvery bounds how long wakeEscalator sleeps before it looks again:
// the clock may have been stepped or sped up in the meantime.
const demoWakeEvery = 50 * time.Millisecond

// wakeEscalator wakes the escalator when the clock reaches the next pending
// escalation or reminder (next is the database's NextEscalation), until ctx
// ends. The escalator sleeps on a wall-clock timer set to the time left on
// Main.Now: right for the daemon, but on the fast clock it would sleep
// three hundred times too long. Woken, it reads the database again and
// escalates what the clock says is due.
func (c *demoClock) wakeEscalator(ctx context.Context, next func(context.Context) (time.Time, bool, error), wake func()) {
	for {
		wait := demoWakeEvery
		if at, ok, err := next(ctx); err == nil && ok {
			if left := c.WallUntil(at); left <= 0 {
				wake()
			} else {
				wait = min(wait, left)
			}
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}

package mailproc

import (
	"testing"
	"time"
)

func TestPurposeLane(t *testing.T) {
	for _, tt := range []struct {
		p    Purpose
		want Lane
	}{
		{PurposeAck, LaneCitizen},
		{PurposeAnswer, LaneCitizen},
		{PurposeClosing, LaneCitizen}, // after the answer it closes: the lane keeps a case's order
		{PurposeNotify, LaneStaff},
		{PurposeConfirm, LaneStaff},
		{PurposeHelp, LaneStaff},
		{PurposeEscalation, LaneStaff},
		{Purpose("report"), LaneStaff}, // a purpose added later waits behind citizens, before ops
		{PurposeOps, LaneOps},
	} {
		if got := tt.p.Lane(); got != tt.want {
			t.Errorf("%s.Lane() = %d, want %d", tt.p, got, tt.want)
		}
	}
	for _, p := range LanePurposes {
		if p.Lane() == LaneStaff {
			t.Errorf("LanePurposes lists %s, whose lane is the default", p)
		}
		if got, want := p.CaseOrdered(), p.Lane() == LaneCitizen; got != want {
			t.Errorf("%s.CaseOrdered() = %v, want %v", p, got, want)
		}
	}
	if PurposeNotify.CaseOrdered() {
		t.Error("notify is case-ordered: one refused staff address would hold the others")
	}
}

// TestMailLane: a notification held for a burst digest goes after ops;
// every other mail goes in its purpose's lane.
func TestMailLane(t *testing.T) {
	for _, tt := range []struct {
		m    OutgoingMail
		want Lane
	}{
		{OutgoingMail{Purpose: PurposeNotify}, LaneStaff},
		{OutgoingMail{Purpose: PurposeNotify, Burst: true}, LaneBurst},
		{OutgoingMail{Purpose: PurposeAck}, LaneCitizen},
		{OutgoingMail{Purpose: PurposeOps}, LaneOps},
	} {
		if got := tt.m.Lane(); got != tt.want {
			t.Errorf("%s (burst %v).Lane() = %d, want %d", tt.m.Purpose, tt.m.Burst, got, tt.want)
		}
	}
	if LaneBurst <= LaneOps {
		t.Errorf("LaneBurst %d sorts before LaneOps %d", LaneBurst, LaneOps)
	}
}

// TestLanePace: the burst lane is always paced, the citizen lane only
// with a backlog, staff and ops never.
func TestLanePace(t *testing.T) {
	for _, tt := range []struct {
		l       Lane
		backlog bool
		want    time.Duration
	}{
		{LaneCitizen, false, 0},
		{LaneCitizen, true, CitizenBacklogPace},
		{LaneStaff, false, 0},
		{LaneStaff, true, 0},
		{LaneOps, true, 0},
		{LaneBurst, false, BurstPace},
		{LaneBurst, true, BurstPace},
	} {
		if got := tt.l.Pace(tt.backlog); got != tt.want {
			t.Errorf("%s.Pace(%v) = %v, want %v", tt.l, tt.backlog, got, tt.want)
		}
	}
}

// TestPaceSlot: a mail goes at once when the lane's slot has passed, else
// at the slot; the next slot is one pace after the one taken.
func TestPaceSlot(t *testing.T) {
	t0 := time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)
	const pace = 50 * time.Millisecond
	for _, tt := range []struct {
		name            string
		next, now       time.Time
		wantAt, wantAft time.Time
	}{
		{"first mail (no slot yet)", time.Time{}, t0, t0, t0.Add(pace)},
		{"slot passed long ago", t0.Add(-time.Hour), t0, t0, t0.Add(pace)},
		{"slot now", t0, t0, t0, t0.Add(pace)},
		{"slot ahead: wait for it", t0.Add(30 * time.Millisecond), t0, t0.Add(30 * time.Millisecond), t0.Add(80 * time.Millisecond)},
	} {
		at, after := PaceSlot(tt.next, tt.now, pace)
		if !at.Equal(tt.wantAt) || !after.Equal(tt.wantAft) {
			t.Errorf("%s: PaceSlot = %v, %v; want %v, %v", tt.name, at, after, tt.wantAt, tt.wantAft)
		}
	}
}

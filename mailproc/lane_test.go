package mailproc

import "testing"

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

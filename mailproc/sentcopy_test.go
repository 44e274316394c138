package mailproc

import "testing"

func TestSentCopy(t *testing.T) {
	purposes := []Purpose{PurposeAck, PurposeAnswer, PurposeClosing, PurposeNotify, PurposeConfirm, PurposeHelp, PurposeEscalation, PurposeOps}
	for _, tt := range []struct {
		policy SentCopy
		copied int // the first copied purposes of the list above
	}{
		{"", 8}, {SentCopyAll, 8}, {SentCopyCitizen, 3}, {SentCopyNone, 0},
	} {
		for i, p := range purposes {
			if got, want := tt.policy.Copies(p), i < tt.copied; got != want {
				t.Errorf("SentCopy(%q).Copies(%s) = %v, want %v", tt.policy, p, got, want)
			}
		}
	}
}

package mailproc

import "testing"

func TestAuthRequirement(t *testing.T) {
	stamped := &Message{AuthResults: []string{"mx.desk.test; dkim=pass header.d=x.test", "other; spf=pass"}}
	other := &Message{AuthResults: []string{"other.test; spf=pass"}}
	none := &Message{}
	for _, tc := range []struct {
		name       string
		mode       AuthMode
		id         string
		seen       bool
		want       string
		teachesOn  *Message
		teachesYes bool
	}{
		{"on", AuthOn, "mx.desk.test", false, "mx.desk.test", stamped, false},
		{"off", AuthOff, "mx.desk.test", false, "", stamped, false},
		{"off even if seen", AuthOff, "mx.desk.test", true, "", stamped, false},
		{"auto, not yet seen", AuthAuto, "mx.desk.test", false, "", stamped, true},
		{"auto, seen", AuthAuto, "mx.desk.test", true, "mx.desk.test", stamped, false},
		{"auto without authserv_id", AuthAuto, "", true, "", stamped, false},
		{"auto, other server's stamp", AuthAuto, "mx.desk.test", false, "", other, false},
		{"auto, no stamp", AuthAuto, "mx.desk.test", false, "", none, false},
	} {
		a := &AuthRequirement{AuthservID: tc.id, Mode: tc.mode}
		if tc.seen {
			a.SetStamped()
		}
		if got := a.Required(); got != tc.want {
			t.Errorf("%s: Required() = %q, want %q", tc.name, got, tc.want)
		}
		if got := a.Teaches(tc.teachesOn); got != tc.teachesYes {
			t.Errorf("%s: Teaches = %v, want %v", tc.name, got, tc.teachesYes)
		}
	}
	var nilReq *AuthRequirement
	if nilReq.Required() != "" || nilReq.Teaches(stamped) {
		t.Error("a nil requirement requires nothing")
	}
}

func TestTopAuthservID(t *testing.T) {
	for _, tc := range []struct {
		in   []string
		want string
	}{
		{nil, ""},
		{[]string{"MX.Desk.Test; dkim=pass", "other; spf=pass"}, "mx.desk.test"},
		{[]string{`"mx.desk.test" 1; spf=pass`}, "mx.desk.test"},
		{[]string{"spf=pass (sender IP is 1.2.3.4) smtp.mailfrom=x.test; dkim=none"}, ""}, // Exchange Online
		{[]string{"   ; spf=pass"}, ""},
		{[]string{"other.test; spf=pass", "mx.desk.test; dkim=pass"}, "other.test"}, // only the topmost counts
	} {
		if got := TopAuthservID(tc.in); got != tc.want {
			t.Errorf("TopAuthservID(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

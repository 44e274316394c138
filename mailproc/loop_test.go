package mailproc

import "testing"

func TestAckPolicyRefuse(t *testing.T) {
	p := AckPolicy{
		DeskAddr:        "layanan@pustakaarsip.kamparkab.go.id",
		Internal:        []string{"petugas@pustakaarsip.kamparkab.go.id", "kadis@pustakaarsip.kamparkab.go.id"},
		PerSenderPerDay: 5,
	}
	citizen := func(mod func(m *Message)) *Message {
		m := &Message{From: Address{Addr: "siti@gmail.com"}, Auto: AutoHeaders{ReturnPath: "siti@gmail.com"}}
		if mod != nil {
			mod(m)
		}
		return m
	}
	tests := []struct {
		name   string
		m      *Message
		sent   int
		refuse bool
	}{
		{"a citizen", citizen(nil), 0, false},
		{"a citizen at the cap minus one", citizen(nil), 4, false},
		{"a citizen at the cap", citizen(nil), 5, true},
		{"Auto-Submitted: no is a person", citizen(func(m *Message) { m.Auto.AutoSubmitted = "no" }), 0, false},
		{"out of office", citizen(func(m *Message) { m.Auto.AutoSubmitted = "auto-replied" }), 0, true},
		{"auto-generated", citizen(func(m *Message) { m.Auto.AutoSubmitted = "auto-generated" }), 0, true},
		{"precedence bulk", citizen(func(m *Message) { m.Auto.Precedence = "bulk" }), 0, true},
		{"precedence junk", citizen(func(m *Message) { m.Auto.Precedence = "junk" }), 0, true},
		{"precedence list", citizen(func(m *Message) { m.Auto.Precedence = "list" }), 0, true},
		{"precedence first-class is fine", citizen(func(m *Message) { m.Auto.Precedence = "first-class" }), 0, false},
		{"list headers", citizen(func(m *Message) { m.Auto.ListHeaders = true }), 0, true},
		{"X-Auto-Response-Suppress", citizen(func(m *Message) { m.Auto.HasXAutoResponseSuppress = true }), 0, true},
		{"precedence auto_reply", citizen(func(m *Message) { m.Auto.Precedence = "auto_reply" }), 0, true},
		{"X-Autoreply", citizen(func(m *Message) { m.Auto.AutoReply = "X-Autoreply" }), 0, true},
		{"null return path", citizen(func(m *Message) { m.Auto.ReturnPath = "<>" }), 0, true},
		{"no from", citizen(func(m *Message) { m.From.Addr = "" }), 0, true},
		{"MAILER-DAEMON", citizen(func(m *Message) { m.From.Addr = "MAILER-DAEMON@mx.google.com" }), 0, true},
		{"postmaster", citizen(func(m *Message) { m.From.Addr = "postmaster@yahoo.co.id" }), 0, true},
		{"noreply", citizen(func(m *Message) { m.From.Addr = "noreply@bank.co.id" }), 0, true},
		{"no-reply", citizen(func(m *Message) { m.From.Addr = "no-reply@accounts.google.com" }), 0, true},
		{"noreply with tag", citizen(func(m *Message) { m.From.Addr = "noreply+abc@github.com" }), 0, true},
		{"list request", citizen(func(m *Message) { m.From.Addr = "warga-kampar-request@lists.example.org" }), 0, true},
		{"list owner", citizen(func(m *Message) { m.From.Addr = "owner-warga@lists.example.org" }), 0, true},
		{"our own address, any case", citizen(func(m *Message) { m.From.Addr = "Layanan@PustakaArsip.KamparKab.go.id" }), 0, true},
		{"staff", citizen(func(m *Message) { m.From.Addr = "petugas@pustakaarsip.kamparkab.go.id" }), 0, true},
		{"head", citizen(func(m *Message) { m.From.Addr = "kadis@pustakaarsip.kamparkab.go.id" }), 0, true},
		{"a person called Noreen is not a robot", citizen(func(m *Message) { m.From.Addr = "noreen@gmail.com" }), 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			why := p.Refuse(tt.m, tt.sent)
			if (why != "") != tt.refuse {
				t.Fatalf("Refuse = %q, want refuse=%v", why, tt.refuse)
			}
		})
	}
}

func TestIsBounce(t *testing.T) {
	tests := []struct {
		name string
		m    Message
		want bool
	}{
		{"dsn", Message{Auto: AutoHeaders{ContentType: "multipart/report", ReportType: "delivery-status"}}, true},
		{"read receipt is not a bounce", Message{Auto: AutoHeaders{ContentType: "multipart/report", ReportType: "disposition-notification"}}, false},
		{"daemon with null sender", Message{From: Address{Addr: "MAILER-DAEMON@mail.example"}, Auto: AutoHeaders{ReturnPath: "<>"}}, true},
		{"a citizen", Message{From: Address{Addr: "siti@gmail.com"}, Auto: AutoHeaders{ReturnPath: "siti@gmail.com"}}, false},
		{"parsed report", Message{Report: &DeliveryReport{}}, true},
	}
	for _, tt := range tests {
		if got := IsBounce(&tt.m); got != tt.want {
			t.Errorf("%s: IsBounce = %v", tt.name, got)
		}
	}
}

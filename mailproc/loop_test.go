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

func TestAckAddressAndReplyTo(t *testing.T) {
	p := AckPolicy{DeskAddr: "layanan@pustakaarsip.kamparkab.go.id", Internal: []string{"petugas@pustakaarsip.kamparkab.go.id"}, PerSenderPerDay: 2}
	tests := []struct {
		name    string
		m       Message
		sent    int
		ackTo   string
		refused bool
	}{
		{"From only", Message{From: Address{Addr: "siti@gmail.com"}}, 0, "siti@gmail.com", false},
		{"Reply-To wins", Message{From: Address{Addr: "hendra@gmail.com"}, ReplyTo: []Address{{Addr: "sekretariat@sman1.sch.id"}}}, 0, "sekretariat@sman1.sch.id", false},
		{"cap counts the Reply-To address", Message{From: Address{Addr: "hendra@gmail.com"}, ReplyTo: []Address{{Addr: "sekretariat@sman1.sch.id"}}}, 2, "sekretariat@sman1.sch.id", true},
		{"Reply-To the desk", Message{From: Address{Addr: "hendra@gmail.com"}, ReplyTo: []Address{{Addr: "layanan@pustakaarsip.kamparkab.go.id"}}}, 0, "layanan@pustakaarsip.kamparkab.go.id", true},
		{"Reply-To staff", Message{From: Address{Addr: "hendra@gmail.com"}, ReplyTo: []Address{{Addr: "petugas@pustakaarsip.kamparkab.go.id"}}}, 0, "petugas@pustakaarsip.kamparkab.go.id", true},
		{"Reply-To a robot", Message{From: Address{Addr: "hendra@gmail.com"}, ReplyTo: []Address{{Addr: "noreply@sekolah.sch.id"}}}, 0, "noreply@sekolah.sch.id", true},
		{"web form: no-reply From, a person in Reply-To", Message{From: Address{Addr: "noreply@kamparkab.go.id"}, ReplyTo: []Address{{Addr: "warga@gmail.com"}}}, 0, "warga@gmail.com", false},
		{"MAILER-DAEMON with a Reply-To is still a robot", Message{From: Address{Addr: "MAILER-DAEMON@mx.example.id"}, ReplyTo: []Address{{Addr: "warga@gmail.com"}}}, 0, "warga@gmail.com", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := AckAddress(&tt.m).Addr; got != tt.ackTo {
				t.Errorf("AckAddress = %q, want %q", got, tt.ackTo)
			}
			if why := p.Refuse(&tt.m, tt.sent); (why != "") != tt.refused {
				t.Errorf("Refuse = %q, want refused=%v", why, tt.refused)
			}
		})
	}
}

func TestRobotOf(t *testing.T) {
	reply := []string{"ack.INF-2026-00001.a@pustakaarsip.kamparkab.go.id"}
	tests := []struct {
		name string
		m    Message
		want Robot
	}{
		{"a person", Message{From: Address{Addr: "siti@gmail.com"}, Subject: "Jam buka"}, RobotNone},
		{"a person writing out of office in a new mail", Message{From: Address{Addr: "siti@gmail.com"}, Subject: "Out of office: kantor tutup"}, RobotNone},
		{"a person replying with Re: Out of office", Message{From: Address{Addr: "siti@gmail.com"}, Subject: "Re: Out of office: kantor tutup", InReplyTo: reply}, RobotNone},
		{"Out of Office reply", Message{From: Address{Addr: "siti@gmail.com"}, Subject: "Out of Office: [INF-2026-00001] Tanda terima", InReplyTo: reply}, RobotAutoReply},
		{"Abwesenheitsnotiz", Message{From: Address{Addr: "k@web.de"}, Subject: "Abwesenheitsnotiz: Ihre Nachricht", References: reply}, RobotAutoReply},
		{"Réponse automatique", Message{From: Address{Addr: "k@orange.fr"}, Subject: "Réponse automatique : [INF-2026-00001]", InReplyTo: reply}, RobotAutoReply},
		{"Balasan otomatis", Message{From: Address{Addr: "k@gmail.com"}, Subject: "Balasan otomatis: Tanda terima", InReplyTo: reply}, RobotAutoReply},
		{"iCloud vacation marker", Message{From: Address{Addr: "d@icloud.com"}, Auto: AutoHeaders{Marker: "X-Apple-Action: VACATION"}}, RobotAutoReply},
		{"Exchange system message", Message{From: Address{Addr: "x@contoso.com"}, Auto: AutoHeaders{Marker: "X-MS-Exchange-Generated-Message-Source: Mailbox Rules Agent"}}, RobotBulk},
		{"auto-generated", Message{From: Address{Addr: "sistem@bank.co.id"}, Auto: AutoHeaders{AutoSubmitted: "auto-generated"}}, RobotBulk},
		{"list", Message{From: Address{Addr: "info@kominfo.go.id"}, Auto: AutoHeaders{Precedence: "list"}}, RobotBulk},
		{"ARF", Message{From: Address{Addr: "fbl@yahoo.com"}, Auto: AutoHeaders{ContentType: "multipart/report", ReportType: "feedback-report"}}, RobotSpamReport},
		{"MDN", Message{From: Address{Addr: "r@kampar.go.id"}, Auto: AutoHeaders{ContentType: "multipart/report", ReportType: "disposition-notification"}}, RobotReadReceipt},
		{"DSN", Message{From: Address{Addr: "mailer-daemon@x.id"}, Auto: AutoHeaders{ContentType: "multipart/report", ReportType: "delivery-status"}}, RobotBounce},
		{"post_master null sender", Message{From: Address{Addr: "post_master@x.id"}, Auto: AutoHeaders{ReturnPath: "<>"}}, RobotBounce},
		{"Mail.Delivery.System", Message{From: Address{Addr: "Mail.Delivery.System@x.id"}}, RobotBounce},
		{"bare MAILER-DAEMON", Message{From: Address{Addr: "MAILER-DAEMON"}}, RobotBounce},
		{"no sender is no robot", Message{Subject: "Tolong"}, RobotNone},
		{"X-Auto-Response-Suppress alone still opens a case", Message{From: Address{Addr: "budi@outlook.com"}, Auto: AutoHeaders{HasXAutoResponseSuppress: true}}, RobotNone},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := RobotOf(&tt.m); got != tt.want {
				t.Errorf("RobotOf = %q (automatic %q), want %q", got, AutomaticReason(&tt.m), tt.want)
			}
			if OpensCase(&tt.m) != (tt.want == RobotNone) {
				t.Errorf("OpensCase disagrees with RobotOf")
			}
		})
	}
}

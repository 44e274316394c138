package mailproc_test

import (
	"testing"
	"time"

	"github.com/dpk-kampar/mailproc/mailproc"
)

// TestInspect: each field is the decision intake makes for the same mail.
func TestInspect(t *testing.T) {
	desk := "layanan@pustakaarsip.kamparkab.go.id"
	staff := mailproc.Person{Addr: "rina@pustakaarsip.kamparkab.go.id", Role: mailproc.RoleStaff}
	p := mailproc.InspectPolicy{Ack: mailproc.AckPolicy{DeskAddr: desk, Internal: []string{staff.Addr}},
		Directory: mailproc.Directory{People: []mailproc.Person{staff}}, Now: time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)}
	citizen := &mailproc.Message{From: mailproc.Address{Addr: "siti@example.org"}, Subject: "Buku rusak", Text: "Saya mau lapor buku rusak."}
	robot := &mailproc.Message{From: mailproc.Address{Addr: "siti@example.org"}, Subject: "Out of office", Text: "Saya cuti.",
		Auto: mailproc.AutoHeaders{AutoSubmitted: "auto-replied"}}
	fromStaff := &mailproc.Message{From: mailproc.Address{Addr: staff.Addr}, Subject: "Re: [INF-2026-00001] x",
		Text: "#catatan sudah ditelepon\n\n" + mailproc.ReplyMarker + "\n> isi"}
	leaky := &mailproc.Message{From: mailproc.Address{Addr: staff.Addr}, Text: "Ya.\nmailproc.notify.inf-2026-00001.0123456789abcdef.0123@x"}

	in := mailproc.Inspect(citizen, p)
	if !in.OpensCase || in.AckTo != "siti@example.org" || in.AckRefused != "" || in.Kind != mailproc.KindAduan || in.KindReason == "" || in.Automatic != "" || in.Bounce != nil {
		t.Errorf("citizen: %+v", in)
	}
	in = mailproc.Inspect(robot, p)
	if in.Automatic == "" || in.AckTo != "" || in.AckRefused != in.Automatic {
		t.Errorf("auto-reply: %+v", in)
	}
	in = mailproc.Inspect(fromStaff, p)
	if in.OpensCase || !in.Staff || in.AckTo != "" || in.Reply != "" {
		t.Errorf("staff note: %+v", in)
	}
	in = mailproc.Inspect(leaky, p)
	if in.Reply != "" || len(in.ReplyHeld) == 0 {
		t.Errorf("a token in the answer: %+v", in)
	}
}

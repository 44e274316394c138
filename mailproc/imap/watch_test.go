package imap

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestWatchSkipsOwnSentMail: in the Sent folder, the mail mailproc sent
// itself is passed over without being downloaded; what staff wrote there
// is handed to the handler; nothing is moved and the bookmark passes all.
func TestWatchSkipsOwnSentMail(t *testing.T) {
	e := newEnv(t, capsFull)
	if err := e.srv.user.Create("Sent", nil); err != nil {
		t.Fatal(err)
	}
	own := func(i int) []byte {
		return []byte(fmt.Sprintf("From: layanan@pustakaarsip.kamparkab.go.id\r\nTo: warga%d@example.id\r\nSubject: [INF-2026-0000%d] Tanda terima\r\n"+
			"Message-ID: <mailproc.ack.inf-2026-0000%d.0123456789abcdef@pustakaarsip.kamparkab.go.id>\r\n\r\nTerima kasih.\r\n", i, i, i))
	}
	// A watched folder is read from its end on the first start (history is
	// not imported): the mails arrive while the intake runs.
	r := e.run(func(in *Intake) {
		in.Inbox, in.Watch = "Sent", true
		in.SkipOwn = func(id string) bool { return strings.HasPrefix(id, "mailproc.") }
	})
	waitFor(t, 10*time.Second, "the connection", func() bool { return r.Status().Connected })
	r.syncs(t, 1)
	e.srv.appendMail("Sent", own(1))
	e.srv.appendMail("Sent", testMail(2, "jawaban petugas dari kotak bersama"))
	e.srv.appendMail("Sent", own(3))
	e.srv.appendMail("Sent", own(4))
	last := e.srv.appendMail("Sent", testMail(5, "jawaban lain"))
	waitFor(t, 10*time.Second, "the bookmark past the last mail", func() bool { return e.bm.get("Sent").LastUID == uint32(last) })
	r.stop(t)

	var got []string
	for _, rec := range e.h.records() {
		got = append(got, rec.MessageID)
	}
	if want := []string{"<mail-2@example.id>", "<mail-5@example.id>"}; strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("handed to the handler: %v, want %v", got, want)
	}
	if n := e.srv.count("Sent"); n != 5 {
		t.Fatalf("Sent holds %d, want all 5 left in place", n)
	}
	// No body fetch named an own mail's UID (1, 3, 4).
	fetches := bodyFetch.FindAllStringSubmatch(e.srv.trace.String(), -1)
	if len(fetches) == 0 {
		t.Fatal("no body fetch in the trace: the staff mails were not downloaded?")
	}
	for _, m := range fetches {
		for _, part := range strings.Split(m[1], ",") {
			lo, hi, _ := strings.Cut(part, ":")
			if hi == "" {
				hi = lo
			}
			var a, b int
			fmt.Sscan(lo, &a)
			fmt.Sscan(hi, &b)
			for _, own := range []int{1, 3, 4} {
				if a <= own && own <= b {
					t.Errorf("own sent mail UID %d was downloaded: %s", own, m[0])
				}
			}
		}
	}
}

var bodyFetch = regexp.MustCompile(`UID FETCH ([0-9,:]+) \(UID BODY\.PEEK\[\]\)`)

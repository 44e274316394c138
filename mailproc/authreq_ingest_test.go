package mailproc_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/dpk-kampar/mailproc/mailproc"
	"github.com/dpk-kampar/mailproc/mailproc/msgauth"
	"github.com/dpk-kampar/mailproc/mailproc/sqlite"
)

// TestRequireAuthAuto: desk.require_auth = "auto" stays off while no staff
// mail shows the desk server's stamp (a citizen's forged stamp teaches
// nothing), turns on with the first staff reply that carries a valid token
// and the stamp, records that in the database, and from then on a staff
// reply without a passing Authentication-Results is not relayed.
func TestRequireAuthAuto(t *testing.T) {
	w := newDeskWorld(t)
	const id = "mx.pustakaarsip.kamparkab.go.id"
	req := &mailproc.AuthRequirement{AuthservID: id, Mode: mailproc.AuthAuto}
	w.in.RequireAuth, w.in.Auth = req, msgauth.Verifier{}
	seen := func() bool {
		_, _, ok, err := w.db.DeskState(context.Background(), mailproc.DeskStateAuthStamp)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	answers := func() int {
		rows, err := w.db.Outbox(context.Background(), sqlite.OutboxFilter{Purpose: mailproc.PurposeAnswer})
		if err != nil {
			t.Fatal(err)
		}
		return len(rows)
	}
	stamp := "Authentication-Results: " + id + "; dkim=pass header.d=pustakaarsip.kamparkab.go.id; spf=pass smtp.mailfrom=pustakaarsip.kamparkab.go.id\n"

	w.mail("From: siti@gmail.com\nTo: " + desk + "\nSubject: Tanya\nMessage-ID: <forge.siti@gmail.com>\n" +
		"Authentication-Results: " + id + "; dkim=pass header.d=gmail.com\n\nJam buka?\n")
	if seen() || req.Required() != "" {
		t.Fatal("a citizen's mail with our server's stamp switched require_auth on")
	}
	number := w.complaint("budi@gmail.com")
	var notify *mailproc.OutgoingMail
	rows, _ := w.db.Outbox(context.Background(), sqlite.OutboxFilter{Purpose: mailproc.PurposeNotify})
	for _, r := range rows {
		if r.CaseID != 0 {
			if c, _ := w.db.CaseByNumber(context.Background(), number); c != nil && c.ID == r.CaseID {
				notify = r
			}
		}
	}
	if notify == nil {
		t.Fatal("no notification for the complaint")
	}
	reply := func(n int, headers string) {
		w.mail(fmt.Sprintf("From: petugas@pustakaarsip.kamparkab.go.id\nTo: %s\nSubject: Re: %s\nIn-Reply-To: <%s>\nMessage-ID: <reply-%d@pustakaarsip.kamparkab.go.id>\n%s\nJawaban %d.\n",
			desk, notify.Subject, notify.MessageID, n, headers, n))
	}
	reply(1, stamp)
	if !seen() || req.Required() != id {
		t.Fatalf("a stamped staff reply with a valid token did not switch require_auth on (seen %v, required %q)", seen(), req.Required())
	}
	if n := answers(); n != 1 {
		t.Fatalf("%d answers relayed, want 1 (the stamped reply passes)", n)
	}
	reply(2, "")
	if n := answers(); n != 1 {
		t.Fatalf("%d answers relayed after an unstamped staff reply, want still 1", n)
	}
}

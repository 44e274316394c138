package imap

import (
	"context"
	"slices"
	"testing"
	"time"

	goimap "github.com/emersion/go-imap/v2"
)

// TestRecover: of the mail in the processed folder that arrived since the
// time asked, exactly the mail the database does not know goes back to the
// inbox; known mail and older mail stay; the case numbers of the Sent
// folder's subjects since then are reported. With MOVE and without it.
func TestRecover(t *testing.T) {
	for name, caps := range map[string]goimap.CapSet{"move": capsFull, "bare": capsBare} {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, caps)
			for _, box := range []string{"Diproses", "Sent"} {
				if err := e.srv.user.Create(box, nil); err != nil {
					t.Fatal(err)
				}
			}
			for i := 1; i <= 5; i++ {
				e.srv.appendMail("Diproses", testMail(i, "isi"))
			}
			e.srv.appendMail("Sent", []byte("From: layanan@pustakaarsip.kamparkab.go.id\r\nSubject: [INF-2026-00031] Tanda terima\r\nMessage-ID: <a@desk>\r\n\r\nx\r\n"))
			known := map[string]bool{"mail-1@example.id": true, "mail-3@example.id": true}

			res, err := Recover(context.Background(), e.config(), "Sent", arrivedAt.Add(-time.Minute), func(id string) (bool, error) {
				return known[id], nil
			})
			if err != nil {
				t.Fatal(err)
			}
			slices.Sort(res.Moved)
			if want := []string{"mail-2@example.id", "mail-4@example.id", "mail-5@example.id"}; !slices.Equal(res.Moved, want) || res.Known != 2 {
				t.Errorf("moved %v, known %d; want %v and 2", res.Moved, res.Known, want)
			}
			if !slices.Equal(res.Numbers, []string{"INF-2026-00031"}) {
				t.Errorf("numbers %v", res.Numbers)
			}
			// Without MOVE the copies stay in Diproses, flagged; the inbox
			// gets the three either way.
			if got := e.srv.count("INBOX"); got != 3 {
				t.Errorf("INBOX holds %d, want 3", got)
			}

			// Mail older than since is not looked at.
			res, err = Recover(context.Background(), e.config(), "", arrivedAt.Add(time.Minute), func(string) (bool, error) { return false, nil })
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Moved) != 0 {
				t.Errorf("moved %v of mail that arrived before since", res.Moved)
			}
		})
	}
}

package imap

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// A committed batch's MOVE goes out behind the next batch's body FETCH, on
// the same connection, and every batch is still moved once and in order:
// the server moves one batch while the next is read.
func TestMoveQueuedBehindTheNextFetch(t *testing.T) {
	e := newEnv(t, capsFull)
	e.srv.fillInbox(6, "Keluhan layanan.")
	bh := &batchingHandler{testHandler: e.h}
	r := e.run(func(in *Intake) { in.Handler = bh; in.FetchBatch = 2 })
	r.firstSync(t)
	waitFor(t, 10*time.Second, "six mails in Diproses", func() bool { return e.srv.count("Diproses") == 6 })
	cmds := e.srv.commands()
	var moves []string
	for _, c := range cmds {
		if strings.HasPrefix(c, "UID MOVE ") {
			moves = append(moves, c)
		}
	}
	// The MOVE of 1:2 waits for 3:4 to be committed, then goes out right
	// behind the body FETCH of 5:6 (whether the server answers that FETCH
	// before it reads the MOVE is up to the server's pace).
	var next []string
	if i := slices.Index(cmds, "UID FETCH 5:6 (UID BODY.PEEK[])"); i >= 0 {
		for _, c := range cmds[i+1:] {
			if !strings.HasPrefix(c, "OK ") {
				next = append(next, c)
			}
		}
	}
	if len(next) == 0 || next[0] != `UID MOVE 1:2 "Diproses"` {
		t.Errorf("the MOVE of 1:2 does not follow the FETCH of 5:6: %q", cmds)
	}
	if want := []string{`UID MOVE 1:2 "Diproses"`, `UID MOVE 3:4 "Diproses"`, `UID MOVE 5:6 "Diproses"`}; !slices.Equal(moves, want) {
		t.Errorf("moves %q, want %q", moves, want)
	}
	if m := e.bm.maxLastUID(); m != 6 {
		t.Errorf("bookmark at %d, want 6", m)
	}
	if twice := e.h.storedTwice(); len(twice) > 0 {
		t.Errorf("stored twice: %v", twice)
	}
}

// A queued MOVE that fails (here the folder was deleted under the intake)
// ends the sync like any failed MOVE: the bookmark stays below the mails it
// did not move, the batches read meanwhile are committed, and the next
// session moves them all by Seen without fetching or storing any twice.
func TestQueuedMoveFailureLosesNothing(t *testing.T) {
	e := newEnv(t, capsFull)
	e.srv.fillInbox(6, "Keluhan layanan.")
	bh := &batchingHandler{testHandler: e.h}
	deleted := false
	bh.onAdd = func(uid uint32) {
		if uid == 3 && !deleted {
			// Before the MOVE of 1:2 is sent: it fails with NO.
			deleted = true
			if err := e.srv.user.Delete("Diproses"); err != nil {
				t.Error(err)
			}
		}
	}
	r := e.run(func(in *Intake) { in.Handler = bh; in.FetchBatch = 2 })
	waitFor(t, 10*time.Second, "six mails in Diproses", func() bool { return e.srv.count("Diproses") == 6 })
	r.syncs(t, 1)
	e.allStoredOnceAndMoved(t, 6)
	for uid := uint32(1); uid <= 6; uid++ {
		if n := e.h.attempts(uid); n != 1 {
			t.Errorf("UID %d ingested %d times, want 1", uid, n)
		}
	}
	if st := r.Status(); st.Reconnects == 0 {
		t.Errorf("status %+v: want the failed MOVE to have ended a session", st)
	}
}

// allStoredOnceAndMoved checks the end of a run over n mails: the inbox
// empty, each mail stored once, the bookmark at the last.
func (e *env) allStoredOnceAndMoved(t *testing.T, n int) {
	t.Helper()
	if c := e.srv.count("INBOX"); c != 0 {
		t.Errorf("INBOX holds %d, want 0", c)
	}
	if c := e.h.stored(); c != n {
		t.Errorf("%d mails stored, want %d", c, n)
	}
	if twice := e.h.storedTwice(); len(twice) > 0 {
		t.Errorf("stored twice: %v", twice)
	}
	if st := e.bm.get("INBOX"); st.LastUID != uint32(n) {
		t.Errorf("LastUID %d, want %d", st.LastUID, n)
	}
}

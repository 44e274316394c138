package imap

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dpk-kampar/mailproc/mailproc"
)

// sixInBatchesOfTwo runs a batching intake over six mails, two a batch,
// until all six are in Diproses.
func sixInBatchesOfTwo(t *testing.T) *env {
	e := newEnv(t, capsFull)
	e.srv.fillInbox(6, "Keluhan layanan.")
	bh := &batchingHandler{testHandler: e.h}
	r := e.run(func(in *Intake) { in.Handler = bh; in.FetchBatch = 2 })
	r.firstSync(t)
	waitFor(t, 10*time.Second, "six mails in Diproses", func() bool { return e.srv.count("Diproses") == 6 })
	return e
}

// A committed batch's MOVE goes out behind the next batch's body FETCH, on
// the same connection, and every batch is still moved once and in order:
// the server moves one batch while the next is read.
func TestMoveQueuedBehindTheNextFetch(t *testing.T) {
	e := sixInBatchesOfTwo(t)
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

// The metadata of the next batch is asked for right behind the current
// batch's body FETCH, once, and staging that batch starts from its reply
// instead of a round trip of its own.
func TestMetadataAskedAhead(t *testing.T) {
	e := sixInBatchesOfTwo(t)
	var reqs []string // the client's commands, replies left out
	for _, c := range e.srv.commands() {
		if !strings.HasPrefix(c, "OK ") {
			reqs = append(reqs, c)
		}
	}
	isMeta := func(c, set string) bool {
		return strings.HasPrefix(c, "UID FETCH "+set+" (UID ") && !strings.Contains(c, "BODY")
	}
	for _, b := range []struct{ body, nextMeta string }{{"1:2", "3:4"}, {"3:4", "5:6"}} {
		i := slices.Index(reqs, "UID FETCH "+b.body+" (UID BODY.PEEK[])")
		var after []string
		if i >= 0 {
			after = reqs[i+1:]
		}
		// Behind the body FETCH: maybe a queued MOVE, then the metadata.
		for len(after) > 0 && strings.HasPrefix(after[0], "UID MOVE ") {
			after = after[1:]
		}
		if len(after) == 0 || !isMeta(after[0], b.nextMeta) {
			t.Errorf("the metadata of %s is not asked for behind the body FETCH of %s: %q", b.nextMeta, b.body, reqs)
		}
	}
	for _, set := range []string{"1:2", "3:4", "5:6"} {
		n := 0
		for _, c := range reqs {
			if isMeta(c, set) {
				n++
			}
		}
		if n != 1 {
			t.Errorf("metadata of %s asked for %d times, want 1: %q", set, n, reqs)
		}
	}
	e.allStoredOnceAndMoved(t, 6)
}

// Metadata asked ahead for a batch whose mails were all handled before is
// read and dropped: the session goes on, and those mails are moved
// unfetched. The batches are larger than the 128 replies the client holds
// for a command nobody reads: left unread, they would stop its reader, and
// the session with it.
func TestMetadataAheadOfAHandledBatch(t *testing.T) {
	const batch = 130
	e := newEnv(t, capsFull)
	e.srv.fillInbox(3*batch, "Keluhan layanan.")
	uidv := e.srv.status("INBOX").uidValidity
	for uid := uint32(batch + 1); uid <= 2*batch; uid++ {
		e.h.deliveries[mailproc.Delivery{Mailbox: "INBOX", UIDValidity: uidv, UID: uid}] = mailproc.Stored
	}
	bh := &batchingHandler{testHandler: e.h}
	r := e.run(func(in *Intake) { in.Handler = bh; in.FetchBatch = batch })
	waitFor(t, 10*time.Second, "inbox empty", func() bool { return e.srv.count("INBOX") == 0 })
	r.syncs(t, 1)
	var uids []uint32
	for _, rec := range e.h.records() {
		if u := rec.Delivery.UID; u > batch && u <= 2*batch {
			t.Fatalf("UID %d, handled before, was ingested again", u)
		}
		uids = append(uids, rec.Delivery.UID)
	}
	if len(uids) != 2*batch {
		t.Errorf("%d mails ingested, want %d", len(uids), 2*batch)
	}
	if n := e.srv.count("Diproses"); n != 3*batch {
		t.Errorf("Diproses holds %d, want %d", n, 3*batch)
	}
}

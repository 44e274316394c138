package imap

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	goimap "github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

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

// requests returns the commands the client sent, without the server's
// tagged OK replies that commands also returns.
func (ts *testServer) requests() []string {
	var reqs []string
	for _, c := range ts.commands() {
		if !strings.HasPrefix(c, "OK ") {
			reqs = append(reqs, c)
		}
	}
	return reqs
}

// isMetaFetch says whether command c is the metadata FETCH of set.
func isMetaFetch(c, set string) bool {
	return strings.HasPrefix(c, "UID FETCH "+set+" (UID ") && !strings.Contains(c, "BODY")
}

// The metadata of the next batch is asked for right behind the current
// batch's body FETCH, once, and staging that batch starts from its reply
// instead of a round trip of its own.
func TestMetadataAskedAhead(t *testing.T) {
	e := sixInBatchesOfTwo(t)
	reqs := e.srv.requests()
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
		if len(after) == 0 || !isMetaFetch(after[0], b.nextMeta) {
			t.Errorf("the metadata of %s is not asked for behind the body FETCH of %s: %q", b.nextMeta, b.body, reqs)
		}
	}
	for _, set := range []string{"1:2", "3:4", "5:6"} {
		n := 0
		for _, c := range reqs {
			if isMetaFetch(c, set) {
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

// The first batch's metadata is asked for right behind the SEARCH, for the
// UIDs above the bookmark, without waiting for the SEARCH's reply: at the
// session's start and when the server reports new mail while it idles.
// That batch's metadata is then asked for once, never again after the
// SEARCH.
func TestMetadataGuessedBehindTheSearch(t *testing.T) {
	e := newEnv(t, capsFull)
	e.srv.fillInbox(3, "Keluhan layanan.")
	r := e.run(func(in *Intake) { in.FetchBatch, in.PollInterval = 2, time.Hour }) // only IDLE finds the next mail
	waitFor(t, 10*time.Second, "three mails in Diproses", func() bool { return e.srv.count("Diproses") == 3 })
	e.srv.waitIdling(t)
	e.srv.appendMail("INBOX", testMail(4, "Mohon info jam buka."))
	waitFor(t, 10*time.Second, "the fourth mail in Diproses", func() bool { return e.srv.count("Diproses") == 4 })
	r.stop(t)

	reqs := e.srv.requests()
	var searches []int
	for i, c := range reqs {
		if strings.HasPrefix(c, "UID SEARCH ") {
			searches = append(searches, i)
		}
	}
	if len(searches) != 2 {
		t.Fatalf("%d SEARCHes, want 2 (at the start, after the EXISTS): %q", len(searches), reqs)
	}
	for k, guess := range []string{"1:2", "4:5"} {
		if i := searches[k]; i+1 >= len(reqs) || !isMetaFetch(reqs[i+1], guess) {
			t.Errorf("SEARCH %d is not followed by the metadata FETCH of %s: %q", k+1, guess, reqs)
		}
	}
	for _, set := range []string{"1:2", "3", "4"} {
		n := 0
		for _, c := range reqs {
			if isMetaFetch(c, set) {
				n++
			}
		}
		if want := map[string]int{"1:2": 1, "3": 1, "4": 0}[set]; n != want {
			t.Errorf("metadata of %s asked for %d times, want %d: %q", set, n, want, reqs)
		}
	}
	e.allStoredOnceAndMoved(t, 4)
}

// With a batch longer than aheadMax (imap.fetch_batch = 200, the default)
// the guess behind the SEARCH is still sent, aheadMax long: a new mail is
// still found without a round trip of its own.
func TestMetadataGuessAtMostAheadMax(t *testing.T) {
	e := newEnv(t, capsFull)
	e.srv.fillInbox(1, "Keluhan layanan.")
	r := e.run(func(in *Intake) { in.FetchBatch, in.PollInterval = 200, time.Hour })
	waitFor(t, 10*time.Second, "the mail in Diproses", func() bool { return e.srv.count("Diproses") == 1 })
	r.stop(t)
	reqs := e.srv.requests()
	for i, c := range reqs {
		if strings.HasPrefix(c, "UID SEARCH ") {
			if i+1 >= len(reqs) || !isMetaFetch(reqs[i+1], fmt.Sprintf("1:%d", aheadMax)) {
				t.Errorf("the SEARCH is not followed by the metadata FETCH of 1:%d: %q", aheadMax, reqs)
			}
			break
		}
	}
	for _, c := range reqs {
		if isMetaFetch(c, "1") {
			t.Errorf("metadata of 1 asked for again: %q", reqs)
		}
	}
	e.allStoredOnceAndMoved(t, 1)
}

// A guess that misses — the first UID above the bookmark was expunged by
// another client — is read and dropped, and the batch's metadata asked for;
// every mail is still taken once. A sync on a timer (no EXISTS) asks for no
// metadata before its SEARCH has found mail.
func TestMetadataGuessMissed(t *testing.T) {
	e := newEnv(t, capsFull)
	e.srv.fillInbox(3, "Keluhan layanan.")
	c, err := imapclient.DialInsecure(e.srv.Addr(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Login(testUser, testPassword).Wait(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	if err := c.Store(goimap.UIDSetNum(1), &goimap.StoreFlags{Op: goimap.StoreFlagsAdd, Flags: []goimap.Flag{goimap.FlagDeleted}}, nil).Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Expunge().Close(); err != nil {
		t.Fatal(err)
	}
	c.Logout().Wait()
	c.Close()

	r := e.run(func(in *Intake) { in.FetchBatch, in.IDLE, in.PollInterval = 2, false, 20*time.Millisecond })
	waitFor(t, 10*time.Second, "two mails in Diproses", func() bool { return e.srv.count("Diproses") == 2 })
	r.syncs(t, 3)
	r.stop(t)

	// "metadata 1:2" or "body 2:3": the order of a FETCH's items is the
	// client's to choose.
	want := []string{"metadata 1:2", "metadata 2:3", "body 2:3"}
	var fetches []string
	for _, c := range e.srv.requests() {
		if set, items, ok := strings.Cut(strings.TrimPrefix(c, "UID FETCH "), " "); ok && strings.HasPrefix(c, "UID FETCH ") {
			what := "metadata"
			if strings.Contains(items, "BODY") {
				what = "body"
			}
			fetches = append(fetches, what+" "+set)
		}
	}
	if !slices.Equal(fetches, want) {
		t.Errorf("FETCHes %q, want %q (the guess, the batch's metadata, its bodies; none on the timer's syncs)", fetches, want)
	}
	if n := len(e.h.records()); n != 2 {
		t.Errorf("Ingest called %d times, want 2", n)
	}
	if twice := e.h.storedTwice(); len(twice) > 0 {
		t.Errorf("stored twice: %v", twice)
	}
}

func TestFirstGuess(t *testing.T) {
	for _, c := range []struct {
		last  uint32
		first int
		want  []goimap.UID
	}{
		{0, 3, []goimap.UID{1, 2, 3}},
		{41, 1, []goimap.UID{42}},
		{7, 0, nil},
		{math.MaxUint32 - 3, 5, []goimap.UID{math.MaxUint32 - 2, math.MaxUint32 - 1}}, // the guess stops short of the largest UID
	} {
		if got := firstGuess(c.last, c.first); !slices.Equal(got, c.want) {
			t.Errorf("firstGuess(%d, %d) = %v, want %v", c.last, c.first, got, c.want)
		}
	}
}

// TestReadsAhead: a batch's metadata is asked for ahead only while its
// reply fits go-imap's buffer for a command nobody reads yet (128).
func TestReadsAhead(t *testing.T) {
	for n, want := range map[int]bool{0: false, 1: true, 50: true, aheadMax: true, aheadMax + 1: false, 200: false} {
		if got := readsAhead(n); got != want {
			t.Errorf("readsAhead(%d) = %v, want %v", n, got, want)
		}
	}
	if aheadMax >= 128 {
		t.Errorf("aheadMax = %d, not below go-imap's 128", aheadMax)
	}
}

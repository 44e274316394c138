package imap

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	goimap "github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/dpk-kampar/mailproc/mailproc"
)

var commandLine = regexp.MustCompile(`(?m)^T\d+ (.*)\r$`)

// commands returns the commands the client sent, without tags.
func (ts *testServer) commands() []string {
	var l []string
	for _, m := range commandLine.FindAllStringSubmatch(ts.trace.String(), -1) {
		l = append(l, m[1])
	}
	return l
}

// waitIdling waits until the client idles and the server is ready to tell
// it about new mail. imapmemserver's SessionTracker.Idle does not look for
// updates queued between the IDLE command and its start: a mail appended
// in that window is announced only with the next change, and a test that
// appends right after seeing IDLE waited in vain about once in 60 runs. The
// window is a few function calls on the server; 100 ms is far past it.
func (ts *testServer) waitIdling(t testing.TB) {
	t.Helper()
	waitFor(t, 5*time.Second, "IDLE", func() bool { return ts.sent("IDLE") > 0 })
	time.Sleep(100 * time.Millisecond)
}

func (ts *testServer) sent(prefix string) int {
	n := 0
	for _, c := range ts.commands() {
		if strings.HasPrefix(c, prefix) {
			n++
		}
	}
	return n
}

func TestIngestsEveryMailOnceAndMovesIt(t *testing.T) {
	e := newEnv(t, capsFull)
	want := map[string][32]byte{}
	for i := 1; i <= 20; i++ {
		raw := testMail(i, "Mohon info jam buka perpustakaan.")
		want[fmt.Sprintf("<mail-%d@example.id>", i)] = sha256.Sum256(raw)
		e.srv.appendMail("INBOX", raw)
	}

	r := e.run(nil)
	waitFor(t, 10*time.Second, "20 mails in Diproses", func() bool { return e.srv.count("Diproses") == 20 })
	r.syncs(t, 3) // a few more rounds must change nothing

	if n := e.srv.count("INBOX"); n != 0 {
		t.Errorf("INBOX holds %d mails, want 0", n)
	}
	if n := e.srv.count("Diproses"); n != 20 {
		t.Errorf("Diproses holds %d mails, want 20", n)
	}
	recs := e.h.records()
	if len(recs) != 20 {
		t.Fatalf("Ingest called %d times, want 20", len(recs))
	}
	uidv := e.srv.status("INBOX").uidValidity
	for i, rec := range recs {
		if rec.Delivery.UID != uint32(i+1) {
			t.Errorf("ingest #%d was UID %d, want ascending UIDs", i, rec.Delivery.UID)
		}
		if rec.Delivery.Mailbox != "INBOX" || rec.Delivery.UIDValidity != uidv {
			t.Errorf("delivery %+v: want mailbox INBOX, UIDVALIDITY %d", rec.Delivery, uidv)
		}
		if !rec.Delivery.Arrived.Equal(arrivedAt) {
			t.Errorf("UID %d arrived %v, want INTERNALDATE %v", rec.Delivery.UID, rec.Delivery.Arrived, arrivedAt)
		}
		if rec.SHA256 != want[rec.MessageID] {
			t.Errorf("UID %d (%s): body differs from the mail appended", rec.Delivery.UID, rec.MessageID)
		}
		if rec.Disposition != mailproc.Stored {
			t.Errorf("UID %d: disposition %q", rec.Delivery.UID, rec.Disposition)
		}
	}
	if twice := e.h.storedTwice(); len(twice) > 0 {
		t.Errorf("stored twice: %v", twice)
	}
	if st := e.bm.get("INBOX"); st.LastUID != 20 || st.UIDValidity != uidv {
		t.Errorf("bookmark %+v, want LastUID 20, UIDVALIDITY %d", st, uidv)
	}
	// Batches of 7: 20 mails need 3 body fetches, 3 moves.
	if n := e.srv.sent("UID MOVE"); n != 3 {
		t.Errorf("%d UID MOVE commands, want 3 (one per batch)", n)
	}
	if n := e.srv.sent("UID FETCH"); n != 6 {
		t.Errorf("%d UID FETCH commands, want 6 (metadata + body per batch)", n)
	}
	st := r.Status()
	if !st.Connected || st.Reconnects != 0 || st.LastError != "" {
		t.Errorf("status %+v, want connected without errors", st)
	}
}

func TestIdleWakesOnNewMail(t *testing.T) {
	e := newEnv(t, capsFull)
	r := e.run(func(in *Intake) { in.PollInterval = time.Hour }) // only IDLE can find the mail
	r.firstSync(t)
	e.srv.waitIdling(t)

	e.srv.appendMail("INBOX", testMail(1, "Apakah perpustakaan buka hari Sabtu?"))
	start := time.Now()
	waitFor(t, 5*time.Second, "mail picked up while idling", func() bool { return e.srv.count("Diproses") == 1 })
	t.Logf("picked up %v after append", time.Since(start))
	if n := len(e.h.records()); n != 1 {
		t.Errorf("Ingest called %d times, want 1", n)
	}
}

func TestPollsWithoutIdle(t *testing.T) {
	e := newEnv(t, capsFull)
	r := e.run(func(in *Intake) { in.IDLE = false })
	r.syncs(t, 1)
	e.srv.appendMail("INBOX", testMail(1, "Apakah perpustakaan buka hari Sabtu?"))
	waitFor(t, 5*time.Second, "mail picked up by polling", func() bool { return e.srv.count("Diproses") == 1 })
	if n := e.srv.sent("IDLE"); n != 0 {
		t.Errorf("sent IDLE %d times with IDLE off", n)
	}
}

func TestSyncNow(t *testing.T) {
	e := newEnv(t, capsFull)
	r := e.run(func(in *Intake) { in.IDLE, in.PollInterval = false, time.Hour })
	r.firstSync(t)
	e.srv.appendMail("INBOX", testMail(1, "Mohon info."))
	r.SyncNow()
	waitFor(t, 20*time.Second, "mail picked up after SyncNow", func() bool { return e.srv.count("Diproses") == 1 })
}

func TestQuarantinedMailGoesToKarantina(t *testing.T) {
	e := newEnv(t, capsFull)
	for i := 1; i <= 6; i++ {
		body := "Laporan kerusakan."
		if i == 3 {
			body = quarantineMe + " unreadable"
		}
		e.srv.appendMail("INBOX", testMail(i, body))
	}
	r := e.run(func(in *Intake) { in.FetchBatch = 4 })
	waitFor(t, 10*time.Second, "inbox empty", func() bool { return e.srv.count("INBOX") == 0 })
	r.syncs(t, 1)
	if n := e.srv.count("Karantina"); n != 1 {
		t.Errorf("Karantina holds %d, want 1", n)
	}
	if n := e.srv.count("Diproses"); n != 5 {
		t.Errorf("Diproses holds %d, want 5", n)
	}
	if st := e.bm.get("INBOX"); st.LastUID != 6 {
		t.Errorf("LastUID %d, want 6", st.LastUID)
	}
}

// TestOversizeMailQuarantinedByUID: a mail above MaxMessageSize goes to
// Karantina by UID without its body ever being fetched, and the mails
// around it are processed as usual: the queue does not stall.
func TestOversizeMailQuarantinedByUID(t *testing.T) {
	e := newEnv(t, capsFull)
	for i := 1; i <= 5; i++ {
		body := "Laporan kerusakan."
		if i == 2 || i == 4 {
			body = strings.Repeat("Lampiran besar sekali. ", 3000) // ~69 KB
		}
		e.srv.appendMail("INBOX", testMail(i, body))
	}
	r := e.run(func(in *Intake) { in.MaxMessageSize = 32 << 10; in.FetchBatch = 10 })
	waitFor(t, 10*time.Second, "inbox empty", func() bool { return e.srv.count("INBOX") == 0 })
	r.syncs(t, 1)
	if n := e.srv.count("Karantina"); n != 2 {
		t.Errorf("Karantina holds %d, want 2 (UIDs 2 and 4)", n)
	}
	if n := e.srv.count("Diproses"); n != 3 {
		t.Errorf("Diproses holds %d, want 3", n)
	}
	e.h.mu.Lock()
	over := slices.Clone(e.h.oversize)
	e.h.mu.Unlock()
	if len(over) != 2 || over[0].Delivery.UID != 2 || over[1].Delivery.UID != 4 {
		t.Fatalf("Oversize calls %+v, want UIDs 2 and 4", over)
	}
	for _, o := range over {
		if o.Size <= 32<<10 || o.Max != 32<<10 {
			t.Errorf("Oversize got size %d, max %d", o.Size, o.Max)
		}
	}
	for _, uid := range []uint32{2, 4} {
		if n := e.h.attempts(uid); n != 0 {
			t.Errorf("UID %d was downloaded %d times", uid, n)
		}
		for _, c := range e.srv.commands() {
			if strings.HasPrefix(c, "UID FETCH") && strings.Contains(c, "BODY.PEEK[]") && uidSetHas(c, uid) {
				t.Errorf("UID %d body fetched: %q", uid, c)
			}
		}
	}
	if st := e.bm.get("INBOX"); st.LastUID != 5 {
		t.Errorf("LastUID %d, want 5", st.LastUID)
	}
}

// uidSetHas reports whether the UID set in a "UID FETCH set (...)" command
// names uid.
func uidSetHas(cmd string, uid uint32) bool {
	f := strings.Fields(cmd)
	if len(f) < 3 {
		return false
	}
	for _, r := range strings.Split(f[2], ",") {
		lo, hi, isRange := strings.Cut(r, ":")
		a, _ := strconv.ParseUint(lo, 10, 32)
		b := a
		if isRange {
			b, _ = strconv.ParseUint(hi, 10, 32)
		}
		if a > b {
			a, b = b, a
		}
		if uint64(uid) >= a && uint64(uid) <= b {
			return true
		}
	}
	return false
}

// A mail the handler cannot take holds the queue at that mail: the mails
// before it are moved and bookmarked, it and those after it stay in the
// inbox and are retried (it alone first) until it succeeds, and none is
// stored twice. The same with a handler that commits the batch together
// (as the Ingester does).
func TestHandlerErrorHoldsTheQueueAtThatMail(t *testing.T) {
	t.Run("one by one", func(t *testing.T) { testHandlerErrorHoldsTheQueue(t, false) })
	t.Run("batch", func(t *testing.T) { testHandlerErrorHoldsTheQueue(t, true) })
}

// sixFailingAtThree puts six mails in the inbox and makes the handler fail
// UID 3 with a temporary error until the returned switch is turned off.
func sixFailingAtThree(e *env) *atomic.Bool {
	for i := 1; i <= 6; i++ {
		e.srv.appendMail("INBOX", testMail(i, "Keluhan layanan."))
	}
	failing := new(atomic.Bool)
	failing.Store(true)
	e.h.setFail(func(d mailproc.Delivery) error {
		if d.UID == 3 && failing.Load() {
			return mailproc.TemporaryError(errors.New("database is locked"))
		}
		return nil
	})
	return failing
}

func testHandlerErrorHoldsTheQueue(t *testing.T, batched bool) {
	e := newEnv(t, capsFull)
	failing := sixFailingAtThree(e)
	r := e.run(func(in *Intake) {
		in.FetchBatch = 10
		if batched {
			in.Handler = &batchingHandler{testHandler: e.h}
		}
	})

	waitFor(t, 10*time.Second, "UID 3 retried", func() bool { return e.h.attempts(3) >= 3 })
	if n := e.srv.count("Diproses"); n != 2 {
		t.Errorf("Diproses holds %d while UID 3 fails, want 2 (UIDs 1, 2)", n)
	}
	if n := e.srv.count("INBOX"); n != 4 {
		t.Errorf("INBOX holds %d while UID 3 fails, want 4 (UIDs 3-6)", n)
	}
	if m := e.bm.maxLastUID(); m != 2 {
		t.Errorf("bookmark reached LastUID %d while UID 3 fails, want 2", m)
	}
	// Retries fetch the failing mail alone, not the batch behind it.
	if n := e.srv.sent("UID FETCH 3 (UID BODY.PEEK[])"); n < 2 {
		t.Errorf("retries of UID 3 alone: %d, want >= 2; commands: %q", n, e.srv.commands())
	}
	for uid := uint32(4); uid <= 6; uid++ {
		if n := e.h.attempts(uid); n != 0 {
			t.Errorf("UID %d ingested %d times past the failing UID 3", uid, n)
		}
	}
	st := r.Status()
	if !st.Connected || st.Reconnects != 0 || !strings.Contains(st.LastError, "database is locked") {
		t.Errorf("status %+v: want connection kept and the handler error reported", st)
	}

	failing.Store(false)
	waitFor(t, 10*time.Second, "all mails processed", func() bool { return e.srv.count("Diproses") == 6 })
	r.syncs(t, 1)
	e.allStoredOnceAndMoved(t, 6)
}

// A mail the handler already has (say, committed just before a crash) is
// moved without being fetched again. A handler that looks a whole batch up
// at once (mailproc.RangeSeer, as the Ingester) is asked once per batch,
// never mail by mail.
func TestSeenMailIsMovedWithoutFetching(t *testing.T) {
	for _, ranged := range []bool{false, true} {
		t.Run(fmt.Sprintf("ranged=%v", ranged), func(t *testing.T) {
			e := newEnv(t, capsFull)
			for i := 1; i <= 4; i++ {
				e.srv.appendMail("INBOX", testMail(i, "Pertanyaan."))
			}
			uidv := e.srv.status("INBOX").uidValidity
			e.h.deliveries[mailproc.Delivery{Mailbox: "INBOX", UIDValidity: uidv, UID: 2}] = mailproc.Quarantined
			e.h.deliveries[mailproc.Delivery{Mailbox: "INBOX", UIDValidity: uidv, UID: 3}] = mailproc.Duplicate
			rh := &rangeHandler{testHandler: e.h}
			e.run(func(in *Intake) {
				if ranged {
					in.Handler = rh
				}
			})
			waitFor(t, 10*time.Second, "inbox empty", func() bool { return e.srv.count("INBOX") == 0 })
			var uids []uint32
			for _, r := range e.h.records() {
				uids = append(uids, r.Delivery.UID)
			}
			if !slices.Equal(uids, []uint32{1, 4}) {
				t.Errorf("ingested UIDs %v, want [1 4]", uids)
			}
			if k, d := e.srv.count("Karantina"), e.srv.count("Diproses"); k != 1 || d != 3 {
				t.Errorf("Karantina %d, Diproses %d; want 1 and 3", k, d)
			}
			e.h.mu.Lock()
			one := len(e.h.seenCalls)
			e.h.mu.Unlock()
			if want := map[bool][2]int{false: {0, 4}, true: {1, 0}}[ranged]; int(rh.ranges.Load()) != want[0] || one != want[1] {
				t.Errorf("%d range look-ups and %d single ones for one batch of 4; want %d and %d", rh.ranges.Load(), one, want[0], want[1])
			}
		})
	}
}

// Without MOVE but with UIDPLUS: COPY, STORE \Deleted, UID EXPUNGE of our
// UIDs only; a mail another client marked \Deleted must survive.
func TestCopyStoreExpungeWithoutMove(t *testing.T) {
	e := newEnv(t, capsUIDPlus)
	e.srv.appendMail("INBOX", testMail(100, "someone else's deleted mail"), goimap.FlagDeleted) // UID 1
	uidv := e.srv.status("INBOX").uidValidity
	e.bm.m["INBOX"] = mailproc.MailboxState{Mailbox: "INBOX", UIDValidity: uidv, LastUID: 1}
	for i := 1; i <= 10; i++ {
		e.srv.appendMail("INBOX", testMail(i, "Permohonan data."))
	}
	r := e.run(nil)
	waitFor(t, 10*time.Second, "10 mails in Diproses", func() bool { return e.srv.count("Diproses") == 10 })
	r.syncs(t, 2)

	in := e.srv.status("INBOX")
	if in.messages != 1 || in.deleted != 1 {
		t.Errorf("INBOX %+v: want only the foreign \\Deleted mail left", in)
	}
	if n := e.srv.sent("UID MOVE") + e.srv.sent("MOVE"); n != 0 {
		t.Errorf("sent MOVE %d times to a server without MOVE", n)
	}
	if e.srv.sent("UID COPY") == 0 || e.srv.sent("UID EXPUNGE") == 0 {
		t.Errorf("want UID COPY and UID EXPUNGE; commands: %q", e.srv.commands())
	}
	if n := e.srv.sent("EXPUNGE"); n != 0 {
		t.Errorf("sent a plain EXPUNGE %d times", n)
	}
	if n := len(e.h.records()); n != 10 {
		t.Errorf("Ingest called %d times, want 10", n)
	}
}

// Without MOVE and UIDPLUS nothing is ever expunged or marked \Deleted:
// mails are copied, marked \Seen and left; the bookmark keeps them from
// being handled again, also across a restart.
func TestNoMoveNoUIDPlusLeavesMailSeen(t *testing.T) {
	e := newEnv(t, capsBare)
	e.srv.appendMail("INBOX", testMail(100, "someone else's deleted mail"), goimap.FlagDeleted) // UID 1
	uidv := e.srv.status("INBOX").uidValidity
	e.bm.m["INBOX"] = mailproc.MailboxState{Mailbox: "INBOX", UIDValidity: uidv, LastUID: 1}
	for i := 1; i <= 10; i++ {
		e.srv.appendMail("INBOX", testMail(i, "Permohonan data."))
	}
	r := e.run(nil)
	waitFor(t, 10*time.Second, "10 mails in Diproses", func() bool { return e.srv.count("Diproses") == 10 })
	// Every later sync searches UID 12:*, which this server answers with
	// UID 11: the intake must not take that for a new mail.
	r.syncs(t, 3)
	r.stop(t)

	r2 := e.run(nil)
	r2.syncs(t, 3)

	in := e.srv.status("INBOX")
	if in.messages != 11 || in.deleted != 1 || in.unseen != 1 {
		t.Errorf("INBOX %+v: want 11 mails, only the foreign one \\Deleted and unseen", in)
	}
	if n := e.srv.count("Diproses"); n != 10 {
		t.Errorf("Diproses holds %d, want 10", n)
	}
	if n := len(e.h.records()); n != 10 {
		t.Errorf("Ingest called %d times, want 10", n)
	}
	for _, c := range e.srv.commands() {
		if strings.Contains(c, "EXPUNGE") || strings.Contains(c, "MOVE") || strings.Contains(c, `\Deleted`) {
			t.Errorf("sent %q to a server without MOVE and UIDPLUS", c)
		}
	}
	if st := e.bm.get("INBOX"); st.LastUID != 11 {
		t.Errorf("LastUID %d, want 11", st.LastUID)
	}
}

func TestReconnectsAfterServerRestart(t *testing.T) {
	e := newEnv(t, capsFull)
	for i := 1; i <= 5; i++ {
		e.srv.appendMail("INBOX", testMail(i, "Pengaduan."))
	}
	r := e.run(nil)
	waitFor(t, 10*time.Second, "first 5 processed", func() bool { return e.srv.count("Diproses") == 5 })

	e.srv.stop()
	waitFor(t, 5*time.Second, "disconnected", func() bool { return !r.Status().Connected })
	for i := 6; i <= 10; i++ {
		e.srv.appendMail("INBOX", testMail(i, "Pengaduan."))
	}
	time.Sleep(50 * time.Millisecond) // let a few dials fail
	e.srv.start()

	waitFor(t, 10*time.Second, "all 10 processed", func() bool { return e.srv.count("Diproses") == 10 })
	r.syncs(t, 1)
	st := r.Status()
	if st.Reconnects < 1 || !st.Connected {
		t.Errorf("status %+v: want connected again after at least one reconnect", st)
	}
	if n := len(e.h.records()); n != 10 {
		t.Errorf("Ingest called %d times, want 10", n)
	}
	if st := e.bm.get("INBOX"); st.LastUID != 10 {
		t.Errorf("LastUID %d, want 10", st.LastUID)
	}
}

func TestUIDValidityChangeRescansWithoutDuplicates(t *testing.T) {
	e := newEnv(t, capsFull)
	for i := 1; i <= 5; i++ {
		e.srv.appendMail("INBOX", testMail(i, "Informasi."))
	}
	r := e.run(nil)
	waitFor(t, 10*time.Second, "first 5 processed", func() bool { return e.srv.count("Diproses") == 5 })
	old := e.bm.get("INBOX")

	// The mailbox is rebuilt (a server migration, say): new UIDVALIDITY,
	// the same mails again, and one new one.
	e.srv.stop()
	if err := e.srv.user.Delete("INBOX"); err != nil {
		t.Fatal(err)
	}
	if err := e.srv.user.Create("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 6; i++ {
		e.srv.appendMail("INBOX", testMail(i, "Informasi."))
	}
	newUIDV := e.srv.status("INBOX").uidValidity
	if newUIDV == old.UIDValidity {
		t.Fatal("test setup: UIDVALIDITY did not change")
	}
	e.srv.start()

	waitFor(t, 10*time.Second, "rescan done", func() bool { return e.srv.count("INBOX") == 0 })
	r.syncs(t, 1)
	if n := e.srv.count("Diproses"); n != 11 {
		t.Errorf("Diproses holds %d, want 11 (5 + 5 duplicates + 1 new)", n)
	}
	if n := e.h.stored(); n != 6 {
		t.Errorf("%d distinct mails stored, want 6", n)
	}
	if twice := e.h.storedTwice(); len(twice) > 0 {
		t.Errorf("stored twice: %v", twice)
	}
	dups := 0
	for _, rec := range e.h.records() {
		if rec.Disposition == mailproc.Duplicate {
			dups++
		}
	}
	if dups != 5 {
		t.Errorf("%d duplicates, want 5", dups)
	}
	if st := e.bm.get("INBOX"); st.UIDValidity != newUIDV || st.LastUID != 6 {
		t.Errorf("bookmark %+v, want UIDVALIDITY %d and LastUID 6", st, newUIDV)
	}
	if reset := slices.ContainsFunc(e.bm.history, func(s mailproc.MailboxState) bool {
		return s.UIDValidity == newUIDV && s.LastUID == 0
	}); !reset {
		t.Error("bookmark was not reset to LastUID 0 for the new UIDVALIDITY")
	}
}

// bigMailHandler checks that the body arrives while it is still on the wire.
type bigMailHandler struct {
	*testHandler
	wire        *atomic.Int64
	wireAtFirst int64
}

func (h *bigMailHandler) Ingest(ctx context.Context, d mailproc.Delivery, r io.Reader) (mailproc.IngestResult, error) {
	first := make([]byte, 64<<10)
	if _, err := io.ReadFull(r, first); err != nil {
		return mailproc.IngestResult{}, err
	}
	h.wireAtFirst = h.wire.Load()
	return h.testHandler.Ingest(ctx, d, io.MultiReader(bytes.NewReader(first), r))
}

func TestStreamsLargeMail(t *testing.T) {
	e := newEnv(t, capsFull)
	var body strings.Builder
	line := strings.Repeat("Lampiran pindaian arsip 0123456789 ", 2) + "\r\n"
	for body.Len() < 5<<20 {
		body.WriteString(line)
	}
	raw := testMail(1, body.String())
	e.srv.appendMail("INBOX", raw)

	var wire atomic.Int64
	h := &bigMailHandler{testHandler: e.h, wire: &wire}
	e.run(func(in *Intake) {
		in.Handler = h
		in.wrapConn = func(c net.Conn) net.Conn { return countingConn{Conn: c, n: &wire} }
	})
	waitFor(t, 20*time.Second, "big mail processed", func() bool { return e.srv.count("Diproses") == 1 })

	recs := e.h.records()
	if len(recs) != 1 {
		t.Fatalf("Ingest called %d times, want 1", len(recs))
	}
	if recs[0].Size != int64(len(raw)) || recs[0].SHA256 != sha256.Sum256(raw) {
		t.Errorf("handler read %d bytes, want %d, same content", recs[0].Size, len(raw))
	}
	// Had the client buffered the message, all 5 MB would have been read
	// off the socket before the handler saw its first 64 KiB.
	if h.wireAtFirst > 1<<20 {
		t.Errorf("%d bytes were read off the socket before the handler had 64 KiB: not streamed", h.wireAtFirst)
	}
	t.Logf("socket bytes read when the handler had its first 64 KiB: %d of %d", h.wireAtFirst, len(raw))
}

func TestShutdownFinishesTheMailInHand(t *testing.T) {
	e := newEnv(t, capsFull)
	for i := 1; i <= 3; i++ {
		e.srv.appendMail("INBOX", testMail(i, "Aduan."))
	}
	started := make(chan context.Context, 1)
	release := make(chan struct{})
	e.h.onIngest = func(ctx context.Context, d mailproc.Delivery) {
		if d.UID == 1 {
			started <- ctx
			<-release
		}
	}
	r := e.run(nil)
	var ictx context.Context
	select {
	case ictx = <-started:
	case <-time.After(10 * time.Second):
		t.Fatal("Ingest not called")
	}
	r.cancel()
	select {
	case err := <-r.done:
		t.Fatalf("Run returned (%v) while a mail was in hand", err)
	case <-time.After(100 * time.Millisecond):
	}
	if ictx.Err() != nil {
		t.Error("Ingest's context was cancelled by shutdown")
	}
	close(release)
	select {
	case err := <-r.done:
		if err != nil {
			t.Errorf("Run returned %v, want nil", err)
		}
		close(r.done)
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after the mail in hand was done")
	}
	if n := len(e.h.records()); n != 1 {
		t.Errorf("%d mails ingested before shutdown, want just the one in hand", n)
	}

	// The next start moves the finished mail without fetching it again and
	// takes the rest.
	e.h.onIngest = nil
	e.run(nil)
	waitFor(t, 10*time.Second, "all processed after restart", func() bool { return e.srv.count("Diproses") == 3 })
	if n := len(e.h.records()); n != 3 {
		t.Errorf("Ingest called %d times in all, want 3", n)
	}
	if twice := e.h.storedTwice(); len(twice) > 0 {
		t.Errorf("stored twice: %v", twice)
	}
}

func TestTLSModes(t *testing.T) {
	cert, pool := selfSigned(t)
	for _, mode := range []string{TLSStart, TLSImplicit} {
		t.Run(mode, func(t *testing.T) {
			log := newLogSink(t)
			ts := newTestServer(t, log, capsFull)
			ts.tls = &tls.Config{Certificates: []tls.Certificate{cert}}
			ts.ltls = mode == TLSImplicit
			ts.start()
			t.Cleanup(ts.stop)
			e := &env{t: t, log: log, srv: ts, h: newTestHandler(), bm: newBookmarks()}
			ts.appendMail("INBOX", testMail(1, "Halo."))
			e.run(func(in *Intake) {
				in.TLS = mode
				in.TLSConfig = &tls.Config{RootCAs: pool}
			})
			waitFor(t, 10*time.Second, "mail processed over TLS", func() bool { return ts.count("Diproses") == 1 })
		})
	}
}

func TestCheckLogin(t *testing.T) {
	e := newEnv(t, capsBare)
	cfg := e.config()
	caps, problems, notes, err := CheckLogin(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("caps %v, problems %q, notes %q", caps, problems, notes)
	if len(problems) != 0 {
		t.Errorf("problems %q on a usable mailbox", problems)
	}
	if !slices.Contains(caps, "IMAP4rev1") || !slices.Contains(caps, "IDLE") {
		t.Errorf("caps %v: want IMAP4rev1 and IDLE", caps)
	}
	all := strings.Join(notes, "\n")
	for _, want := range []string{`"Diproses" does not exist`, `"Karantina" does not exist`, "neither MOVE nor UIDPLUS"} {
		if !strings.Contains(all, want) {
			t.Errorf("notes %q: want one mentioning %s", notes, want)
		}
	}
	if e.srv.count("Diproses") != 0 || e.srv.status("Diproses") != (boxStatus{}) {
		t.Error("check created a folder")
	}

	// After a run has created the folders, only the server's limits remain.
	r := e.run(nil)
	r.syncs(t, 1)
	_, problems, notes, err = CheckLogin(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(problems) != 0 || len(notes) != 1 || !strings.Contains(notes[0], "neither MOVE nor UIDPLUS") {
		t.Errorf("problems %q, notes %q after run: want only the MOVE/UIDPLUS note", problems, notes)
	}

	cfg.Password = "salah"
	if _, _, _, err := CheckLogin(context.Background(), cfg); err == nil {
		t.Error("CheckLogin with a wrong password succeeded")
	} else if strings.Contains(err.Error(), "salah") {
		t.Errorf("error %q contains the password", err)
	}
}

func TestConfigValidate(t *testing.T) {
	ok := Config{Addr: "imap.example.id:993", Username: "layanan"}
	if err := ok.Validate(); err != nil {
		t.Errorf("minimal config: %v", err)
	}
	for name, c := range map[string]Config{
		"Addr":            {Username: "u"},
		"TLS":             {Addr: "h:1", Username: "u", TLS: "ssl"},
		"Username":        {Addr: "h:1"},
		"ProcessedFolder": {Addr: "h:1", Username: "u", ProcessedFolder: "INBOX"},
		"Quarantine":      {Addr: "h:1", Username: "u", ProcessedFolder: "X", QuarantineFolder: "X"},
	} {
		if err := c.Validate(); err == nil {
			t.Errorf("%s: invalid config accepted", name)
		}
	}
}

func TestBackoff(t *testing.T) {
	min, max := 100*time.Millisecond, time.Second
	for attempt, want := range map[int]time.Duration{1: min, 2: 2 * min, 3: 4 * min, 4: 8 * min, 5: max, 50: max} {
		for range 20 {
			d := backoff(min, max, attempt)
			if d < want*8/10 || d > want*12/10 {
				t.Errorf("backoff(attempt %d) = %v, want %v ±20%%", attempt, d, want)
			}
		}
	}
}

// TestUnreachable: only a connection that could not be opened counts as an
// unreachable server (retried every few seconds); a server that answered
// and refused keeps the long backoff, so a wrong password cannot lock the
// account.
func TestUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now: connection refused
	_, _, dialErr := dial(context.Background(), Config{Addr: addr, TLS: TLSNone, Timeout: time.Second}, &imapclient.Options{}, nil)
	if dialErr == nil {
		t.Fatal("dial to a closed port succeeded")
	}
	for _, tt := range []struct {
		name string
		err  error
		want bool
	}{
		{"refused", dialErr, true},
		{"refused, wrapped", fmt.Errorf("session: %w", dialErr), true},
		{"login refused", &goimap.Error{Type: goimap.StatusResponseTypeNo, Text: "Authentication failed"}, false},
		{"reset while reading", &net.OpError{Op: "read", Net: "tcp", Err: errors.New("connection reset by peer")}, false},
		{"EOF", io.EOF, false},
	} {
		if got := unreachable(tt.err); got != tt.want {
			t.Errorf("%s: unreachable(%v) = %v, want %v", tt.name, tt.err, got, tt.want)
		}
	}
	if UnreachableRetryMax+UnreachableRetryMax/5 >= 5*time.Second {
		t.Errorf("UnreachableRetryMax %v with jitter can exceed 5 s: a restarted server would wait longer than promised", UnreachableRetryMax)
	}
}

// TestWatchedFolder: a watched folder (the Sent folder) that does not
// exist is a note while the server marks no folder \Sent, and a problem
// naming the real one when it does: run would watch a new, empty folder.
func TestWatchedFolder(t *testing.T) {
	folder := func(name string, attrs ...goimap.MailboxAttr) *goimap.ListData {
		return &goimap.ListData{Mailbox: name, Attrs: attrs}
	}
	plain := []*goimap.ListData{folder("INBOX"), folder("Drafts")}
	gmail := []*goimap.ListData{folder("INBOX"), folder("[Gmail]/Surat Terkirim", goimap.MailboxAttrSent), folder("[Gmail]/Sampah", goimap.MailboxAttrTrash)}
	for _, tt := range []struct {
		name          string
		list          []*goimap.ListData
		folder        string
		problem, note string
	}{
		{"exists", gmail, "[Gmail]/Surat Terkirim", "", ""},
		{"missing, none marked", plain, "Sent", "", `"Sent" does not exist yet`},
		{"missing, another marked", gmail, "Sent", `"Sent" does not exist, but the server marks "[Gmail]/Surat Terkirim" as its Sent folder`, ""},
		{"not configured", gmail, "", "", ""},
	} {
		problem, note := watchedFolder(tt.list, tt.folder)
		if (tt.problem == "") != (problem == "") || !strings.Contains(problem, tt.problem) {
			t.Errorf("%s: problem %q, want %q", tt.name, problem, tt.problem)
		}
		if (tt.note == "") != (note == "") || !strings.Contains(note, tt.note) {
			t.Errorf("%s: note %q, want %q", tt.name, note, tt.note)
		}
	}
}

// The bookmark is written without a flush of its own (sqlite's
// SetMailboxState), so a crash of the machine can set it back to an older
// one. That costs no second case: with MOVE the mails below the lost
// bookmark are out of the inbox; on a server without MOVE and UIDPLUS,
// where they stay, they are handled already (their deliveries), so they
// are not fetched again — only copied to the processed folder a second
// time, the one trace the loss leaves.
func TestLostBookmarkTakesNoMailTwice(t *testing.T) {
	for _, c := range []struct {
		name      string
		caps      goimap.CapSet
		processed int    // in Diproses after the restart
		lastUID   uint32 // the bookmark after it: with MOVE, nothing was left to move
	}{
		{"move", capsFull, 10, 0},
		{"no MOVE, no UIDPLUS", capsBare, 20, 10},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t, c.caps)
			for i := 1; i <= 10; i++ {
				e.srv.appendMail("INBOX", testMail(i, "Permohonan data."))
			}
			r := e.run(nil)
			waitFor(t, 10*time.Second, "10 mails in Diproses", func() bool { return e.srv.count("Diproses") == 10 })
			r.syncs(t, 2)
			r.stop(t)

			lost := e.bm.get("INBOX")
			lost.LastUID = 0 // as it was before the first batch
			e.bm.SetMailboxState(context.Background(), lost)
			r2 := e.run(nil)
			r2.syncs(t, 2)
			r2.stop(t)

			if n := len(e.h.records()); n != 10 {
				t.Errorf("Ingest called %d times, want 10", n)
			}
			if n := e.srv.count("Diproses"); n != c.processed {
				t.Errorf("Diproses holds %d, want %d", n, c.processed)
			}
			if st := e.bm.get("INBOX"); st.LastUID != c.lastUID {
				t.Errorf("LastUID %d after the restart, want %d", st.LastUID, c.lastUID)
			}
		})
	}
}

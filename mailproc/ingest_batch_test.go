package mailproc_test

// Group commit on real adapters: a real SQLite file (with a real trigger
// to poison one mail), the real archive, real MIME parsing and templates.

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3"

	"github.com/dpk-kampar/mailproc/mailproc"
	"github.com/dpk-kampar/mailproc/mailproc/archive"
	"github.com/dpk-kampar/mailproc/mailproc/config"
	"github.com/dpk-kampar/mailproc/mailproc/sqlite"
)

// batchMail is a citizen's question with its own Message-ID.
func batchMail(id, from, subject string) string {
	return strings.ReplaceAll(fmt.Sprintf("From: %s\nTo: %s\nSubject: %s\nMessage-ID: <%s>\nDate: Fri, 27 Nov 2026 09:00:00 +0700\n\n"+
		"Selamat pagi, kapan perpustakaan buka pada hari Sabtu?\n", from, desk, subject, id), "\n", "\r\n")
}

// ingestBatch hands raws to one batch as UIDs first, first+1, … and
// commits it.
func (w *deskWorld) ingestBatch(t testing.TB, first uint32, raws ...string) ([]mailproc.IngestResult, error) {
	t.Helper()
	b := w.in.Batch()
	for i, raw := range raws {
		d := mailproc.Delivery{Mailbox: "INBOX", UIDValidity: 1, UID: first + uint32(i), Arrived: w.now}
		if err := b.Add(context.Background(), d, strings.NewReader(raw)); err != nil {
			t.Fatalf("add uid %d: %v", d.UID, err)
		}
	}
	return b.Commit(context.Background())
}

// poison adds a trigger to the desk's database file that refuses to store
// any message whose subject holds "racun": a constraint failure inside the
// intake transaction, as a corrupt row or a bug would cause.
func (w *deskWorld) poison(t *testing.T) {
	t.Helper()
	raw, err := sql.Open("sqlite3", filepath.Join(w.dir, "mailproc.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(`CREATE TRIGGER poison BEFORE INSERT ON messages WHEN NEW.subject LIKE '%racun%'
		BEGIN SELECT RAISE(ABORT, 'racun dari tes'); END`); err != nil {
		t.Fatal(err)
	}
}

// A poisoned mail in the middle of a batch is rolled back to its savepoint
// and quarantined alone, with the reason; the mails before and after it
// commit, a second copy of a mail in the same batch is a duplicate of the
// first, the chains stay whole, and the postman is woken once.
func TestBatchPoisonedMailQuarantinedAlone(t *testing.T) {
	w := newDeskWorld(t)
	w.poison(t)
	wakes := 0
	w.in.OnCommit = func() { wakes++ }

	a := batchMail("a@warga.test", "ani@warga.test", "Jam buka")
	res, err := w.ingestBatch(t, 1,
		a,
		batchMail("p@warga.test", "budi@warga.test", "Pertanyaan racun"),
		a, // the same mail again, as a second UID
		batchMail("c@warga.test", "citra@warga.test", "Keanggotaan"),
	)
	if err != nil {
		t.Fatalf("commit: %v", err)
	}
	want := []mailproc.Disposition{mailproc.Stored, mailproc.Quarantined, mailproc.Duplicate, mailproc.Stored}
	if len(res) != len(want) {
		t.Fatalf("%d results, want %d: %+v", len(res), len(want), res)
	}
	for i, r := range res {
		if r.Disposition != want[i] {
			t.Errorf("uid %d: %s (%s), want %s", i+1, r.Disposition, r.Reason, want[i])
		}
	}
	if !strings.Contains(res[1].Reason, "racun dari tes") {
		t.Errorf("quarantine reason %q does not say why", res[1].Reason)
	}
	if res[2].CaseNumber != res[0].CaseNumber || res[0].CaseNumber == "" {
		t.Errorf("the copy names case %q, the first %q", res[2].CaseNumber, res[0].CaseNumber)
	}
	if wakes != 1 {
		t.Errorf("postman woken %d times for one batch", wakes)
	}

	ctx := context.Background()
	cases, msgs, quar, err := w.db.Counts(ctx)
	if err != nil || cases != 2 || msgs != 2 || quar != 1 {
		t.Errorf("cases %d, messages %d, quarantined %d (%v); want 2, 2, 1", cases, msgs, quar, err)
	}
	for i, r := range res {
		d := mailproc.Delivery{Mailbox: "INBOX", UIDValidity: 1, UID: uint32(i + 1)}
		if disp, seen, err := w.db.DeliverySeen(ctx, d); err != nil || !seen || disp != r.Disposition {
			t.Errorf("uid %d recorded as %q (seen %v, %v), result %q", i+1, disp, seen, err, r.Disposition)
		}
	}
	q, err := w.db.QuarantineList(ctx)
	if err != nil || len(q) != 1 || q[0].Delivery.UID != 2 || !strings.Contains(q[0].Reason, "racun") {
		t.Fatalf("quarantine: %+v, %v", q, err)
	}
	// The poisoned mail's acknowledgement and notification went with its
	// savepoint; the others' stayed, and ops hears of the quarantine.
	for _, c := range []struct {
		p    mailproc.Purpose
		want int
	}{{mailproc.PurposeAck, 2}, {mailproc.PurposeNotify, 2}, {mailproc.PurposeOps, 1}} {
		rows, err := w.db.Outbox(ctx, sqlite.OutboxFilter{Purpose: c.p})
		if err != nil || len(rows) != c.want {
			t.Errorf("outbox %s: %d rows (%v), want %d", c.p, len(rows), err, c.want)
		}
	}
	// Both chains check out, and the messages are in UID order.
	if _, err := w.db.Verify(ctx, w.dir); err != nil {
		t.Errorf("verify: %v", err)
	}
	first, err := w.db.CaseMessages(ctx, res[0].CaseID)
	if err != nil || len(first) != 1 {
		t.Fatal(first, err)
	}
	last, err := w.db.CaseMessages(ctx, res[3].CaseID)
	if err != nil || len(last) != 1 || last[0].ID <= first[0].ID {
		t.Errorf("message rows out of UID order: %d then %d (%v)", first[0].ID, last[0].ID, err)
	}
}

// A crash after the archive was synced and before the transaction
// committed leaves files no row names, and the mails in the inbox. Fetched
// again after the restart, each becomes exactly one case and the archive
// holds each file once; partial files of a batch never synced are removed
// when the archive opens.
func TestBatchCrashBetweenArchiveSyncAndCommit(t *testing.T) {
	w := newDeskWorld(t)
	raws := []string{
		batchMail("1@warga.test", "ani@warga.test", "Jam buka"),
		batchMail("2@warga.test", "budi@warga.test", "Keanggotaan"),
		batchMail("3@warga.test", "citra@warga.test", "Arsip desa"),
	}
	// The batch that "crashed": archived and synced, never committed.
	arch, err := archive.Open(w.dir)
	if err != nil {
		t.Fatal(err)
	}
	synced := arch.Batch()
	for _, raw := range raws {
		wr, err := synced.Create()
		if err != nil {
			t.Fatal(err)
		}
		wr.Write([]byte(raw))
		if _, _, _, err := wr.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	if err := synced.Sync(); err != nil {
		t.Fatal(err)
	}
	// And one cut before its sync: its file is still in tmp.
	unsynced := arch.Batch()
	wr, err := unsynced.Create()
	if err != nil {
		t.Fatal(err)
	}
	wr.Write([]byte(raws[0]))
	if _, _, _, err := wr.Commit(); err != nil {
		t.Fatal(err)
	}

	// Restart: the archive opens again (removing partial files), the mails
	// are fetched again with the same UIDs.
	if w.in.Archive, err = archive.Open(w.dir); err != nil {
		t.Fatal(err)
	}
	if tmp, _ := os.ReadDir(filepath.Join(w.dir, "archive", "tmp")); len(tmp) != 0 {
		t.Errorf("partial files left after restart: %d", len(tmp))
	}
	res, err := w.ingestBatch(t, 1, raws...)
	if err != nil || len(res) != 3 {
		t.Fatalf("commit after restart: %+v, %v", res, err)
	}
	seen := map[string]bool{}
	for i, r := range res {
		if r.Disposition != mailproc.Stored || r.CaseNumber == "" || seen[r.CaseNumber] {
			t.Errorf("uid %d: %+v", i+1, r)
		}
		seen[r.CaseNumber] = true
	}
	ctx := context.Background()
	if cases, msgs, quar, err := w.db.Counts(ctx); err != nil || cases != 3 || msgs != 3 || quar != 0 {
		t.Errorf("cases %d, messages %d, quarantined %d (%v); want 3, 3, 0", cases, msgs, quar, err)
	}
	v, err := w.db.Verify(ctx, w.dir)
	if err != nil || v.Files != 3 {
		t.Errorf("verify: %d files checked, %v", v.Files, err)
	}
	var files int
	filepath.WalkDir(filepath.Join(w.dir, "archive"), func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".eml") {
			files++
		}
		return nil
	})
	if files != 3 {
		t.Errorf("%d archived files, want 3", files)
	}
	// The same mails in the inbox once more (delivered again under new
	// UIDs): copies of the stored ones, nothing new.
	again, err := w.ingestBatch(t, 4, raws...)
	if err != nil || len(again) != 3 {
		t.Fatalf("again: %+v, %v", again, err)
	}
	for i, r := range again {
		if r.Disposition != mailproc.Duplicate || r.CaseNumber != res[i].CaseNumber {
			t.Errorf("uid %d again: %+v, want a copy on %s", 4+i, r, res[i].CaseNumber)
		}
	}
}

// cpuTime is the CPU time (user and system) the process has used: on a
// machine other work shares, the CPU per mail says more than mails/s.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkIngestBatch puts 2,000 citizen mails through Ingester.Batch in
// batches of 50, in process: real SQLite file and archive (syncs
// included), no IMAP, acknowledgements off and desk.notify_digest_over at
// its default (10: all but the first staff notifications are held for the
// burst digest) as in BenchmarkSpineIngest. Its
// CPU profile says where the time of a group commit goes, and cpu-us/mail
// what it costs (mails/s depends on what else the machine is doing):
//
//	go test -run '^$' -bench IngestBatch -benchtime 1x -cpuprofile cpu.out ./mailproc
//	go tool pprof -top -cum cpu.out
func BenchmarkIngestBatch(b *testing.B) {
	const n, size = 2000, 50
	for b.Loop() {
		b.StopTimer()
		w := newDeskWorld(b)
		w.in.AckEnabled = false
		w.in.NotifyDigestOver = config.DefaultConfig().Desk.NotifyDigestOver
		var raws []string
		for i := range n {
			raws = append(raws, batchMail(fmt.Sprintf("%d@warga.test", i), fmt.Sprintf("warga%d@warga.test", i), fmt.Sprintf("Pertanyaan %d", i)))
		}
		b.StartTimer()
		start, cpu := time.Now(), cpuTime(b)
		for i := 0; i < n; i += size {
			res, err := w.ingestBatch(b, uint32(i+1), raws[i:i+size]...)
			if err != nil || len(res) != size {
				b.Fatalf("batch at %d: %d results, %v", i, len(res), err)
			}
		}
		b.ReportMetric(n/time.Since(start).Seconds(), "mails/s")
		b.ReportMetric(float64((cpuTime(b)-cpu).Microseconds())/n, "cpu-us/mail")
	}
}

// A mail whose stream breaks part-way (the connection lost) is not in the
// batch: Add says so, and the rest of the batch commits without it.
func TestBatchBrokenStreamLeavesTheMailOut(t *testing.T) {
	w := newDeskWorld(t)
	b := w.in.Batch()
	ctx := context.Background()
	good := batchMail("1@warga.test", "ani@warga.test", "Jam buka")
	if err := b.Add(ctx, mailproc.Delivery{Mailbox: "INBOX", UIDValidity: 1, UID: 1}, strings.NewReader(good)); err != nil {
		t.Fatal(err)
	}
	broken := io.MultiReader(strings.NewReader(batchMail("2@warga.test", "budi@warga.test", "Keanggotaan")[:60]),
		&errOnce{err: errors.New("connection reset by peer")})
	err := b.Add(ctx, mailproc.Delivery{Mailbox: "INBOX", UIDValidity: 1, UID: 2}, broken)
	if err == nil || !mailproc.IsTemporary(err) {
		t.Fatalf("Add of a broken stream: %v, want a temporary error", err)
	}
	res, err := b.Commit(ctx)
	if err != nil || len(res) != 1 || res[0].Disposition != mailproc.Stored {
		t.Fatalf("commit: %+v, %v", res, err)
	}
	if cases, msgs, quar, err := w.db.Counts(ctx); err != nil || cases != 1 || msgs != 1 || quar != 0 {
		t.Errorf("cases %d, messages %d, quarantined %d (%v); want 1, 1, 0", cases, msgs, quar, err)
	}
	if _, seen, _ := w.db.DeliverySeen(ctx, mailproc.Delivery{Mailbox: "INBOX", UIDValidity: 1, UID: 2}); seen {
		t.Error("the broken mail is recorded as handled")
	}
	if tmp, _ := os.ReadDir(filepath.Join(w.dir, "archive", "tmp")); len(tmp) != 0 {
		t.Errorf("%d partial files left in tmp", len(tmp))
	}
}

// errOnce fails the first read and reports io.EOF after: a reader whose
// error a consumer could swallow and then see a clean end.
type errOnce struct {
	err  error
	done bool
}

func (e *errOnce) Read([]byte) (int, error) {
	if e.done {
		return 0, io.EOF
	}
	e.done = true
	return 0, e.err
}

// Seal puts the batch's files in the archive under their digests' names
// before Commit (the adapter seals once a batch is staged; the sync runs
// beside the commit of the batch before); a mail added after Seal is
// synced by Commit itself. Nothing is recorded until Commit.
func TestBatchSealArchivesBeforeCommit(t *testing.T) {
	w := newDeskWorld(t)
	b := w.in.Batch()
	sb, ok := b.(mailproc.SealingBatch)
	if !ok {
		t.Fatal("the Ingester's batch cannot be sealed")
	}
	ctx := context.Background()
	raws := []string{batchMail("s1@warga.test", "ani@warga.test", "Jam buka"), batchMail("s2@warga.test", "budi@warga.test", "Keanggotaan")}
	archived := func(raw string) bool {
		sum := fmt.Sprintf("%x", sha256.Sum256([]byte(raw)))
		_, err := os.Stat(filepath.Join(w.dir, "archive", sum[:2], sum+".eml"))
		return err == nil
	}
	add := func(uid uint32, raw string) {
		t.Helper()
		if err := b.Add(ctx, mailproc.Delivery{Mailbox: "INBOX", UIDValidity: 1, UID: uid, Arrived: w.now}, strings.NewReader(raw)); err != nil {
			t.Fatal(err)
		}
	}
	add(1, raws[0])
	if archived(raws[0]) {
		t.Fatal("a staged mail is in the archive before Seal")
	}
	sb.Seal()
	for deadline := time.Now().Add(10 * time.Second); !archived(raws[0]); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("Seal did not put the staged mail in the archive")
		}
	}
	if cases, _, _, _ := w.db.Counts(ctx); cases != 0 {
		t.Errorf("%d cases recorded by Seal, want 0", cases)
	}
	add(2, raws[1])
	res, err := b.Commit(ctx)
	if err != nil || len(res) != 2 {
		t.Fatalf("commit: %+v, %v", res, err)
	}
	if !archived(raws[1]) {
		t.Error("the mail added after Seal is not in the archive after Commit")
	}
	if tmp, _ := os.ReadDir(filepath.Join(w.dir, "archive", "tmp")); len(tmp) != 0 {
		t.Errorf("%d partial files left in tmp", len(tmp))
	}
}

// gatedArchive is the real archive whose batch syncs wait for release and
// then fail with fail, if set (dropping the batch's files, as a failed
// sync does).
type gatedArchive struct {
	*archive.Dir
	release chan struct{}
	fail    error
}

func (g *gatedArchive) Batch() mailproc.ArchiveBatch { return gatedBatch{g.Dir.Batch(), g} }

type gatedBatch struct {
	mailproc.ArchiveBatch
	g *gatedArchive
}

func (b gatedBatch) Sync() error {
	<-b.g.release
	if b.g.fail != nil {
		b.ArchiveBatch.Abort()
		return b.g.fail
	}
	return b.ArchiveBatch.Sync()
}

// Seal only starts the archive's sync: it returns while the sync is still
// running (the adapter stages the next batch meanwhile), and Commit waits
// for it. A sync that fails commits nothing, in that batch or by a later
// Commit of it, and leaves no file behind.
func TestBatchSealRunsInTheBackground(t *testing.T) {
	for _, fail := range []bool{false, true} {
		t.Run(fmt.Sprintf("fail=%v", fail), func(t *testing.T) {
			w := newDeskWorld(t)
			g := &gatedArchive{Dir: w.in.Archive.(*archive.Dir), release: make(chan struct{})}
			if fail {
				g.fail = errors.New("disk on fire")
			}
			w.in.Archive = g
			b := w.in.Batch()
			ctx := context.Background()
			if err := b.Add(ctx, mailproc.Delivery{Mailbox: "INBOX", UIDValidity: 1, UID: 1, Arrived: w.now},
				strings.NewReader(batchMail("g1@warga.test", "ani@warga.test", "Jam buka"))); err != nil {
				t.Fatal(err)
			}
			sealed := make(chan struct{})
			go func() { b.(mailproc.SealingBatch).Seal(); close(sealed) }()
			select {
			case <-sealed:
			case <-time.After(10 * time.Second):
				t.Fatal("Seal waited for the sync")
			}
			committed := make(chan error, 1)
			go func() { _, err := b.Commit(ctx); committed <- err }()
			select {
			case err := <-committed:
				t.Fatalf("Commit returned (%v) before the sync was done", err)
			case <-time.After(50 * time.Millisecond):
			}
			close(g.release)
			err := <-committed
			cases, _, _, _ := w.db.Counts(ctx)
			switch {
			case fail && (err == nil || !mailproc.IsTemporary(err) || cases != 0):
				t.Errorf("failed sync: commit %v, %d cases; want a temporary error and none", err, cases)
			case !fail && (err != nil || cases != 1):
				t.Errorf("commit %v, %d cases; want 1", err, cases)
			}
			if tmp, _ := os.ReadDir(filepath.Join(w.dir, "archive", "tmp")); len(tmp) != 0 {
				t.Errorf("%d partial files left in tmp", len(tmp))
			}
		})
	}
}

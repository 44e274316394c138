package main

// Benchmarks of the spine against the real Dovecot (scripts/bench runs them
// and docs/benchmarks.md records the figures):
//
//	go test -run '^$' -bench 'BenchmarkSpine' -benchtime 1x ./cmd/mailproc
//
// MAILPROC_BENCH_N sets how many mails are loaded (default 2000);
// MAILPROC_BENCH_FETCH_BATCH sets imap.fetch_batch for BenchmarkSpineIngest
// (default: the config's).

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

func benchN() int {
	if n, err := strconv.Atoi(os.Getenv("MAILPROC_BENCH_N")); err == nil && n > 0 {
		return n
	}
	return 2000
}

// BenchmarkSpineIngest loads N citizen mails into the desk's INBOX on the
// real Dovecot, measures the raw rate of UID FETCH BODY.PEEK[] of all of
// them with go-imap, then runs the mailproc binary on the same mailbox and
// measures mails per second from IMAP to committed cases (no acks).
func BenchmarkSpineIngest(b *testing.B) {
	for i := 0; i < b.N; i++ {
		n := benchN()
		d := newTestDesk(b)
		d.Config.Ack.Enabled = false
		loadMails(b, d, n)

		raw := rawFetchRate(b, d, n)
		fsCreate := createCost(b, filepath.Join(d.DataDir, "probe"))
		benchIMAPDelay(b, d) // the raw FETCH rate above stays on loopback
		if v := os.Getenv("MAILPROC_BENCH_FETCH_BATCH"); v != "" {
			var err error
			if d.Config.IMAP.FetchBatch, err = strconv.Atoi(v); err != nil {
				b.Fatalf("MAILPROC_BENCH_FETCH_BATCH: %v", err)
			}
		}
		b.ReportMetric(float64(d.Config.IMAP.FetchBatch), "fetch-batch")
		cfgPath := d.writeConfig()
		logTo := os.Getenv("MAILPROC_BENCH_LOG") // the daemon's debug log, for where a batch's time goes
		if logTo != "" {
			appendFile(b, cfgPath, "\n[log]\nlevel = \"debug\"\n")
		}
		db := d.db()
		machine := readMachineCPU(b)
		start := time.Now()
		p := d.spawn(cfgPath)
		// Polled every 10 ms: waitFor's 500 ms steps would quantise a run
		// of a few seconds (2,000 mails read 396 or 440 mails/s, nothing
		// between).
		for deadline := start.Add(10 * time.Minute); ; time.Sleep(10 * time.Millisecond) {
			if c, _, _ := counts(b, db); c >= n {
				break
			}
			if time.Now().After(deadline) {
				b.Fatalf("%d cases not committed within 10 minutes", n)
			}
		}
		ingest := float64(n) / time.Since(start).Seconds()
		busy, sys := readMachineCPU(b).since(machine)
		cpu, cerr := procCPU(p.cmd.Process.Pid)
		p.kill(b)
		if cerr != nil {
			b.Fatal(cerr)
		}
		if logTo != "" {
			if err := os.WriteFile(logTo, []byte(p.output()), 0o644); err != nil {
				b.Fatal(err)
			}
			bt := batchTimes(p.output())
			for _, k := range []string{"stage", "move_wait", "commit_wait", "commit", "move"} {
				b.ReportMetric(bt[k], k+"-ms")
			}
			b.Logf("a batch's median ms: stage %.1f, wait for the MOVE before %.1f, for the commit before %.1f, commit %.1f, MOVE %.1f",
				bt["stage"], bt["move_wait"], bt["commit_wait"], bt["commit"], bt["move"])
		}
		// The daemon's info lines say where the run's time went: its start,
		// then its steady state.
		tl := runTimeline(b, p.output(), start, n)
		b.Logf("from the start: inbox session connected after %.0f ms, first batch moved %.0f ms, mail %d moved %.0f ms, the last %.0f ms; from mail %d to the last, %.0f mails/s",
			tl.connected, tl.firstMove, tl.mark, tl.markMove, tl.lastMove, tl.mark, tl.steady)
		b.ReportMetric(tl.steady, "steady-mails/s")
		b.ReportMetric(tl.markMove, "mark-moved-ms")
		// The whole machine while the daemon ran: its two cores are shared
		// with Dovecot, Postfix and the kernel's work for all of them.
		b.ReportMetric(busy, "machine-busy-%")
		b.ReportMetric(sys, "machine-sys-%")

		b.ReportMetric(raw, "fetch-mails/s")
		b.ReportMetric(ingest, "ingest-mails/s")
		b.ReportMetric(ingest/raw, "ratio")
		// The daemon's CPU time per mail (all its threads, start-up
		// included): on a machine shared with other work, mails/s alone
		// cannot tell a cheaper intake from a quieter machine.
		b.ReportMetric(float64(cpu.Microseconds())/float64(n), "cpu-us/mail")
		// What a new file costs where the archive is (BenchmarkCreatePart):
		// a figure taken where it is ten times its usual says so.
		b.ReportMetric(float64(fsCreate.Microseconds()), "fs-create-us")
		b.Logf("N=%d: raw UID FETCH %.0f mails/s, mailproc ingest %.0f mails/s, ratio %.2f, daemon CPU %.0f µs a mail, a new file %v",
			n, raw, ingest, ingest/raw, float64(cpu.Microseconds())/float64(n), fsCreate)
	}
}

// benchIMAPDelay puts the daemon's IMAP behind a link with the delay
// MAILPROC_BENCH_IMAP_DELAY (say 5ms) each way, as a mail server elsewhere
// would be, when that is set.
func benchIMAPDelay(b *testing.B, d *testDesk) {
	v := os.Getenv("MAILPROC_BENCH_IMAP_DELAY")
	if v == "" {
		return
	}
	delay, err := time.ParseDuration(v)
	if err != nil {
		b.Fatalf("MAILPROC_BENCH_IMAP_DELAY: %v", err)
	}
	host, port, err := splitHostPort(startLatencyProxy(b, d.stack.IMAPAddr, delay))
	if err != nil {
		b.Fatal(err)
	}
	d.Config.IMAP.Host, d.Config.IMAP.Port = host, port
	b.ReportMetric(float64(2*delay.Microseconds())/1000, "imap-rtt-ms")
}

// BenchmarkSpineFetchMoveCeiling is the server's share of intake alone: a
// plain client fetches the 2,000 mails of the intake bench in batches of
// 50 and moves each batch to the processed folder, as mailproc does, with
// nothing else done. No intake on this server can be faster; the gap to
// BenchmarkSpineIngest is mailproc's own work.
func BenchmarkSpineFetchMoveCeiling(b *testing.B) {
	for i := 0; i < b.N; i++ {
		n := benchN()
		d := newTestDesk(b)
		loadMails(b, d, n)
		c := d.imapLogin(d.Address)
		if err := c.Create("Diproses", nil).Wait(); err != nil {
			b.Fatal(err)
		}
		if _, err := c.Select("INBOX", nil).Wait(); err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		var moving time.Duration
		for lo := 1; lo <= n; lo += 50 {
			var set imap.UIDSet
			set.AddRange(imap.UID(lo), imap.UID(min(lo+49, n)))
			cmd := c.Fetch(set, &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{{Peek: true}}})
			for msg := cmd.Next(); msg != nil; msg = cmd.Next() {
				for item := msg.Next(); item != nil; item = msg.Next() {
					if bs, ok := item.(imapclient.FetchItemDataBodySection); ok {
						if _, err := io.Copy(io.Discard, bs.Literal); err != nil {
							b.Fatal(err)
						}
					}
				}
			}
			if err := cmd.Close(); err != nil {
				b.Fatal(err)
			}
			m := time.Now()
			if _, err := c.Move(set, "Diproses").Wait(); err != nil {
				b.Fatal(err)
			}
			moving += time.Since(m)
		}
		rate := float64(n) / time.Since(start).Seconds()
		c.Close()
		b.ReportMetric(rate, "fetch+move-mails/s")
		b.ReportMetric(float64(moving.Microseconds())/float64(n), "move-us/mail")
		b.Logf("N=%d: UID FETCH + UID MOVE in batches of 50: %.0f mails/s (MOVE %.0f µs a mail)", n, rate, float64(moving.Microseconds())/float64(n))
	}
}

// BenchmarkSpinePeakRSS30MB measures the daemon's peak resident memory while
// it ingests one mail with a 30 MB attachment.
func BenchmarkSpinePeakRSS30MB(b *testing.B) {
	for i := 0; i < b.N; i++ {
		d := newTestDesk(b)
		d.appendRaw(bigMail("budi@warga.test", d.Address, 30<<20))
		cfgPath := d.writeConfig()
		db := d.db()
		p := d.spawn(cfgPath)
		waitFor(b, 2*time.Minute, "the 30 MB case", func() bool { c, _, _ := counts(b, db); return c == 1 })
		rss := p.peakRSS(b)
		p.kill(b)
		b.ReportMetric(float64(rss)/(1<<20), "peak-RSS-MB")
		b.Logf("peak RSS ingesting a 30 MB mail: %.1f MB", float64(rss)/(1<<20))
	}
}

// createCost is the mean time to create 200 new 4 kB files in dir: the
// file system's side of archiving a mail.
func createCost(b *testing.B, dir string) time.Duration {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		b.Fatal(err)
	}
	data := make([]byte, 4000)
	const n = 200
	start := time.Now()
	for i := range n {
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("f%d", i)), data, 0o600); err != nil {
			b.Fatal(err)
		}
	}
	return time.Since(start) / n
}

// loadMails appends n realistic citizen mails (2–6 kB) to the desk's INBOX.
func loadMails(b testing.TB, d *testDesk, n int) {
	c := d.imapLogin(d.Address)
	defer c.Close()
	for i := 0; i < n; i++ {
		from := fmt.Sprintf("warga%04d@warga.test", i)
		body := "Selamat siang Bapak/Ibu,\n\nSaya ingin bertanya tentang layanan perpustakaan dan arsip.\n"
		for j := 0; j < 1+i%8; j++ {
			body += "Apakah ada persyaratan khusus untuk meminjam koleksi arsip daerah? Mohon penjelasannya, terima kasih.\n"
		}
		raw := citizenMail(from, d.Address, fmt.Sprintf("Pertanyaan %d", i), body,
			fmt.Sprintf("Message-ID: <bench-%d-%s>", i, d.Address))
		if err := appendMail(c, "INBOX", raw); err != nil {
			b.Fatal(err)
		}
	}
}

// rawFetchRate streams every mail of the INBOX with UID FETCH BODY.PEEK[]
// (leaving it unread and in place) and returns mails per second.
func rawFetchRate(b *testing.B, d *testDesk, n int) float64 {
	c := d.imapLogin(d.Address)
	defer c.Close()
	if _, err := c.Select("INBOX", &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	var set imap.UIDSet
	set.AddRange(1, 0) // 1:*
	cmd := c.Fetch(set, &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{{Peek: true}}})
	got := 0
	for {
		msg := cmd.Next()
		if msg == nil {
			break
		}
		for {
			item := msg.Next()
			if item == nil {
				break
			}
			if bs, ok := item.(imapclient.FetchItemDataBodySection); ok {
				if _, err := io.Copy(io.Discard, bs.Literal); err != nil {
					b.Fatal(err)
				}
			}
		}
		got++
	}
	if err := cmd.Close(); err != nil {
		b.Fatal(err)
	}
	if got != n {
		b.Fatalf("fetched %d of %d", got, n)
	}
	return float64(n) / time.Since(start).Seconds()
}

// procCPU is the user plus system CPU time the process has used so far
// (/proc/PID/stat, in clock ticks of 10 ms).
func procCPU(pid int) (time.Duration, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name (field 2) may hold spaces; the fields after it
	// start past its closing parenthesis: state is field 3, utime 14, stime 15.
	rest := string(data)
	if i := strings.LastIndexByte(rest, ')'); i >= 0 {
		rest = rest[i+1:]
	}
	f := strings.Fields(rest)
	if len(f) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: %d fields after the name", pid, len(f))
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, fmt.Errorf("/proc/%d/stat: %w", pid, err)
	}
	return time.Duration(utime+stime) * 10 * time.Millisecond, nil
}

// batchTimes reads the daemon's debug log: the median of each of a batch's
// times, in ms — staged on the session, its wait for the commit before,
// the commit ("batch staged" lines), and the MOVE ("moved mails" took).
func batchTimes(log string) map[string]float64 {
	all := map[string][]float64{}
	for _, line := range strings.Split(log, "\n") {
		var keys []string
		switch {
		case strings.Contains(line, `msg="batch staged"`):
			keys = []string{"stage", "move_wait", "commit_wait", "commit"}
		case strings.Contains(line, `msg="moved mails"`):
			keys = []string{"took"}
		}
		for _, f := range strings.Fields(line) {
			k, v, _ := strings.Cut(f, "=")
			if !slices.Contains(keys, k) {
				continue
			}
			if d, err := time.ParseDuration(v); err == nil {
				if k == "took" {
					k = "move"
				}
				all[k] = append(all[k], float64(d.Microseconds())/1000)
			}
		}
	}
	med := map[string]float64{}
	for k, l := range all {
		slices.Sort(l)
		med[k] = l[len(l)/2]
	}
	return med
}

// machineCPU is the first line of /proc/stat: the whole machine's CPU time
// by kind, in clock ticks.
type machineCPU []int64

func readMachineCPU(b *testing.B) machineCPU {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		b.Fatal(err)
	}
	line, _, _ := strings.Cut(string(data), "\n")
	var t machineCPU
	for _, f := range strings.Fields(line)[1:] {
		v, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			b.Fatalf("/proc/stat: %q: %v", line, err)
		}
		t = append(t, v)
	}
	if len(t) < 5 {
		b.Fatalf("/proc/stat: %q", line)
	}
	return t
}

// since returns the share of the machine's CPU time busy (neither idle nor
// waiting for I/O) and in the kernel since before, in per cent.
func (t machineCPU) since(before machineCPU) (busy, sys float64) {
	var total int64
	d := make([]int64, len(t))
	for i := range t {
		d[i] = t[i] - before[i]
		total += d[i]
	}
	if total == 0 {
		return 0, 0
	}
	// user nice system idle iowait irq softirq steal ...
	return 100 * float64(total-d[3]-d[4]) / float64(total), 100 * float64(d[2]) / float64(total)
}

// timeline is where a run's time went, in ms from the daemon's start.
type timeline struct {
	connected, firstMove, markMove, lastMove float64
	mark                                     int     // the mail markMove is for
	steady                                   float64 // mails/s from mark to the last
}

// runTimeline reads the daemon's log: when the inbox session was connected,
// when the first batch was moved, when the mail a quarter of the way in
// was, and the last. From that mail on the run is in its steady state; what
// comes before is its start.
func runTimeline(b *testing.B, log string, start time.Time, n int) timeline {
	at := func(line string) float64 {
		_, v, _ := strings.Cut(line, "time=")
		v, _, _ = strings.Cut(v, " ")
		ts, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			b.Fatalf("log time %q: %v", v, err)
		}
		return float64(ts.Sub(start).Microseconds()) / 1000
	}
	tl := timeline{mark: n / 4}
	moved := 0
	for _, line := range strings.Split(log, "\n") {
		switch {
		case tl.connected == 0 && strings.Contains(line, "msg=connected component=imap mailbox=INBOX"):
			tl.connected = at(line)
		case strings.Contains(line, `msg="moved mails" component=imap mailbox=INBOX`):
			_, c, _ := strings.Cut(line, " count=")
			c, _, _ = strings.Cut(c, " ")
			k, err := strconv.Atoi(c)
			if err != nil {
				b.Fatalf("moved mails: %q", line)
			}
			if moved == 0 {
				tl.firstMove = at(line)
			}
			if moved < tl.mark && moved+k >= tl.mark {
				tl.markMove = at(line)
			}
			moved += k
			tl.lastMove = at(line)
		}
	}
	if tl.lastMove > tl.markMove {
		tl.steady = float64(n-tl.mark) / ((tl.lastMove - tl.markMove) / 1000)
	}
	return tl
}

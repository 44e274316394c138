//go:build faults

package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dpk-kampar/mailproc/mailproc"
	"github.com/dpk-kampar/mailproc/mailproc/sqlite"
)

// TestFaultLoad: a backlog of MAILPROC_FAULT_LOAD_BACKLOG mails (default
// 500; --full 10,000) waits in the inbox when the daemon starts, then
// citizens write at MAILPROC_FAULT_LOAD_RATE mails a second (default 10)
// for MAILPROC_FAULT_LOAD_SECONDS (default 30; --full 600). Every mail
// becomes a case; the acknowledgement latency of the live mails, the
// daemon's resident memory and its goroutines are recorded, and neither
// memory nor goroutines may grow over the run.
func TestFaultLoad(t *testing.T) {
	backlog := faultInt(t, "LOAD_BACKLOG", 500)
	rate := faultInt(t, "LOAD_RATE", 10)
	run := faultSeconds(t, "LOAD_SECONDS", 30)

	d := newTestDesk(t)
	d.Config.Ack.PerSenderPerDay = 1000
	d.HTTPListen = freeLoopbackAddr(t)
	appendBacklog(t, d, backlog)
	cfgPath := d.writeConfig()
	db := d.db()
	// MAILPROC_FAULT_LOG=path keeps the daemon's whole log of the run, written
	// as it comes: "mail sent" lines say each mail's lane and its queued_ms.
	var tee io.Writer
	if path := os.Getenv("MAILPROC_FAULT_LOG"); path != "" {
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		tee = f
	}
	start := time.Now()
	p := d.spawnTee(cfgPath, tee)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("daemon log (tail):\n%s", tail(p.output(), 30))
		}
	})
	waitFor(t, time.Duration(backlog/20+120)*time.Second, fmt.Sprintf("the backlog of %d as cases", backlog), func() bool {
		c, _, _ := counts(t, db)
		return c >= backlog
	})
	drained := time.Since(start)
	t.Logf("backlog of %d ingested in %.1f s (%.0f mails/s)", backlog, drained.Seconds(), float64(backlog)/drained.Seconds())

	// Memory and goroutines every 5 s while citizens write.
	var mu sync.Mutex
	var rss []int64
	var goroutines []int
	stopSampling := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		tick := time.NewTicker(5 * time.Second)
		defer tick.Stop()
		for {
			select {
			case <-stopSampling:
				return
			case <-tick.C:
			}
			r, rerr := procStatusBytes(p.cmd.Process.Pid, "VmRSS")
			g, gerr := scrapeGauge("http://"+d.HTTPListen+"/metrics", "go_goroutines")
			mu.Lock()
			if rerr == nil && gerr == nil {
				rss = append(rss, r)
				goroutines = append(goroutines, int(g))
			}
			mu.Unlock()
		}
	}()

	// The live phase: rate mails a second, each from a citizen of its own;
	// accepted[i] is when Postfix said 250.
	live := rate * int(run/time.Second)
	accepted := make([]time.Time, live)
	s := d.sender()
	liveStart := time.Now()
	for i := 0; i < live; i++ {
		time.Sleep(time.Until(liveStart.Add(time.Duration(i) * time.Second / time.Duration(rate))))
		from := d.citizen(fmt.Sprintf("live%05d", i))
		s.send(from, d.Address, citizenMail(from, d.Address, fmt.Sprintf("Pertanyaan %d", i), "Apakah perpustakaan buka hari Minggu?",
			fmt.Sprintf("Message-ID: <live-%d-%s>", i, d.Address)))
		accepted[i] = time.Now()
	}
	sendSeconds := time.Since(liveStart).Seconds()
	// The run is the live phase: memory and goroutines are judged over it.
	// Sampling goes on while the backlog's outgoing mail drains, for the
	// figure only.
	mu.Lock()
	liveSamples := len(rss)
	mu.Unlock()
	total := backlog + live
	waitFor(t, 5*time.Minute, fmt.Sprintf("%d cases", total), func() bool { c, _, _ := counts(t, db); return c >= total })
	// Two mails go out per case (acknowledgement, staff notification), and
	// a burst digest a minute while the notifications are held for one.
	waitFor(t, time.Duration(total/10+300)*time.Second, "the outbox to empty", func() bool {
		pending, _, _, _ := db.OutboxCounts(context.Background())
		return pending == 0
	})
	close(stopSampling)
	<-sampled

	cases, msgs, q := counts(t, db)
	if cases != total || msgs != total || q != 0 {
		t.Fatalf("cases=%d messages=%d quarantined=%d, want %d/%d/0", cases, msgs, q, total, total)
	}
	waitFor(t, time.Minute, "INBOX empty", func() bool { return d.count("INBOX") == 0 })
	if got := d.count("Diproses"); got != total {
		t.Fatalf("Diproses holds %d, want %d", got, total)
	}

	// Acknowledgement latency of the live mails: Postfix accepting the
	// citizen's mail → Postfix accepting our acknowledgement.
	acks, err := db.Outbox(context.Background(), sqlite.OutboxFilter{Purpose: mailproc.PurposeAck, State: mailproc.OutboxSent})
	if err != nil {
		t.Fatal(err)
	}
	ackOf := map[string]*mailproc.OutgoingMail{}
	for _, a := range acks {
		ackOf[strings.ToLower(a.To[0].Addr)] = a
	}
	// The whole latency, and where it went: in the mail system before the
	// mail reached the desk's inbox (Postfix 250 → Dovecot's INTERNALDATE,
	// whole seconds), in mailproc's intake (INTERNALDATE → the
	// acknowledgement queued with the case) and in its outbox (queued →
	// Postfix 250). perMinute is the worst latency of each minute of the run.
	var lat, toInbox, intake, outbox []time.Duration
	perMinute := make([]time.Duration, (live+rate*60-1)/(rate*60))
	for i := 0; i < live; i++ {
		a, ok := ackOf[strings.ToLower(d.citizen(fmt.Sprintf("live%05d", i)))]
		if !ok {
			t.Errorf("live mail %d was not acknowledged", i)
			continue
		}
		l := a.SentAt.Sub(accepted[i])
		lat = append(lat, l)
		perMinute[i/(rate*60)] = max(perMinute[i/(rate*60)], l)
		outbox = append(outbox, a.SentAt.Sub(a.CreatedAt))
		if c, err := db.CaseByID(context.Background(), a.CaseID); err == nil && c != nil {
			toInbox = append(toInbox, c.OpenedAt.Sub(accepted[i].Truncate(time.Second)))
			intake = append(intake, a.CreatedAt.Sub(c.OpenedAt))
		}
	}
	if len(acks) != total {
		t.Errorf("%d acknowledgements sent, want %d", len(acks), total)
	}
	// Staff: every case its notification, most of them held behind a
	// burst digest (desk.notify_digest_over, default 10).
	notes, err := db.Outbox(context.Background(), sqlite.OutboxFilter{Purpose: mailproc.PurposeNotify, State: mailproc.OutboxSent})
	if err != nil {
		t.Fatal(err)
	}
	digests, held, notified := 0, 0, map[int64]bool{}
	for _, n := range notes {
		switch {
		case n.CaseID == 0:
			digests++
		case n.Burst:
			held++
			fallthrough
		default:
			notified[n.CaseID] = true
		}
	}
	if len(notified) != total || (total > d.Config.Desk.NotifyDigestOver && digests == 0) {
		t.Errorf("staff were notified of %d cases (want %d) with %d burst digests", len(notified), total, digests)
	}
	// Latency is a figure, not a pass mark: live mail queues behind the
	// backlog's outgoing mail (first come, first served), so it depends on
	// the backlog and on how fast the SMTP server takes mail.
	p50, p99 := percentile(lat, 50), percentile(lat, 99)

	// No growth: the last third of the samples against the first third.
	mu.Lock()
	defer mu.Unlock()
	if liveSamples < 3 {
		t.Fatalf("only %d samples of memory and goroutines during the run", liveSamples)
	}
	runRSS, runG := rss[:liveSamples], goroutines[:liveSamples]
	third := len(runRSS) / 3
	firstRSS, lastRSS := slices.Max(runRSS[:third+1]), slices.Max(runRSS[len(runRSS)-third-1:])
	firstG, lastG := slices.Max(runG[:third+1]), slices.Max(runG[len(runG)-third-1:])
	if lastRSS > firstRSS+firstRSS/4+8<<20 {
		t.Errorf("resident memory grew from %.1f MB to %.1f MB over the run: %v", mb(firstRSS), mb(lastRSS), runRSS)
	}
	if lastG > firstG+10 {
		t.Errorf("goroutines grew from %d to %d over the run: %v", firstG, lastG, runG)
	}
	drainMax := int64(0)
	if len(rss) > liveSamples {
		drainMax = slices.Max(rss[liveSamples:])
	}
	peak := p.peakRSS(t)
	var worst []string
	for _, w := range perMinute {
		worst = append(worst, fmt.Sprintf("%.1f", w.Seconds()))
	}
	split := func(ds []time.Duration) string {
		if len(ds) == 0 {
			return "-"
		}
		return fmt.Sprintf("p50 %.2f s, p99 %.2f s", percentile(ds, 50).Seconds(), percentile(ds, 99).Seconds())
	}
	figure(t, "acknowledgement latency of the live mails split: reaching the desk's inbox (Postfix 250 → Dovecot's INTERNALDATE; both this and the next are ±1 s, INTERNALDATE has whole seconds) %s; Dovecot's IDLE and mailproc's intake (INTERNALDATE → acknowledgement queued) %s; mailproc's outbox (queued → Postfix 250) %s; the worst of each minute of the run: %s s",
		split(toInbox), split(intake), split(outbox), strings.Join(worst, ", "))
	figure(t, "backlog of %d mails at start-up ingested in %.0f s (%.0f mails/s); then %d mails/s for %.0f s (%d mails): %d cases, %d quarantined, %d lost; acknowledgement latency (Postfix 250 of the citizen's mail → Postfix 250 of the acknowledgement) p50 %.2f s, p99 %.2f s, max %.2f s; during the run RSS max %.1f MB in the first third, %.1f MB in the last, goroutines %d → %d; while the outgoing backlog drained afterwards RSS up to %.1f MB (peak %.1f MB); staff got %d burst digests and %d notifications held behind them",
		backlog, drained.Seconds(), float64(backlog)/drained.Seconds(), rate, sendSeconds, live, cases, q, total-cases,
		p50.Seconds(), p99.Seconds(), slices.Max(lat).Seconds(), mb(firstRSS), mb(lastRSS), runG[0], runG[len(runG)-1], mb(drainMax), mb(peak), digests, held)
}

func mb(b int64) float64 { return float64(b) / (1 << 20) }

// appendBacklog puts n citizen mails straight into the desk's INBOX.
func appendBacklog(t *testing.T, d *testDesk, n int) {
	t.Helper()
	c := d.imapLogin(d.Address)
	defer c.Close()
	for i := 0; i < n; i++ {
		from := d.citizen(fmt.Sprintf("antre%05d", i))
		body := "Selamat siang Bapak/Ibu,\n\nSaya ingin bertanya tentang layanan perpustakaan dan arsip.\n" +
			strings.Repeat("Apakah ada persyaratan khusus untuk meminjam koleksi arsip daerah? Mohon penjelasannya.\n", 1+i%8)
		subj := fmt.Sprintf("Pertanyaan %d", i)
		if i%5 == 0 {
			subj = fmt.Sprintf("Keluhan %d: pelayanan lambat", i)
		}
		raw := citizenMail(from, d.Address, subj, body, fmt.Sprintf("Message-ID: <antre-%d-%s>", i, d.Address))
		if err := appendMail(c, "INBOX", raw); err != nil {
			t.Fatal(err)
		}
	}
}

func freeLoopbackAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// scrapeGauge reads one unlabelled sample from a Prometheus text endpoint.
func scrapeGauge(url, name string) (float64, error) {
	resp, err := http.Get(url)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), name+" "); ok {
			return strconv.ParseFloat(strings.TrimSpace(v), 64)
		}
	}
	return 0, fmt.Errorf("%s not in %s", name, url)
}

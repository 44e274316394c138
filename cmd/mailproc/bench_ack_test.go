package main

import (
	"fmt"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// BenchmarkAckLatency sends 100 citizen mails one by one through the real
// Postfix and measures, for each, the time from Postfix accepting it (the
// 250 after DATA) to the acknowledgement being visible in the citizen's
// Dovecot INBOX (STATUS polled every 10 ms). In the same run it measures
// Dovecot's own IDLE notification delay: a mail sent straight to a watcher
// in IDLE, from 250 to the EXISTS.
//
//	go test -run '^$' -bench 'BenchmarkAckLatency' -benchtime 1x ./cmd/mailproc
func BenchmarkAckLatency(b *testing.B) {
	for i := 0; i < b.N; i++ {
		n := 100
		if v, err := strconv.Atoi(envOr("MAILPROC_BENCH_ACKS", "")); err == nil && v > 0 {
			n = v
		}
		d := newTestDesk(b)
		d.Config.Ack.PerSenderPerDay = n + 1
		d.start()
		s := d.sender()
		citizen := d.citizen("warga")
		watcher := d.imapLogin(citizen)
		defer watcher.Close()

		var lat []time.Duration
		for j := 0; j < n; j++ {
			s.send(citizen, d.Address, citizenMail(citizen, d.Address, fmt.Sprintf("Pertanyaan %d", j), "Jam berapa buka?"))
			accepted := time.Now()
			deadline := accepted.Add(30 * time.Second)
			for statusCount(b, watcher, "INBOX") < j+1 {
				if time.Now().After(deadline) {
					b.Fatalf("acknowledgement %d did not arrive", j)
				}
				time.Sleep(10 * time.Millisecond)
			}
			lat = append(lat, time.Since(accepted))
		}
		idle := idleDelays(b, d, 20)

		p50, p99 := percentile(lat, 50), percentile(lat, 99)
		i50 := percentile(idle, 50)
		b.ReportMetric(p50.Seconds(), "ack-p50-s")
		b.ReportMetric(p99.Seconds(), "ack-p99-s")
		b.ReportMetric(i50.Seconds(), "idle-p50-s")
		b.Logf("%d acknowledgements: p50 %.3fs p99 %.3fs max %.3fs; Dovecot IDLE notification p50 %.3fs p99 %.3fs",
			n, p50.Seconds(), p99.Seconds(), slices.Max(lat).Seconds(), i50.Seconds(), percentile(idle, 99).Seconds())
	}
}

// idleDelays measures how long Dovecot takes to tell an IDLE client about
// a mail Postfix has just accepted for it.
func idleDelays(b *testing.B, d *testDesk, n int) []time.Duration {
	user := d.citizen("idle")
	exists := make(chan uint32, 16)
	c, err := imapclient.DialInsecure(d.stack.IMAPAddr, &imapclient.Options{
		UnilateralDataHandler: &imapclient.UnilateralDataHandler{
			Mailbox: func(m *imapclient.UnilateralDataMailbox) {
				if m.NumMessages != nil {
					select {
					case exists <- *m.NumMessages:
					default:
					}
				}
			},
		},
	})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	if err := c.Login(user, d.stack.Password).Wait(); err != nil {
		b.Fatal(err)
	}
	s := d.sender()
	// The mailbox must exist before it can be selected.
	s.send("pengirim@warga.test", user, citizenMail("pengirim@warga.test", user, "awal", "awal"))
	waitFor(b, 10*time.Second, "the first mail", func() bool { return d.inboxCount(user) == 1 })
	if _, err := c.Select("INBOX", &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		b.Fatal(err)
	}
	var out []time.Duration
	for i := 0; i < n; i++ {
		idle, err := c.Idle()
		if err != nil {
			b.Fatal(err)
		}
		s.send("pengirim@warga.test", user, citizenMail("pengirim@warga.test", user, "tes", "tes"))
		start := time.Now()
		select {
		case <-exists:
			out = append(out, time.Since(start))
		case <-time.After(30 * time.Second):
			b.Fatal("no EXISTS")
		}
		idle.Close()
		idle.Wait()
	}
	return out
}

func percentile(d []time.Duration, p int) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	i := (len(s)*p + 99) / 100
	if i > 0 {
		i--
	}
	return s[i]
}

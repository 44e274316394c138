package main

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dpk-kampar/mailproc/mailproc"
	"github.com/dpk-kampar/mailproc/mailproc/smtp"
)

// BenchmarkOutboxThroughput queues MAILPROC_BENCH_OUTBOX mails (default
// 1,000) in a real SQLite outbox and times the postman sending them all to
// the local Postfix: as the daemon does (smtp.connections 2, sessions kept
// for 100 mails) and as before (one session per mail, one at a time). No
// Sent-folder copy. smtp-only sends the same mails over the same two kept
// sessions with no outbox at all: the ceiling the postman is measured
// against on a machine whose load moves every figure.
//
//	go test -run '^$' -bench 'BenchmarkOutboxThroughput' -benchtime 1x ./cmd/mailproc
func BenchmarkOutboxThroughput(b *testing.B) {
	n := 1000
	if v, err := strconv.Atoi(envOr("MAILPROC_BENCH_OUTBOX", "")); err == nil && v > 0 {
		n = v
	}
	b.Run("smtp-only-2conns", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			d := newTestDesk(b)
			sender := &smtp.Sender{Config: smtpConfig(d.Config), PerSession: smtpPerSession}
			var next atomic.Int64
			start := time.Now()
			var wg sync.WaitGroup
			for range 2 {
				wg.Go(func() {
					for j := next.Add(1); j <= int64(n); j = next.Add(1) {
						m := &mailproc.OutgoingMail{ID: j, Purpose: mailproc.PurposeNotify,
							MessageID: fmt.Sprintf("raw%d.%s@pustakaarsip.test", j, d.ID),
							From:      mailproc.Address{Addr: d.Address}, To: []mailproc.Address{{Addr: d.citizen("petugas")}},
							Subject: "Kasus baru", Text: "Kasus baru masuk.\n", Date: time.Now()}
						if _, err := sender.SendMail(context.Background(), m); err != nil {
							b.Error(err)
						}
					}
				})
			}
			wg.Wait()
			el := time.Since(start)
			sender.Close()
			b.ReportMetric(float64(n)/el.Seconds(), "mails/s")
			b.Logf("smtp-only: %d mails in %.2f s = %.0f mails/s", n, el.Seconds(), float64(n)/el.Seconds())
		}
	})
	for _, tt := range []struct {
		name              string
		conns, perSession int
	}{
		{"kept-2conns", 2, smtpPerSession},
		{"session-per-mail", 1, 1},
	} {
		b.Run(tt.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				d := newTestDesk(b)
				db := d.db()
				var ms []*mailproc.OutgoingMail
				for j := range n {
					ms = append(ms, &mailproc.OutgoingMail{Purpose: mailproc.PurposeNotify,
						MessageID: fmt.Sprintf("bench%d.%s@pustakaarsip.test", j, d.ID),
						From:      mailproc.Address{Addr: d.Address}, To: []mailproc.Address{{Addr: d.citizen("petugas")}},
						Subject: "Kasus baru", Text: "Kasus baru masuk.\n", Date: time.Now(), NextAttempt: time.Now()})
				}
				if err := db.Intake(context.Background(), func(tx mailproc.IntakeTx) error {
					for _, m := range ms {
						if err := tx.EnqueueMail(m); err != nil {
							return err
						}
					}
					return nil
				}); err != nil {
					b.Fatal(err)
				}
				sender := &smtp.Sender{Config: smtpConfig(d.Config), PerSession: tt.perSession}
				pm := mailproc.NewPostman(mailproc.Postman{Store: db, Sender: sender, Connections: tt.conns})
				ctx, cancel := context.WithCancel(context.Background())
				start := time.Now()
				done := make(chan error, 1)
				go func() { done <- pm.Run(ctx) }()
				// Polled every 5 ms, not by waitFor (every 500 ms after 2 s),
				// whose step would be a tenth of the time measured.
				for pending := -1; pending != 0; time.Sleep(5 * time.Millisecond) {
					if time.Since(start) > 10*time.Minute {
						b.Fatal("the outbox did not empty in 10 minutes")
					}
					pending, _, _, _ = db.OutboxCounts(context.Background())
				}
				el := time.Since(start)
				cancel()
				<-done
				sender.Close()
				_, sent, failed, _ := db.OutboxCounts(context.Background())
				if sent != n || failed != 0 {
					b.Fatalf("sent %d, failed %d, want %d/0", sent, failed, n)
				}
				b.ReportMetric(float64(n)/el.Seconds(), "mails/s")
				b.Logf("%s: %d mails in %.2f s = %.0f mails/s", tt.name, n, el.Seconds(), float64(n)/el.Seconds())
			}
		})
	}
}

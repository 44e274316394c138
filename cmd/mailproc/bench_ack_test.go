package main

import (
	"database/sql"
	"fmt"
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

// BenchmarkAckLatency sends 100 citizen mails one by one (each half a
// second after the acknowledgement of the one before) through the real
// Postfix and measures, for each, the time from Postfix accepting it (the
// 250 after DATA) to the acknowledgement being visible in the citizen's
// Dovecot INBOX (STATUS polled every 10 ms). In the same run it measures
// Dovecot's own IDLE notification delay: a mail sent straight to a watcher
// in IDLE, from 250 to the EXISTS.
//
// With MAILSTACK_MAIL_ROOT set (scripts/mailstack env sets it) it also
// says where each acknowledgement's time went, from stamps nobody here
// chose: Dovecot's delivery stamp in each maildir file's name (the citizen's
// mail in the desk's mailbox, the acknowledgement in the citizen's) and the
// moment the outbox row says Postfix accepted the acknowledgement
// (sent_at, to the millisecond): see ackSteps.
//
// MAILPROC_BENCH_IMAP_DELAY puts the daemon's IMAP that far away each way
// (see benchIMAPDelay).
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
		benchIMAPDelay(b, d) // the daemon's; the IDLE delay below is measured on loopback
		d.start()
		s := d.sender()
		citizen := d.citizen("warga")
		watcher := d.imapLogin(citizen)
		defer watcher.Close()

		// Each mail is sent once the daemon is done with the one before
		// (its MOVE, bookmark and Sent copy come after the
		// acknowledgement): a mail sent right behind an acknowledgement
		// can be found by the sync still running, without Dovecot's IDLE
		// notice, which is not the empty queue this measures.
		var lat []time.Duration
		var sent []time.Time // when Postfix accepted each citizen mail
		for j := 0; j < n; j++ {
			if j > 0 {
				time.Sleep(ackGap)
			}
			s.send(citizen, d.Address, citizenMail(citizen, d.Address, fmt.Sprintf("Pertanyaan %d", j), "Jam berapa buka?"))
			accepted := time.Now()
			sent = append(sent, accepted)
			deadline := accepted.Add(30 * time.Second)
			for statusCount(b, watcher, "INBOX") < j+1 {
				if time.Now().After(deadline) {
					b.Fatalf("acknowledgement %d did not arrive", j)
				}
				time.Sleep(10 * time.Millisecond)
			}
			lat = append(lat, time.Since(accepted))
		}
		idle, notify := idleDelays(b, d, 20)
		i50 := percentile(idle, 50)
		if root := os.Getenv("MAILSTACK_MAIL_ROOT"); root != "" {
			st := ackSteps(b, d, root, citizen, sent, lat)
			for _, k := range []string{"to-desk", "desk", "to-citizen", "poll", "delivered"} {
				b.ReportMetric(percentile(st[k], 50).Seconds()*1000, k+"-p50-ms")
			}
			b.ReportMetric(percentile(notify, 50).Seconds()*1000, "idle-notify-p50-ms")
			b.Logf("acknowledgement in the citizen's maildir (its delivery stamp) p50 %.1f ms after the citizen's mail was accepted, %.1f ms above Dovecot's IDLE p50",
				ms(percentile(st["delivered"], 50)), ms(percentile(st["delivered"], 50)-i50))
			b.Logf("p50 of each step: Postfix to the desk's mailbox %.1f ms; from there to the acknowledgement accepted by Postfix %.1f ms "+
				"(Dovecot's notice to the bench's own IDLE watcher, from the delivery stamp: %.1f ms); Postfix to the citizen's mailbox %.1f ms; the bench's poll %.1f ms",
				ms(percentile(st["to-desk"], 50)), ms(percentile(st["desk"], 50)), ms(percentile(notify, 50)),
				ms(percentile(st["to-citizen"], 50)), ms(percentile(st["poll"], 50)))
		}

		p50, p99 := percentile(lat, 50), percentile(lat, 99)
		b.ReportMetric(p50.Seconds(), "ack-p50-s")
		b.ReportMetric(p99.Seconds(), "ack-p99-s")
		b.ReportMetric(i50.Seconds(), "idle-p50-s")
		b.Logf("%d acknowledgements: p50 %.3fs p99 %.3fs max %.3fs; Dovecot IDLE notification p50 %.3fs p99 %.3fs",
			n, p50.Seconds(), p99.Seconds(), slices.Max(lat).Seconds(), i50.Seconds(), percentile(idle, 99).Seconds())
	}
}

// ackGap is the pause before each mail of the acknowledgement bench, and
// before each of the IDLE measure's, after it began to idle.
const ackGap = 500 * time.Millisecond

// idleDelays measures how long Dovecot takes to tell an IDLE client about
// a mail Postfix has just accepted for it; with MAILSTACK_MAIL_ROOT set,
// also the part of it after the mail was in the maildir (notify: the
// EXISTS less Dovecot's delivery stamp). That is this watcher's wait, not
// necessarily the desk's session's (docs/benchmarks.md found the desk's
// shorter).
func idleDelays(b *testing.B, d *testDesk, n int) (delays, notify []time.Duration) {
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
	var seen []time.Time
	for i := 0; i < n; i++ {
		idle, err := c.Idle()
		if err != nil {
			b.Fatal(err)
		}
		// Idling a while already when the mail comes, as the desk's
		// session is between mails.
		time.Sleep(ackGap)
		s.send("pengirim@warga.test", user, citizenMail("pengirim@warga.test", user, "tes", "tes"))
		start := time.Now()
		select {
		case <-exists:
			now := time.Now()
			delays, seen = append(delays, now.Sub(start)), append(seen, now)
		case <-time.After(30 * time.Second):
			b.Fatal("no EXISTS")
		}
		idle.Close()
		idle.Wait()
	}
	if root := os.Getenv("MAILSTACK_MAIL_ROOT"); root != "" {
		stamps := maildirStamps(b, mailboxDir(root, user), "")
		stamps = stamps[1:] // the first mail made the mailbox
		if len(stamps) != n {
			b.Fatalf("%d delivery stamps in %s's maildir, want %d", len(stamps), user, n)
		}
		for i, at := range stamps {
			notify = append(notify, seen[i].Sub(at))
		}
	}
	return delays, notify
}

// ackSteps splits each acknowledgement's time (lat, from sent, when Postfix
// accepted the citizen's mail) into its steps: Postfix delivering the mail
// into the desk's mailbox (to-desk, up to Dovecot's delivery stamp); the
// desk, from there until Postfix accepted the acknowledgement (desk:
// Dovecot's IDLE notice, then mailproc's intake, commit and send; sent_at of
// the outbox row); Postfix delivering the acknowledgement into the
// citizen's mailbox (to-citizen); and the bench's STATUS poll seeing it
// (poll); and delivered, the first three together: the citizen's mail
// accepted to the acknowledgement in the citizen's mailbox, with no poll
// in it. The stamps are the server's own, on the same clock as the bench's;
// a step found well below zero means they are not to be trusted, and fails
// the run.
func ackSteps(b *testing.B, d *testDesk, root, citizen string, sent []time.Time, lat []time.Duration) map[string][]time.Duration {
	b.Helper()
	n := len(sent)
	inDesk := maildirStamps(b, mailboxDir(root, d.Address), "Diproses")
	inCitizen := maildirStamps(b, mailboxDir(root, citizen), "")
	raw, err := sql.Open("sqlite3", d.Config.DatabasePath())
	if err != nil {
		b.Fatal(err)
	}
	defer raw.Close()
	rows, err := raw.Query(`SELECT sent_at FROM outbox WHERE purpose = 'ack' AND state = 'sent' ORDER BY id`)
	if err != nil {
		b.Fatal(err)
	}
	var acked []time.Time
	for rows.Next() {
		var at int64
		if err := rows.Scan(&at); err != nil {
			b.Fatal(err)
		}
		acked = append(acked, time.UnixMilli(at))
	}
	if err := rows.Err(); err != nil {
		b.Fatal(err)
	}
	if len(inDesk) != n || len(inCitizen) != n || len(acked) != n {
		b.Fatalf("%d mails in the desk's processed folder, %d in the citizen's inbox, %d acknowledgements sent; want %d of each",
			len(inDesk), len(inCitizen), len(acked), n)
	}
	steps := map[string][]time.Duration{}
	for j := range n {
		seen := sent[j].Add(lat[j])
		s := map[string]time.Duration{
			"to-desk":    inDesk[j].Sub(sent[j]),
			"desk":       acked[j].Sub(inDesk[j]),
			"to-citizen": inCitizen[j].Sub(acked[j]),
			"poll":       seen.Sub(inCitizen[j]),
			"delivered":  inCitizen[j].Sub(sent[j]),
		}
		for k, v := range s {
			// A few ms below zero are the bench's: sent[j] is read once
			// the bench has Postfix's 250 in hand, and Postfix's queue
			// manager may have delivered the mail by then (it starts as
			// soon as the queue file is written); sent_at is cut to the
			// millisecond. Stamps read wrongly would be off by hours.
			if v < -50*time.Millisecond {
				b.Fatalf("acknowledgement %d: step %s is %v: the stamps are not on the bench's clock", j, k, v)
			}
			steps[k] = append(steps[k], v)
		}
	}
	return steps
}

// mailboxDir is where the mail stack's Dovecot keeps addr's maildir
// (mail_location maildir:<root>/%d/%n).
func mailboxDir(root, addr string) string {
	local, domain, _ := strings.Cut(addr, "@")
	return filepath.Join(root, domain, local)
}

// maildirStamps returns the delivery stamps of the mails in folder ("" for
// the inbox) of the maildir at dir, oldest first.
func maildirStamps(b *testing.B, dir, folder string) []time.Time {
	b.Helper()
	if folder != "" {
		dir = filepath.Join(dir, "."+folder)
	}
	var out []time.Time
	for _, sub := range []string{"new", "cur"} {
		entries, err := os.ReadDir(filepath.Join(dir, sub))
		if err != nil {
			b.Fatal(err)
		}
		for _, e := range entries {
			at, ok := maildirStamp(e.Name())
			if !ok {
				b.Fatalf("%s/%s: no delivery stamp in the name", sub, e.Name())
			}
			out = append(out, at)
		}
	}
	slices.SortFunc(out, time.Time.Compare)
	return out
}

// maildirStamp reads the time Dovecot put at the start of a maildir file's
// name, "<seconds>.M<microseconds>P<pid>.<host>...": when it delivered
// the mail, to the microsecond.
func maildirStamp(name string) (time.Time, bool) {
	secs, rest, ok := strings.Cut(name, ".M")
	if !ok {
		return time.Time{}, false
	}
	usecs, _, ok := strings.Cut(rest, "P")
	if !ok {
		return time.Time{}, false
	}
	s, err1 := strconv.ParseInt(secs, 10, 64)
	us, err2 := strconv.ParseInt(usecs, 10, 64)
	if err1 != nil || err2 != nil || s <= 0 || us < 0 || us >= 1e6 {
		return time.Time{}, false
	}
	return time.Unix(s, us*1000), true
}

func ms(d time.Duration) float64 { return d.Seconds() * 1000 }

func percentile(d []time.Duration, p int) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	i := (len(s)*p + 99) / 100
	if i > 0 {
		i--
	}
	return s[i]
}

// The delivery stamp is read from the names Dovecot gives maildir files,
// flags and size fields included; a name of another form gives none.
func TestMaildirStamp(t *testing.T) {
	for _, c := range []struct {
		name string
		want time.Time
		ok   bool
	}{
		{"1796499790.M421720P18718.vm,S=489,W=503:2,", time.Unix(1796499790, 421720000), true},
		{"1796499790.M5P1.host", time.Unix(1796499790, 5000), true},
		{"1796499790.M421720P18718.vm,S=489,W=503:2,S", time.Unix(1796499790, 421720000), true},
		{"1796499790.M1000000P1.host", time.Time{}, false}, // not microseconds
		{"1796499790.P18718Q2.host", time.Time{}, false},   // no M part
		{"dovecot-uidlist", time.Time{}, false},
		{".M12P3", time.Time{}, false},
	} {
		got, ok := maildirStamp(c.name)
		if ok != c.ok || !got.Equal(c.want) {
			t.Errorf("maildirStamp(%q) = %v, %v; want %v, %v", c.name, got, ok, c.want, c.ok)
		}
	}
}

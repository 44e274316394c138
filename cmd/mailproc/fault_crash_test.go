//go:build faults

package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"

	"github.com/dpk-kampar/mailproc/mailproc"
	"github.com/dpk-kampar/mailproc/mailproc/sqlite"
)

// TestFaultCrash: citizens' mails arrive through Postfix while the daemon
// is SIGKILLed and restarted at random moments. At the end there is exactly
// one case per mail, every mail is in Diproses, nothing is quarantined, and
// every citizen has an acknowledgement. A second copy of an acknowledgement
// is allowed only as the same outbox mail sent again — a kill between
// Postfix's 250 and the commit that marks it sent — so at most one per kill.
//
// MAILPROC_FAULT_CRASH_MAILS (default 200) and MAILPROC_FAULT_CRASH_KILLS
// (default 5); scripts/faults --full runs 1,000 and 20.
func TestFaultCrash(t *testing.T) {
	n := faultInt(t, "CRASH_MAILS", 200)
	kills := faultInt(t, "CRASH_KILLS", 5)
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 7))
	t.Logf("seed %d", seed)

	d := newTestDesk(t)
	cfgPath := d.writeConfig()
	db := d.db()
	p := d.spawn(cfgPath)
	start := time.Now()

	// Every mail from a citizen of its own, so each should get exactly one
	// acknowledgement; the mails are spread over the time the kills take.
	citizen := func(i int) string { return d.citizen(fmt.Sprintf("warga%04d", i)) }
	window := time.Duration(kills) * 1500 * time.Millisecond
	sent := make(chan error, 1)
	go func() {
		s := d.sender()
		for i := 0; i < n; i++ {
			from := citizen(i)
			subj := fmt.Sprintf("Pertanyaan nomor %d tentang jam buka", i)
			if i%5 == 0 {
				subj = fmt.Sprintf("Keluhan %d: buku rusak", i)
			}
			raw := citizenMail(from, d.Address, subj, fmt.Sprintf("Selamat siang,\nini email ke-%d. Apakah perpustakaan buka hari Sabtu?", i),
				fmt.Sprintf("Message-ID: <crash-%d-%s>", i, d.Address))
			if err := s.try(from, d.Address, raw); err != nil {
				sent <- fmt.Errorf("send %d: %w", i, err)
				return
			}
			time.Sleep(time.Until(start.Add(window * time.Duration(i+1) / time.Duration(n))))
		}
		sent <- nil
	}()

	for k := 0; k < kills; k++ {
		time.Sleep(time.Duration(300+rng.IntN(2400)) * time.Millisecond)
		p.kill(t)
		p = d.spawn(cfgPath)
	}
	if err := <-sent; err != nil {
		t.Fatal(err)
	}
	c, _, _ := counts(t, db)
	t.Logf("%d kills done after %.1f s; %d of %d cases so far", kills, time.Since(start).Seconds(), c, n)
	waitFor(t, 5*time.Minute, fmt.Sprintf("%d cases", n), func() bool { c, _, _ := counts(t, db); return c >= n })
	waitFor(t, time.Minute, "INBOX empty", func() bool { return d.count("INBOX") == 0 })
	waitFor(t, 5*time.Minute, "the outbox to empty", func() bool {
		pending, _, _, _ := db.OutboxCounts(context.Background())
		return pending == 0
	})
	elapsed := time.Since(start)

	cases, msgs, q := counts(t, db)
	if cases != n || msgs != n || q != 0 {
		t.Fatalf("cases=%d messages=%d quarantined=%d, want %d/%d/0", cases, msgs, q, n, n)
	}
	processed := d.count("Diproses")
	if processed != n {
		t.Fatalf("Diproses holds %d, want %d", processed, n)
	}
	// Each mail is on exactly one case.
	list, err := db.ListCases(context.Background(), sqlite.CaseFilter{})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]string{}
	onTwo := 0
	for _, cs := range list {
		ms, err := db.CaseMessages(context.Background(), cs.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range ms {
			if prev, ok := seen[m.MessageID]; ok {
				t.Errorf("mail %s is on %s and %s", m.MessageID, prev, cs.Number)
				onTwo++
			}
			seen[m.MessageID] = cs.Number
		}
	}
	lost := 0
	for i := 0; i < n; i++ {
		if _, ok := seen[fmt.Sprintf("crash-%d-%s", i, d.Address)]; !ok {
			lost++
		}
	}
	if lost != 0 {
		t.Errorf("%d mails are on no case", lost)
	}

	// Acknowledgements as the citizens see them.
	dupAcks, missing, differing := 0, 0, 0
	for i := 0; i < n; i++ {
		ids := ackIDs(t, d, citizen(i))
		switch {
		case len(ids) == 0:
			missing++
		case len(ids) > 1:
			dupAcks += len(ids) - 1
			for _, id := range ids[1:] {
				if id != ids[0] {
					t.Errorf("%s got two different acknowledgements (%s, %s): two outbox mails for one case", citizen(i), ids[0], id)
					differing++
				}
			}
		}
	}
	if missing != 0 {
		t.Errorf("%d citizens got no acknowledgement", missing)
	}
	// A kill after the 250s of a group of accepted mails and before the
	// commit that marks them sent makes them all go again on restart.
	if dupAcks > kills*mailproc.SentGroupMax {
		t.Errorf("%d duplicate acknowledgements after %d kills: at most %d per kill (a group marked sent by one commit) can be explained",
			dupAcks, kills, mailproc.SentGroupMax)
	}
	figure(t, "%d mails, %d SIGKILLs at random moments (seed %d): %d cases, %d in Diproses, %d quarantined, %d lost, %d on two cases; %d duplicate acknowledgements (%d of them a different outbox mail than the first), %d missing; done in %.0f s",
		n, kills, seed, cases, processed, q, lost, onTwo, dupAcks, differing, missing, elapsed.Seconds())
}

// ackIDs returns the Message-IDs of the mails in a citizen's INBOX (all of
// them are acknowledgements in these tests), waiting briefly for the first.
func ackIDs(t *testing.T, d *testDesk, citizen string) []string {
	t.Helper()
	c := d.imapLogin(citizen)
	defer c.Close()
	deadline := time.Now().Add(30 * time.Second)
	for statusCount(t, c, "INBOX") == 0 && time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
	}
	if _, err := c.Select("INBOX", &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		t.Fatal(err)
	}
	var set imap.SeqSet
	set.AddRange(1, 0)
	msgs, err := c.Fetch(set, &imap.FetchOptions{Envelope: true}).Collect()
	if err != nil {
		if strings.Contains(err.Error(), "Invalid messageset") || strings.Contains(err.Error(), "No messages") {
			return nil
		}
		t.Fatal(err)
	}
	var ids []string
	for _, m := range msgs {
		ids = append(ids, mailproc.NormalizeMessageID(m.Envelope.MessageID))
	}
	return ids
}

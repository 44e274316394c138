package mailproc

import (
	"context"
	"strings"
	"testing"
	"time"
)

func TestNotifyDigested(t *testing.T) {
	for _, tt := range []struct {
		recent, behind, over int
		want                 bool
	}{
		{0, 0, 10, false},    // the first of a window, nothing behind it
		{9, 0, 10, false},    // the tenth: still one by one
		{10, 0, 10, true},    // the eleventh: more than over, held
		{10, 0, 0, false},    // 0: never
		{500, 0, 0, false},   // never, whatever the burst
		{0, 2000, 0, false},  // never, whatever the backlog
		{1, 0, 1, true},      //
		{0, 10, 10, true},    // the first of eleven waiting at start-up: held
		{0, 9, 10, false},    // the first of ten waiting: ten are not more than ten
		{9, 1, 10, true},     // the tenth of a window with one more behind it
		{3, 1, 10, false},    // a few more, still under
		{0, 1999, 10, true},  // the start-up backlog
		{10, 1999, 10, true}, //
	} {
		if got := NotifyDigested(tt.recent, tt.behind, tt.over); got != tt.want {
			t.Errorf("NotifyDigested(%d, %d, %d) = %v, want %v", tt.recent, tt.behind, tt.over, got, tt.want)
		}
	}
}

func TestBurstDigestDue(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		name           string
		oldest, newest time.Duration // after t0
		now            time.Duration
		want           bool
	}{
		{"still coming", 0, 5 * time.Second, 6 * time.Second, false},
		{"paused for BurstQuiet", 0, 5 * time.Second, 5*time.Second + BurstQuiet, true},
		{"one held, quiet", 0, 0, BurstQuiet, true},
		{"goes on, the oldest waited BurstMaxHold", 0, BurstMaxHold - time.Second, BurstMaxHold, true},
		{"goes on, not a minute yet", 0, 50 * time.Second, 55 * time.Second, false},
	} {
		if got := BurstDigestDue(t0.Add(tt.oldest), t0.Add(tt.newest), t0.Add(tt.now)); got != tt.want {
			t.Errorf("%s: BurstDigestDue = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestBurstDigestText: the digest lists every case given with its number,
// kind, deadline, age and the subject without links; counts the rest; says
// the notifications follow and are what to reply to; names no case in its
// subject and carries no token, so a reply to it acts on nothing.
func TestBurstDigestText(t *testing.T) {
	wib := time.FixedZone("WIB", 7*3600)
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, wib)
	desk := "layanan@pustakaarsip.kamparkab.go.id"
	c := &Composer{Desk: Desk{Name: "Layanan", Address: desk, Location: wib},
		Staff: []Address{{Addr: "petugas@pustakaarsip.kamparkab.go.id"}}}
	cases := []*Case{
		{Number: "ADU-2026-00007", Kind: KindAduan, Subject: "Buku rusak, lihat http://spam.example/x", OpenedAt: now.Add(-3 * time.Minute), DueAt: now.Add(57 * time.Minute)},
		{Number: "INF-2026-00042", Kind: KindInformasi, Subject: "Jam buka", OpenedAt: now.Add(-2 * 24 * time.Hour), DueAt: now.Add(-time.Hour)},
	}
	m := c.BurstDigest(cases, 30, now)
	for _, want := range []string{
		"30 kasus masuk hampir bersamaan",
		"Notifikasi tiap kasus menyusul setelah email ini",
		"balas notifikasi kasusnya",
		"- ADU-2026-00007  Aduan  email  batas Selasa, 1 Desember 2026 pukul 09.57 WIB  masuk 3 menit lalu  Buku rusak, lihat\n",
		"- INF-2026-00042  Permintaan Informasi  email  batas Selasa, 1 Desember 2026 pukul 08.00 WIB  masuk 2 hari lalu  Jam buka\n",
		"dan 28 kasus lainnya",
	} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("digest lacks %q:\n%s", want, m.Text)
		}
	}
	if strings.Contains(m.Text, "spam.example") {
		t.Errorf("digest echoes a link:\n%s", m.Text)
	}
	if FindNumber(m.Subject) != "" || m.CaseID != 0 || m.Purpose != PurposeNotify || len(m.To) != 1 {
		t.Errorf("digest subject %q case %d purpose %s to %v", m.Subject, m.CaseID, m.Purpose, m.To)
	}
	if _, ok := ParseToken(m.MessageID, desk); ok {
		t.Errorf("the digest's Message-ID %s parses as a token: a reply could act on a case", m.MessageID)
	}
}

// burstStoreFunc is a BurstStore that hands the digester's callbacks to a
// test.
type burstStoreFunc func(now time.Time, due func(oldest, newest time.Time) bool, limit int,
	compose func(cases []*Case, total int) (*OutgoingMail, error)) (int, error)

func (f burstStoreFunc) FlushBurstDigest(_ context.Context, now time.Time, due func(oldest, newest time.Time) bool, limit int,
	compose func(cases []*Case, total int) (*OutgoingMail, error)) (int, error) {
	return f(now, due, limit, compose)
}

// TestBurstDigesterFlush: the digester asks for the first 100 cases, judges
// with BurstDigestDue at its clock, and composes a digest only for two
// cases or more (one held case is simply released: its notification is
// the mail).
func TestBurstDigesterFlush(t *testing.T) {
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	c := &Composer{Desk: Desk{Name: "Layanan", Address: "layanan@desk.test", Location: time.UTC},
		Staff: []Address{{Addr: "petugas@desk.test"}}}
	one := []*Case{{Number: "INF-2026-00001", Kind: KindInformasi, OpenedAt: now, DueAt: now.Add(5 * time.Minute)}}
	for _, tt := range []struct {
		total      int
		wantDigest bool
	}{{1, false}, {2, true}, {250, true}} {
		var digest *OutgoingMail
		d := &BurstDigester{Composer: c, Now: func() time.Time { return now },
			Store: burstStoreFunc(func(at time.Time, due func(oldest, newest time.Time) bool, limit int,
				compose func(cases []*Case, total int) (*OutgoingMail, error)) (int, error) {
				if !at.Equal(now) || limit != burstListMax || burstListMax != 100 {
					t.Errorf("flush at %v with limit %d", at, limit)
				}
				if due(now.Add(-time.Second), now) || !due(now.Add(-BurstQuiet), now.Add(-BurstQuiet)) {
					t.Error("due is not BurstDigestDue at the digester's clock")
				}
				var err error
				digest, err = compose(one, tt.total)
				return tt.total, err
			})}
		sent, err := d.Flush(context.Background())
		if err != nil || !sent {
			t.Fatalf("total %d: Flush = %v, %v", tt.total, sent, err)
		}
		if (digest != nil) != tt.wantDigest {
			t.Errorf("total %d: digest %v, want one: %v", tt.total, digest != nil, tt.wantDigest)
		}
	}
}

// countingTx answers CountQueuedUpTo from counts, one per call, and
// remembers how often it was asked.
type countingTx struct {
	IntakeTx
	counts []int
	asked  int
}

func (c *countingTx) CountQueuedUpTo(Purpose, time.Time, int) (int, error) {
	n := c.counts[min(c.asked, len(c.counts)-1)]
	c.asked++
	return n, nil
}

// Within a batch, once a count of queued notifications reached its limit
// the memo answers the limit without asking again; below the limit, and
// for another limit, it asks each time.
func TestBurstMemo(t *testing.T) {
	for _, tt := range []struct {
		name      string
		counts    []int
		limits    []int
		want      []int
		wantAsked int
	}{
		{"below the limit: asked each time", []int{1, 2, 3}, []int{10, 10, 10}, []int{1, 2, 3}, 3},
		{"limit reached: asked once more, never after", []int{9, 10, 99}, []int{10, 10, 10, 10}, []int{9, 10, 10, 10}, 2},
		{"another limit: asked again", []int{10, 4}, []int{10, 20, 10}, []int{10, 4, 10}, 2},
	} {
		c := &countingTx{counts: tt.counts}
		m := &burstMemo{IntakeTx: c}
		for i, limit := range tt.limits {
			if got, err := m.CountQueuedUpTo(PurposeNotify, time.Time{}, limit); err != nil || got != tt.want[i] {
				t.Errorf("%s: call %d = %d, %v; want %d", tt.name, i, got, err, tt.want[i])
			}
		}
		if c.asked != tt.wantAsked {
			t.Errorf("%s: asked the database %d times, want %d", tt.name, c.asked, tt.wantAsked)
		}
	}
}

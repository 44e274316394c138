package main

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/dpk-kampar/mailproc/mailproc"
	"github.com/dpk-kampar/mailproc/mailproc/config"
	"github.com/dpk-kampar/mailproc/mailproc/sqlite"
)

// TestDemo runs `mailproc demo` as a newcomer would, and checks each step
// of the story on the terminal, in order, and in the desk's database after
// it: the cases, the complaint's climb up the chain, the escalation mails'
// To and Cc, the rating. It takes about half a minute: the demo's fast clock
// is part of what is tested.
func TestDemo(t *testing.T) {
	dir := t.TempDir()
	var out, errb bytes.Buffer
	began := time.Now()
	if code := run(context.Background(), []string{"demo", "-data", dir}, &out, &errb); code != 0 {
		t.Fatalf("demo exit %d\n%s\n%s", code, out.String(), errb.String())
	}
	took := time.Since(began)
	t.Logf("demo took %s", took.Round(100*time.Millisecond))
	if took > time.Minute {
		t.Errorf("the demo took %s; it promises under a minute", took)
	}
	o := out.String()
	for _, line := range strings.Split(errb.String(), "\n") {
		if strings.Contains(line, "level=ERROR") {
			t.Errorf("the daemon logged an error: %s", line)
		}
	}

	// The timeline, in the order it happened. The morning is stepped a
	// minute at a time, so its times are exact.
	y := yearNow()
	kasi, kabag, kadis := "kasi.pelayanan@pustakaarsip.kamparkab.go.id", "kabag.pelayanan@pustakaarsip.kamparkab.go.id", "kadis@pustakaarsip.kamparkab.go.id"
	// The closing mail (rating question) always follows the answer it
	// closes; it may pass the staff member's confirmation (another lane's
	// neighbour, sent in parallel).
	inOrder(t, o, "closing after the answer",
		"[09.04]   ← jawaban petugas INF-"+y+"-00001 diteruskan ke warga siti.rahmawati@gmail.com",
		"[09.04]   ← INF-"+y+"-00001 selesai; warga siti.rahmawati@gmail.com diminta menilai layanan",
		"[09.05]   ← jawaban petugas INF-"+y+"-00002")
	inOrder(t, o, "timeline",
		"pukul 09.00 WIB. Janji layanan: informasi dijawab dalam 5 menit, aduan dalam 1 jam.",
		"[09.00] → email masuk: Siti Rahmawati <siti.rahmawati@gmail.com> — \"Jam buka perpustakaan hari Sabtu\"",
		"[09.00]   ← tanda terima INF-"+y+"-00001 ke warga siti.rahmawati@gmail.com, dijawab paling lambat 09.05",
		"[09.00]   ← notifikasi kasus baru INF-"+y+"-00001 ke "+demoStaff,
		"[09.01] → email masuk: \"Budi Santoso\"",
		"[09.01]   ← tanda terima ADU-"+y+"-00001 ke warga budi.santoso88@yahoo.co.id, dijawab paling lambat 10.01",
		"[09.02]   ← tanda terima INF-"+y+"-00002 ke warga andre.pratama@outlook.com",
		"[09.03]   ← pesan lanjutan INF-"+y+"-00001 diteruskan ke "+demoStaff,
		"[09.04] → Petugas Layanan <"+demoStaff+"> membalas notifikasi INF-"+y+"-00001",
		"[09.04]   ← jawaban petugas INF-"+y+"-00001 diteruskan ke warga siti.rahmawati@gmail.com",
		"[09.04]   ← konfirmasi ke "+demoStaff+": jawaban INF-"+y+"-00001 terkirim",
		"[09.05]   ← jawaban petugas INF-"+y+"-00002 diteruskan ke warga andre.pratama@outlook.com",
		"[09.06]   ← tanda terima ADU-"+y+"-00002 ke warga warga.kampar@gmail.com",
		"[09.07] → email masuk: (email rusak",
		"[09.07]   ← email rusak dikarantina; pemberitahuan ke ops ops@pustakaarsip.kamparkab.go.id",
		"[09.08] → warga siti.rahmawati@gmail.com menilai layanan INF-"+y+"-00001: 4 (sangat puas)",
		"[09.10]   ← jawaban petugas ADU-"+y+"-00002 diteruskan ke warga warga.kampar@gmail.com",
		"[09.10] Tidak ada yang menjawab ADU-"+y+"-00001. Jam demo dipercepat: 1 detik = 5 menit",
		"← ADU-"+y+"-00001 belum dijawab: eskalasi tingkat 1 ke Kepala Seksi Pelayanan <"+kasi+">\n",
		"← ADU-"+y+"-00001 belum dijawab: eskalasi tingkat 2 ke Kepala Bagian Pelayanan <"+kabag+">, tembusan Kepala Seksi Pelayanan\n",
		"← ADU-"+y+"-00001 belum dijawab: eskalasi tingkat 3 ke Kepala Dinas <"+kadis+">, tembusan Kepala Seksi Pelayanan dan Kepala Bagian Pelayanan\n",
	)
	// What the terminal shows after the timeline.
	inOrder(t, o, "summary",
		"Contoh tanda terima (bagian teks):",
		"pukul 09.05 WIB", // the ack's deadline: the real 5 minutes, on the demo clock
		"Layanan ini tidak dipungut biaya.",
		"Jawaban petugas yang diteruskan kepada warga",
		"Perpustakaan buka hari Sabtu pukul 08.00",
		"Kotak masuk pimpinan (penampung SMTP):",
		"Kasus (mailproc cases):",
		"Kasus yang naik ke pimpinan (mailproc cases ADU-"+y+"-00001):",
		"tingkat 1 (Kepala Seksi Pelayanan, "+kasi+") diberi tahu",
		"tingkat 2 (Kepala Bagian Pelayanan, "+kabag+") diberi tahu",
		"tingkat 3 (Kepala Dinas, "+kadis+") diberi tahu",
		"Karantina: UID ",
		"Laporan Bulanan",
		"Persentase sesuai janji     : 100,0%", // both informasi answered within 5 minutes
		"Persentase sesuai janji     : 50,0%",  // the fee complaint answered in time, Budi's not
		"Tingkat 1: 1\n  Tingkat 2: 1\n  Tingkat 3: 1\n",
		"Kasus terbuka yang melewati batas waktu: 1",
		"1 penilaian, rata-rata 4,00 dari 4",
		"Permintaan Informasi  : IKM 100,00 (mutu A, Sangat Baik); 1 jawaban; tingkat respons 50,0% dari 2 kasus selesai",
		"Edisi publik untuk situs web instansi",
		"Dijawab sesuai janji layanan    : 50,0%",
		"riwayat utuh: ",
		"Selesai. Kotak masuk kosong",
	)
	// Each head's mailbox: their own level, and each later one in Cc.
	for _, box := range []string{
		kasi + ` +3 email: eskalasi tingkat 1, eskalasi tingkat 2 \(tembusan\), eskalasi tingkat 3 \(tembusan\)\n`,
		kabag + ` +2 email: eskalasi tingkat 2, eskalasi tingkat 3 \(tembusan\)\n`,
		kadis + ` +1 email: eskalasi tingkat 3\n`,
	} {
		if !regexp.MustCompile(box).MatchString(o) {
			t.Errorf("the heads' mailboxes lack %s", box)
		}
	}
	if i, j := strings.Index(o, "Jawaban petugas yang diteruskan"), strings.Index(o, "Kotak masuk pimpinan"); i < 0 || j < i || strings.Contains(o[i:j], "menulis:") {
		t.Error("the relayed answer carries the quoted notification")
	}
	for _, row := range []string{`ADU-\d+-00001\s+aduan\s+dieskalasi`, `ADU-\d+-00002\s+aduan\s+dijawab`, `INF-\d+-00001\s+informasi\s+selesai`, `INF-\d+-00002\s+informasi\s+selesai`} {
		if !regexp.MustCompile(row).MatchString(o) {
			t.Errorf("the case list lacks a row %s", row)
		}
	}

	// The desk's own records, from the data the demo kept.
	cfg := config.DefaultConfig()
	cfg.Desk.DataDir = dir
	db, err := sqlite.Open(cfg.DatabasePath())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	cases, err := db.ListCases(ctx, sqlite.CaseFilter{})
	if err != nil {
		t.Fatal(err)
	}
	byCitizen := map[string]*mailproc.Case{}
	for _, c := range cases {
		byCitizen[c.CitizenAddr] = c
	}
	if len(cases) != 4 || len(byCitizen) != 4 {
		t.Fatalf("%d cases of %d citizens, want 4 of 4", len(cases), len(byCitizen))
	}
	for _, addr := range []string{"siti.rahmawati@gmail.com", "andre.pratama@outlook.com", "warga.kampar@gmail.com"} {
		c := byCitizen[addr]
		if c == nil || c.FirstAnswerAt.IsZero() || c.FirstAnswerAt.After(c.DueAt) || c.EscalationLevel != 0 {
			t.Errorf("the case of %s is not answered within its promise, unescalated: %+v", addr, c)
		}
	}
	budi := byCitizen["budi.santoso88@yahoo.co.id"]
	if budi == nil || budi.Kind != mailproc.KindAduan || budi.State != mailproc.StateDieskalasi ||
		budi.EscalationLevel != 3 || !budi.EscalateAt.IsZero() || !budi.FirstAnswerAt.IsZero() {
		t.Fatalf("Budi's complaint did not climb the whole chain unanswered: %+v", budi)
	}

	// Each head was told once, in order, when the previous level's time
	// had passed on the demo clock, and not much later.
	events, err := db.Timeline(ctx, budi.ID)
	if err != nil {
		t.Fatal(err)
	}
	dueAt := budi.DueAt
	levels := []struct {
		head  string
		after time.Duration // this level's time, before the next is told
	}{{"1 (Kepala Seksi Pelayanan", 30 * time.Minute}, {"2 (Kepala Bagian Pelayanan", time.Hour}, {"3 (Kepala Dinas", 0}}
	var escalations []*mailproc.Event
	for _, e := range events {
		if e.Type == mailproc.EventEscalated {
			escalations = append(escalations, e)
		}
	}
	if len(escalations) != len(levels) {
		t.Fatalf("%d escalation events, want %d: %v", len(escalations), len(levels), escalations)
	}
	for i, e := range escalations {
		if !strings.HasPrefix(e.Detail, "tingkat "+levels[i].head) || e.Actor != mailproc.ActorSystem {
			t.Errorf("escalation %d: %s %q", i+1, e.Actor, e.Detail)
		}
		// 15 minutes on the demo clock are 3 s of wall time.
		if late := e.At.Sub(dueAt); late < 0 || late > 15*time.Minute {
			t.Errorf("escalation %d at %s: %s after its time %s", i+1, e.At, late, dueAt)
		}
		dueAt = e.At.Add(levels[i].after)
	}

	// The three mails to the heads: To the level's head, Cc the ones told
	// before, all sent.
	mails, err := db.Outbox(ctx, sqlite.OutboxFilter{Purpose: mailproc.PurposeEscalation})
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{kasi}, {kabag, kasi}, {kadis, kasi, kabag}}
	if len(mails) != len(want) {
		t.Fatalf("%d escalation mails, want %d", len(mails), len(want))
	}
	for i, m := range mails {
		got := []string{}
		for _, a := range append(append([]mailproc.Address(nil), m.To...), m.Cc...) {
			got = append(got, a.Addr)
		}
		if len(m.To) != 1 || strings.Join(got, " ") != strings.Join(want[i], " ") || m.State != mailproc.OutboxSent || m.CaseID != budi.ID {
			t.Errorf("escalation mail %d: to %v cc %v (%s), case %d; want to %s cc %v, sent, case %d",
				i+1, m.To, m.Cc, m.State, m.CaseID, want[i][0], want[i][1:], budi.ID)
		}
	}

	ratings, err := db.Ratings(ctx, []int64{byCitizen["siti.rahmawati@gmail.com"].ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(ratings) != 1 || ratings[0].Score != 4 {
		t.Errorf("Siti's ratings: %+v, want one 4", ratings)
	}
	if q, err := db.QuarantineList(ctx); err != nil || len(q) != 1 {
		t.Errorf("quarantine: %d entries (%v), want the broken mail", len(q), err)
	}
}

// TestDemoRefusesUsedData: the story starts from an empty desk, so the demo
// will not run on an earlier run's data.
func TestDemoRefusesUsedData(t *testing.T) {
	dir := t.TempDir()
	db, err := sqlite.Open(dir + "/mailproc.db")
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"demo", "-data", dir}, &out, &errb); code == 0 || !strings.Contains(errb.String(), "already holds a desk") {
		t.Fatalf("demo on used data: exit %d\n%s\n%s", code, out.String(), errb.String())
	}
}

// inOrder checks that each of want appears in s, each after the one before.
func inOrder(t *testing.T, s, what string, want ...string) {
	t.Helper()
	at, failed := 0, false
	for _, w := range want {
		i := strings.Index(s[at:], w)
		if i < 0 {
			if strings.Contains(s, w) {
				t.Errorf("%s: %q is out of order", what, w)
			} else {
				t.Errorf("%s lacks %q", what, w)
			}
			failed = true
			continue
		}
		at += i + len(w)
	}
	if failed {
		t.Logf("output:\n%s", s)
	}
}

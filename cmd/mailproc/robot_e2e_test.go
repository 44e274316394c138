package main

// End-to-end tests of issue 13 on the real Dovecot + Postfix: Reply-To is
// where the acknowledgement goes, and robots open no case, page no staff
// and are listed by `mailproc cases list --unlinked`.

import (
	"context"
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/dpk-kampar/mailproc/mailproc/sqlite"
)

// TestE2EAckAtReplyTo: a teacher writes from a personal address for the
// school's secretariat. The acknowledgement arrives in the secretariat's
// mailbox, not the teacher's, and the case shows both addresses.
func TestE2EAckAtReplyTo(t *testing.T) {
	d := newTestDesk(t)
	d.start()
	teacher, office := d.citizen("hendra"), d.citizen("sekretariat")
	d.sender().send(teacher, d.Address, citizenMail("Hendra Wijaya <"+teacher+">", d.Address,
		"Permohonan kunjungan siswa", "Mohon informasi syarat kunjungan 40 siswa ke perpustakaan daerah.",
		"Reply-To: Sekretariat SMAN 1 <"+office+">"))
	waitFor(t, 20*time.Second, "the acknowledgement at Reply-To", func() bool { return d.inboxCount(office) == 1 })
	ack := d.mails(office, "INBOX")[0]
	if !ackSubjectRE.MatchString(ack.Subject) {
		t.Errorf("subject %q is not an acknowledgement", ack.Subject)
	}
	list, err := d.db().ListCases(context.Background(), sqlite.CaseFilter{})
	if err != nil || len(list) != 1 {
		t.Fatalf("cases: %v %d", err, len(list))
	}
	if c := list[0]; c.CitizenAddr != teacher || c.ReplyAddr != office {
		t.Errorf("case citizen %q reply %q, want %q and %q", c.CitizenAddr, c.ReplyAddr, teacher, office)
	}
	time.Sleep(2 * time.Second)
	if n := d.inboxCount(teacher); n != 0 {
		t.Errorf("the From address got %d mails, want none", n)
	}
}

// TestE2ERobotsOpenNoCase: an Auto-Submitted: auto-generated notice and a
// Precedence: list mail are stored (moved out of INBOX, in the database,
// archived) but open no case and send staff nothing; `mailproc cases list
// --unlinked --json` lists both with the reason. A person's mail after them
// does get a case and a notification, which proves the robots were handled.
func TestE2ERobotsOpenNoCase(t *testing.T) {
	d := newTestDesk(t)
	d.start()
	s := d.sender()
	gen, list, person := d.citizen("sistem"), d.citizen("milis"), d.citizen("budi")
	s.send(gen, d.Address, citizenMail(gen, d.Address, "Laporan harian server", "Backup selesai tanpa kesalahan.",
		"Auto-Submitted: auto-generated", "Message-ID: <gen-"+d.ID+"@warga.test>"))
	s.send(list, d.Address, citizenMail(list, d.Address, "[warga-kampar] Kerja bakti Minggu", "Ayo ikut kerja bakti di taman baca.",
		"Precedence: list", "Message-ID: <list-"+d.ID+"@warga.test>"))
	s.send(person, d.Address, citizenMail(person, d.Address, "Syarat kartu anggota", "Apa syarat membuat kartu anggota?"))

	waitFor(t, 30*time.Second, "the person's notification to staff", func() bool { return d.inboxCount(d.Staff) >= 1 })
	waitFor(t, 10*time.Second, "INBOX empty", func() bool { return d.count("INBOX") == 0 })
	time.Sleep(2 * time.Second)
	if n := d.inboxCount(d.Staff); n != 1 {
		t.Fatalf("staff got %d mails, want only the person's case", n)
	}
	db := d.db()
	cases, msgs, q := counts(t, db)
	if cases != 1 || msgs != 3 || q != 0 {
		t.Fatalf("cases=%d messages=%d quarantined=%d, want 1/3/0", cases, msgs, q)
	}
	for _, robot := range []string{gen, list} {
		if n := d.inboxCount(robot); n != 0 {
			t.Errorf("%s got %d mails", robot, n)
		}
	}

	cmd := exec.Command(binary(t), "cases", "list", "--unlinked", "--json", "-config", d.writeConfig())
	cmd.Env = d.env()
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("cases list --unlinked: %v\n%s", err, stderr.String())
	}
	var rows []struct {
		MessageID string `json:"message_id"`
		From      string `json:"from"`
		SHA256    string `json:"sha256"`
		Automatic string `json:"automatic"`
	}
	if err := json.Unmarshal(out, &rows); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	want := map[string]string{"gen-" + d.ID + "@warga.test": "Auto-Submitted: auto-generated", "list-" + d.ID + "@warga.test": "Precedence: list"}
	if len(rows) != len(want) {
		t.Fatalf("listed %d mails, want %d:\n%s", len(rows), len(want), out)
	}
	for _, r := range rows {
		if why, ok := want[r.MessageID]; !ok || !strings.Contains(r.Automatic, why) || r.SHA256 == "" {
			t.Errorf("listed %+v, want one of %v with its reason and archive digest", r, want)
		}
	}
}

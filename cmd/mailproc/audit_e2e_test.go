package main

import (
	"database/sql"
	"errors"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/dpk-kampar/mailproc/mailproc"
)

// TestE2EVerify: the daemon, as its own process on the real Dovecot and
// Postfix, opens a case and relays a staff answer; `mailproc verify` passes
// on the database it wrote (and the case holds its verdict), and after one
// UPDATE of an event's time it exits 1 naming that case.
func TestE2EVerify(t *testing.T) {
	d := newTestDesk(t)
	cfgPath := d.writeConfig()
	p := d.spawn(cfgPath)
	siti := d.citizen("siti")
	notif, c := openCase(t, d, siti, "Jam buka hari Sabtu", "Apakah perpustakaan buka hari Sabtu?")
	d.sender().send(d.Staff, d.Address, staffReply(gmailID, notif, d.Staff, d.Address, "Buka pukul 08.00-12.00."))
	waitFor(t, 20*time.Second, "the answer in the citizen's mailbox", func() bool { return len(answersTo(d, siti)) >= 1 })
	waitFor(t, 20*time.Second, "the case answered", func() bool { return !caseNow(t, d, c.Number).FirstAnswerAt.IsZero() })
	p.kill(t)

	after := caseNow(t, d, c.Number)
	if v := after.Verdict; v.Outcome != mailproc.OutcomeWithin || !v.HasServiceTime ||
		v.ServiceTime != after.FirstAnswerAt.Sub(after.OpenedAt) || v.Promise != d.Config.Desk.InfoDue.D() {
		t.Errorf("verdict %+v", v)
	}

	verify := func() (string, int) {
		cmd := exec.Command(binary(t), "verify", "-config", cfgPath)
		cmd.Env = d.env()
		out, err := cmd.CombinedOutput()
		var exit *exec.ExitError
		switch {
		case err == nil:
			return string(out), 0
		case errors.As(err, &exit):
			return string(out), exit.ExitCode()
		}
		t.Fatal(err)
		return "", -1
	}
	if out, code := verify(); code != 0 || !strings.Contains(out, "riwayat utuh") || strings.Contains(out, " 0 berkas arsip") {
		t.Fatalf("verify on the daemon's database: exit %d\n%s", code, out)
	}

	raw, err := sql.Open("sqlite3", d.Config.DatabasePath())
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	res, err := raw.Exec(`UPDATE events SET at = at + 60000 WHERE id =
		(SELECT min(id) FROM events WHERE case_id = ? AND type = ?)`, after.ID, string(mailproc.EventAnswer))
	if n, _ := res.RowsAffected(); err != nil || n != 1 {
		t.Fatalf("update: %v (%d rows)", err, n)
	}
	out, code := verify()
	if code != 1 || !strings.Contains(out, "kasus "+c.Number+": peristiwa #") {
		t.Errorf("verify after the UPDATE: exit %d\n%s", code, out)
	}
	t.Logf("verify said: %s", strings.TrimSpace(out))
}

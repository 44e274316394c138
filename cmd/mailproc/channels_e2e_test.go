package main

import (
	"encoding/json"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestE2EKanalTelepon: a staff mail "#kanal telepon" with Nama:, Kontak:
// and a complaint, vouched for by the desk's server, becomes an aduan case
// with channel telepon; staff get its notification, the sender a
// confirmation with the number; cases list --json and the month report
// show the channel. The same mail without the server's pass registers
// nothing.
func TestE2EKanalTelepon(t *testing.T) {
	d := newTestDesk(t)
	d.Config.Desk.AuthservID = "mail.pustakaarsip.kamparkab.go.id"
	d.Config.Desk.RequireAuth = true
	cfgPath := d.writeConfig()
	d.start()
	pass := "Authentication-Results: mail.pustakaarsip.kamparkab.go.id; dkim=pass header.d=pustakaarsip.kamparkab.go.id header.s=mail; spf=pass smtp.mailfrom=" + d.Staff
	fail := "Authentication-Results: mail.pustakaarsip.kamparkab.go.id; dkim=fail header.d=pustakaarsip.kamparkab.go.id; spf=fail smtp.mailfrom=" + d.Staff
	body := "#kanal telepon\nNama: Ibu Sari\nKontak: 0812-7654-3210\n\n" +
		"Saya kecewa, petugas ruang baca lantai 2 bersikap kasar dan buku yang saya kembalikan dicatat hilang.\n"
	s := d.sender()
	s.send(d.Staff, d.Address, citizenMail("Rina <"+d.Staff+">", d.Address, "Petugas ruang baca (forged)", body, fail))
	s.send(d.Staff, d.Address, citizenMail("Rina <"+d.Staff+">", d.Address, "Petugas ruang baca", body, pass))
	// Malformed (no such channel): a help mail with the syntax, nothing registered.
	s.send(d.Staff, d.Address, citizenMail("Rina <"+d.Staff+">", d.Address, "Salah tulis",
		strings.Replace(body, "#kanal telepon", "#kanal surat", 1), pass))

	// Staff also hear once that the forged one (in their name) was not
	// relayed; wait for each of the three by its text.
	var notified, confirmed, helped bool
	waitFor(t, 30*time.Second, "the notification, confirmation and help mail to staff", func() bool {
		for _, m := range d.mails(d.Staff, "INBOX") {
			notified = notified || (strings.Contains(m.Text, "bersikap kasar") && strings.Contains(m.Subject, "ADU-"))
			confirmed = confirmed || strings.Contains(m.Text, "sampaikan nomor")
			helped = helped || (strings.Contains(m.Text, "kanal tidak dikenal: surat") && strings.Contains(m.Text, "#kanal KANAL"))
		}
		return notified && confirmed && helped
	})
	if !notified || !confirmed || !helped {
		t.Errorf("staff notified %v, confirmed %v, helped %v", notified, confirmed, helped)
	}

	cmd := exec.Command(binary(t), "cases", "list", "--json", "-config", cfgPath)
	cmd.Env = d.env()
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("cases list: %v", err)
	}
	var listed []struct{ Number, Kind, Channel, Contact, CitizenName string }
	if err := json.Unmarshal(out, &listed); err != nil {
		t.Fatalf("cases list --json: %v\n%s", err, out)
	}
	if len(listed) != 1 || listed[0].Kind != "aduan" || listed[0].Channel != "telepon" || listed[0].Contact != "0812-7654-3210" {
		t.Fatalf("cases list --json (want one aduan by telepon; the forged registration none):\n%s", out)
	}
	if !strings.Contains(string(out), `"channel": "telepon"`) {
		t.Errorf("cases list --json has no \"channel\": \"telepon\":\n%s", out)
	}

	cmd = exec.Command(binary(t), "report", "-config", cfgPath, "--month", time.Now().In(d.Config.Location()).Format("2006-01"))
	cmd.Env = d.env()
	rep, err := cmd.Output()
	if err != nil {
		t.Fatalf("report: %v", err)
	}
	if !regexpTelepon.MatchString(string(rep)) {
		t.Errorf("report does not list the case under telepon:\n%s", rep)
	}
}

// regexpTelepon is the report's per-channel line of one telepon case.
var regexpTelepon = regexp.MustCompile(`(?m)^  Telepon \(telepon\)\s+:\s+1\s`)

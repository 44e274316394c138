package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/dpk-kampar/mailproc/mailproc/sqlite"
)

// TestE2ECheckWaitingMail is the first "must show": three mails
// 21 days old wait in the inbox and the database is fresh: mailproc check
// prints a catatan line with "3 email" and the age, and names
// imap.start_at. With imap.start_at = "now" the first start leaves the
// three in the inbox and takes only the mail that arrives after it; with a
// date, only the mail since that day.
func TestE2ECheckWaitingMail(t *testing.T) {
	old := time.Now().Add(-21*24*time.Hour - time.Hour)
	setup := func(t *testing.T) *testDesk {
		d := newTestDesk(t)
		c := d.imapLogin(d.Address)
		defer c.Close()
		for i, who := range []string{"siti", "budi", "ani"} {
			from := d.citizen(who)
			raw := citizenMail(from, d.Address, "Aduan lama "+who, "Sudah lama menunggu.")
			if err := appendMailAt(c, "INBOX", raw, old.Add(time.Duration(i)*time.Hour)); err != nil {
				t.Fatal(err)
			}
		}
		t.Setenv("TEST_HMAC_SECRET", d.Config.Desk.HMACSecret.Reveal())
		t.Setenv("TEST_IMAP_PASSWORD", d.stack.Password)
		return d
	}
	check := func(t *testing.T, cfgPath string) string {
		var out bytes.Buffer
		if code := run(context.Background(), []string{"check", "-config", cfgPath}, &out, &out); code != 0 {
			t.Fatalf("check: exit %d\n%s", code, out.String())
		}
		return out.String()
	}

	t.Run("now", func(t *testing.T) {
		d := setup(t)
		cfgPath := d.writeConfig()
		out := check(t, cfgPath)
		for _, want := range []string{"catatan kotak masuk: 3 email menunggu, yang tertua 21 hari — akan menjadi kasus pada start pertama",
			`imap.start_at = "now"`} {
			if !strings.Contains(out, want) {
				t.Errorf("check lacks %q:\n%s", want, out)
			}
		}
		t.Setenv("MAILPROC_IMAP_START_AT", "now")
		if out := check(t, cfgPath); !strings.Contains(out,
			`catatan kotak masuk: 3 email menunggu, yang tertua 21 hari — imap.start_at = "now": start pertama tidak mengambilnya`) {
			t.Errorf("check with start_at = now:\n%s", out)
		}

		d.Config.IMAP.StartAt = "now"
		d.start()
		waitFor(t, 20*time.Second, "the first start's bookmark", func() bool {
			st, err := d.db().MailboxState(context.Background(), "INBOX")
			return err == nil && st.UIDValidity != 0
		})
		siti := d.citizen("siti")
		d.sender().send(siti, d.Address, citizenMail(siti, d.Address, "Aduan baru", "Baru saja."))
		db := d.db()
		waitFor(t, 20*time.Second, "the new mail's case", func() bool { c, _, _ := counts(t, db); return c >= 1 })
		if c, _, _ := counts(t, db); c != 1 {
			t.Errorf("%d cases, want 1 (the new mail only)", c)
		}
		if n := d.count("INBOX"); n != 3 {
			t.Errorf("INBOX holds %d mails, want the 3 old ones left there", n)
		}
		if out := check(t, cfgPath); strings.Contains(out, "catatan kotak masuk") {
			t.Errorf("check after the first start still warns:\n%s", out)
		}
	})

	// start_at names a day in the desk's zone (WIB). The mail written at
	// 00:25 WIB that day is taken — on Dovecot, whose dates are UTC, it
	// arrived the day before — and the one of 23:30 WIB the evening before
	// stays.
	t.Run("date", func(t *testing.T) {
		d := setup(t)
		loc := d.Config.Location()
		y := time.Now().In(loc).AddDate(0, 0, -1)
		day := time.Date(y.Year(), y.Month(), y.Day(), 0, 0, 0, 0, loc)
		c := d.imapLogin(d.Address)
		for _, m := range []struct {
			who, subject string
			at           time.Time
		}{
			{"eko", "Aduan malam sebelumnya", day.Add(-30 * time.Minute)},
			{"dewi", "Aduan lewat tengah malam", day.Add(25 * time.Minute)},
		} {
			if err := appendMailAt(c, "INBOX", citizenMail(d.citizen(m.who), d.Address, m.subject, "Mohon dibantu."), m.at); err != nil {
				t.Fatal(err)
			}
		}
		c.Close()
		startAt := day.Format(time.DateOnly)
		cfgPath := d.writeConfig()
		t.Setenv("MAILPROC_IMAP_START_AT", startAt)
		if out := check(t, cfgPath); !strings.Contains(out, "catatan kotak masuk: 5 email menunggu, yang tertua 21 hari — imap.start_at = \""+startAt+
			"\": start pertama hanya mengambil 1 email sejak tanggal itu; 4 lainnya tetap di kotak masuk") {
			t.Errorf("check with start_at = %s:\n%s", startAt, out)
		}
		d.Config.IMAP.StartAt = startAt
		d.start()
		db := d.db()
		waitFor(t, 20*time.Second, "the 00:25 mail's case", func() bool { c, _, _ := counts(t, db); return c >= 1 })
		waitFor(t, 20*time.Second, "the 00:25 mail moved", func() bool { return d.count("INBOX") == 4 })
		if c, _, _ := counts(t, db); c != 1 {
			t.Errorf("%d cases, want 1 (the 00:25 mail only)", c)
		}
		cases, err := db.ListCases(context.Background(), sqlite.CaseFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(cases) != 1 || cases[0].CitizenAddr != d.citizen("dewi") {
			t.Errorf("cases %+v, want dewi's only", cases)
		}
	})
}

// TestREADMEFirstStart: the README's first-start section shows what check
// prints about waiting mail and the setting that leaves it in the inbox.
func TestREADMEFirstStart(t *testing.T) {
	sec := readmeSection(t, "## First start")
	for _, want := range []string{"catatan", "imap.start_at", `start_at = "now"`, `start_at = "2026-12-01"`} {
		if !strings.Contains(sec, want) {
			t.Errorf("the README's First start section lacks %q", want)
		}
	}
}

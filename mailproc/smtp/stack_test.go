package smtp

// Against the real Postfix (submission with AUTH) and Dovecot started by
// scripts/mailstack: the mail must arrive in the recipient's INBOX with our
// headers intact, and Postfix's 550 must come back permanent.

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/dpk-kampar/mailproc/mailproc"
)

type mailStack struct {
	submitAddr, imapAddr, password, rejectAddr string
}

// needStack returns the running mail stack. Without one the test is skipped,
// unless MAILPROC_REQUIRE_STACK or CI is set: then the suite must not pass
// by skipping the real server.
func needStack(t *testing.T) mailStack {
	t.Helper()
	st := mailStack{
		submitAddr: os.Getenv("MAILSTACK_SUBMIT_ADDR"),
		imapAddr:   os.Getenv("MAILSTACK_IMAP_ADDR"),
		password:   os.Getenv("MAILSTACK_PASSWORD"),
		rejectAddr: os.Getenv("MAILSTACK_REJECT_ADDR"),
	}
	if os.Getenv("MAILSTACK_SMTP_ADDR") == "" || st.submitAddr == "" || st.imapAddr == "" || st.password == "" || st.rejectAddr == "" {
		if os.Getenv("MAILPROC_REQUIRE_STACK") != "" || os.Getenv("CI") == "true" {
			t.Fatal("the real mail stack is required: scripts/mailstack start; eval \"$(scripts/mailstack env)\"")
		}
		t.Skip("no mail stack: scripts/mailstack start; eval \"$(scripts/mailstack env)\"")
	}
	return st
}

func (st mailStack) sender(t *testing.T, user string) *Sender {
	logger, _ := newTestLogger(t)
	return &Sender{Config: Config{
		Addr: st.submitAddr, TLS: TLSNone, Auth: AuthPlain,
		Username: user, Password: st.password, HELO: "mailproc.test", Timeout: 10 * time.Second,
	}, Logger: logger}
}

func randomToken() string {
	b := make([]byte, 5)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func TestStackDelivery(t *testing.T) {
	st := needStack(t)
	tok := randomToken()
	desk := "desk-" + tok + "@pustakaarsip.kamparkab.go.id"
	citizen := "warga-" + tok + "@warga.test"

	m := testMail()
	m.MessageID = "ack." + tok + "@pustakaarsip.kamparkab.go.id"
	m.From.Addr = desk
	m.To = []mailproc.Address{{Name: "Siti Nurhaliza Ağustina", Addr: citizen}}
	m.Cc = nil
	m.Subject = "[INF-2026-00042] Re: Mohon informasi — jam buka perpustakaan 📚\r\nBcc: korban@x.test"
	m.HTML = "<p>Yth. Ibu Siti,</p><p>Nomor: <b>INF-2026-00042</b></p>"

	if err := CheckLogin(context.Background(), st.sender(t, desk).Config); err != nil {
		t.Fatalf("CheckLogin: %v", err)
	}
	raw, err := st.sender(t, desk).Send(context.Background(), m)
	if err != nil {
		t.Fatal(err)
	}

	stored := fetchByMessageID(t, st, citizen, m.MessageID)
	// Postfix and Dovecot only prepend trace fields: the stored mail ends
	// with exactly the bytes Send returned.
	if !bytes.HasSuffix(stored, raw) {
		t.Errorf("stored mail does not end with the bytes sent:\n--- stored\n%s\n--- sent\n%s", stored, raw)
	}
	h, rawHeader := header(t, stored)
	t.Logf("headers as stored by Dovecot:\n%s", rawHeader)
	exact := map[string]string{
		"Message-Id":               "<" + m.MessageID + ">",
		"In-Reply-To":              "<CAF=xyz.123@mail.warga.test>",
		"References":               "<root.1@mail.warga.test> <mid.2@pustakaarsip.kamparkab.go.id> <CAF=xyz.123@mail.warga.test>",
		"Auto-Submitted":           "auto-replied",
		"X-Auto-Response-Suppress": "All",
		"Content-Language":         "id",
		"Date":                     "Mon, 02 Mar 2026 09:15:30 +0700",
	}
	for k, want := range exact {
		if v := one(t, h, k); v != want {
			t.Errorf("%s = %q, want %q", k, v, want)
		}
	}
	if got := decodeWords(t, one(t, h, "Subject")); got != "[INF-2026-00042] Re: Mohon informasi — jam buka perpustakaan 📚 Bcc: korban@x.test" {
		t.Errorf("Subject decodes to %q", got)
	}
	if h.Get("Bcc") != "" {
		t.Error("Bcc header in the stored mail")
	}
	if rp := one(t, h, "Return-Path"); rp != "<"+desk+">" {
		t.Errorf("Return-Path = %q, want the envelope sender", rp)
	}
	if ct := one(t, h, "Content-Type"); !strings.HasPrefix(ct, "multipart/alternative;") {
		t.Errorf("Content-Type = %q", ct)
	}
}

func TestStackRejected(t *testing.T) {
	st := needStack(t)
	desk := "desk-" + randomToken() + "@pustakaarsip.kamparkab.go.id"
	m := testMail()
	m.From.Addr = desk
	m.To = []mailproc.Address{{Name: "Tolak", Addr: st.rejectAddr}}
	m.Cc = nil
	_, err := st.sender(t, desk).Send(context.Background(), m)
	if err == nil {
		t.Fatal("mail to the reject address was accepted")
	}
	t.Log(err)
	if mailproc.IsTemporary(err) || !strings.Contains(err.Error(), "550 5.1.1") {
		t.Errorf("err = %v, want permanent with Postfix's 550 5.1.1", err)
	}
}

func TestStackWrongPassword(t *testing.T) {
	st := needStack(t)
	desk := "desk-" + randomToken() + "@pustakaarsip.kamparkab.go.id"
	s := st.sender(t, desk)
	s.Password = "salah"
	if err := CheckLogin(context.Background(), s.Config); err == nil || !strings.Contains(err.Error(), "535") {
		t.Errorf("CheckLogin = %v, want 535", err)
	}
	if _, err := s.Send(context.Background(), testMail()); err == nil || !mailproc.IsTemporary(err) {
		t.Errorf("Send = %v, want temporary", err)
	}
}

// fetchByMessageID waits for the mail with id in user's INBOX on Dovecot
// and returns it whole.
func fetchByMessageID(t *testing.T, st mailStack, user, id string) []byte {
	t.Helper()
	c, err := imapclient.DialInsecure(st.imapAddr, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login(user, st.password).Wait(); err != nil {
		t.Fatalf("IMAP login %s: %v", user, err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		if _, err := c.Select("INBOX", nil).Wait(); err != nil {
			t.Fatal(err)
		}
		data, err := c.UIDSearch(&imap.SearchCriteria{
			Header: []imap.SearchCriteriaHeaderField{{Key: "Message-ID", Value: id}},
		}, nil).Wait()
		if err != nil {
			t.Fatal(err)
		}
		if uids := data.AllUIDs(); len(uids) > 0 {
			if len(uids) != 1 {
				t.Errorf("%d mails with Message-ID %s", len(uids), id)
			}
			section := &imap.FetchItemBodySection{Peek: true}
			msgs, err := c.Fetch(imap.UIDSetNum(uids[0]), &imap.FetchOptions{BodySection: []*imap.FetchItemBodySection{section}}).Collect()
			if err != nil || len(msgs) != 1 {
				t.Fatalf("fetch: %v (%d)", err, len(msgs))
			}
			c.Logout().Wait()
			return msgs[0].FindBodySection(section)
		}
		if time.Now().After(deadline) {
			t.Fatalf("mail %s not in %s's INBOX after 20s", id, user)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

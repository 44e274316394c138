package main

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-message"
	_ "github.com/emersion/go-message/charset"
	"github.com/emersion/go-message/mail"
)

// receivedMail is a mail as a person finds it in their mailbox.
type receivedMail struct {
	Raw     []byte
	Header  mail.Header
	Subject string
	Text    string
}

// mails reads every mail of a user's folder on the real Dovecot.
func (d *testDesk) mails(user, folder string) []receivedMail {
	d.t.Helper()
	c := d.imapLogin(user)
	defer c.Close()
	if _, err := c.Select(folder, &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		if strings.Contains(err.Error(), "NONEXISTENT") || strings.Contains(err.Error(), "doesn't exist") {
			return nil
		}
		d.t.Fatalf("select %s of %s: %v", folder, user, err)
	}
	var set imap.SeqSet
	set.AddRange(1, 0)
	msgs, err := c.Fetch(set, &imap.FetchOptions{BodySection: []*imap.FetchItemBodySection{{Peek: true}}}).Collect()
	if err != nil {
		if strings.Contains(err.Error(), "Invalid messageset") || strings.Contains(err.Error(), "No messages") {
			return nil
		}
		d.t.Fatalf("fetch %s of %s: %v", folder, user, err)
	}
	var out []receivedMail
	for _, m := range msgs {
		var raw []byte
		for _, b := range m.BodySection {
			raw = b.Bytes
		}
		out = append(out, parseReceived(d.t, raw))
	}
	return out
}

func parseReceived(t testing.TB, raw []byte) receivedMail {
	t.Helper()
	e, err := message.Read(bytes.NewReader(raw))
	if err != nil && !message.IsUnknownCharset(err) {
		t.Fatalf("parse received mail: %v", err)
	}
	r := receivedMail{Raw: raw, Header: mail.Header{Header: e.Header}}
	r.Subject, _ = r.Header.Subject()
	e.Walk(func(_ []int, part *message.Entity, _ error) error {
		ct, _, _ := part.Header.ContentType()
		if ct == "text/plain" && r.Text == "" {
			b, _ := io.ReadAll(part.Body)
			r.Text = string(b)
		}
		return nil
	})
	return r
}

// inboxCount counts a user's INBOX (0 when it does not exist yet).
func (d *testDesk) inboxCount(user string) int {
	d.t.Helper()
	c := d.imapLogin(user)
	defer c.Close()
	return statusCount(d.t, c, "INBOX")
}

func statusCount(t testing.TB, c *imapclient.Client, folder string) int {
	t.Helper()
	data, err := c.Status(folder, &imap.StatusOptions{NumMessages: true}).Wait()
	if err != nil {
		if strings.Contains(err.Error(), "NONEXISTENT") || strings.Contains(err.Error(), "doesn't exist") {
			return 0
		}
		t.Fatalf("STATUS %s: %v", folder, err)
	}
	return int(*data.NumMessages)
}

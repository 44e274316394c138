package main

// End-to-end tests of reading staff answers (issue 12) on the real Dovecot
// + Postfix: what the citizen receives is exactly what staff typed.

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dpk-kampar/mailproc/mailproc"
)

// samsungReply is a reply as Samsung Email writes it from a phone: base64
// text/plain whose line breaks between the HTML's divs are lost, so the
// answer, the signature, the separator, the header block and the whole
// notification stand on one line; the HTML alternative has them in divs.
func samsungReply(notif receivedMail, from, to, answer string) []byte {
	id := notif.Header.Get("Message-Id")
	date := "27/11/26 10.15 (GMT+07:00)"
	flat := func(s string) string { return strings.NewReplacer("\r", "", "\n", "").Replace(s) }
	plain := answer + "Sent from my Galaxy" + "-------- Original message --------" +
		"From: Layanan Informasi dan Aduan Masyarakat <" + to + "> Date: " + date + " To: <" + from + "> Subject: " + notif.Subject + " " +
		flat(notif.Text)
	var h strings.Builder
	h.WriteString(`<html><head><meta http-equiv="Content-Type" content="text/html; charset=UTF-8"></head><body>`)
	for _, l := range strings.Split(answer, "\n") {
		fmt.Fprintf(&h, `<div dir="auto">%s</div>`, html.EscapeString(l))
	}
	h.WriteString(`<div dir="auto"><br></div><div id="composer_signature" dir="auto"><div style="font-size:85%;color:#575757" dir="auto">Sent from my Galaxy</div></div><div dir="auto"><br></div>`)
	fmt.Fprintf(&h, `<div align="left" dir="auto" style="font-size:100%%;color:#000000"><div>-------- Original message --------</div><div>From: Layanan Informasi dan Aduan Masyarakat &lt;%s&gt; </div><div>Date: %s </div><div>To: &lt;%s&gt; </div><div>Subject: %s </div><div><br></div></div>`,
		to, date, from, html.EscapeString(notif.Subject))
	h.WriteString(strings.ReplaceAll(html.EscapeString(strings.ReplaceAll(notif.Text, "\r", "")), "\n", "<br>"))
	h.WriteString(`</body></html>`)

	b64 := func(s string) string {
		enc := base64.StdEncoding.EncodeToString([]byte(s))
		var out strings.Builder
		for len(enc) > 76 {
			out.WriteString(enc[:76] + "\r\n")
			enc = enc[76:]
		}
		out.WriteString(enc + "\r\n")
		return out.String()
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: Rina Marlina <%s>\r\nTo: %s\r\nDate: %s\r\nMessage-ID: <samsung-%d@email.android.com>\r\nIn-Reply-To: %s\r\nReferences: %s\r\nSubject: Re: %s\r\nMIME-Version: 1.0\r\n",
		from, to, time.Now().Format(time.RFC1123Z), time.Now().UnixNano(), id, id, notif.Subject)
	b.WriteString("Content-Type: multipart/alternative; boundary=\"--_com.samsung.android.email_1\"\r\n\r\n")
	b.WriteString("----_com.samsung.android.email_1\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n")
	b.WriteString(b64(plain))
	b.WriteString("\r\n----_com.samsung.android.email_1\r\nContent-Type: text/html; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n")
	b.WriteString(b64(h.String()))
	b.WriteString("\r\n----_com.samsung.android.email_1--\r\n")
	return b.Bytes()
}

// internalPhrases are pieces of the notification a citizen must never read.
func internalPhrases(notif receivedMail) []string {
	out := []string{mailproc.ReplyMarker, "#catatan", "Balas email ini", "Batas jawab", "Original message"}
	for _, l := range strings.Split(notif.Text, "\n") {
		if strings.HasPrefix(l, "Warga") {
			out = append(out, strings.TrimSpace(l))
		}
	}
	return out
}

// TestE2ESamsungCollapsedReply: the Samsung reply of issue 12, whose
// text/plain carries the whole notification on the answer's line, reaches
// the citizen as the typed text only.
func TestE2ESamsungCollapsedReply(t *testing.T) {
	d := newTestDesk(t)
	d.start()
	siti := d.citizen("siti")
	notif, c := openCase(t, d, siti, "Jam buka hari Minggu", "Apakah perpustakaan buka hari Minggu?")
	if !strings.HasPrefix(strings.TrimSpace(notif.Text), mailproc.ReplyMarker) {
		t.Fatalf("notification does not start with the reply marker:\n%s", notif.Text)
	}
	answer := "Bu Siti, perpustakaan buka Senin sampai Sabtu.\nHari Minggu tutup."
	raw := samsungReply(notif, d.Staff, d.Address, answer)
	d.sender().send(d.Staff, d.Address, raw)

	waitFor(t, 20*time.Second, "the answer in the citizen's mailbox", func() bool { return len(answersTo(d, siti)) >= 1 })
	a := answersTo(d, siti)[0]
	if !strings.Contains(strings.ReplaceAll(a.Text, "\r\n", "\n"), "Bu Siti, perpustakaan buka Senin sampai Sabtu.\nHari Minggu tutup.") {
		t.Errorf("answer lacks the typed text:\n%s", a.Text)
	}
	for _, bad := range append(internalPhrases(notif), "Sent from my Galaxy", "Apakah perpustakaan buka") {
		if strings.Contains(a.Text, bad) {
			t.Errorf("the citizen received %q:\n%s", bad, a.Text)
		}
	}
	if after := caseNow(t, d, c.Number); after.FirstAnswerAt.IsZero() {
		t.Errorf("case %s not answered", c.Number)
	}

	// The operator's view of the same reply: inspect with the database
	// finds the notification it answers and the case.
	cfgPath := d.writeConfig()
	t.Setenv("TEST_HMAC_SECRET", d.Config.Desk.HMACSecret.Reveal())
	t.Setenv("TEST_IMAP_PASSWORD", d.stack.Password)
	file := filepath.Join(t.TempDir(), "samsung.eml")
	if err := os.WriteFile(file, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"inspect", "-config", cfgPath, "--json", file}, &out, &errOut); code != 0 {
		t.Fatalf("inspect: exit %d: %s", code, errOut.String())
	}
	var in struct {
		Case          string   `json:"case"`
		Staff         bool     `json:"staff"`
		KnownOriginal bool     `json:"known_original"`
		Reply         string   `json:"reply"`
		Held          []string `json:"reply_held"`
		OpensCase     bool     `json:"opens_case"`
	}
	if err := json.Unmarshal(out.Bytes(), &in); err != nil {
		t.Fatal(err)
	}
	if in.Case != c.Number || !in.Staff || !in.KnownOriginal || in.Reply != answer || len(in.Held) != 0 || in.OpensCase {
		t.Errorf("inspect -config: %s", out.String())
	}
}

// TestE2ELeakHeld: an answer into which staff pasted a line of the
// notification (the citizen's address line) is not relayed; staff are asked
// again, the case's log says why, the case keeps its clock.
func TestE2ELeakHeld(t *testing.T) {
	d := newTestDesk(t)
	d.start()
	siti := d.citizen("siti")
	notif, c := openCase(t, d, siti, "Syarat kartu anggota", "Apa syarat membuat kartu anggota?")
	var pasted string
	for _, l := range strings.Split(notif.Text, "\n") {
		if strings.HasPrefix(l, "Warga") {
			pasted = strings.TrimSpace(l)
		}
	}
	if pasted == "" {
		t.Fatalf("no Warga line in the notification:\n%s", notif.Text)
	}
	answer := "Syaratnya KTP dan pas foto. Data kami: " + pasted + " sudah dicatat."
	before := d.inboxCount(d.Staff)
	d.sender().send(d.Staff, d.Address, staffReply(gmailID, notif, d.Staff, d.Address, answer))

	waitFor(t, 20*time.Second, "the help mail to staff", func() bool { return d.inboxCount(d.Staff) > before })
	var help *receivedMail
	for _, m := range d.mails(d.Staff, "INBOX") {
		if strings.Contains(m.Text, mailproc.HeldProblem) {
			help = &m
		}
	}
	if help == nil {
		t.Fatal("no help mail saying the answer was held")
	}
	if !strings.Contains(help.Text, "warga :") {
		t.Errorf("help mail does not say what was found:\n%s", help.Text)
	}
	if !hasEvent(t, d, c.ID, mailproc.EventHeld, "kutipan email internal") {
		t.Error("no event on the case")
	}
	after := caseNow(t, d, c.Number)
	if !after.FirstAnswerAt.IsZero() || !after.DueAt.Equal(c.DueAt) || after.State == mailproc.StateDijawab || after.State == mailproc.StateSelesai {
		t.Errorf("case changed: state %s, first answer %v, due %v (was %v)", after.State, after.FirstAnswerAt, after.DueAt, c.DueAt)
	}
	time.Sleep(2 * time.Second) // the outbox had its chance to (wrongly) send
	if n := len(answersTo(d, siti)); n != 0 {
		t.Fatalf("%d answers reached the citizen", n)
	}
}

package mime

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/dpk-kampar/mailproc/mailproc"
)

// crlf writes a mail the way IMAP delivers it.
func crlf(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") }

const hdr = "From: Warga <warga@example.id>\nTo: layanan@example.go.id\nSubject: Tes\nMessage-ID: <t1@example.id>\n"

func TestTransferDecoding(t *testing.T) {
	body := "Halo, saya mau bertanya tentang layanan arsip.\nTerima kasih.\n"
	enc := base64.StdEncoding.EncodeToString([]byte(body))
	tests := []struct {
		name, cte, raw, want string
		note                 string
	}{
		{"base64 wrapped", "base64", enc[:40] + "\n" + enc[40:], body, ""},
		{"base64 unwrapped, no padding", "base64", strings.TrimRight(enc, "="), body, ""},
		{"base64 with indented lines", "base64", " " + enc[:40] + "\n\t" + enc[40:], body, ""},
		// A stray byte inserted leaves the line in step: it is decoded
		// around the byte. One that replaced a character does not: the
		// line is dropped whole, and what follows stays readable.
		{"base64 stray byte inserted in a line", "base64", enc[:40] + "\n" + enc[40:60] + "*\u00a0" + enc[60:], body, "3 invalid byte(s)"},
		{"base64 byte replaced in a line", "base64", enc[:40] + "\n" + enc[40:60] + "*" + enc[61:], "Halo, saya mau bertanya t", "1 corrupt line(s) dropped, 1 invalid byte(s)"},
		{"base64 mixed case CTE", "Base64", enc, body, ""},
		{"qp soft breaks", "quoted-printable", "Halo, saya mau berta=\nnya tentang layanan arsip.\nTerima kasih.\n", body, ""},
		{"qp lower-case hex and bad escapes", "quoted-printable", "harga=3d10% =ZZ=e2=80=93 a=\n", "harga=10% =ZZ– a", ""},
		{"qp soft break with trailing space", "quoted-printable", "satu= \t\ndua\n", "satudua", ""},
		{"qp line over 4 KiB", "quoted-printable", strings.Repeat("kata ", 2000) + "akhir\n", strings.Repeat("kata ", 2000) + "akhir", ""},
		{"qp control byte, encoded CR", "quoted-printable", "a\x0cb=0Dc\n", "ab\nc", ""},
		{"unknown CTE", "x-uuencode", "apa adanya\n", "apa adanya", `unknown transfer encoding "x-uuencode" in message body: kept raw`},
		{"CTE with comment", "7bit (plain)", "biasa\n", "biasa", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := crlf(hdr+"Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: "+tt.cte+"\n\n") + tt.raw
			m := parseString(t, raw)
			if !strings.Contains(m.Text, strings.TrimSpace(tt.want)) {
				t.Errorf("Text = %q, want it to contain %q", m.Text, tt.want)
			}
			checkNote(t, m, tt.note)
		})
	}
}

// The decoders must give the same bytes however the input is chunked.
func TestDecodersChunking(t *testing.T) {
	data := make([]byte, 5000)
	for i := range data {
		data[i] = byte(i * 31)
	}
	enc := base64.StdEncoding.EncodeToString(data)
	var wrapped strings.Builder
	for i := 0; i < len(enc); i += 76 {
		wrapped.WriteString(enc[i:min(i+76, len(enc))] + "\r\n")
	}
	got, err := io.ReadAll(newBase64Reader(iotest.OneByteReader(strings.NewReader(wrapped.String()))))
	if err != nil || !bytes.Equal(got, data) {
		t.Errorf("base64 one byte at a time: %d bytes, err %v", len(got), err)
	}
	// An unwrapped 20 KB line: held back only up to maxB64Line, then streamed.
	got, _ = io.ReadAll(newBase64Reader(iotest.HalfReader(strings.NewReader(enc))))
	if !bytes.Equal(got, data) {
		t.Errorf("base64 unwrapped: %d bytes", len(got))
	}
	qp := "a=3Db=\r\nc==\r\n=E2=80=93 \r\nlast="
	got, _ = io.ReadAll(newQPReader(iotest.OneByteReader(strings.NewReader(qp))))
	if want := "a=bc=– \r\nlast"; string(got) != want { // "==" + CRLF: a literal "=" and a soft break
		t.Errorf("qp one byte at a time = %q, want %q", got, want)
	}
}

func TestCharsets(t *testing.T) {
	tests := []struct {
		name, ct string
		body     []byte
		want     string
		note     string
	}{
		{"undeclared 8-bit Windows-1252", "text/plain", []byte("Caf\xe9 \x93enak\x94"), "Café “enak”", "8-bit text without a charset in message body: decoded as Windows-1252"},
		{"undeclared valid UTF-8", "text/plain", []byte("Kafé ☕"), "Kafé ☕", ""},
		{"us-ascii that is UTF-8", "text/plain; charset=us-ascii", []byte("Kafé"), "Kafé", ""},
		{"unknown charset, Latin bytes", "text/plain; charset=x-mac-foo", []byte("Jos\xe9"), "José", `unknown charset "x-mac-foo" in message body: kept raw (decoded as Windows-1252)`},
		{"declared UTF-8 with a bad byte", "text/plain; charset=UTF-8", []byte("ok \xff ok"), "ok \uFFFD ok", "invalid utf-8 in message body: bad bytes replaced"},
		{"ISO-8859-1 carrying Windows quotes", `text/plain; charset="iso-8859-1"`, []byte("\x93kutip\x94"), "“kutip”", ""},
		{"KOI8-R", "text/plain; charset=koi8-r", []byte("\xf0\xd2\xc9\xd7\xc5\xd4"), "Привет", ""},
		{"Windows-1251", "text/plain; charset=windows-1251", []byte("\xcf\xf0\xe8\xe2\xe5\xf2"), "Привет", ""},
		{"Big5", "text/plain; charset=big5", []byte("\xa4\xa4\xa4\xe5"), "中文", ""},
		{"Shift_JIS", "text/plain; charset=shift_jis", []byte("\x93\xfa\x96\x7b"), "日本", ""},
		{"EUC-KR", "text/plain; charset=euc-kr", []byte("\xc7\xd1\xb1\xb9"), "한국", ""},
		{"charset with comment and trailing semicolon", "text/plain; charset=windows-1252 (Western);", []byte("caf\xe9"), "café", ""},
		{"HTML meta charset without MIME charset", "text/html", []byte(`<html><head><meta charset="koi8-r"></head><body>` + "\xf0\xd2\xc9\xd7\xc5\xd4</body></html>"), "Привет", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := crlf(hdr+"Content-Type: "+tt.ct+"\nContent-Transfer-Encoding: 8bit\n\n") + string(tt.body) + "\r\n"
			m := parseString(t, raw)
			if m.Text != tt.want {
				t.Errorf("Text = %q, want %q", m.Text, tt.want)
			}
			checkNote(t, m, tt.note)
		})
	}
}

func TestTextCleaning(t *testing.T) {
	raw := crlf(hdr+"\n") + "baris satu\r\nbaris\x00 dua\rbaris tiga\x1b[31m merah\x7f\n\ttab\ufeff tetap\u0085\r\n\r\n\r\n"
	m := parseString(t, raw)
	if want := "baris satu\nbaris dua\nbaris tiga[31m merah\n\ttab tetap"; m.Text != want {
		t.Errorf("Text = %q, want %q", m.Text, want)
	}
}

func TestFlowed(t *testing.T) {
	raw := crlf(hdr+"Content-Type: text/plain; charset=utf-8; format=flowed; delsp=no\n\n") +
		"Bersama ini saya lampirkan laporan pengaduan jalan rusak di Desa Kualu \r\n" +
		"beserta foto-fotonya. Mohon \r\n" +
		"ditindaklanjuti.\r\n" +
		"\r\n" +
		"> Pada 12 Jan 2026, petugas menulis: \r\n" +
		"> jalan akan diperbaiki\r\n" +
		">> kutipan lama\r\n" +
		" >bukan kutipan (space-stuffed)\r\n" +
		"-- \r\n" +
		"Rina\r\n"
	m := parseString(t, raw)
	want := "Bersama ini saya lampirkan laporan pengaduan jalan rusak di Desa Kualu beserta foto-fotonya. Mohon ditindaklanjuti.\n" +
		"\n" +
		"> Pada 12 Jan 2026, petugas menulis: jalan akan diperbaiki\n" +
		">> kutipan lama\n" +
		">bukan kutipan (space-stuffed)\n" +
		"-- \n" +
		"Rina"
	if m.Text != want {
		t.Errorf("Text =\n%s\nwant\n%s", m.Text, want)
	}
	m = parseString(t, crlf(hdr+"Content-Type: text/plain; format=flowed; delsp=yes\n\n")+"Kata yang ter \r\npotong.\r\n")
	if m.Text != "Kata yang terpotong." {
		t.Errorf("DelSp: Text = %q", m.Text)
	}
}

func TestDeliveryReports(t *testing.T) {
	t.Run("Exchange DSN returning the whole message", func(t *testing.T) {
		m := parseString(t, crlf("From: Microsoft Outlook <MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@kamparkab.go.id>\n"+
			"To: layanan@pustakaarsip.kamparkab.go.id\n"+
			"Subject: Undeliverable: [ADU-2026-00007] Jawaban atas aduan Anda\n"+
			"Content-Type: multipart/report; report-type=delivery-status;\n\tboundary=\"_000_DSN\"\n\n"+
			"--_000_DSN\nContent-Type: text/plain; charset=us-ascii\n\nDelivery has failed to these recipients or groups:\n\n"+
			"--_000_DSN\nContent-Type: message/delivery-status\n\n"+
			"Reporting-MTA: dns;SG2PR04MB5821.apcprd04.prod.outlook.com\n\n"+
			"Original-Recipient: rfc822;a@example.id\nFinal-Recipient: rfc822;a@example.id\nAction: delayed\nStatus: 4.4.7\n\n"+
			"Final-Recipient: RFC822; <B@Example.ID>\nAction: failed\nStatus: 5.2.2\nDiagnostic-Code: smtp;552 5.2.2 mailbox full\n\n"+
			"--_000_DSN\nContent-Type: message/rfc822\n\n"+
			"From: layanan@pustakaarsip.kamparkab.go.id\nSubject: [ADU-2026-00007] Jawaban\n"+
			"Message-ID: <ans.ADU-2026-00007.x1@pustakaarsip.kamparkab.go.id>\n\nJawaban kami...\n"+
			"--_000_DSN--\n"))
		want := mailproc.DeliveryReport{
			OriginalIDs: []string{"ans.ADU-2026-00007.x1@pustakaarsip.kamparkab.go.id"},
			Recipients:  []string{"B@example.id"},
			Action:      "failed", Status: "5.2.2", Diagnostic: "smtp;552 5.2.2 mailbox full",
		}
		if m.Report == nil || fmt.Sprintf("%+v", *m.Report) != fmt.Sprintf("%+v", want) {
			t.Errorf("Report = %+v, want %+v", m.Report, want)
		}
		if len(m.Attachments) != 2 || m.Attachments[1].Filename != "[ADU-2026-00007] Jawaban.eml" {
			t.Errorf("Attachments = %+v", m.Attachments)
		}
	})
	t.Run("qmail plain-text bounce", func(t *testing.T) {
		m := parseString(t, crlf("From: MAILER-DAEMON@mail.example.id\nTo: layanan@pustakaarsip.kamparkab.go.id\n"+
			"Subject: failure notice\n\n"+
			"Hi. This is the qmail-send program at mail.example.id.\n"+
			"I'm afraid I wasn't able to deliver your message to the following addresses.\n\n"+
			"<warga@example.id>:\n203.0.113.5 does not like recipient.\nRemote host said: 550 5.1.1 No such user\n\n"+
			"--- Below this line is a copy of the message.\n\n"+
			"From: layanan@pustakaarsip.kamparkab.go.id\nMessage-ID: <ack.INF-2026-00050.z9@pustakaarsip.kamparkab.go.id>\n"+
			"In-Reply-To: <citizen-1@example.id>\n"))
		want := mailproc.DeliveryReport{
			OriginalIDs: []string{"ack.INF-2026-00050.z9@pustakaarsip.kamparkab.go.id"},
			Recipients:  []string{"warga@example.id"},
			Action:      "failed", Status: "5.1.1", Diagnostic: "Remote host said: 550 5.1.1 No such user",
		}
		if m.Report == nil || fmt.Sprintf("%+v", *m.Report) != fmt.Sprintf("%+v", want) {
			t.Errorf("Report = %+v, want %+v", m.Report, want)
		}
	})
	t.Run("a person quoting a Message-ID is no bounce", func(t *testing.T) {
		m := parseString(t, crlf(hdr+"\nMessage-ID: <x@y> kata petugas.\n"))
		if m.Report != nil {
			t.Errorf("Report = %+v", m.Report)
		}
	})
}

func TestByteOrderMark(t *testing.T) {
	m := parseString(t, "\uFEFF"+crlf(hdr+"\nisi\n"))
	if m.From.Addr != "warga@example.id" || !hasNote(m, "byte-order mark") {
		t.Errorf("From = %+v, Notes = %q", m.From, m.Notes)
	}
}

func TestHeaders(t *testing.T) {
	t.Run("encoded words", func(t *testing.T) {
		m := parseString(t, crlf("From: =?utf-8?B?QnVkaSDwn5iK?= <budi@Example.ID>\n"+
			"Subject: =?utf-8?q?Keluhan_pelayanan?= =?utf-8?q?_perpustakaan?=\n"+
			"  =?x-unknown?q?_caf=E9?= =?UTF-8?B?4pyU?=\n\nisi\n"))
		if m.From != (mailproc.Address{Name: "Budi 😊", Addr: "budi@example.id"}) {
			t.Errorf("From = %+v", m.From)
		}
		if want := "Keluhan pelayanan perpustakaan café✔"; m.Subject != want {
			t.Errorf("Subject = %q, want %q", m.Subject, want)
		}
		if !hasNote(m, `unknown charset "x-unknown" in header Subject: kept raw`) {
			t.Errorf("Notes = %q", m.Notes)
		}
	})
	t.Run("quoted encoded word in a display name", func(t *testing.T) {
		m := parseString(t, crlf("From: \"=?UTF-8?Q?Sri_Wahyuni_=E2=80=93_RT_03?=\" <sri@example.id>\n\nisi\n"))
		if m.From.Name != "Sri Wahyuni – RT 03" {
			t.Errorf("From = %+v", m.From)
		}
	})
	t.Run("Latin-1 bytes in a raw header", func(t *testing.T) {
		m := parseString(t, crlf("From: Jos\xe9 <jose@example.es>\nSubject: Caf\xe9 \x96 informasi\n\nisi\n"))
		if m.Subject != "Café – informasi" || m.From.Name != "José" {
			t.Errorf("Subject = %q, From = %+v", m.Subject, m.From)
		}
		if !hasNote(m, "8-bit bytes in header Subject are not UTF-8: those decoded as Windows-1252") {
			t.Errorf("Notes = %q", m.Notes)
		}
	})
	t.Run("malformed lines and an mbox separator", func(t *testing.T) {
		m := parseString(t, crlf("From nobody Mon Jan 12 09:00:00 2026\n"+
			"From: Warga <warga@example.id>\n"+
			"ini bukan header\n"+
			"Bad Name: x\n"+
			"Subject : Tetap terbaca\n"+
			"Message-ID: <ok@example.id>\n\nisi\n"))
		if m.Subject != "Tetap terbaca" || m.MessageID != "ok@example.id" {
			t.Errorf("Subject = %q, MessageID = %q", m.Subject, m.MessageID)
		}
		if !hasNote(m, "message header: 2 malformed line(s) skipped") || !hasNote(m, `mbox "From " line`) {
			t.Errorf("Notes = %q", m.Notes)
		}
	})
	t.Run("first line no field", func(t *testing.T) {
		for _, first := range []string{"Ini-baris-rusak-tanpa-titik-dua", " lipatan tanpa field", "Received from gateway lama (tanpa titik dua)",
			" lipatan\n\tlipatan lagi\nbaris rusak"} {
			m := parseString(t, crlf(first+"\n"+strings.Repeat("Received: from relay.example.id by mx.example.id; Mon, 12 Jan 2026 09:14:01 +0700\n", 40)+
				"From: Warga <warga@example.id>\nSubject: Tetap terbaca\n\nisi\n"))
			if m.From.Addr != "warga@example.id" || m.Subject != "Tetap terbaca" || m.Text != "isi" {
				t.Errorf("%q: From = %+v, Subject = %q, Text = %q", first, m.From, m.Subject, m.Text)
			}
			if !hasNote(m, "line(s) before the first field skipped") {
				t.Errorf("%q: Notes = %q", first, m.Notes)
			}
		}
		// Without a From the first line decides, as before: text is no
		// header. Nor are more than maxJunkLines lines skipped.
		for _, raw := range []string{"Halo petugas,\nSubject: x\n\nisi\n", "Halo petugas,\n\nFrom: budi@example.id\n",
			"satu\ndua\ntiga\nempat\nFrom: budi@example.id\n\nisi\n"} {
			if _, err := Parse(strings.NewReader(crlf(raw)), Options{}); !errors.Is(err, ErrNoHeader) {
				t.Errorf("%q: err = %v, want ErrNoHeader", raw, err)
			}
		}
	})
	t.Run("header without body", func(t *testing.T) {
		m := parseString(t, "From: warga@example.id\r\nSubject: hanya subjek")
		if m.Subject != "hanya subjek" || m.Text != "" {
			t.Errorf("Subject = %q, Text = %q", m.Subject, m.Text)
		}
	})
	t.Run("addresses net/mail rejects", func(t *testing.T) {
		m := parseString(t, crlf("From: Pak Budi, S.Pd. <budi@example.id>\n"+
			"To: Kantor Layanan <layanan @Example.go.id>, siti@example.id, undisclosed-recipients:;\n"+
			"Cc: \"Ani\" <ani@example.id>, tanpa-alamat, <rudi@EXAMPLE.id>\n\nisi\n"))
		if m.From != (mailproc.Address{Name: "Pak Budi, S.Pd.", Addr: "budi@example.id"}) {
			t.Errorf("From = %+v", m.From)
		}
		if len(m.To) != 2 || m.To[0].Addr != "layanan@example.go.id" || m.To[1].Addr != "siti@example.id" {
			t.Errorf("To = %+v", m.To)
		}
		if len(m.Cc) != 2 || m.Cc[0] != (mailproc.Address{Name: "Ani", Addr: "ani@example.id"}) || m.Cc[1].Addr != "rudi@example.id" {
			t.Errorf("Cc = %+v", m.Cc)
		}
	})
	t.Run("message ids", func(t *testing.T) {
		tests := []struct{ mid, irt, refs string }{
			{"<null>", "", ""},
			{"", "", ""},
			{"   ", "", ""},
			{"tanpa-kurung@example.id", "", ""},
			{"<a@b> (comment)", "", ""},
		}
		wantMID := []string{"", "", "", "tanpa-kurung@example.id", "a@b"}
		for i, tt := range tests {
			m := parseString(t, crlf("From: w@example.id\nMessage-ID: "+tt.mid+"\n\nisi\n"))
			if m.MessageID != wantMID[i] {
				t.Errorf("Message-ID %q → %q, want %q", tt.mid, m.MessageID, wantMID[i])
			}
		}
		m := parseString(t, crlf("From: w@example.id\n"+
			"In-Reply-To: Your message of \"Mon, 12 Jan 2026\" <ack.1@desk.go.id>\n"+
			"References: <root@a.id>,<mid@b.id> bare@c.id <unterminated@d.id\n <root@a.id> (dup) junk <>\n\nisi\n"))
		if want := []string{"ack.1@desk.go.id"}; fmt.Sprint(m.InReplyTo) != fmt.Sprint(want) {
			t.Errorf("InReplyTo = %q, want %q", m.InReplyTo, want)
		}
		if want := []string{"root@a.id", "mid@b.id", "bare@c.id", "unterminated@d.id"}; fmt.Sprint(m.References) != fmt.Sprint(want) {
			t.Errorf("References = %q, want %q", m.References, want)
		}
	})
	t.Run("dates", func(t *testing.T) {
		tests := map[string]string{
			"Mon, 12 Jan 2026 09:14:01 +0700":       "2026-01-12T09:14:01+07:00",
			"Sen, 12 Jan 2026 09:14:01 +0700":       "2026-01-12T09:14:01+07:00", // Indonesian weekday
			"Mon, 12 Jan 2026 09:14:01 WIB":         "2026-01-12T09:14:01+07:00",
			"12 Jan 2026 09:14 WITA":                "2026-01-12T09:14:00+08:00",
			"Mon, 12 Jan 2026 09:14:01 +0700 (WIB)": "2026-01-12T09:14:01+07:00",
			"2026-01-12T09:14:01+07:00":             "2026-01-12T09:14:01+07:00",
			"Mon Jan 12 09:14:01 2026":              "2026-01-12T09:14:01Z",
			"kemarin sore":                          "",
			"Mon, 12 Jan 1066 09:14:01 +0000":       "",
		}
		for in, want := range tests {
			m := parseString(t, crlf("From: w@example.id\nDate: "+in+"\n\nisi\n"))
			if got := formatDate(m.Date); got != want {
				t.Errorf("Date %q → %s, want %s", in, got, want)
			}
		}
	})
	t.Run("auto headers", func(t *testing.T) {
		m := parseString(t, crlf("From: w@example.id\nAuto-Submitted: Auto-Generated (daily digest)\n"+
			"Precedence: BULK\nList-Unsubscribe: <mailto:x@y>\nReturn-Path: < >\n"+
			"Content-Type: multipart/report; report-type=Disposition-Notification; boundary=x\n\n--x\n\nisi\n--x--\n"))
		want := mailproc.AutoHeaders{AutoSubmitted: "auto-generated", Precedence: "bulk", ListHeaders: true,
			ReturnPath: "<>", ContentType: "multipart/report", ReportType: "disposition-notification"}
		if m.Auto != want {
			t.Errorf("Auto = %+v, want %+v", m.Auto, want)
		}
		m = parseString(t, crlf("From: w@example.id\nReturn-Path: <Bounce@Example.ID>\nX-Auto-Response-Suppress: DR, OOF\n\nisi\n"))
		if m.Auto.ReturnPath != "Bounce@example.id" || !m.Auto.HasXAutoResponseSuppress || m.Auto.XAutoResponseSuppress != "DR, OOF" {
			t.Errorf("Auto = %+v", m.Auto)
		}
		for raw, want := range map[string]string{
			"X-Autoreply: yes\n":           "X-Autoreply",
			"X-Autorespond: vacation\n":    "X-Autorespond",
			"X-Auto-Reply: ja\n":           "X-Auto-Reply",
			"X-Autoreply: no\n":            "",
			"X-Mailer: Autoreply Deluxe\n": "",
		} {
			if m := parseString(t, crlf("From: w@example.id\n"+raw+"\nisi\n")); m.Auto.AutoReply != want {
				t.Errorf("%q: AutoReply %q, want %q", raw, m.Auto.AutoReply, want)
			}
		}
	})
	t.Run("overlong media type", func(t *testing.T) {
		m := parseString(t, crlf("From: w@example.id\nContent-Type: text/"+strings.Repeat("x", 128)+"\n\nisi\n"))
		if m.Auto.ContentType != "text/plain" || m.Text != "isi" || !hasNote(m, "unreadable Content-Type") {
			t.Errorf("Auto.ContentType %q, Text %q, Notes %q", m.Auto.ContentType, m.Text, m.Notes)
		}
	})
	t.Run("bounds", func(t *testing.T) {
		var to, refs strings.Builder
		for i := 0; i < 150; i++ {
			fmt.Fprintf(&to, "w%d@example.id, ", i)
			fmt.Fprintf(&refs, "<r%d@example.id> ", i)
		}
		raw := crlf("From: w@example.id\nSubject: " + strings.Repeat("panjang ", 300) + "\nTo: " + to.String() +
			"\nReferences: " + refs.String() + "\n" + strings.Repeat("Authentication-Results: mx; spf=pass\n", 30) + "\nisi\n")
		m := parseString(t, raw)
		if len(m.To) != maxAddresses || len([]rune(m.Subject)) > maxSubjectRunes || len(m.AuthResults) != maxAuthResults {
			t.Errorf("To %d, Subject %d runes, AuthResults %d", len(m.To), len([]rune(m.Subject)), len(m.AuthResults))
		}
		if len(m.References) != maxRefs || m.References[0] != "r0@example.id" || m.References[maxRefs-1] != "r149@example.id" {
			t.Errorf("References: %d, first %q, last %q", len(m.References), m.References[0], m.References[len(m.References)-1])
		}
		for _, n := range []string{"header To has 150 addresses", "header Subject cut to 998", "References has 150 ids"} {
			if !hasNote(m, n) {
				t.Errorf("Notes = %q, want %q", m.Notes, n)
			}
		}
	})
}

func TestBodyChoice(t *testing.T) {
	mp := func(ct string, parts ...string) string {
		var b strings.Builder
		fmt.Fprintf(&b, "Content-Type: %s; boundary=\"B%d\"\n\n", ct, len(parts))
		for _, p := range parts {
			fmt.Fprintf(&b, "--B%d\n%s\n", len(parts), p)
		}
		fmt.Fprintf(&b, "--B%d--\n", len(parts))
		return b.String()
	}
	plain := func(s string) string { return "Content-Type: text/plain; charset=utf-8\n\n" + s }
	htm := func(s string) string { return "Content-Type: text/html; charset=utf-8\n\n" + s }
	tests := []struct {
		name     string
		body     string
		want     string
		fromHTML bool
		atts     []string
	}{
		{"alternative prefers plain", mp("multipart/alternative", plain("teks biasa"), htm("<p>teks <b>html</b></p>")), "teks biasa", false, nil},
		{"alternative with HTML first", mp("multipart/alternative", htm("<p>versi html</p>"), plain("versi teks")), "versi teks", false, nil},
		{"only HTML", mp("multipart/alternative", htm("<p>Halo</p><ul><li>satu</li><li>dua</li></ul><blockquote>kutipan</blockquote><script>x()</script>")), "Halo\n\n* satu\n* dua\n\n> kutipan", true, nil},
		{"empty plain does not displace HTML", mp("multipart/alternative", plain(""), htm("<div>isi html</div>")), "isi html", true, nil},
		{"HTML with no text", mp("multipart/alternative", htm(`<img src="cid:x">`)), "", false, nil},
		{"Apple Mail text around an image", mp("multipart/mixed", plain("sebelum foto"),
			"Content-Type: image/jpeg\nContent-Disposition: inline\nContent-ID: <img1@apple>\nContent-Transfer-Encoding: base64\n\n/9j/4AAQ\n",
			plain("sesudah foto")), "sebelum foto\n\nsesudah foto", false, []string{"lampiran-1.jpg"}},
		{"related inside alternative", mp("multipart/alternative", plain("teks"),
			mp("multipart/related", htm(`<img src="cid:logo">`), "Content-Type: image/png; name=logo.png\nContent-ID: <logo>\n\nPNG")),
			"teks", false, []string{"logo.png"}},
		{"text with filename is an attachment", mp("multipart/mixed", plain("isi"),
			"Content-Type: text/plain; name=\"catatan.txt\"\n\nbukan isi"), "isi", false, []string{"catatan.txt"}},
		{"attachment disposition without name", mp("multipart/mixed", plain("isi"),
			"Content-Type: text/plain\nContent-Disposition: attachment\n\nbukan isi"), "isi", false, []string{"lampiran-1.txt"}},
		{"HTML beside plain that is not its alternative", mp("multipart/mixed", plain("isi"), htm("<p>lain</p>")), "isi", false, []string{"lampiran-1.html"}},
		{"part without header", mp("multipart/mixed", "Langsung isi tanpa header"), "Langsung isi tanpa header", false, nil},
		{"digest parts default to message/rfc822", mp("multipart/digest", "\nSubject: Satu\n\nsatu", "\nSubject: Dua\n\ndua"), "", false, []string{"Satu.eml", "Dua.eml"}},
		{"forwarded without subject", mp("multipart/mixed", plain("lihat lampiran"), "Content-Type: message/rfc822\n\nFrom: x@y\n\nisi"), "lihat lampiran", false, []string{"pesan-terlampir.eml"}},
		{"path in a filename", mp("multipart/mixed", plain("isi"), "Content-Type: application/pdf\nContent-Disposition: attachment; filename=\"C:\\\\Users\\\\Budi\\\\surat.pdf\"\n\n%PDF"), "isi", false, []string{"surat.pdf"}},
		{"RFC 2231 continuation in Latin-1", mp("multipart/mixed", plain("isi"), "Content-Type: application/pdf\nContent-Disposition: attachment;\n filename*0*=iso-8859-1''Jos%E9%20;\n filename*1=\"surat.pdf\"\n\n%PDF"), "isi", false, []string{"José surat.pdf"}},
		{"encoded word in a quoted filename", mp("multipart/mixed", plain("isi"), "Content-Type: image/jpeg; name=\"=?UTF-8?B?Zm90byBqYWxhbi5qcGc=?=\"\n\nJPEG"), "isi", false, []string{"foto jalan.jpg"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := parseString(t, crlf(hdr+"MIME-Version: 1.0\n"+tt.body))
			if m.Text != tt.want {
				t.Errorf("Text = %q, want %q", m.Text, tt.want)
			}
			if m.FromHTML != tt.fromHTML {
				t.Errorf("FromHTML = %v", m.FromHTML)
			}
			var names []string
			for _, a := range m.Attachments {
				names = append(names, a.Filename)
			}
			if fmt.Sprint(names) != fmt.Sprint(tt.atts) {
				t.Errorf("attachments = %q, want %q", names, tt.atts)
			}
		})
	}
}

func TestBrokenMultipart(t *testing.T) {
	tests := []struct {
		name, raw, want, note string
		atts                  int
	}{
		{"missing closing boundary", "Content-Type: multipart/mixed; boundary=b\n\n--b\n\nteks\n--b\nContent-Type: image/png\n\nPNGDATA\n",
			"teks", "missing closing boundary in message body (multipart/mixed)", 1},
		{"boundary not in body", "Content-Type: multipart/mixed; boundary=tidakada\n\nHanya teks biasa.\n",
			"Hanya teks biasa.", `multipart boundary "tidakada" not found in message body (multipart/mixed): body read as plain text`, 0},
		{"no boundary anywhere", "Content-Type: multipart/alternative\n\nTeks tanpa bagian.\n",
			"Teks tanpa bagian.", "missing multipart boundary in message body (multipart/alternative): body read as plain text", 0},
		{"wrong boundary, real one guessed", "Content-Type: multipart/mixed; boundary=salah\n\n--benar\n\nisi yang benar\n--benar--\n",
			"isi yang benar", `guessed "benar" from the body`, 0},
		{"mixed line endings and stray lines", "Content-Type: multipart/mixed; boundary=b\n\npreamble " + strings.Repeat("x", 40000) + "\n--b\r\n\r\nsatu\n--b-rusak\nhilang\n--b \n\ndua\r\n--b--\nepilog\n",
			"satu\n\ndua", "", 0},
		{"boundary prefix is not a boundary", "Content-Type: multipart/mixed; boundary=foo\n\n--foo\n\nbaris --foobar tetap\n--foobar\n--foo--\n",
			"baris --foobar tetap\n--foobar", "", 0},
		{"empty part", "Content-Type: multipart/mixed; boundary=b\n\n--b\n--b\n\nisi\n--b--\n", "isi", "", 0},
		{"missing opening boundary", "Content-Type: multipart/mixed; boundary=b\n\nContent-Type: text/plain\n\nteks warga\n--b\nContent-Type: image/png\n\nPNG\n--b--\n",
			"teks warga", "missing opening boundary in message body (multipart/mixed): first part read all the same", 1},
		{"a preamble is no part", "Content-Type: multipart/mixed; boundary=b\n\nThis is a multi-part message in MIME format.\nContent-Type: bukan header\n--b\n\nisi\n--b--\n",
			"isi", "", 0},
		// RFC 2046 forbids it; like go-message, it is ignored and the parts are
		// split all the same (the part itself declares no encoding).
		{"quoted-printable on the multipart itself", "Content-Type: multipart/mixed; boundary=b\nContent-Transfer-Encoding: quoted-printable\n\n--b\n\nisi=20ok\n--b--\n", "isi=20ok", "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := hdr + tt.raw
			for _, raw := range []string{raw, crlf(raw)} {
				m := parseString(t, raw)
				if m.Text != tt.want {
					t.Errorf("Text = %q, want %q", m.Text, tt.want)
				}
				if tt.note != "" && !hasNote(m, tt.note) {
					t.Errorf("Notes = %q, want %q", m.Notes, tt.note)
				}
				if len(m.Attachments) != tt.atts {
					t.Errorf("Attachments = %+v", m.Attachments)
				}
			}
		})
	}
}

func TestTruncation(t *testing.T) {
	line := "Ini keluhan yang sangat panjang tentang jalan rusak — ulangi. "
	long := strings.Repeat(line, 20000) // ~1.2 MB
	t.Run("plain", func(t *testing.T) {
		src := &countingSource{r: strings.NewReader(crlf(hdr+"Content-Type: text/plain; charset=utf-8\n\n") + long)}
		m, err := Parse(src, Options{MaxText: 1000})
		if err != nil {
			t.Fatal(err)
		}
		checkInvariants(t, m, 1000)
		if !m.TextTruncated || len(m.Text) < 900 || !strings.HasPrefix(m.Text, line) {
			t.Errorf("TextTruncated = %v, %d bytes", m.TextTruncated, len(m.Text))
		}
		if !src.eof {
			t.Errorf("the rest of the mail was not read")
		}
		if !hasNote(m, "text cut at") {
			t.Errorf("Notes = %q", m.Notes)
		}
	})
	t.Run("HTML", func(t *testing.T) {
		html := "<html><body>" + strings.Repeat("<p>"+line+"</p>", 20000) + "</body></html>"
		m, err := Parse(strings.NewReader(crlf(hdr+"Content-Type: text/html; charset=utf-8\n\n")+html), Options{MaxText: 1000})
		if err != nil {
			t.Fatal(err)
		}
		checkInvariants(t, m, 1000)
		if !m.TextTruncated || !m.FromHTML || len(m.Text) < 900 {
			t.Errorf("TextTruncated = %v, FromHTML = %v, %d bytes", m.TextTruncated, m.FromHTML, len(m.Text))
		}
	})
	t.Run("multibyte at the cut", func(t *testing.T) {
		m, err := Parse(strings.NewReader(crlf(hdr+"\n")+strings.Repeat("漢", 1000)), Options{MaxText: 100})
		if err != nil {
			t.Fatal(err)
		}
		checkInvariants(t, m, 100)
		if m.Text != strings.Repeat("漢", 33) {
			t.Errorf("Text = %q", m.Text)
		}
	})
}

func TestErrors(t *testing.T) {
	boom := errors.New("koneksi IMAP putus")
	tests := []struct {
		name string
		r    io.Reader
		want error
	}{
		{"empty", strings.NewReader(""), ErrEmpty},
		{"only blank lines", strings.NewReader("\r\n\r\nisi\r\n"), ErrNoHeader},
		{"body text first", strings.NewReader("Halo petugas,\r\nsaya mau tanya.\r\n"), ErrNoHeader},
		{"leading white space", strings.NewReader(" From: a@b\r\n\r\nisi"), ErrNoHeader},
		{"binary", strings.NewReader("\x00\x01\x02\x03"), ErrNoHeader},
		{"no From and no body", strings.NewReader("Subject: kosong\r\nX-Foo: bar\r\n\r\n \r\n"), ErrNoContent},
		{"reader fails in the header", io.MultiReader(strings.NewReader("From: a@b.id\r\nSubj"), iotest.ErrReader(boom)), boom},
		{"reader fails in the body", io.MultiReader(strings.NewReader(crlf(hdr+"Content-Type: multipart/mixed; boundary=b\n\n--b\n\nisi")), iotest.ErrReader(boom)), boom},
		{"reader fails at once", iotest.ErrReader(boom), boom},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Parse(tt.r, Options{})
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if m != nil {
				t.Errorf("message returned with an error")
			}
			if !strings.HasPrefix(err.Error(), "mime: ") {
				t.Errorf("error %q does not say where it comes from", err)
			}
		})
	}
	// A mail with only a From and no body is still a case: the citizen can
	// be asked what they meant.
	m, err := Parse(strings.NewReader("From: warga@example.id\r\n\r\n"), Options{})
	if err != nil || m.From.Addr != "warga@example.id" {
		t.Errorf("From only: %v, %+v", err, m)
	}
}

// allocDuring returns the bytes allocated while f runs. TotalAlloc only
// grows, so unlike a heap sample it does not depend on when the GC runs:
// a bound on it is a bound on the peak growth, and not flaky.
func allocDuring(f func()) uint64 {
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// Hostile input must cost bounded memory and time, and never fail the parse.
func TestHostile(t *testing.T) {
	const mb = 1 << 20
	tests := []struct {
		name     string
		gen      func() io.Reader
		maxAlloc uint64
		check    func(t *testing.T, m *mailproc.Message)
	}{
		{"1 MiB of one-letter header fields", func() io.Reader {
			return io.MultiReader(strings.NewReader("From: w@example.id\r\n"), strings.NewReader(strings.Repeat("a:\r\n", mb/4)), strings.NewReader("\r\nisi\r\n"))
		}, 8 * mb, func(t *testing.T, m *mailproc.Message) {
			if m.Text != "isi" || !hasNote(m, "more than 1000 fields") {
				t.Errorf("Text %q, Notes %q", m.Text, m.Notes)
			}
		}},
		{"20 MB header line", func() io.Reader {
			return io.MultiReader(strings.NewReader("From: w@example.id\r\nSubject: "), &repeatReader{b: []byte("x"), n: 20 * mb}, strings.NewReader("\r\n\r\nisi\r\n"))
		}, 8 * mb, func(t *testing.T, m *mailproc.Message) {
			if m.Text != "isi" || !hasNote(m, "larger than 1024 KiB") || len([]rune(m.Subject)) != maxSubjectRunes {
				t.Errorf("Text %q, Notes %q, Subject %d runes", m.Text, m.Notes, len([]rune(m.Subject)))
			}
		}},
		{"20 MB part header line", func() io.Reader {
			return io.MultiReader(strings.NewReader(crlf(hdr+"Content-Type: multipart/mixed; boundary=b\n\n--b\nX-Junk: ")), &repeatReader{b: []byte("y"), n: 20 * mb},
				strings.NewReader(crlf("\n\nisi\n--b--\n")))
		}, 4 * mb, func(t *testing.T, m *mailproc.Message) {
			if m.Text != "isi" || !hasNote(m, "part 1 header: larger than 64 KiB") {
				t.Errorf("Text %q, Notes %q", m.Text, m.Notes)
			}
		}},
		{"nesting 5000 deep", func() io.Reader {
			var b strings.Builder
			b.WriteString(hdr)
			for i := 0; i < 5000; i++ {
				fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=b%d\n\n--b%d\n", i, i)
			}
			b.WriteString("\nterlalu dalam\n")
			return strings.NewReader(crlf(b.String()))
		}, 4 * mb, func(t *testing.T, m *mailproc.Message) {
			if !hasNote(m, "multipart nested deeper than 20 levels") {
				t.Errorf("Notes %q", m.Notes)
			}
		}},
		{"50000 parts", func() io.Reader {
			return io.MultiReader(strings.NewReader(crlf(hdr+"Content-Type: multipart/mixed; boundary=b\n\n")),
				&repeatReader{b: []byte(crlf("--b\nContent-Type: image/gif\n\nGIF\n")), n: 50000 * 33}, strings.NewReader("--b--\r\n"))
		}, 16 * mb, func(t *testing.T, m *mailproc.Message) {
			if len(m.Attachments) != maxAttachments || !hasNote(m, "more than 10000 parts") || !hasNote(m, "more than 200 attachments") {
				t.Errorf("%d attachments, Notes %q", len(m.Attachments), m.Notes)
			}
		}},
		{"HTML nested 100000 deep", func() io.Reader {
			return io.MultiReader(strings.NewReader(crlf(hdr+"Content-Type: text/html\n\n")), &repeatReader{b: []byte("<b><a href=x><div>"), n: 18 * 100000},
				strings.NewReader("teks dalam"))
		}, 16 * mb, func(t *testing.T, m *mailproc.Message) {
			if !m.FromHTML {
				t.Errorf("FromHTML not set")
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var m *mailproc.Message
			var err error
			start := time.Now()
			alloc := allocDuring(func() { m, err = Parse(tt.gen(), Options{}) })
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			checkInvariants(t, m, DefaultMaxText)
			t.Logf("allocated %.1f MB in %v", float64(alloc)/mb, time.Since(start))
			if alloc > tt.maxAlloc && !raceEnabled {
				t.Errorf("allocated %.1f MB, bound %.1f MB", float64(alloc)/mb, float64(tt.maxAlloc)/mb)
			}
			tt.check(t, m)
		})
	}
}

// repeatReader yields b over and over, n bytes in all, without holding them.
type repeatReader struct {
	b   []byte
	n   int
	off int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.n <= 0 {
		return 0, io.EOF
	}
	k := 0
	for k < len(p) && r.n > 0 {
		c := copy(p[k:min(len(p), k+r.n)], r.b[r.off:])
		r.off = (r.off + c) % len(r.b)
		k += c
		r.n -= c
	}
	return k, nil
}

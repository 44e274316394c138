package main

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"strings"
	"time"
)

// Staff replies shaped the way real clients write them: a new text on top,
// the client's attribution, the quoted notification below.

type replyStyle int

const (
	gmailID       replyStyle = iota // Gmail web, Indonesian
	outlookEN                       // Outlook desktop, English, with an attachment
	thunderbirdID                   // Thunderbird, Indonesian
	gmailHTMLOnly                   // an HTML-only reply (Gmail on a phone app that sends HTML)
)

// staffReply builds a reply from `from` to the notification notif.
func staffReply(style replyStyle, notif receivedMail, from, to, answer string, extraHeaders ...string) []byte {
	id := notif.Header.Get("Message-Id")
	refs := strings.TrimSpace(notif.Header.Get("References") + " " + id)
	subj := "Re: " + notif.Subject
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: Rina Marlina <%s>\r\nTo: %s\r\nDate: %s\r\nMessage-ID: <staff-%d@pustakaarsip.kamparkab.go.id>\r\nIn-Reply-To: %s\r\nReferences: %s\r\nMIME-Version: 1.0\r\n",
		from, to, time.Now().Format(time.RFC1123Z), time.Now().UnixNano(), id, refs)
	for _, h := range extraHeaders {
		b.WriteString(h + "\r\n")
	}
	quoted := "> " + strings.ReplaceAll(strings.TrimSpace(notif.Text), "\n", "\n> ")
	switch style {
	case gmailID:
		fmt.Fprintf(&b, "Subject: %s\r\nContent-Type: text/plain; charset=\"UTF-8\"\r\n\r\n%s\r\n\r\nPada Jum, 27 Nov 2026 pukul 10.15 Layanan Informasi dan Aduan Masyarakat <\r\n%s> menulis:\r\n\r\n%s\r\n",
			subj, answer, to, quoted)
	case outlookEN:
		fmt.Fprintf(&b, "Subject: RE: %s\r\nContent-Type: multipart/mixed; boundary=\"_004_\"\r\n\r\n--_004_\r\nContent-Type: text/plain; charset=\"us-ascii\"\r\n\r\n%s\r\n\r\nRegards,\r\nRina\r\n\r\n________________________________\r\nFrom: Layanan Informasi dan Aduan Masyarakat <%s>\r\nSent: Friday, November 27, 2026 10:15 AM\r\nTo: Rina Marlina <%s>\r\nSubject: %s\r\n\r\n%s\r\n",
			notif.Subject, answer, to, from, notif.Subject, notif.Text)
		fmt.Fprintf(&b, "\r\n--_004_\r\nContent-Type: application/pdf; name=\"Jadwal Layanan.pdf\"\r\nContent-Disposition: attachment; filename=\"Jadwal Layanan.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n%s\r\n--_004_--\r\n",
			base64.StdEncoding.EncodeToString([]byte("%PDF-1.4 jadwal layanan perpustakaan\n")))
	case thunderbirdID:
		fmt.Fprintf(&b, "Subject: %s\r\nContent-Type: text/plain; charset=UTF-8; format=flowed\r\nContent-Transfer-Encoding: 8bit\r\n\r\n%s\r\n\r\nPada 27/11/2026 10.15, Layanan Informasi dan Aduan Masyarakat menulis:\r\n%s\r\n",
			subj, answer, quoted)
	case gmailHTMLOnly:
		html := fmt.Sprintf("<div dir=\"ltr\">%s</div><br><div class=\"gmail_quote\"><div dir=\"ltr\" class=\"gmail_attr\">On Fri, Nov 27, 2026 at 10:15 AM Layanan &lt;%s&gt; wrote:<br></div><blockquote class=\"gmail_quote\" style=\"margin:0px 0px 0px 0.8ex\">%s</blockquote></div>",
			strings.ReplaceAll(answer, "\n", "<br>"), to, strings.ReplaceAll(notif.Text, "\n", "<br>"))
		fmt.Fprintf(&b, "Subject: %s\r\nContent-Type: text/html; charset=\"UTF-8\"\r\n\r\n%s\r\n", subj, html)
	}
	return b.Bytes()
}

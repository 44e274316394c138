package mailproc_test

import (
	"fmt"
	"html"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/dpk-kampar/mailproc/mailproc"
	"github.com/dpk-kampar/mailproc/mailproc/mime"
	"github.com/dpk-kampar/mailproc/mailproc/template"
)

// Replies to a real notification (rendered by the shipped templates), in
// the shape each mail client gives them, in Indonesian and English, with and
// without the reply marker. They are written here rather than as .eml files
// because their quote is whatever the templates render today: a change to a
// template is tested at once.

const shapeDesk = "layanan@pustakaarsip.kamparkab.go.id"

// notification renders the notification of a new case as staff receive it.
func notification(t testing.TB) *mailproc.OutgoingMail {
	t.Helper()
	tmpl, err := template.Load("", slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	wib, _ := time.LoadLocation("Asia/Jakarta")
	now := time.Date(2026, 11, 27, 10, 15, 0, 0, wib)
	comp := &mailproc.Composer{
		Desk:     mailproc.Desk{Name: "Layanan Informasi dan Aduan Masyarakat", Agency: "Dinas", Address: shapeDesk, Location: wib},
		Renderer: tmpl, Promise: mailproc.FixedClock{Info: 5 * time.Minute, Complaint: time.Hour},
		Tokens: mailproc.Tokens{Secret: []byte("rahasia-rahasia-rahasia-rahasia-0123")},
		Staff:  []mailproc.Address{{Name: "Rina", Addr: "rina@pustakaarsip.kamparkab.go.id"}},
		Now:    func() time.Time { return now },
	}
	citizen := &mailproc.Message{From: mailproc.Address{Name: "Siti Rahmawati", Addr: "siti.rahma@example.org"},
		Subject: "Jam buka hari Sabtu", Date: now,
		Text: "Selamat pagi,\n\nApakah Perpustakaan Daerah buka hari Sabtu? Saya ingin membuat kartu anggota untuk anak saya.\n\nTerima kasih,\nSiti Rahmawati"}
	c := &mailproc.Case{ID: 1, Number: "INF-2026-00042", Kind: mailproc.KindInformasi, CitizenAddr: citizen.From.Addr,
		CitizenName: citizen.From.Name, Subject: citizen.Subject, OpenedAt: now, DueAt: now.Add(5 * time.Minute)}
	out, err := comp.Notify(citizen, c, false, false)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

type shapeLang struct {
	code, typed                   string
	wrote                         func(string) string // attribution
	from, sent, to, subject, orig string              // header block words
	first, second                 string              // typed parts of an interleaved answer
}

var shapeLangs = []shapeLang{
	{code: "id", typed: "Selamat siang Bu Siti,\n\nPerpustakaan Daerah buka hari Sabtu pukul 08.00-12.00 WIB. Kartu anggota anak dibuat dengan kartu keluarga.\n\nSalam,\nRina",
		wrote: func(who string) string { return "Pada Jum, 27 Nov 2026 pukul 10.15 " + who + " menulis:" },
		from:  "Dari", sent: "Dikirim", to: "Kepada", subject: "Perihal", orig: "Pesan asli",
		first: "Ya, buka hari Sabtu.", second: "Kartu anggota anak dibuat dengan kartu keluarga."},
	{code: "en", typed: "Good afternoon Mrs Siti,\n\nThe library is open on Saturdays from 08.00 to 12.00. A child's card needs the family card.\n\nRegards,\nRina",
		wrote: func(who string) string { return "On Fri, Nov 27, 2026 at 10:15 AM " + who + " wrote:" },
		from:  "From", sent: "Sent", to: "To", subject: "Subject", orig: "Original Message",
		first: "Yes, open on Saturdays.", second: "A child's card needs the family card."},
}

func quoteText(s, prefix string) string {
	return prefix + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n"+prefix)
}

func htmlBody(s string) string {
	return strings.ReplaceAll(html.EscapeString(s), "\n", "<br>\n")
}

// innerHTML is the notification's HTML body without its document frame.
func innerHTML(h string) string {
	if i := strings.Index(h, "<body"); i >= 0 {
		h = h[i:]
		h = h[strings.IndexByte(h, '>')+1:]
	}
	if i := strings.Index(h, "</body>"); i >= 0 {
		h = h[:i]
	}
	return h
}

// replyMail builds the raw reply and parses it as intake does.
func replyMail(t testing.TB, subject, plain, htmlPart string) *mailproc.Message {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "From: Rina <rina@pustakaarsip.kamparkab.go.id>\r\nTo: %s\r\nSubject: Re: %s\r\nMessage-ID: <r@x>\r\nMIME-Version: 1.0\r\n", shapeDesk, subject)
	switch {
	case htmlPart != "" && plain != "":
		b.WriteString("Content-Type: multipart/alternative; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" +
			plain + "\r\n--b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<html><body>" + htmlPart + "</body></html>\r\n--b--\r\n")
	case htmlPart != "":
		b.WriteString("Content-Type: text/html; charset=utf-8\r\n\r\n<html><body>" + htmlPart + "</body></html>\r\n")
	default:
		b.WriteString("Content-Type: text/plain; charset=utf-8\r\n\r\n" + plain + "\r\n")
	}
	m, err := mime.Parse(strings.NewReader(b.String()), mime.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// shape builds one client's reply: typed answer, the notification's text
// and HTML. want is the answer a person reads.
type shape struct {
	name     string
	fromHTML bool // the answer is read from the HTML part
	build    func(t testing.TB, l shapeLang, subj, text, htm string) (m *mailproc.Message, want string)
}

var shapeFrom = "Layanan Informasi dan Aduan Masyarakat <" + shapeDesk + ">"

var shapes = []shape{
	{"gmail", false, func(t testing.TB, l shapeLang, subj, text, htm string) (*mailproc.Message, string) {
		plain := l.typed + "\n\n" + l.wrote(shapeFrom) + "\n\n" + quoteText(text, "> ")
		h := "<div dir=\"ltr\">" + htmlBody(l.typed) + "</div><br><div class=\"gmail_quote\"><div class=\"gmail_attr\">" + html.EscapeString(l.wrote(shapeFrom)) +
			"</div><blockquote class=\"gmail_quote\">" + htm + "</blockquote></div>"
		return replyMail(t, subj, plain, h), l.typed
	}},
	{"gmail-html-only", true, func(t testing.TB, l shapeLang, subj, text, htm string) (*mailproc.Message, string) {
		h := "<div dir=\"ltr\">" + htmlBody(l.typed) + "</div><br><div class=\"gmail_quote\"><div class=\"gmail_attr\">" + html.EscapeString(l.wrote(shapeFrom)) +
			"</div><blockquote class=\"gmail_quote\">" + htm + "</blockquote></div>"
		return replyMail(t, subj, "", h), l.typed
	}},
	{"outlook-desktop", false, func(t testing.TB, l shapeLang, subj, text, htm string) (*mailproc.Message, string) {
		block := l.from + ": " + shapeFrom + "\n" + l.sent + ": Friday, November 27, 2026 10:15 AM\n" + l.to + ": Rina <rina@pustakaarsip.kamparkab.go.id>\n" + l.subject + ": " + subj
		plain := l.typed + "\n\n________________________________\n" + block + "\n\n" + text
		h := "<div>" + htmlBody(l.typed) + "</div><hr><div id=\"divRplyFwdMsg\">" + htmlBody(block) + "</div><div>" + htm + "</div>"
		return replyMail(t, subj, plain, h), l.typed
	}},
	{"outlook-desktop-bold", false, func(t testing.TB, l shapeLang, subj, text, htm string) (*mailproc.Message, string) {
		block := "*" + l.from + ":* " + shapeFrom + "\n*" + l.sent + ":* Friday, November 27, 2026 10:15 AM\n*" + l.to + ":* Rina\n*" + l.subject + ":* " + subj
		return replyMail(t, subj, l.typed+"\n\n"+block+"\n\n"+text, ""), l.typed
	}},
	{"outlook-web-html-only", true, func(t testing.TB, l shapeLang, subj, text, htm string) (*mailproc.Message, string) {
		h := "<div>" + htmlBody(l.typed) + "</div><div id=\"appendonsend\"></div><hr><div id=\"divRplyFwdMsg\"><b>" + l.from + ":</b> " + html.EscapeString(shapeFrom) + "</div><div>" + htm + "</div>"
		return replyMail(t, subj, "", h), l.typed
	}},
	{"thunderbird", false, func(t testing.TB, l shapeLang, subj, text, htm string) (*mailproc.Message, string) {
		plain := l.typed + "\n\n" + l.wrote("Layanan") + "\n" + quoteText(text, "> ")
		h := "<p>" + htmlBody(l.typed) + "</p><div class=\"moz-cite-prefix\">" + html.EscapeString(l.wrote("Layanan")) + "</div><blockquote type=\"cite\">" + htm + "</blockquote>"
		return replyMail(t, subj, plain, h), l.typed
	}},
	{"apple-mail", false, func(t testing.TB, l shapeLang, subj, text, htm string) (*mailproc.Message, string) {
		plain := l.typed + "\n\nSent from my iPhone\n\n> " + l.wrote(shapeFrom) + "\n> \n" + quoteText(text, "> ")
		h := "<div dir=\"ltr\">" + htmlBody(l.typed) + "</div><div><br><div dir=\"ltr\">Sent from my iPhone</div><blockquote type=\"cite\">" + html.EscapeString(l.wrote(shapeFrom)) + "<br>" + htm + "</blockquote></div>"
		return replyMail(t, subj, plain, h), l.typed
	}},
	{"zimbra", false, func(t testing.TB, l shapeLang, subj, text, htm string) (*mailproc.Message, string) {
		block := l.from + ": \"Layanan\" <" + shapeDesk + ">\n" + l.to + ": \"Rina\" <rina@pustakaarsip.kamparkab.go.id>\n" + l.sent + ": Friday, 27 November, 2026 10:15:42\n" + l.subject + ": " + subj
		plain := l.typed + "\n\n----- " + l.orig + " -----\n" + block + "\n\n" + text
		h := "<div>" + htmlBody(l.typed) + "</div><hr id=\"zwchr\"><div>" + htmlBody(block) + "<br>" + htm + "</div>"
		return replyMail(t, subj, plain, h), l.typed
	}},
	{"samsung-collapsed", true, func(t testing.TB, l shapeLang, subj, text, htm string) (*mailproc.Message, string) {
		flat := strings.ReplaceAll(text, "\n", "")
		plain := l.typed + "Sent from my Galaxy-------- " + l.orig + " --------" + l.from + ": " + shapeFrom + " Date: 27/11/26 10.15 (GMT+07:00) " + l.subject + ": " + subj + flat
		var h strings.Builder
		for _, line := range strings.Split(l.typed, "\n") {
			h.WriteString("<div dir=\"auto\">" + html.EscapeString(line) + "</div>")
		}
		h.WriteString("<div id=\"composer_signature\"><div>Sent from my Galaxy</div></div><div><div>-------- " + l.orig + " --------</div><div>" +
			l.from + ": " + html.EscapeString(shapeFrom) + " </div><div>Date: 27/11/26 10.15 (GMT+07:00) </div><div>" + l.subject + ": " + html.EscapeString(subj) + "</div></div>" + htm)
		return replyMail(t, subj, plain, h.String()), l.typed
	}},
	{"k9-phone", false, func(t testing.TB, l shapeLang, subj, text, htm string) (*mailproc.Message, string) {
		plain := l.typed + "\n\nOn November 27, 2026 10:15:00 AM GMT+07:00, " + shapeFrom + " wrote:\n" + quoteText(text, ">")
		return replyMail(t, subj, plain, ""), l.typed
	}},
	{"yahoo", false, func(t testing.TB, l shapeLang, subj, text, htm string) (*mailproc.Message, string) {
		attr := "On Friday, November 27, 2026, 10:15:00 AM GMT+7, Layanan <" + shapeDesk + "> wrote:"
		plain := l.typed + "\n\n    " + attr + "  \n\n" + quoteText(text, " ")
		h := "<div>" + htmlBody(l.typed) + "</div><div class=\"yahoo_quoted\"><div>" + html.EscapeString(attr) + "</div><div>" + htm + "</div></div>"
		return replyMail(t, subj, plain, h), l.typed
	}},
	{"interleaved", false, func(t testing.TB, l shapeLang, subj, text, htm string) (*mailproc.Message, string) {
		lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
		half := len(lines) / 2
		plain := l.wrote("Layanan") + "\n" + quoteText(strings.Join(lines[:half], "\n"), "> ") + "\n\n" + l.first + "\n\n" +
			quoteText(strings.Join(lines[half:], "\n"), "> ") + "\n\n" + l.second
		return replyMail(t, subj, plain, ""), l.first + "\n\n" + l.second
	}},
	{"bottom-posted", false, func(t testing.TB, l shapeLang, subj, text, htm string) (*mailproc.Message, string) {
		plain := l.wrote("Layanan") + "\n" + quoteText(text, "> ") + "\n\n" + l.typed
		return replyMail(t, subj, plain, ""), l.typed
	}},
}

// withoutMarker is the notification as it was before the marker existed,
// or as a client that dropped its first line shows it.
func withoutMarker(text string) string {
	return strings.TrimLeft(strings.Replace(text, mailproc.ReplyMarker, "", 1), "\n")
}

// TestReplyShapes reads every client shape, in both languages, with and
// without the marker: with the known original the answer is exact; without
// it, the guessing rules either find the exact answer or the leak guard
// holds what they found. The guard never holds the typed answer, and holds
// the whole reply.
func TestReplyShapes(t *testing.T) {
	notif := notification(t)
	if !strings.HasPrefix(notif.Text, mailproc.ReplyMarker) || !strings.Contains(notif.HTML, mailproc.ReplyMarker) {
		t.Fatalf("the notification does not start with the marker:\n%s", notif.Text)
	}
	htmWith := innerHTML(notif.HTML)
	htmWithout := strings.Replace(htmWith, mailproc.ReplyMarker, "", 1)
	for _, l := range shapeLangs {
		for _, s := range shapes {
			for _, marker := range []bool{true, false} {
				name := fmt.Sprintf("%s-%s-marker=%v", s.name, l.code, marker)
				t.Run(name, func(t *testing.T) {
					text, htm := notif.Text, htmWith
					if !marker {
						text, htm = withoutMarker(notif.Text), htmWithout
					}
					m, want := s.build(t, l, notif.Subject, text, htm)
					same := func(a, b string) bool { return a == b }
					if s.fromHTML {
						// The answer comes from the HTML, whose conversion
						// drops empty <div>s (a parser matter).
						same = func(a, b string) bool { return withoutBlankLines(a) == withoutBlankLines(b) }
					}
					originals := []string{notif.Text}
					if got := mailproc.ReplyText(m, originals); !same(got, want) {
						t.Errorf("with the known original:\n--- got ---\n%s\n--- want ---\n%s\n--- text ---\n%s", got, want, m.Text)
					}
					guessed := mailproc.ReplyText(m, nil)
					if marker && !same(guessed, want) {
						t.Errorf("with the marker only:\n--- got ---\n%s\n--- want ---\n%s", guessed, want)
					}
					if !same(guessed, want) && len(mailproc.LeakFindings(guessed, originals)) == 0 {
						t.Errorf("guessed answer differs and the guard lets it pass:\n%s", guessed)
					}
					if f := mailproc.LeakFindings(want, originals); len(f) != 0 {
						t.Errorf("the guard holds the typed answer: %q", f)
					}
					if len(mailproc.LeakFindings(m.Text+"\n"+m.HTMLText, originals)) == 0 {
						t.Error("the guard lets the whole reply pass")
					}
				})
			}
		}
	}
}

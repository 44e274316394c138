package smtp

import (
	"errors"
	"fmt"
	netmail "net/mail"
	"strings"
	"time"

	"github.com/dpk-kampar/mailproc/mailproc"
	"github.com/wneessen/go-mail"
)

// Bounds on what goes into a header from outside.
const (
	maxSubjectRunes = 200 // a subject line a mail client shows whole
	maxNameRunes    = 100 // a display name
	maxReferences   = 20  // References ids kept: the first and the newest
	maxMsgIDLen     = 250 // longer ids are not real ones
)

// Header names go-mail has no constant for.
const (
	headerAutoSubmitted = mail.Header("Auto-Submitted")
)

// Build makes the message mailproc sends for m. Every mail carries:
//
//   - From, To and Cc with display names cleaned by mailproc.SanitizeHeader
//     and RFC 2047-encoded when not ASCII (never raw 8-bit in a header);
//   - the Subject, cleaned and cut to 200 runes, RFC 2047-encoded when not
//     ASCII, so a citizen's "Halo\r\nBcc: …" cannot add a header;
//   - our Message-ID and the queued Date (set here: go-mail would invent an
//     id from this machine's host name and take the time of writing, and a
//     retry must be the same mail), In-Reply-To, and References as one
//     space-separated list (go-mail joins several values with commas, which
//     RFC 5322 does not allow there);
//   - Auto-Submitted (RFC 3834) for m.Purpose and X-Auto-Response-Suppress:
//     All, so auto-responders, Exchange included, do not answer back;
//   - Content-Language: id and MIME-Version: 1.0, no User-Agent or X-Mailer;
//   - a text/plain UTF-8 quoted-printable body, with an HTML alternative in
//     multipart/alternative when m.HTML is set;
//   - not m.Attachments: newMessage (stream.go) puts them after the body
//     in multipart/mixed, base64, with their file names (RFC 2047-encoded
//     when not ASCII) and media types, streamed from the archive under
//     dataDir each time the message is written.
//
// Ids from other people's mail that are not clean msg-ids are left out of
// In-Reply-To and References rather than failing the mail. An error means
// the outbox row can never be sent as it is (a bad address or Message-ID,
// an attachment whose archived mail is not there).
func Build(m *mailproc.OutgoingMail) (*mail.Msg, error) {
	if !validMsgID(m.MessageID) || !strings.Contains(m.MessageID, "@") {
		return nil, fmt.Errorf("invalid Message-ID %q", m.MessageID)
	}
	from, err := headerAddr(m.From)
	if err != nil {
		return nil, fmt.Errorf("From: %w", err)
	}
	to, err := headerAddrs(m.To)
	if err != nil {
		return nil, fmt.Errorf("To: %w", err)
	}
	cc, err := headerAddrs(m.Cc)
	if err != nil {
		return nil, fmt.Errorf("Cc: %w", err)
	}
	if len(to)+len(cc) == 0 {
		return nil, errors.New("no recipients")
	}

	msg := mail.NewMsg(
		mail.WithCharset(mail.CharsetUTF8),
		mail.WithEncoding(mail.EncodingQP),
		mail.WithNoDefaultUserAgent(),
	)
	msg.SetAddrHeaderFromMailAddress(mail.HeaderFrom, from)
	if len(to) > 0 {
		msg.SetAddrHeaderFromMailAddress(mail.HeaderTo, to...)
	}
	if len(cc) > 0 {
		msg.SetAddrHeaderFromMailAddress(mail.HeaderCc, cc...)
	}
	msg.Subject(mailproc.SanitizeHeader(m.Subject, maxSubjectRunes))
	msg.SetMessageIDWithValue(m.MessageID)
	date := m.Date
	if date.IsZero() {
		date = time.Now()
	}
	msg.SetDateWithValue(date)
	if id := mailproc.NormalizeMessageID(m.InReplyTo); validMsgID(id) {
		msg.SetGenHeader(mail.HeaderInReplyTo, "<"+id+">")
	}
	if refs := references(m.References); len(refs) > 0 {
		// One value: go-mail joins values with ", " and folds at spaces.
		msg.SetGenHeader(mail.HeaderReferences, strings.Join(refs, " "))
	}
	msg.SetGenHeader(headerAutoSubmitted, m.Purpose.AutoSubmitted())
	msg.SetGenHeader(mail.HeaderXAutoResponseSuppress, "All")
	msg.SetGenHeader(mail.HeaderContentLang, "id")

	msg.SetBodyString(mail.TypeTextPlain, strings.ToValidUTF8(m.Text, "\uFFFD"))
	if m.HTML != "" {
		msg.AddAlternativeString(mail.TypeTextHTML, strings.ToValidUTF8(m.HTML, "\uFFFD"))
	}
	return msg, nil
}

// headerAddr checks a as an envelope address and gives it a clean display
// name. Addresses must be ASCII: a UTF-8 local part would need SMTPUTF8,
// which mailproc never uses.
func headerAddr(a mailproc.Address) (*netmail.Address, error) {
	if a.Addr == "" {
		return nil, errors.New("empty address")
	}
	for i := 0; i < len(a.Addr); i++ {
		switch c := a.Addr[i]; {
		case c >= 0x80:
			return nil, fmt.Errorf("address %q is not ASCII (it would need SMTPUTF8)", a.Addr)
		case c <= ' ' || c == 0x7f || c == '<' || c == '>':
			return nil, fmt.Errorf("address %q contains %q", a.Addr, c)
		}
	}
	p, err := netmail.ParseAddress(a.Addr)
	if err != nil {
		return nil, fmt.Errorf("address %q: %w", a.Addr, err)
	}
	return &netmail.Address{Name: mailproc.SanitizeHeader(a.Name, maxNameRunes), Address: p.Address}, nil
}

func headerAddrs(as []mailproc.Address) ([]*netmail.Address, error) {
	out := make([]*netmail.Address, 0, len(as))
	for _, a := range as {
		p, err := headerAddr(a)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// references cleans a References list (oldest first): bracketed, without
// bad or repeated ids, and at most maxReferences long — the first id (the
// thread's root) and the newest ones, as RFC 5322 section 3.6.4 suggests.
func references(ids []string) []string {
	seen := make(map[string]bool, len(ids))
	var out []string
	for _, id := range ids {
		id = mailproc.NormalizeMessageID(id)
		if !validMsgID(id) || seen[id] {
			continue
		}
		seen[id] = true
		out = append(out, "<"+id+">")
	}
	if len(out) > maxReferences {
		out = append(out[:1], out[len(out)-maxReferences+1:]...)
	}
	return out
}

// validMsgID reports whether id (without brackets) can go into a header as
// is: printable ASCII without spaces or brackets, not absurdly long.
func validMsgID(id string) bool {
	if id == "" || len(id) > maxMsgIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; c <= ' ' || c >= 0x7f || c == '<' || c == '>' {
			return false
		}
	}
	return true
}

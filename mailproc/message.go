package mailproc

import (
	"strings"
	"time"
)

// Address is a mailbox with its display name, as decoded from a header.
type Address struct {
	Name string
	Addr string // local@domain; the domain is lower-cased
}

// String renders the address for logs and listings (never for headers: the
// SMTP adapter encodes those).
func (a Address) String() string {
	if a.Name == "" {
		return a.Addr
	}
	return a.Name + " <" + a.Addr + ">"
}

// SameAddr compares two addresses the way a person would: the local part and
// domain without regard to case. (RFC 5321 lets the local part be
// case-sensitive; no mail system a citizen uses does that.)
func SameAddr(a, b string) bool {
	return a != "" && strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(b))
}

// Attachment is a file carried by a mail. Its bytes stay in the raw archive;
// the case lists it.
type Attachment struct {
	Filename    string
	ContentType string
	Size        int64  // decoded size in bytes
	Part        string // MIME part path in IMAP section numbering ("2", "1.3"); finds it again in the raw mail
}

// Delivery says where a mail was found on the IMAP server.
type Delivery struct {
	Mailbox     string
	UIDValidity uint32
	UID         uint32
	Arrived     time.Time // the server's INTERNALDATE; zero if unknown
	// Behind is how many more mails the adapter already knows wait in the
	// mailbox after this one (a start-up backlog, the rest of a fetch);
	// 0 when it knows of none. Only the burst digest reads it.
	Behind int
}

// AutoHeaders are the headers that tell a person from a robot or a list.
// The acknowledgement rules read them; they are kept on every message.
type AutoHeaders struct {
	AutoSubmitted            string // Auto-Submitted value, lower-cased; "" if absent
	Precedence               string // Precedence value, lower-cased
	ListHeaders              bool   // any List-* header present
	XAutoResponseSuppress    string // X-Auto-Response-Suppress value; "" if absent
	HasXAutoResponseSuppress bool
	// AutoReply names the non-standard auto-reply header present
	// (X-Autoreply, X-Autorespond, X-Auto-Reply): many vacation responders
	// mark themselves only so; "" if none.
	AutoReply   string
	ReturnPath  string // envelope sender from Return-Path; "<>" for a null sender
	ContentType string // top-level media type, e.g. multipart/report
	ReportType  string // report-type parameter of multipart/report
	// Marker names another header a robot marks itself with, with its
	// value: "X-Apple-Action: VACATION" (iCloud's vacation reply),
	// "X-MS-Exchange-Generated-Message-Source: …" (Exchange's own mail),
	// "X-Mailer: …" of a known responder; "" if none.
	Marker string
}

// Message is a mail as mailproc understands it: decoded headers, the text
// in valid UTF-8, the list of attachments, and where the raw bytes are kept.
type Message struct {
	ID          int64  // row id once stored
	MessageID   string // without angle brackets; synthetic when the mail had none
	SyntheticID bool   // MessageID was made up by mailproc
	From        Address
	Sender      Address // Sender header, if any
	ReplyTo     []Address
	To          []Address
	Cc          []Address
	Subject     string
	Date        time.Time // the Date header; zero if missing or unreadable
	InReplyTo   []string  // message ids without brackets
	References  []string  // message ids without brackets, oldest first
	Auto        AutoHeaders
	AuthResults []string // raw Authentication-Results header values, top first

	Text          string // plain text, valid UTF-8, bounded in size
	TextTruncated bool   // Text was cut at the size bound
	FromHTML      bool   // Text was made from an HTML part
	Attachments   []Attachment
	Notes         []string // what the parser had to work around (unknown charset, …)

	// HTMLText is the HTML body as text, ending where the client's quote
	// container starts (div.gmail_quote, #divRplyFwdMsg, …; blockquotes
	// quoted as "> "): what ReplyText reads when the plain part lost its
	// line structure. "" when the mail has no HTML body. Not stored.
	HTMLText string

	// Report is filled for a delivery status notification (a bounce): what
	// it says about which of our mails. nil for any other mail.
	Report *DeliveryReport

	Size        int64  // raw size in bytes
	SHA256      string // hex digest of the raw bytes
	ArchivePath string // path of the raw .eml relative to the data dir

	Delivery Delivery
	Received time.Time // when mailproc stored it

	// taughtAuth is set when this mail switched desk.require_auth = "auto"
	// on in its transaction; Ingest acts on it in memory after the commit.
	taughtAuth bool
	// class is Classify's verdict on Subject and Text, worked out while the
	// mail is staged (a batch's staging runs beside the commit of the batch
	// before it; see Ingester.Batch) so the write transaction does not
	// wait for it; nil until then.
	class *Classification
	// RedactedAt is when retention or a personal-data request removed the
	// text, names and raw file (ArchivePath and SHA256 stay); zero if whole.
	RedactedAt time.Time
}

// classification is Classify(m.Subject, m.Text), worked out once.
func (m *Message) classification() Classification {
	if m.class == nil {
		cl := Classify(m.Subject, m.Text)
		m.class = &cl
	}
	return *m.class
}

// ReferencedIDs lists every message id this mail points at (In-Reply-To
// first, then References newest first), without duplicates.
func (m *Message) ReferencedIDs() []string {
	seen := make(map[string]bool)
	var out []string
	add := func(id string) {
		if id != "" && !seen[id] && id != m.MessageID {
			seen[id] = true
			out = append(out, id)
		}
	}
	for _, id := range m.InReplyTo {
		add(id)
	}
	for i := len(m.References) - 1; i >= 0; i-- {
		add(m.References[i])
	}
	return out
}

// FromOrTo reports whether addr is m's own sender or one of its To
// addresses: in a bounce, those are not failed recipients.
func (m *Message) FromOrTo(addr string) bool {
	if SameAddr(addr, m.From.Addr) {
		return true
	}
	for _, to := range m.To {
		if SameAddr(addr, to.Addr) {
			return true
		}
	}
	return false
}

// NormalizeMessageID strips angle brackets and white space from a message id.
func NormalizeMessageID(s string) string {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, "<")
	s = strings.TrimSuffix(s, ">")
	return strings.TrimSpace(s)
}

// SyntheticMessageID is the id given to a mail without one (or whose id
// another stored mail holds, see Ingester): derived from its content, so the
// same mail fetched twice gets the same id, and never empty, so unrelated
// mails without ids are never threaded together.
func SyntheticMessageID(sha256hex string) string {
	if len(sha256hex) > 32 {
		sha256hex = sha256hex[:32]
	}
	return "sha256-" + sha256hex + "@mailproc.invalid"
}

// DeliveryReport is what a bounce (RFC 3464 delivery status notification, or
// a non-standard bounce from a MAILER-DAEMON) says.
type DeliveryReport struct {
	// OriginalIDs are the Message-IDs of the mail the report is about, from
	// the returned headers (message/rfc822 or text/rfc822-headers part).
	OriginalIDs []string
	Recipients  []string // Final-Recipient addresses that failed
	Action      string   // failed, delayed, delivered, relayed, expanded
	Status      string   // e.g. 5.1.1
	Diagnostic  string   // e.g. "smtp; 550 5.1.1 <x@y>: Recipient address rejected"
	// Feedback is an ARF report's Feedback-Type (abuse, fraud, …; RFC
	// 5965); Disposition is a read receipt's Disposition (RFC 8098). ""
	// for a delivery report.
	Feedback    string
	Disposition string
}

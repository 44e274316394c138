package mailproc

import (
	"fmt"
	"regexp"
	"strings"
)

// AckPolicy decides whether a mail may be acknowledged. Its one job is to
// keep the desk out of mail loops and off mailing lists: an automatic reply
// to a robot, a list, a bounce, staff or the desk itself can start an
// endless exchange or spam a list's members.
type AckPolicy struct {
	DeskAddr        string   // the desk mailbox: never answered
	Internal        []string // staff, heads and ops: they get notifications, not acknowledgements
	PerSenderPerDay int      // at most this many acknowledgements per sender in 24 hours
}

// Refuse returns why m must not be acknowledged, or "" if it may be. sent
// is how many acknowledgements went to the acknowledgement address
// (AckAddress) in the last 24 hours. The same protection covers From and
// Reply-To: a Reply-To naming the desk, staff or a robot is refused like
// such a sender. The reasons are written to the case's log in Indonesian.
func (p AckPolicy) Refuse(m *Message, sent int) string {
	if why := AutomaticReason(m); why != "" {
		return why
	}
	to := AckAddress(m)
	for _, addr := range []string{m.From.Addr, to.Addr} {
		if SameAddr(addr, p.DeskAddr) {
			return "dari alamat layanan sendiri"
		}
		for _, in := range p.Internal {
			if SameAddr(addr, in) {
				return "dari petugas atau pimpinan (mereka menerima notifikasi, bukan tanda terima)"
			}
		}
	}
	if to.Addr != m.From.Addr {
		if why := robotSender(to.Addr); why != "" {
			return "Reply-To: " + why
		}
	}
	if p.PerSenderPerDay > 0 && sent >= p.PerSenderPerDay {
		return fmt.Sprintf("batas %d tanda terima per 24 jam untuk alamat %s sudah tercapai", p.PerSenderPerDay, to.Addr)
	}
	return ""
}

// AckAddress is where the desk writes back to the author of m — the
// acknowledgement and the staff's answer: the first Reply-To address when
// there is one (a letter written from a personal address for the
// secretariat, a web form relaying a citizen), else From. Whether anything
// is sent at all is AckPolicy's decision.
func AckAddress(m *Message) Address {
	for _, a := range m.ReplyTo {
		if a.Addr != "" {
			return a
		}
	}
	return m.From
}

// OpensCase reports whether m, arriving with no reference to a case, may
// open a citizen's case: only mail a person wrote does. A robot's mail
// (RobotOf) is stored and listed for ops instead, and pages nobody.
func OpensCase(m *Message) bool {
	return RobotOf(m) == RobotNone
}

// Robot is the kind of mail software sent; it decides the event such a mail
// leaves on the case it refers to.
type Robot string

// The kinds of non-human mail.
const (
	RobotNone        Robot = ""
	RobotBounce      Robot = "gagal_kirim"      // a delivery status notification or a mail system's bounce
	RobotReadReceipt Robot = "dibaca"           // a read receipt (MDN, RFC 8098)
	RobotAutoReply   Robot = "balasan_otomatis" // vacation and out-of-office replies
	RobotSpamReport  Robot = "laporan_spam"     // a feedback report (ARF, RFC 5965): a recipient called our mail spam
	RobotBulk        Robot = "email_otomatis"   // lists, newsletters, generated notices, no-reply senders, other reports
)

// RobotOf says what kind of robot wrote m, or RobotNone for a person. A
// mail without a sender address is not called a robot on that ground alone:
// it gets a case (and no acknowledgement, see AutomaticReason).
func RobotOf(m *Message) Robot {
	a := m.Auto
	r := m.Report
	switch {
	case a.ReportType == "feedback-report" || (r != nil && r.Feedback != ""):
		return RobotSpamReport
	case a.ReportType == "disposition-notification" || (r != nil && r.Disposition != ""):
		return RobotReadReceipt
	case IsBounce(m):
		return RobotBounce
	case isAutoReply(m):
		return RobotAutoReply
	}
	// X-Auto-Response-Suppress alone keeps the desk from answering, but
	// Outlook sets it on some mail people write: such a mail still opens a
	// case, so staff see it.
	if why := AutomaticReason(m); why != "" && why != reasonSuppressHeader && m.From.Addr != "" {
		return RobotBulk
	}
	return RobotNone
}

// reasonSuppressHeader is AutomaticReason for a mail whose only robot mark
// is X-Auto-Response-Suppress.
const reasonSuppressHeader = "pengirim meminta tanpa balasan otomatis (X-Auto-Response-Suppress)"

// isAutoReply recognises a vacation or out-of-office reply by the headers
// responders set, or by a localized auto-reply subject on a mail that
// answers another (see autoReplySubject).
func isAutoReply(m *Message) bool {
	a := m.Auto
	switch {
	case a.AutoSubmitted == "auto-replied", a.Precedence == "auto_reply", a.AutoReply != "":
		return true
	case strings.HasPrefix(strings.ToLower(a.Marker), "x-apple-action: vacation"),
		strings.HasPrefix(strings.ToLower(a.Marker), "x-ms-exchange-inbox-rules-loop"):
		return true
	}
	return autoReplySubject(m) != ""
}

// autoReplyRE matches the subject prefixes responders write, in the
// languages the desk's correspondents use: "Auto reply:", "Automatic
// reply:", "Balasan otomatis:", "Out of Office:", "Abwesenheitsnotiz:",
// "Réponse automatique :".
var autoReplyRE = regexp.MustCompile(`(?i)^\s*(auto(matic|matische)?[ -]?(reply|replied|response|antwort)|autoreply|abwesenheit(snotiz)?|r[ée]ponse automatique|balasan otomatis|jawaban otomatis|out of (the )?office( autoreply| reply)?|respuesta autom[aá]tica|risposta automatica|vacation( reply)?|自动回复|自動回覆|自動応答)\s*:`)

// autoReplySubject returns the auto-reply prefix of m's subject when m also
// answers another mail (In-Reply-To or References, as responders set):
// a person who starts a new mail with "Out of office: …" — to complain that
// the office was closed — still gets a case.
func autoReplySubject(m *Message) string {
	if len(m.InReplyTo) == 0 && len(m.References) == 0 {
		return ""
	}
	return autoReplyRE.FindString(m.Subject)
}

// AutomaticReason says why m was written by software rather than a person
// (a report, an auto-reply, a list, a bounce, a no-reply sender), or "" for
// a person. Such mail is never answered, never opens a case, never reopens
// one and never wakes staff.
func AutomaticReason(m *Message) string {
	a := m.Auto
	if a.ContentType == "multipart/report" {
		switch a.ReportType {
		case "feedback-report":
			why := "laporan spam (ARF, multipart/report; report-type=feedback-report)"
			if m.Report != nil && m.Report.Feedback != "" {
				why = "laporan spam (ARF, Feedback-Type: " + m.Report.Feedback + ")"
			}
			return why
		case "disposition-notification":
			return "tanda sudah dibaca (MDN, multipart/report; report-type=disposition-notification)"
		case "delivery-status":
			return "laporan pengiriman (DSN, multipart/report; report-type=delivery-status)"
		case "":
			return "laporan otomatis (multipart/report tanpa report-type)"
		default:
			return "laporan otomatis (multipart/report; report-type=" + a.ReportType + ")"
		}
	}
	if r := m.Report; r != nil {
		switch {
		case r.Feedback != "":
			return "laporan spam (ARF, Feedback-Type: " + r.Feedback + ")"
		case r.Disposition != "":
			return "tanda sudah dibaca (MDN, Disposition: " + r.Disposition + ")"
		}
		return "laporan gagal kirim dari sistem email"
	}
	switch {
	case a.AutoSubmitted != "" && a.AutoSubmitted != "no":
		return "email otomatis (Auto-Submitted: " + a.AutoSubmitted + ")"
	case a.Precedence == "bulk" || a.Precedence == "junk" || a.Precedence == "list":
		return "email massal (Precedence: " + a.Precedence + ")"
	case a.Precedence == "auto_reply":
		return "email otomatis (Precedence: auto_reply)"
	case a.AutoReply != "":
		return "balasan otomatis (" + a.AutoReply + ")"
	case a.Marker != "":
		return "email otomatis (" + a.Marker + ")"
	case a.ListHeaders:
		return "email milis (ada header List-*)"
	case a.HasXAutoResponseSuppress:
		return reasonSuppressHeader
	case a.ReturnPath == "<>":
		return "pengirim amplop kosong (laporan pengiriman atau email sistem)"
	case m.From.Addr == "":
		return "tidak ada alamat pengirim"
	}
	if s := autoReplySubject(m); s != "" {
		return "balasan otomatis (subjek \"" + strings.TrimSpace(s) + "\" pada balasan)"
	}
	why := robotSender(m.From.Addr)
	if why != "" && !IsMailSystem(m.From.Addr) {
		// A web form or a shared office account sends from no-reply@ and
		// names the person in Reply-To: that person wrote the mail.
		if to := AckAddress(m); !SameAddr(to.Addr, m.From.Addr) && robotSender(to.Addr) == "" {
			return ""
		}
	}
	return why
}

// robotSender recognises addresses that belong to software, not people:
// bounces, postmasters, no-reply senders and list request/owner addresses.
func robotSender(addr string) string {
	local := localPart(addr)
	if i := strings.IndexByte(local, '+'); i > 0 { // noreply+tag@…
		local = local[:i]
	}
	if IsMailSystem(addr) {
		return "pengirim adalah sistem (" + local + ")"
	}
	switch local {
	case "noreply", "no-reply", "no_reply", "donotreply", "do-not-reply",
		"do_not_reply", "bounce", "bounces", "mailer", "daemon", "majordomo", "listserv":
		return "pengirim adalah sistem (" + local + ")"
	}
	switch {
	case strings.HasSuffix(local, "-request"):
		return "alamat permintaan milis (" + local + ")"
	case strings.HasPrefix(local, "owner-"):
		return "alamat pemilik milis (" + local + ")"
	case strings.HasPrefix(local, "noreply") || strings.HasPrefix(local, "no-reply") || strings.HasSuffix(local, "-noreply") || strings.HasSuffix(local, ".noreply"):
		return "pengirim tanpa balasan (" + local + ")"
	case strings.HasPrefix(local, "bounce-") || strings.HasPrefix(local, "bounces-") || strings.HasPrefix(local, "bounce+"):
		return "alamat pantulan (" + local + ")"
	}
	return ""
}

// localPart is the lower-cased part of addr before its last "@" (all of
// addr when it has none, as a bare MAILER-DAEMON).
func localPart(addr string) string {
	local := strings.ToLower(strings.TrimSpace(addr))
	if i := strings.LastIndexByte(local, '@'); i >= 0 {
		local = local[:i]
	}
	return local
}

// IsMailSystem reports whether addr is a mail system's own sender — the
// one bounces come from: MAILER-DAEMON (with or without a domain),
// postmaster and its spellings, Exchange's Mail.Delivery.System, and the
// mail delivery subsystems of big providers.
func IsMailSystem(addr string) bool {
	switch localPart(addr) {
	case "mailer-daemon", "mailer_daemon", "mailerdaemon", "postmaster", "post_master", "post-master",
		"mail.delivery.system", "mail-delivery-system", "maildeliverysystem", "mail_delivery_system",
		"mail.delivery.subsystem", "mail-delivery-subsystem", "mailer-daemon.", "mdaemon":
		return true
	}
	return false
}

// IsBounce reports whether m is a delivery report rather than a person's
// mail: a multipart/report of delivery status (or one that says no type but
// carries delivery status), a text bounce the parser read, or a mail from a
// mail system with a null envelope sender. Read receipts and spam reports
// are reports too, but not bounces (see RobotOf).
func IsBounce(m *Message) bool {
	a := m.Auto
	r := m.Report
	if r != nil && (r.Feedback != "" || r.Disposition != "") {
		return false
	}
	if a.ContentType == "multipart/report" {
		switch a.ReportType {
		case "delivery-status":
			return true
		case "":
			return r != nil || IsMailSystem(m.From.Addr)
		default:
			return false
		}
	}
	if r != nil {
		return true
	}
	return IsMailSystem(m.From.Addr) && (a.ReturnPath == "<>" || a.ReturnPath == "")
}

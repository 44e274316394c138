package mailproc

import "time"

// Desk is who the desk is, as the templates print it: every mail a citizen
// gets names the desk, its other channels and that the service is free.
type Desk struct {
	Name          string // Layanan Informasi dan Aduan Masyarakat
	Agency        string // Dinas Perpustakaan dan Kearsipan Kabupaten Kampar
	Address       string // the desk mailbox
	PostalAddress string
	Phone         string
	WhatsApp      string
	Website       string
	Channels      []string // other channels of the service standard, one line each
	Location      *time.Location
}

// Template names. Each is a file templates/<name>.txt (with an optional
// templates/<name>.html alternative); the first line of the text file is
// "Subject: …".
const (
	TemplateAckInformasi      = "ack-informasi"
	TemplateAckAduan          = "ack-aduan"
	TemplateOpsQuarantine     = "ops-quarantine"
	TemplateOpsDeliveryFailed = "ops-delivery-failed"
	TemplateOpsBounce         = "ops-bounce"
	TemplateOpsSpam           = "ops-spam"     // a recipient reported our mail as spam (ARF)
	TemplateOpsUnlinked       = "ops-unlinked" // the day's mail stored on no case
)

// AckTemplate is the acknowledgement template of a kind.
func AckTemplate(k Kind) string {
	if k == KindAduan {
		return TemplateAckAduan
	}
	return TemplateAckInformasi
}

// AckData is what an acknowledgement (tanda terima) template gets.
type AckData struct {
	Desk            Desk
	Number          string // ADU-2026-00007
	Kind            Kind
	KindLabel       string // "Aduan", "Permintaan Informasi"
	CitizenName     string // display name, may be empty
	CitizenAddr     string
	OriginalSubject string // sanitised; may be empty
	ReceivedAt      string // "Jumat, 27 November 2026 pukul 14.00 WIB"
	Promise         string // "5 menit", "1 jam"
	DueAt           string // "Jumat, 27 November 2026 pukul 14.05 WIB"
	AfterHours      bool   // the deadline falls later than the promise from now (office hours, holidays)
}

// OpsQuarantineData is what the quarantine notice to ops gets.
type OpsQuarantineData struct {
	Desk        Desk
	Mailbox     string
	UID         uint32
	MessageID   string
	From        string // sender address if it could be read
	SHA256      string
	Size        int64
	ArchivePath string
	Reason      string
	At          string
	Folder      string // the quarantine folder
}

// OpsDeliveryData is what a delivery-failure notice to ops gets: a mail we
// sent could not be delivered (the SMTP server refused it, or a bounce came
// back for it).
type OpsDeliveryData struct {
	Desk       Desk
	Number     string // the case, "" if none
	Purpose    Purpose
	Recipients []string
	Subject    string
	MessageID  string
	Error      string // the server's reply or the bounce's diagnostic
	Attempts   int
	At         string
	Bounce     bool // reported by a bounce rather than by our SMTP server
}

// OpsSpamData is what ops are told when a feedback report (ARF) says a
// recipient called our mail spam: those addresses are suppressed.
type OpsSpamData struct {
	Desk      Desk
	Number    string // the case, "" if none
	Purpose   Purpose
	Addrs     []string // now on the suppression list
	Subject   string
	MessageID string
	Reason    string
	At        string
}

// OpsUnlinkedData is the daily list for ops of mail stored on no case.
type OpsUnlinkedData struct {
	Desk         Desk
	Since, Until string
	Mails        []UnlinkedLine
}

// UnlinkedLine is one mail of that list.
type UnlinkedLine struct {
	Received, From, Subject, Why, MessageID string
}

// Templates for staff and heads (issue: staff answer from their own client).
const (
	TemplateNotify     = "notify"      // a new case, or a citizen's follow-up, to staff
	TemplateAnswer     = "answer"      // a staff answer relayed to the citizen
	TemplateConfirm    = "confirm"     // "your answer was sent", to the staff member
	TemplateHelp       = "help"        // unknown or wrong command, to the staff member only
	TemplateOpsForgery = "ops-forgery" // a "staff" reply that failed verification, to ops
)

// AttachmentLine describes an attachment in a template.
type AttachmentLine struct {
	Filename    string
	ContentType string
	Size        string // "1,2 MB"
	Attached    bool   // attached to this mail (not only listed)
}

// NotifyData is what the staff notification of a case gets.
type NotifyData struct {
	Desk        Desk
	Number      string
	Kind        Kind
	KindLabel   string
	CitizenName string
	CitizenAddr string
	Subject     string // the citizen's subject, sanitised
	ReceivedAt  string
	DueAt       string
	Promise     string
	FollowUp    bool   // a citizen's later mail on an existing case
	Reopened    bool   // that mail reopened a closed or answered case
	Text        string // the citizen's text (new text only for a follow-up), bounded
	Truncated   bool
	Attachments []AttachmentLine
	Commands    []CommandHelp
}

// AnswerData is what the answer to a citizen gets.
type AnswerData struct {
	Desk            Desk
	Number          string
	Kind            Kind
	KindLabel       string
	CitizenName     string
	OriginalSubject string
	Answer          string // the staff member's new text, quotes and signature removed
	StaffName       string // as configured; "" for a head, whose title is used
	StaffTitle      string // "Petugas Layanan Informasi", "Kepala Seksi Pelayanan"
	Attachments     []AttachmentLine
	Closed          bool // the case is closed with this answer (informasi)
	// ReopenWindow is desk.reopen_window in words ("14 hari"): how long a
	// reply still reopens the case, said as a period the citizen can count.
	ReopenWindow string
	// Greeted: the answer opens with a greeting of its own ("Selamat pagi
	// Ibu Siti,"), so the template's "Yth. Bapak/Ibu …" is left out.
	Greeted bool
}

// ConfirmData is what the confirmation to a staff member gets.
type ConfirmData struct {
	Desk        Desk
	Number      string
	CitizenAddr string
	Answer      string   // what was sent to the citizen; "" if nothing was
	Actions     []string // what was done, one line each, in Indonesian
	Attachments []AttachmentLine
}

// HelpData is what the command help to a staff member gets.
type HelpData struct {
	Desk     Desk
	Number   string   // the case the reply was about; "" if unknown
	Unknown  []string // the commands that were not understood
	Problem  string   // anything else that went wrong, in Indonesian
	Commands []CommandHelp
}

// OpsForgeryData is what ops gets about a reply that claimed to be staff
// but could not be verified. It was not relayed.
type OpsForgeryData struct {
	Desk      Desk
	Number    string
	From      string
	Subject   string
	MessageID string
	Reason    string
	At        string
}

// TemplateEscalation is the mail to a head in the escalation chain.
const TemplateEscalation = "escalation"

// EscalationData is what an escalation mail to a head gets.
type EscalationData struct {
	Desk        Desk
	Number      string
	KindLabel   string
	CitizenName string
	CitizenAddr string
	Subject     string
	ReceivedAt  string
	DueAt       string
	Late        string // "12 menit" past the deadline; "" when not yet due
	Level       int
	Title       string           // the head's title: Kepala Seksi Pelayanan
	HeadName    string           // may be empty
	RequestedBy string           // the staff member who asked (#eskalasi); "" when the deadline passed
	Reason      string           // their words, if any
	Text        string           // the citizen's latest text, bounded
	Attachments []AttachmentLine // the citizen's, attached up to desk.notify_attachments_max
	Told        []string         // heads told before, "Kepala Seksi Pelayanan (kasi@…)"
	History     []string         // the case's log, one line per event, oldest first
	Commands    []CommandHelp
}

// TemplateEscalationDigest is one mail to a head about many cases that fell
// due at once (after downtime), instead of one mail each.
const TemplateEscalationDigest = "escalation-digest"

// EscalationDigestData is what the digest gets.
type EscalationDigestData struct {
	Desk     Desk
	Level    int
	Title    string
	HeadName string
	Cases    []DigestLine
	Told     []string
}

// DigestLine is one case in a digest.
type DigestLine struct {
	Number      string
	KindLabel   string
	CitizenAddr string
	Subject     string
	DueAt       string
	Late        string
}

// TemplateReminder reminds staff of a case before its deadline passes.
const TemplateReminder = "reminder"

// ReminderData is what the reminder to staff gets.
type ReminderData struct {
	Desk        Desk
	Number      string
	KindLabel   string
	CitizenAddr string
	Subject     string
	DueAt       string
	Left        string // "1 menit", "12 menit": what is left before the deadline
	Commands    []CommandHelp
}

// TemplateClosing tells the citizen the case is closed and asks how
// satisfied they are (IKM/SKM), answered by replying with 1–4.
const TemplateClosing = "closing"

// ClosingData is what the closing mail gets.
type ClosingData struct {
	Desk            Desk
	Number          string
	KindLabel       string
	CitizenName     string
	OriginalSubject string
	ReopenWindow    string   // "14 hari"
	Labels          []string // "1 = sangat tidak puas", …
}

// TemplateOpsDigest is the one mail to ops about the notices of one kind
// held back by desk.ops_notice_interval.
const TemplateOpsDigest = "ops-digest"

// OpsDigestData is what the digest gets.
type OpsDigestData struct {
	Desk    Desk
	Kind    string // the template of the held notices, e.g. ops-quarantine
	Count   int
	Notices []OpsDigestLine
}

// OpsDigestLine is one held notice: when, its subject, and its text (only
// for the first maxDigestTexts).
type OpsDigestLine struct {
	N       int // 1, 2, …
	At      string
	Subject string
	Text    string
}

// TemplateOpsAckBudget tells ops that the desk-wide acknowledgement budget
// (ack.per_hour) ran out: mail still becomes cases, without a tanda terima,
// until the hour rolls.
const TemplateOpsAckBudget = "ops-ack-budget"

// OpsAckBudgetData is what that notice gets.
type OpsAckBudgetData struct {
	Desk    Desk
	PerHour int
	Until   string // when acknowledgements resume
	At      string
}

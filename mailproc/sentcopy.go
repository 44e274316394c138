package mailproc

// SentCopy says which of the mails mailproc sends get a copy in the desk's
// Sent folder (imap.sent_copy). The copies let people using the shared
// mailbox read the conversation; a notification carries the citizen's
// attachments (up to desk.notify_attachments_max) to every staff member and
// again to the folder, which is what fills a quota.
type SentCopy string

const (
	SentCopyAll     SentCopy = "all"     // every mail (the default)
	SentCopyCitizen SentCopy = "citizen" // only mail to citizens: tanda terima, answer, closing
	SentCopyNone    SentCopy = "none"    // none
)

// Copies reports whether a sent mail of purpose p is copied to Sent.
func (s SentCopy) Copies(p Purpose) bool {
	switch s {
	case SentCopyNone:
		return false
	case SentCopyCitizen:
		return p.ToCitizen()
	}
	return true
}

// ToCitizen reports whether mail of purpose p goes to the citizen.
func (p Purpose) ToCitizen() bool {
	switch p {
	case PurposeAck, PurposeAnswer, PurposeClosing:
		return true
	}
	return false
}

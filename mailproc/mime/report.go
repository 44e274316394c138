package mime

import (
	"bufio"
	"io"
	"regexp"
	"strings"

	"github.com/dpk-kampar/mailproc/mailproc"
)

// Bounds on a delivery report.
const (
	maxReportIDs        = 10
	maxReportRecipients = 100
	maxReportBlocks     = 200
	maxDiagnosticRunes  = 1000
	maxHeadingLines     = 60 // lines read below a heading of failed recipients
)

// Message.Report says which of the desk's mails a bounce is about. Bounces
// carry no In-Reply-To or References: the only link to the mail that failed
// is the Message-ID in the returned headers, so the parser reads it while it
// streams past. Standard reports (RFC 3464, multipart/report with
// message/delivery-status) are read field by field; a MAILER-DAEMON's
// plain-text bounce is searched for the returned Message-ID.

func (p *parser) deliveryReport() *mailproc.DeliveryReport {
	if p.msg.Report == nil {
		p.msg.Report = &mailproc.DeliveryReport{}
	}
	return p.msg.Report
}

func (p *parser) addOriginalID(v string) {
	r := p.deliveryReport()
	for _, id := range msgIDs(v) {
		if len(r.OriginalIDs) >= maxReportIDs {
			return
		}
		dup := false
		for _, have := range r.OriginalIDs {
			dup = dup || have == id
		}
		if !dup {
			r.OriginalIDs = append(r.OriginalIDs, id)
		}
	}
}

// deliveryStatus reads a message/delivery-status part — a block of
// per-message fields, then one block per recipient — and lists it as an
// attachment like any other part.
func (p *parser) deliveryStatus(h header, ct mediaType, filename string, body io.Reader, path string) {
	dec := p.transferDecoder(h, body, path)
	cr := &countingReader{r: dec}
	br := bufio.NewReaderSize(cr, 4096)
	r := p.deliveryReport()
	var first, firstFailed *mailproc.DeliveryReport
	for i := 0; i < maxReportBlocks; i++ {
		if _, err := br.Peek(1); err != nil {
			break
		}
		blk, _, _ := readHeader(br, headerLimits{maxBytes: 16 << 10, maxFields: 50})
		fr, ok := blk.get("Final-Recipient")
		if !ok {
			if fr, ok = blk.get("Original-Recipient"); !ok { // McAfee writes only this one
				continue // the per-message block, or a blank line
			}
		}
		rec := &mailproc.DeliveryReport{}
		if v, ok := blk.get("Action"); ok {
			rec.Action = keyword(v)
		}
		if v, ok := blk.get("Status"); ok {
			rec.Status = keyword(v)
		}
		if v, ok := blk.get("Diagnostic-Code"); ok {
			rec.Diagnostic, _ = cleanHeaderText(p.headerUTF8("Diagnostic-Code", v), maxDiagnosticRunes)
		}
		if first == nil {
			first = rec
		}
		failed := rec.Action == "failed" || (rec.Action == "" && strings.HasPrefix(rec.Status, "5"))
		if failed && firstFailed == nil {
			firstFailed = rec
		}
		if failed {
			p.addRecipient(fr) // "rfc822; warga@example.id": the address type comes first
		}
	}
	if pick := firstFailed; pick != nil || first != nil {
		if pick == nil {
			pick = first
		}
		r.Action, r.Status, r.Diagnostic = pick.Action, pick.Status, pick.Diagnostic
	}
	p.listReportPart(dec, cr, br, ct, filename, path)
}

// reportFields reads the machine part of a spam complaint (ARF,
// message/feedback-report: Feedback-Type, Original-Rcpt-To) or of a read
// receipt (MDN, message/disposition-notification: Disposition,
// Original-Message-ID, Final-Recipient), and lists it as an attachment.
func (p *parser) reportFields(h header, ct mediaType, filename string, body io.Reader, path string) {
	dec := p.transferDecoder(h, body, path)
	cr := &countingReader{r: dec}
	br := bufio.NewReaderSize(cr, 4096)
	blk, _, _ := readHeader(br, headerLimits{maxBytes: 16 << 10, maxFields: 100})
	r := p.deliveryReport()
	if ct.value == "message/feedback-report" {
		r.Feedback = "abuse"
		if v, ok := blk.get("Feedback-Type"); ok && keyword(v) != "" {
			r.Feedback = keyword(v)
		}
		for _, v := range blk.all("Original-Rcpt-To") {
			p.addRecipient(v)
		}
	} else {
		r.Disposition = "displayed"
		if v, ok := blk.get("Disposition"); ok {
			if _, d, found := strings.Cut(v, ";"); found && keyword(d) != "" {
				r.Disposition = keyword(strings.TrimSpace(d))
			}
		}
		if v, ok := blk.get("Original-Message-Id"); ok {
			p.addOriginalID(v)
		}
		if v, ok := blk.get("Final-Recipient"); ok {
			p.addRecipient(v)
		}
	}
	p.listReportPart(dec, cr, br, ct, filename, path)
}

// listReportPart reads the rest of a report part and lists it as an
// attachment with its decoded size.
func (p *parser) listReportPart(dec io.Reader, cr *countingReader, br *bufio.Reader, ct mediaType, filename, path string) {
	p.count(br)
	if filename == "" {
		filename = syntheticName(ct.value, len(p.msg.Attachments)+1)
	}
	p.transferNotes(dec, path, filename)
	p.addAttachment(mailproc.Attachment{Filename: filename, ContentType: ct.value, Size: cr.n, Part: section(path)})
}

// addRecipient adds an address field of a report ("rfc822; warga@…" or a
// bare address) to its recipients.
func (p *parser) addRecipient(v string) {
	r := p.deliveryReport()
	if _, addr, found := strings.Cut(v, ";"); found {
		v = addr
	}
	a, ok := normalizeAddr(strings.Trim(strings.TrimSpace(v), "<>"))
	if !ok || len(r.Recipients) >= maxReportRecipients {
		return
	}
	for _, have := range r.Recipients {
		if strings.EqualFold(have, a) {
			return
		}
	}
	r.Recipients = append(r.Recipients, a)
}

// returnedHeaders reads a text/rfc822-headers part of a report (the header
// of the mail that bounced), or a message/partial or header file standing
// in for it, for its Message-ID and addresses.
func (p *parser) returnedHeaders(h header, ct mediaType, filename string, body io.Reader, path string) {
	dec := p.transferDecoder(h, body, path)
	cr := &countingReader{r: dec}
	br := bufio.NewReaderSize(cr, 4096)
	if first, _ := br.Peek(1024); len(first) > 0 && looksLikeHeader(first) {
		rh, _, _ := readHeader(br, partHeaderLimits)
		if v, ok := rh.get("Message-Id"); ok {
			p.addOriginalID(v)
		}
		p.noteReturned(rh)
	}
	p.listReportPart(dec, cr, br, ct, filename, path)
}

// headerFile reports whether a text/plain attachment of a bounce is the
// returned mail's header saved as a file (some gateways attach it so, as
// others attach message/partial): its first bytes are header fields.
func headerFile(h header, body io.Reader) bool {
	v, _ := h.get("Content-Transfer-Encoding")
	switch strings.ToLower(strings.TrimSpace(stripComments(v))) {
	case "", "7bit", "8bit", "binary":
	default:
		return false
	}
	br, ok := body.(*bufio.Reader)
	if !ok {
		return false
	}
	first, _ := br.Peek(1024)
	return len(first) > 0 && looksLikeHeader(first)
}

var (
	textMessageID = regexp.MustCompile(`(?im)^[>\s]*message-id:[ \t]*(<[^>\s]{1,250}>)`)
	textStatus    = regexp.MustCompile(`\b([245]\.\d{1,3}\.\d{1,3})\b`)
	textSMTPReply = regexp.MustCompile(`(?m)^.*\b[45]\d\d[ -][^\n]*$`)
	// A recipient line of qmail ("<a@b>:"), Postfix's human part ("<a@b>:
	// host … said"), sendmail ("<a@b>... User unknown") and others, also
	// after the SMTP reply code or enhanced status an old sendmail's
	// transcript puts first ("554 <a@b>... Host unknown", "5.2.1 <a@b>...").
	textBracketRcpt = regexp.MustCompile(`(?m)^[ \t]*(?:(?:[45]\d\d|[45]\.\d{1,3}\.\d{1,3})[ \t]+)?<([^<>\s@]{1,64}@[^<>\s@]{1,255})>[ \t]*(?:[:.(]|$)`)
	// A line naming a failed recipient after a heading (Exim's indented
	// addresses, Exchange's "Delivery has failed to these recipients",
	// "Final-Recipient:" in text).
	textHeading = regexp.MustCompile(`(?im)(recipients or groups|permanent fatal errors|delivery to the following|following address|following recipient|list of recipients|failed recipient|could not be delivered to|undeliverable to|not be delivered to one or more|address\(es\) failed|couldn't be delivered|fatal errors|unknown user|user unknown|final-recipient|original-recipient|delivering your mail to|delivering your message to|unable to deliver|failed to deliver|was not delivered to|your message to|no such user|recipient address|failure reasons)[^\n]*\n`)
	textAddr    = regexp.MustCompile(`[A-Za-z0-9._%+'=/!#$&*?^{|}~-]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,63}`)
)

// textReport reads what it can from a bounce that is not a standard report
// (qmail, Exim, Exchange's plain notices, Postfix without the report part):
// the Message-ID of the returned copy, the failed recipients, the first
// enhanced status code and the first SMTP error line. The text has already
// been bounded to MaxText.
func (p *parser) textReport() {
	m := p.msg
	if !mailproc.IsMailSystem(m.From.Addr) {
		return
	}
	if r := m.Report; r != nil && (r.Feedback != "" || r.Disposition != "" || (len(r.Recipients) > 0 && len(r.OriginalIDs) > 0)) {
		return // a standard report said it all
	}
	var ids [][]string
	if m.Report == nil || len(m.Report.OriginalIDs) == 0 {
		ids = textMessageID.FindAllStringSubmatch(m.Text, maxReportIDs)
	}
	var rcpts []string
	if m.Report == nil || len(m.Report.Recipients) == 0 {
		rcpts = textRecipients(m.Text, m.FromOrTo)
	}
	if len(ids) == 0 && len(rcpts) == 0 && m.Report == nil {
		return
	}
	for _, id := range ids {
		p.addOriginalID(id[1])
	}
	r := p.deliveryReport()
	for _, a := range rcpts {
		p.addRecipient(a)
	}
	if r.Status == "" {
		if s := textStatus.FindStringSubmatch(m.Text); s != nil {
			r.Status = s[1]
		}
	}
	if r.Action == "" && (strings.HasPrefix(r.Status, "5") || len(r.Recipients) > 0) {
		r.Action = "failed"
	}
	if r.Diagnostic == "" {
		if l := textSMTPReply.FindString(m.Text); l != "" {
			r.Diagnostic, _ = cleanHeaderText(l, maxDiagnosticRunes)
		}
	}
}

// textRecipients finds the failed recipients in a bounce's text, stopping
// at the returned copy of the mail (whose To: is not a failure); skip says
// which addresses are not recipients.
func textRecipients(text string, skip func(string) bool) []string {
	lower := strings.ToLower(text)
	for _, cut := range []string{"\n--- below this line is a copy", "\n------ this is a copy of the message", "\noriginal message headers:",
		"\n----- original message -----", "\n--- the header of the original message", "\n------ original message",
		"below is a copy of the original message", "original message follows", "\n----- transcript of session follows", "\nreceived: from "} {
		if i := strings.Index(lower, cut); i >= 0 {
			text, lower = text[:i], lower[:i]
		}
	}
	var out []string
	for _, m := range textBracketRcpt.FindAllStringSubmatch(text, maxReportRecipients) {
		if !skip(m[1]) {
			out = append(out, m[1])
		}
	}
	if len(out) > 0 {
		return out
	}
	for _, loc := range textHeading.FindAllStringIndex(text, 10) {
		out = appendNew(out, headingRecipients(text[loc[0]:loc[1]], text[loc[1]:], skip)...)
		if len(out) >= maxReportRecipients {
			break
		}
	}
	if len(out) > 0 {
		return out
	}
	// No heading we know (another language, another wording): the first
	// address of the notice itself, above the returned copy.
	for _, a := range textAddr.FindAllString(text, 20) {
		if !skip(a) {
			return []string{a}
		}
	}
	return out
}

// headingRecipients reads the addresses under a heading that names failed
// recipients: the first address on the heading line itself ("Final-Recipient:
// rfc822; a@b") or on one of the few lines below it, then every line below
// that starts with an address (a list of them, one a line, each perhaps
// followed by its reason), up to a Message-ID line.
func headingRecipients(heading, below string, skip func(string) bool) []string {
	lines := append([]string{heading}, strings.SplitN(below, "\n", maxHeadingLines+1)...)
	var out []string
	for i, l := range lines {
		if strings.Contains(strings.ToLower(l), "message-id") {
			break
		}
		if len(out) == 0 {
			if i > 7 {
				break
			}
			for _, a := range textAddr.FindAllString(l, 4) {
				if !skip(a) {
					out = append(out, a)
					break
				}
			}
			continue
		}
		if a := lineLeadingAddr(l); a != "" && !skip(a) {
			out = appendNew(out, a)
		}
	}
	return out
}

// appendNew appends the addresses of add not yet in list (the domain
// compared without case).
func appendNew(list []string, add ...string) []string {
	for _, a := range add {
		if !containsAddr(list, a) && len(list) < maxReportRecipients {
			list = append(list, a)
		}
	}
	return list
}

// lineLeadingAddr returns the address a line starts with ("a@b:", "\"a@b\":",
// "<a@b>", "a@b Invalid Address"), or "".
func lineLeadingAddr(l string) string {
	l = strings.TrimLeft(l, " \t\"'<")
	loc := textAddr.FindStringIndex(l)
	if loc == nil || loc[0] != 0 {
		return ""
	}
	return l[:loc[1]]
}

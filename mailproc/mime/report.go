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
			continue // the per-message block, or a blank line
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
		if failed && len(r.Recipients) < maxReportRecipients {
			// "rfc822; warga@example.id": the address type comes first.
			if _, addr, found := strings.Cut(fr, ";"); found {
				fr = addr
			}
			if a, ok := normalizeAddr(strings.Trim(strings.TrimSpace(fr), "<>")); ok {
				r.Recipients = append(r.Recipients, a)
			}
		}
	}
	if pick := firstFailed; pick != nil || first != nil {
		if pick == nil {
			pick = first
		}
		r.Action, r.Status, r.Diagnostic = pick.Action, pick.Status, pick.Diagnostic
	}
	p.count(br)
	if filename == "" {
		filename = syntheticName(ct.value, len(p.msg.Attachments)+1)
	}
	p.transferNotes(dec, path, filename)
	p.addAttachment(mailproc.Attachment{Filename: filename, ContentType: ct.value, Size: cr.n, Part: section(path)})
}

// returnedHeaders reads a text/rfc822-headers part of a report (the header
// of the mail that bounced) for its Message-ID.
func (p *parser) returnedHeaders(h header, ct mediaType, filename string, body io.Reader, path string) {
	dec := p.transferDecoder(h, body, path)
	cr := &countingReader{r: dec}
	br := bufio.NewReaderSize(cr, 4096)
	if first, _ := br.Peek(1024); len(first) > 0 && looksLikeHeader(first) {
		rh, _, _ := readHeader(br, partHeaderLimits)
		if v, ok := rh.get("Message-Id"); ok {
			p.addOriginalID(v)
		}
	}
	p.count(br)
	if filename == "" {
		filename = syntheticName(ct.value, len(p.msg.Attachments)+1)
	}
	p.transferNotes(dec, path, filename)
	p.addAttachment(mailproc.Attachment{Filename: filename, ContentType: ct.value, Size: cr.n, Part: section(path)})
}

var (
	textMessageID = regexp.MustCompile(`(?im)^[>\s]*message-id:[ \t]*(<[^>\s]{1,250}>)`)
	textStatus    = regexp.MustCompile(`\b([245]\.\d{1,3}\.\d{1,3})\b`)
	textSMTPReply = regexp.MustCompile(`(?m)^.*\b[45]\d\d[ -][^\n]*$`)
)

// textReport reads what it can from a bounce that is not a standard report
// (qmail, old Exim, Exchange's plain notices): the Message-ID of the
// returned copy, the first enhanced status code and the first SMTP error
// line. The text has already been bounded to MaxText.
func (p *parser) textReport() {
	m := p.msg
	if m.Report != nil || !isMailSystem(m.From.Addr) {
		return
	}
	ids := textMessageID.FindAllStringSubmatch(m.Text, maxReportIDs)
	if len(ids) == 0 {
		return
	}
	for _, id := range ids {
		p.addOriginalID(id[1])
	}
	r := m.Report
	if s := textStatus.FindStringSubmatch(m.Text); s != nil {
		r.Status = s[1]
		if strings.HasPrefix(r.Status, "5") {
			r.Action = "failed"
		}
	}
	if l := textSMTPReply.FindString(m.Text); l != "" {
		r.Diagnostic, _ = cleanHeaderText(l, maxDiagnosticRunes)
	}
}

// isMailSystem reports whether addr is a mail system's own sender.
func isMailSystem(addr string) bool {
	local, _, _ := strings.Cut(strings.ToLower(addr), "@")
	return local == "mailer-daemon" || local == "postmaster"
}

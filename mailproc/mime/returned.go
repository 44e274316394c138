package mime

import "github.com/dpk-kampar/mailproc/mailproc"

// returnedCopy keeps the addresses of the first returned copy of a
// bounced mail: its addressees, and its own sender's addresses (the desk's,
// when the mail was ours), which are never taken for a failed recipient.
type returnedCopy struct {
	seen bool
	to   []string // To and Cc
	own  []string // From, Sender, Reply-To, Return-Path
}

// noteReturned records the addresses of a returned copy's header; only the
// first copy counts.
func (p *parser) noteReturned(h header) {
	if p.returned.seen {
		return
	}
	p.returned.seen = true
	p.returned.to = p.headerAddrs(h, "To", "Cc")
	p.returned.own = p.headerAddrs(h, "From", "Sender", "Reply-To", "Return-Path")
}

// headerAddrs lists the addresses in the named fields of h, at most
// maxReportRecipients.
func (p *parser) headerAddrs(h header, names ...string) []string {
	var out []string
	for _, name := range names {
		for _, v := range h.all(name) {
			for _, f := range splitAddressList(p.headerUTF8(name, v)) {
				_, addr, ok := looseAddress(f)
				if a, valid := normalizeAddr(addr); ok && valid && len(out) < maxReportRecipients {
					out = append(out, a)
				}
			}
		}
	}
	return out
}

// returnedRecipient names the failed recipient of a bounce that names none
// (a Postfix "Delivery report unavailable", an old sendmail transcript)
// from its returned copy: when that copy had exactly one addressee, that is
// the one it failed for. The returned copy's own sender (the desk, when the
// mail was ours) and the bounce's own sender and addressees never count; a
// copy with several addressees says nothing about which one failed, and a
// report that only says "delayed" names no failure.
func (p *parser) returnedRecipient() {
	r := p.msg.Report
	if r == nil || len(r.Recipients) > 0 || r.Feedback != "" || r.Disposition != "" || (r.Action != "" && r.Action != "failed") {
		return
	}
	var pick string
	for _, a := range p.returned.to {
		if p.msg.FromOrTo(a) || containsAddr(p.returned.own, a) || (pick != "" && mailproc.SameAddr(pick, a)) {
			continue
		}
		if pick != "" {
			return // several addressees: which one failed is unknown
		}
		pick = a
	}
	if pick != "" {
		p.addRecipient(pick)
		if r.Action == "" {
			r.Action = "failed"
		}
	}
}

// containsAddr reports whether list holds addr (the domain compared without
// case).
func containsAddr(list []string, addr string) bool {
	for _, a := range list {
		if mailproc.SameAddr(a, addr) {
			return true
		}
	}
	return false
}

package mailproc

import (
	"fmt"
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
// is how many acknowledgements went to the sender in the last 24 hours.
// The reasons are written to the case's log in Indonesian.
func (p AckPolicy) Refuse(m *Message, sent int) string {
	if why := AutomaticReason(m); why != "" {
		return why
	}
	if SameAddr(m.From.Addr, p.DeskAddr) {
		return "dari alamat layanan sendiri"
	}
	for _, addr := range p.Internal {
		if SameAddr(m.From.Addr, addr) {
			return "dari petugas atau pimpinan (mereka menerima notifikasi, bukan tanda terima)"
		}
	}
	if p.PerSenderPerDay > 0 && sent >= p.PerSenderPerDay {
		return fmt.Sprintf("batas %d tanda terima per 24 jam untuk pengirim ini sudah tercapai", p.PerSenderPerDay)
	}
	return ""
}

// AutomaticReason says why m was written by software rather than a person
// (an auto-reply, a list, a bounce, a no-reply sender), or "" for a person.
// Such mail is kept on its case but never answered, and never reopens a
// case or wakes staff.
func AutomaticReason(m *Message) string {
	a := m.Auto
	switch {
	case a.AutoSubmitted != "" && a.AutoSubmitted != "no":
		return "email otomatis (Auto-Submitted: " + a.AutoSubmitted + ")"
	case a.Precedence == "bulk" || a.Precedence == "junk" || a.Precedence == "list":
		return "email massal (Precedence: " + a.Precedence + ")"
	case a.Precedence == "auto_reply":
		return "email otomatis (Precedence: auto_reply)"
	case a.AutoReply != "":
		return "balasan otomatis (" + a.AutoReply + ")"
	case a.ListHeaders:
		return "email milis (ada header List-*)"
	case a.HasXAutoResponseSuppress:
		return "pengirim meminta tanpa balasan otomatis (X-Auto-Response-Suppress)"
	case a.ReturnPath == "<>":
		return "pengirim amplop kosong (laporan pengiriman atau email sistem)"
	case m.From.Addr == "":
		return "tidak ada alamat pengirim"
	}
	return robotSender(m.From.Addr)
}

// robotSender recognises addresses that belong to software, not people:
// bounces, postmasters, no-reply senders and list request/owner addresses.
func robotSender(addr string) string {
	local := strings.ToLower(addr)
	if i := strings.LastIndexByte(local, '@'); i >= 0 {
		local = local[:i]
	}
	if i := strings.IndexByte(local, '+'); i > 0 { // noreply+tag@…
		local = local[:i]
	}
	switch local {
	case "mailer-daemon", "postmaster", "noreply", "no-reply", "no_reply", "donotreply", "do-not-reply",
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

// IsBounce reports whether m looks like a delivery report rather than a
// person's mail: a multipart/report of delivery status, or a mail from a
// mail system with a null envelope sender.
func IsBounce(m *Message) bool {
	a := m.Auto
	if a.ContentType == "multipart/report" && strings.EqualFold(a.ReportType, "delivery-status") {
		return true
	}
	if m.Report != nil {
		return true
	}
	local := strings.ToLower(m.From.Addr)
	if i := strings.LastIndexByte(local, '@'); i >= 0 {
		local = local[:i]
	}
	daemon := local == "mailer-daemon" || local == "postmaster"
	return daemon && (a.ReturnPath == "<>" || a.ReturnPath == "")
}

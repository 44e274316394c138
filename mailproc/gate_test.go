package mailproc

import (
	"strings"
	"testing"
	"time"
)

func TestVerifyStaff(t *testing.T) {
	rina := Person{Name: "Rina", Addr: "rina@desk.test", Role: RoleStaff}
	c7 := &Case{ID: 7, Number: "ADU-2026-00007", CitizenAddr: "budi@gmail.com"}
	c8 := &Case{ID: 8, Number: "ADU-2026-00008", CitizenAddr: "siti@gmail.com"}
	tok := func(c *Case, st TokenStatus, revoked bool) TokenEvidence {
		return TokenEvidence{Token: Token{ID: "mailproc.notify." + strings.ToLower(c.Number) + ".x@desk.test", Number: c.Number, Issued: time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC)},
			Status: st, Revoked: revoked, Case: c}
	}
	valid7, valid8 := tok(c7, TokenValid, false), tok(c8, TokenValid, false)
	reply := StaffEvidence{From: rina.Addr, Who: rina, Known: true, Subject: "Re: [ADU-2026-00007] Buku rusak", Related: c7}
	direct := reply
	direct.ToCitizen = true
	with := func(ev StaffEvidence, f func(*StaffEvidence)) StaffEvidence { f(&ev); return ev }
	tests := []struct {
		name   string
		ev     StaffEvidence
		proof  Proof
		direct bool
		renew  bool
		reason string // a part of the reason; "" when trusted
		caseID int64
	}{
		{"reply with a valid token", with(reply, func(e *StaffEvidence) { e.Tokens = []TokenEvidence{valid7} }), ProofToken, false, false, "", 7},
		{"reply without a token", reply, ProofNone, false, false, "token tidak ada", 7},
		{"reply with a revoked token", with(reply, func(e *StaffEvidence) { e.Tokens = []TokenEvidence{tok(c7, TokenValid, true)} }), ProofNone, false, true, "dicabut", 7},
		{"reply with an expired token", with(reply, func(e *StaffEvidence) { e.Tokens = []TokenEvidence{tok(c7, TokenExpired, false)} }), ProofNone, false, true, "kedaluwarsa", 7},
		{"reply with another person's token", with(reply, func(e *StaffEvidence) { e.Tokens = []TokenEvidence{tok(c7, TokenWrongRecipient, false)} }), ProofNone, false, false, "orang lain", 7},
		{"reply with a removed key's token", with(reply, func(e *StaffEvidence) {
			e.Tokens = []TokenEvidence{{Token: Token{Number: c7.Number}, Status: TokenUnknownKey}}
		}), ProofNone, false, false, "kunci tidak dikenal", 7},
		{"revoked first, valid second", with(reply, func(e *StaffEvidence) { e.Tokens = []TokenEvidence{tok(c7, TokenValid, true), valid7} }), ProofToken, false, false, "", 7},
		{"token of a case that is gone", with(reply, func(e *StaffEvidence) {
			e.Tokens = []TokenEvidence{{Token: Token{Number: "ADU-2026-00099"}, Status: TokenValid}}
		}), ProofNone, false, false, "tidak ada", 7},
		{"token and subject name other cases", with(reply, func(e *StaffEvidence) { e.Tokens = []TokenEvidence{valid8} }), ProofNone, false, false, "subjek menyebut kasus ADU-2026-00007", 8},
		{"reply, token, auth fails", with(reply, func(e *StaffEvidence) {
			e.Tokens, e.AuthRequired, e.AuthWhy = []TokenEvidence{valid7}, true, "dkim=fail"
		}), ProofNone, false, false, "DKIM/SPF", 7},
		{"reply, no token, auth passes", with(reply, func(e *StaffEvidence) { e.AuthRequired, e.AuthOK = true, true }), ProofNone, false, false, "token tidak ada", 7},
		{"direct answer without token", direct, ProofNone, true, false, ClaimPrefix, 7},
		{"direct answer without token, auth fails", with(direct, func(e *StaffEvidence) { e.AuthRequired, e.AuthWhy = true, "spf=fail" }), ProofNone, true, false, "spf=fail", 7},
		{"direct answer without token, auth passes", with(direct, func(e *StaffEvidence) { e.AuthRequired, e.AuthOK = true, true }), ProofAuth, true, false, "", 7},
		{"direct answer with the case's token", with(direct, func(e *StaffEvidence) { e.Tokens = []TokenEvidence{valid7} }), ProofToken, true, false, "", 7},
		{"direct answer with the token, auth fails", with(direct, func(e *StaffEvidence) {
			e.Tokens, e.AuthRequired, e.AuthWhy = []TokenEvidence{valid7}, true, "dkim=fail"
		}), ProofNone, true, false, ClaimPrefix, 7},
		{"direct answer with another case's token", with(direct, func(e *StaffEvidence) { e.Tokens = []TokenEvidence{valid8} }), ProofNone, true, false, "bukan ADU-2026-00007", 7},
		{"direct answer with a revoked token", with(direct, func(e *StaffEvidence) { e.Tokens = []TokenEvidence{tok(c7, TokenValid, true)} }), ProofNone, true, false, "dicabut", 7},
		{"direct answer with an expired token", with(direct, func(e *StaffEvidence) { e.Tokens = []TokenEvidence{tok(c7, TokenExpired, false)} }), ProofNone, true, false, "kedaluwarsa", 7},
		{"an outsider with a valid token", with(reply, func(e *StaffEvidence) { e.Known, e.From, e.Tokens = false, "budi@gmail.com", []TokenEvidence{valid8} }), ProofNone, false, false, "tidak terdaftar", 8},
		{"sent folder, to the citizen", with(direct, func(e *StaffEvidence) { e.SentFolder, e.Known = true, false }), ProofSentFolder, true, false, "", 7},
		{"sent folder, to someone else", with(reply, func(e *StaffEvidence) { e.SentFolder, e.Known = true, false }), ProofNone, false, false, "Terkirim", 7},
	}
	for _, tt := range tests {
		v := VerifyStaff(tt.ev)
		if v.Proof != tt.proof || v.Direct != tt.direct || v.Renew != tt.renew {
			t.Errorf("%s: proof %q direct %v renew %v, want %q %v %v (reason %q)", tt.name, v.Proof, v.Direct, v.Renew, tt.proof, tt.direct, tt.renew, v.Reason)
		}
		if (tt.reason == "") != v.Trusted() || !strings.Contains(v.Reason, tt.reason) {
			t.Errorf("%s: reason %q, trusted %v; want one containing %q", tt.name, v.Reason, v.Trusted(), tt.reason)
		}
		if v.Case == nil || v.Case.ID != tt.caseID {
			t.Errorf("%s: case %+v, want %d", tt.name, v.Case, tt.caseID)
		}
		if v.Trusted() && v.Proof == ProofNone {
			t.Errorf("%s: trusted without a proof", tt.name)
		}
	}
}

func TestDecideStaff(t *testing.T) {
	c := &Case{ID: 7, Number: "ADU-2026-00007"}
	ok := StaffVerdict{Case: c, Proof: ProofToken}
	tests := []struct {
		name     string
		v        StaffVerdict
		text     string
		action   StaffAction
		answer   string
		internal bool
	}{
		{"answer", ok, "Bukunya kami ganti.\n\n> kutipan", StaffAct, "Bukunya kami ganti.", false},
		{"close", ok, "#selesai", StaffAct, "", false},
		{"note", ok, "#catatan jangan kirim\nrahasia", StaffAct, "", true},
		{"unknown command", ok, "#hapus", StaffHelp, "", false},
		{"answer still holding a token", ok, "Ya. mailproc.notify.inf-2026-00042.5f0c3a9e1b7d4e2f8a6c0b19.9d4e6a1f0c3b7e52a8d1f4c6b0e9a37d@x", StaffHold, "", false},
		{"direct answer verified", StaffVerdict{Case: c, Proof: ProofToken, Direct: true}, "Sudah kami jawab.", StaffRecord, "", false},
		{"direct answer unverified", StaffVerdict{Case: c, Direct: true, Reason: ClaimPrefix}, "Sudah kami jawab.", StaffClaim, "", false},
		{"expired token", StaffVerdict{Case: c, Renew: true, Reason: "kedaluwarsa"}, "#selesai", StaffRenew, "", false},
		{"refused", StaffVerdict{Case: c, Reason: "token tidak ada"}, "#selesai", StaffRefuse, "", false},
		{"refused without a case", StaffVerdict{Reason: "token tidak ada"}, "Jawaban", StaffRefuse, "", false},
	}
	for _, tt := range tests {
		p := DecideStaff(tt.v, readStaffMail(&Message{Text: tt.text}, nil))
		if p.Action != tt.action || p.Answer != tt.answer || p.Internal != tt.internal {
			t.Errorf("%s: %+v, want action %d answer %q internal %v", tt.name, p, tt.action, tt.answer, tt.internal)
		}
	}
}

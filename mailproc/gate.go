package mailproc

import "slices"

// The verification gate: every mail that would change a case on behalf of
// staff or a head — a reply to a notification, reminder, escalation,
// confirmation or help mail, a command, an answer sent straight to the
// citizen with the desk in Cc, an answer found in the desk's Sent folder —
// is first read into StaffEvidence (the only step that reads the
// database), then judged by VerifyStaff (pure), then planned by DecideStaff
// (pure), and only then applied. No path applies anything the verdict did
// not allow.

// Proof names why a mail from staff or a head was trusted.
type Proof string

const (
	ProofNone       Proof = ""
	ProofToken      Proof = "token"        // a valid token of the case, issued to the sender
	ProofAuth       Proof = "auth-results" // DKIM/SPF pass by the desk's own server (require_auth)
	ProofSentFolder Proof = "sent-folder"  // found in the desk's Sent folder: only the desk account writes it
)

// TokenEvidence is one signed Message-ID of ours among a mail's
// references, checked for its sender.
type TokenEvidence struct {
	Token   Token
	Status  TokenStatus
	Revoked bool  // exposed to someone outside the desk earlier
	Case    *Case // the case its number names; nil if none
}

// StaffEvidence is what the gate judges, read before anything is decided.
type StaffEvidence struct {
	From string
	Who  Person
	// Known: From is staff or a head (the directory).
	Known bool
	// SentFolder: the mail was found in the desk's Sent folder.
	SentFolder bool
	Subject    string
	// Related is the case the mail points at by its references or the
	// number in its subject; ToCitizen says its citizen is among the To
	// and Cc: an answer sent straight to the citizen.
	Related   *Case
	ToCitizen bool
	// Tokens are the signed ids of ours in In-Reply-To and References.
	Tokens []TokenEvidence
	// AuthRequired: the desk's server is trusted to stamp
	// Authentication-Results (require_auth); AuthOK and AuthWhy are what
	// it says about this mail.
	AuthRequired bool
	AuthOK       bool
	AuthWhy      string
	// Register: a new mail (no reference to a mail of ours) whose first
	// line is #kanal: a contact from another channel to register.
	Register bool
}

// StaffVerdict is the gate's answer: who, which case, and the proof — or
// why not.
type StaffVerdict struct {
	Who Person
	// Case is the case the mail acts on, or, when refused, the case it was
	// about (nil if none can be told).
	Case *Case
	// Direct: an answer that reached the citizen without mailproc.
	Direct bool
	Proof  Proof
	// Token is the Message-ID that proved (or failed to prove) the mail.
	Token string
	// Renew: refused only because the token is stale — expired, or revoked
	// since it was seen outside the desk. The sender (a registered address:
	// a forger does not read its mail) gets a help mail with a fresh one.
	Renew bool
	// Reason says why the mail is not trusted; "" when it is.
	Reason string
	// Register: a #kanal registration, which opens a case rather than
	// acting on one.
	Register bool
}

// Trusted reports whether the mail may change its case, or, for a
// registration, open one.
func (v StaffVerdict) Trusted() bool { return v.Reason == "" && (v.Case != nil || v.Register) }

// ClaimPrefix starts the log line of an unverified direct answer.
const ClaimPrefix = "klaim jawaban belum terverifikasi"

// VerifyStaff judges a mail from staff or a head (or from anyone who
// replies to a mail meant for them).
func VerifyStaff(ev StaffEvidence) StaffVerdict {
	v := StaffVerdict{Who: ev.Who, Case: ev.Related}
	direct := ev.Related != nil && ev.ToCitizen
	if ev.SentFolder {
		if !direct {
			v.Reason = "di folder Terkirim tanpa kaitan dengan kasus dan warganya"
			return v
		}
		v.Direct, v.Proof = true, ProofSentFolder
		return v
	}
	if !ev.Known {
		v.Reason = "membalas email untuk petugas, tetapi " + ev.From + " tidak terdaftar sebagai petugas atau pimpinan"
		if tok := firstToken(ev.Tokens); tok != nil && tok.Case != nil {
			v.Case, v.Token = tok.Case, tok.Token.ID
		}
		return v
	}
	if ev.Register {
		return verifyRegistration(ev, v)
	}
	good, bad := pickToken(ev.Tokens)
	if direct {
		v.Direct = true
		switch {
		case good != nil && good.Case.ID == ev.Related.ID:
			v.Token, v.Proof = good.Token.ID, ProofToken
		case ev.AuthRequired && ev.AuthOK && (good == nil || good.Case.ID == ev.Related.ID):
			v.Proof = ProofAuth
			return v
		case good != nil:
			v.Token = good.Token.ID
			v.Reason = ClaimPrefix + ": token untuk kasus " + good.Case.Number + ", bukan " + ev.Related.Number
			return v
		default:
			why := "tidak merujuk notifikasi kasus ini (token tidak ada)"
			if bad != nil {
				v.Token, why = bad.Token.ID, tokenProblem(bad)
			}
			if ev.AuthRequired {
				why += "; pengirim tidak terverifikasi (DKIM/SPF): " + ev.AuthWhy
			}
			v.Reason = ClaimPrefix + ": " + why
			return v
		}
	} else {
		switch {
		case good == nil && bad == nil:
			v.Reason = "tidak membalas notifikasi, eskalasi atau konfirmasi yang sah dari sistem (token tidak ada atau tidak cocok)"
			return v
		case good == nil:
			v.Token, v.Reason = bad.Token.ID, tokenProblem(bad)
			v.Renew = bad.Revoked || bad.Status == TokenExpired
			if bad.Case != nil {
				v.Case = bad.Case
			}
			return v
		}
		v.Case, v.Token, v.Proof = good.Case, good.Token.ID, ProofToken
		if n := otherNumber(ev.Subject, good.Case.Number); n != "" {
			// A reply acts on the case its token names. A subject naming
			// another case means the mail was pieced together from two
			// threads: acting on either could send one citizen's answer
			// to another, so a person must look at it.
			v.Proof, v.Reason = ProofNone, "token untuk kasus "+good.Case.Number+", tetapi subjek menyebut kasus "+n
			return v
		}
	}
	if ev.AuthRequired && !ev.AuthOK {
		v.Proof, v.Reason = ProofNone, "pengirim tidak terverifikasi (DKIM/SPF): "+ev.AuthWhy
		if v.Direct {
			v.Reason = ClaimPrefix + ": " + v.Reason
		}
	}
	return v
}

// verifyRegistration judges a #kanal mail from a registered address. It is
// a new mail, so no token can prove it; it opens a case that pages staff
// and may mail the address it names, so a forged From: must not pass. The
// only proof is the desk's own server vouching for the sender
// (Authentication-Results under desk.require_auth, or "auto" once learnt);
// without it nothing is registered, the mail is kept and ops told, and the
// staff member registers again once the server stamps its verdict.
func verifyRegistration(ev StaffEvidence, v StaffVerdict) StaffVerdict {
	v.Case, v.Register = nil, true
	switch {
	case !ev.AuthRequired:
		v.Reason = "pendaftaran #kanal hanya diterima dari pengirim yang diverifikasi server desk (DKIM/SPF), " +
			"tetapi desk.require_auth belum aktif; tidak ada yang didaftarkan"
	case !ev.AuthOK:
		v.Reason = "pendaftaran #kanal: pengirim tidak terverifikasi (DKIM/SPF): " + ev.AuthWhy + "; tidak ada yang didaftarkan"
	default:
		v.Proof = ProofAuth
	}
	return v
}

// pickToken returns the first token that proves the mail (valid, not
// revoked, its case exists) and else the first one that failed.
func pickToken(toks []TokenEvidence) (good, bad *TokenEvidence) {
	for i := range toks {
		t := &toks[i]
		switch {
		case t.Status == TokenValid && !t.Revoked && t.Case != nil:
			if good == nil {
				good = t
			}
		case bad == nil:
			bad = t
		}
	}
	return good, bad
}

func firstToken(toks []TokenEvidence) *TokenEvidence {
	if len(toks) == 0 {
		return nil
	}
	return &toks[0]
}

// tokenProblem says in the log's words why a token proves nothing.
func tokenProblem(t *TokenEvidence) string {
	switch {
	case t.Revoked:
		return "token sudah dicabut (pernah terkirim ke orang di luar petugas dan pimpinan)"
	case t.Status == TokenValid && t.Case == nil:
		return "token merujuk kasus " + t.Token.Number + " yang tidak ada"
	case t.Status == TokenExpired:
		return "token kedaluwarsa (diterbitkan " + t.Token.Issued.Format("2006-01-02") + ")"
	}
	return "token tidak sah: " + string(t.Status)
}

// StaffAction is what the desk does with a judged mail.
type StaffAction int

const (
	// StaffRefuse: kept, logged on the case, ops told; nothing else.
	StaffRefuse StaffAction = iota
	// StaffClaim: an unverified direct answer, kept on the case as a claim;
	// the case stays open with its clock; ops told.
	StaffClaim
	// StaffRenew: a reply with an expired or revoked token: refused like
	// StaffRefuse, and the sender gets a help mail with a fresh token.
	StaffRenew
	// StaffRecord: a verified direct answer: the case is answered, nothing
	// reaches the citizen from mailproc.
	StaffRecord
	// StaffHelp: an unknown command: help to the sender, nothing applied.
	StaffHelp
	// StaffAct: apply the commands and relay the answer.
	StaffAct
	// StaffHold: the answer still holds internal mail (the leak guard):
	// nothing is relayed, the sender is asked again, the clock runs on.
	StaffHold
	// StaffRegister: a verified #kanal mail opens a case.
	StaffRegister
	// StaffRegisterHelp: a verified but malformed #kanal mail: help with
	// the syntax to the sender, nothing registered.
	StaffRegisterHelp
)

// StaffPlan is what DecideStaff settled.
type StaffPlan struct {
	Action   StaffAction
	Commands []Command
	Unknown  []string
	// Answer is the new text for the citizen (quote stripped, commands
	// removed); with Internal it is a note instead.
	Answer   string
	Internal bool
	// Leaks, with StaffHold, say what of the internal mail was found.
	Leaks []string
	// Registration and its problem, with StaffRegister and
	// StaffRegisterHelp.
	Registration Registration
	Problem      string
}

// DecideStaff plans what a judged mail does, given what its text says (r,
// read only for a trusted reply: readStaffMail).
func DecideStaff(v StaffVerdict, r staffReply) StaffPlan {
	switch {
	case v.Register && v.Trusted():
		reg, problem := ParseRegistration(r.Text)
		if problem != "" {
			return StaffPlan{Action: StaffRegisterHelp, Problem: problem}
		}
		return StaffPlan{Action: StaffRegister, Registration: reg}
	case v.Trusted() && v.Direct:
		return StaffPlan{Action: StaffRecord}
	case v.Trusted():
	case v.Direct:
		return StaffPlan{Action: StaffClaim}
	case v.Renew:
		return StaffPlan{Action: StaffRenew}
	default:
		return StaffPlan{Action: StaffRefuse}
	}
	switch {
	case len(r.Unknown) > 0:
		// Intent unclear: nothing is done and nothing reaches the citizen.
		return StaffPlan{Action: StaffHelp, Unknown: r.Unknown}
	case len(r.Leaks) > 0:
		// The answer still quotes internal mail: held, the sender asked again.
		return StaffPlan{Action: StaffHold, Leaks: r.Leaks}
	}
	return StaffPlan{Action: StaffAct, Commands: r.Commands, Answer: r.Answer, Internal: r.Internal}
}

// insider reports whether addr is on the desk's side: the desk itself,
// staff or a head. A token seen in mail to or from anyone else is exposed.
func (in *Ingester) insider(addr string) bool {
	if SameAddr(addr, in.deskAddr()) {
		return true
	}
	_, ok := in.Directory.Find(addr)
	return ok
}

// tokenGroups are the token groups addr belongs to.
func (d Directory) tokenGroups(addr string) []string {
	var out []string
	for _, p := range d.People {
		if !SameAddr(p.Addr, addr) {
			continue
		}
		g := TokenGroupStaff
		if p.Role == RoleHead {
			g = TokenGroupHeads
		}
		if !slices.Contains(out, g) {
			out = append(out, g)
		}
	}
	return out
}

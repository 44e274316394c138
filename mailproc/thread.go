package mailproc

import "time"

// PlacementAction says where a citizen's mail goes.
type PlacementAction string

const (
	ActionNewCase PlacementAction = "new"    // open a new case
	ActionJoin    PlacementAction = "join"   // add to an open case
	ActionReopen  PlacementAction = "reopen" // add to a closed case and open it again
	ActionNewLink PlacementAction = "link"   // a new case that continues a case closed too long ago
)

// Placement is the decision for one incoming mail, with the reason written
// to the case's log.
type Placement struct {
	Action PlacementAction
	Case   *Case // the existing case (join, reopen) or the old case (link)
	Reason string
}

// Place decides which case a citizen's mail belongs to. A mail joins a case
// only when it points at it: it references a message of the case
// (In-Reply-To/References), or it carries the case number in the subject and
// comes from the citizen of that case. Coming from the same sender alone
// never joins two mails: one citizen may have two unrelated questions.
//
// byRef is the case found through the mail's references, byNumber the case
// whose number is in the subject (either may be nil). A closed case is
// reopened when the mail arrives within reopenWindow of its closing; later,
// the mail opens a new case linked to the old one.
func Place(m *Message, byRef, byNumber *Case, now time.Time, reopenWindow time.Duration) Placement {
	var c *Case
	var why string
	switch {
	case byRef != nil:
		c, why = byRef, "membalas email pada kasus "+byRef.Number
	case byNumber != nil && SameAddr(m.From.Addr, byNumber.CitizenAddr):
		c, why = byNumber, "nomor "+byNumber.Number+" ada di subjek, dari pengirim yang sama"
	case byNumber != nil:
		return Placement{Action: ActionNewCase, Reason: "subjek menyebut " + byNumber.Number +
			" tetapi pengirimnya bukan warga pada kasus itu; dibuat kasus baru"}
	default:
		return Placement{Action: ActionNewCase, Reason: "email baru tanpa rujukan ke kasus yang ada"}
	}
	if c.State.Open() {
		return Placement{Action: ActionJoin, Case: c, Reason: why}
	}
	if !c.ClosedAt.IsZero() && now.Sub(c.ClosedAt) <= reopenWindow {
		return Placement{Action: ActionReopen, Case: c, Reason: why + "; kasus sudah selesai, dibuka kembali"}
	}
	return Placement{Action: ActionNewLink, Case: c, Reason: why + "; kasus sudah lama selesai, dibuat kasus baru yang terhubung"}
}

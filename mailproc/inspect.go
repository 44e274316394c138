package mailproc

import "time"

// Inspection is what mailproc reads from one raw mail, for `mailproc
// inspect`: the facts each decision of intake rests on, and the decisions,
// made by the same functions intake calls. Operators use it to answer "why
// was this acknowledged", "why was my answer cut"; the reply corpus is scored
// through it.
type Inspection struct {
	From        string          `json:"from"`
	ReplyTo     []string        `json:"reply_to"`
	AckTo       string          `json:"ack_to"`      // "" when no acknowledgement would be sent
	AckRefused  string          `json:"ack_refused"` // why not; "" when one would be sent
	OpensCase   bool            `json:"opens_case"`
	Case        string          `json:"case"` // the case it would join (with a database); "" if none
	Kind        Kind            `json:"kind"`
	KindReason  string          `json:"kind_reason"`
	Automatic   string          `json:"automatic"` // "" for a person, else the reason
	Bounce      *InspectBounce  `json:"bounce"`
	Subject     string          `json:"subject"`
	Attachments []InspectedFile `json:"attachments"`
	Staff       bool            `json:"staff"`          // the sender is on the staff or heads list (with a config)
	Reply       string          `json:"reply"`          // the text relayed if verified staff sent it
	ReplyHeld   []string        `json:"reply_held"`     // what the leak guard found: then nothing is relayed
	KnownOrigin bool            `json:"known_original"` // the desk's own mail it answers was found
	Notes       []string        `json:"notes"`          // what the parser worked around
	Refs        []string        `json:"references"`
	Date        time.Time       `json:"date"`
}

// InspectBounce is what a delivery report says about a mail of ours.
type InspectBounce struct {
	OriginalMessageID string   `json:"original_message_id"`
	Recipients        []string `json:"recipients"`
	Status            string   `json:"status"`
}

// InspectedFile is one attachment.
type InspectedFile struct {
	Filename    string `json:"filename"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
}

// InspectPolicy is what inspection knows beyond the mail: the desk's
// acknowledgement policy and people (from a config), and — with a database —
// the texts of the desk's mails the reply references and the case it would
// join.
type InspectPolicy struct {
	Ack          AckPolicy
	Directory    Directory
	Originals    []string
	Case         *Case
	Now          time.Time     // when the mail is taken to arrive (the reopen window counts from its case's closing)
	ReopenWindow time.Duration // desk.reopen_window
}

// Inspect builds the Inspection of m. It decides nothing itself: each field
// comes from the function intake uses, through the small helpers below, so
// that a change to a decision shows here at once.
func Inspect(m *Message, p InspectPolicy) Inspection {
	in := Inspection{
		From:        m.From.Addr,
		ReplyTo:     addrList(m.ReplyTo),
		Subject:     m.Subject,
		Automatic:   inspectAutomatic(m),
		Bounce:      inspectBounce(m),
		Attachments: []InspectedFile{},
		Notes:       m.Notes,
		Refs:        m.ReferencedIDs(),
		Date:        m.Date,
		KnownOrigin: len(p.Originals) > 0,
	}
	if in.Notes == nil {
		in.Notes = []string{}
	}
	for _, a := range m.Attachments {
		in.Attachments = append(in.Attachments, InspectedFile{Filename: a.Filename, ContentType: a.ContentType, Size: a.Size})
	}
	_, in.Staff = p.Directory.Find(m.From.Addr)
	if p.Case != nil {
		in.Case = p.Case.Number
	}
	in.OpensCase = inspectOpensCase(m, p, in.Staff)
	cl := inspectKind(m)
	in.Kind, in.KindReason = cl.Kind, cl.Reason
	if in.OpensCase {
		in.AckRefused = inspectAckRefusal(m, p)
		if in.AckRefused == "" {
			in.AckTo = inspectAckAddress(m)
		}
	} else if in.Automatic != "" {
		in.AckRefused = in.Automatic // a robot: stored, no case, no acknowledgement
	} else {
		in.AckRefused = "tidak membuka kasus baru"
	}
	in.Reply, in.ReplyHeld = inspectReply(m, p)
	return in
}

// The helpers: one decision each, by calling intake's own function.

// inspectAutomatic is AutomaticReason, or else the kind of robot RobotOf
// sees (a read receipt or spam report may carry no robot header).
func inspectAutomatic(m *Message) string {
	if why := AutomaticReason(m); why != "" {
		return why
	}
	return string(RobotOf(m))
}

// inspectBounce is IsBounce and the delivery report the parser read.
func inspectBounce(m *Message) *InspectBounce {
	if !IsBounce(m) {
		return nil
	}
	b := &InspectBounce{Recipients: []string{}}
	if r := m.Report; r != nil {
		if len(r.OriginalIDs) > 0 {
			b.OriginalMessageID = r.OriginalIDs[0]
		}
		b.Recipients = append(b.Recipients, r.Recipients...)
		b.Status = r.Status
	}
	return b
}

// inspectOpensCase is intake's order of places (ingest.go's place): robot
// mail (OpensCase: bounces, receipts, auto-replies, lists) and a staff
// reply never open a case; a mail that joins the case found in the
// database neither; otherwise Place decides.
func inspectOpensCase(m *Message, p InspectPolicy, staff bool) bool {
	if !OpensCase(m) || staff {
		return false
	}
	pl := Place(m, p.Case, nil, p.Now, p.ReopenWindow)
	return pl.Action == ActionNewCase || pl.Action == ActionNewLink
}

// inspectKind is Classify, on what a new case would be classified from.
func inspectKind(m *Message) Classification { return Classify(m.Subject, m.Text) }

// inspectAckRefusal is AckPolicy.Refuse with no acknowledgement sent to the
// sender yet today (the database's count is not read).
func inspectAckRefusal(m *Message, p InspectPolicy) string { return p.Ack.Refuse(m, 0) }

// inspectAckAddress is where Composer.Ack sends the acknowledgement.
func inspectAckAddress(m *Message) string { return AckAddress(m).Addr }

// inspectReply is the relay's reading of a staff reply (readStaffMail: the
// reply's text, its commands, the leak guard), with the desk's mails it
// references when known. A held answer or an internal note relays nothing.
func inspectReply(m *Message, p InspectPolicy) (string, []string) {
	r := readStaffMail(m, p.Originals)
	held := append([]string{}, r.Leaks...)
	if r.Internal || len(held) > 0 {
		return "", held
	}
	return r.Answer, held
}

func addrList(as []Address) []string {
	out := []string{}
	for _, a := range as {
		out = append(out, a.Addr)
	}
	return out
}

// InspectLookup reads what the database knows of m for an inspection: the
// texts of the desk's own mails it references (the known original) and the
// case it points at. It only reads.
func InspectLookup(tx IntakeTx, m *Message) (originals []string, c *Case, err error) {
	if originals, err = knownOriginals(tx, m); err != nil {
		return nil, nil, err
	}
	c, err = caseReferenced(tx, m)
	return originals, c, err
}

package mailproc

import (
	"context"
	"time"
)

// Disposition is what became of a mail found in the mailbox.
type Disposition string

const (
	Stored      Disposition = "stored"      // a case, or part of one
	Duplicate   Disposition = "duplicate"   // a copy of a mail already stored (same Message-ID)
	Quarantined Disposition = "quarantined" // could not be processed; kept with its reason
)

// MailboxState is the intake's bookmark in one IMAP mailbox. It lives in the
// database so a restart resumes where the last run stopped.
type MailboxState struct {
	Mailbox     string
	UIDValidity uint32
	LastUID     uint32 // every UID up to this one has been handled
}

// QuarantineEntry records a mail that could not become a case, and why.
type QuarantineEntry struct {
	ID          int64
	Delivery    Delivery
	MessageID   string // "" if it could not be read
	SHA256      string
	Size        int64
	ArchivePath string
	Reason      string
	At          time.Time
}

// Store is the desk's durable memory. The SQLite adapter implements it.
type Store interface {
	// Intake runs fn in one write transaction: everything fn writes commits
	// together, or nothing does. fn may be called again if the database asks
	// for a retry, so it must not have side effects outside tx.
	Intake(ctx context.Context, fn func(tx IntakeTx) error) error

	// DeliverySeen reports whether the mail at d (mailbox, UIDVALIDITY, UID)
	// was handled before, and how.
	DeliverySeen(ctx context.Context, d Delivery) (disp Disposition, seen bool, err error)
	// DeliveriesSeen is DeliverySeen for the UIDs lo to hi (inclusive) of
	// a mailbox at one UIDVALIDITY: the handled ones, by UID.
	DeliveriesSeen(ctx context.Context, mailbox string, uidValidity, lo, hi uint32) (map[uint32]Disposition, error)

	// MailboxState returns the bookmark for a mailbox; zero values if none.
	MailboxState(ctx context.Context, mailbox string) (MailboxState, error)
	// SetMailboxState stores the bookmark.
	SetMailboxState(ctx context.Context, st MailboxState) error
}

// IntakeTx is what intake may read and write inside its one transaction.
// Finders return (nil, nil) when nothing matches.
type IntakeTx interface {
	// Savepoint runs fn inside a savepoint of the transaction: if fn
	// fails, what it wrote is undone and the rest of the transaction
	// stays (one poisoned mail of a group commit is quarantined alone).
	// Its error is fn's; or the savepoint's own, and then the whole
	// transaction must be abandoned.
	Savepoint(fn func() error) error

	// MessageByMessageID returns the stored message with that Message-ID.
	MessageByMessageID(messageID string) (*Message, int64, error) // message, its case id
	// CaseByMessageIDs returns the case that any of ids belongs to: a stored
	// incoming mail, or a mail mailproc sent. The first id that matches wins.
	CaseByMessageIDs(ids []string) (*Case, error)
	// CaseByNumber returns the case with that registration number.
	CaseByNumber(number string) (*Case, error)
	// CaseByID returns a case by its row id.
	CaseByID(id int64) (*Case, error)

	// NextSequence allocates the next registration sequence number for a kind
	// in a year: 1, 2, 3 … never reused, even if the case is later removed.
	NextSequence(kind Kind, year int) (int, error)
	// CreateCase inserts c and sets c.ID. c.Number must be set.
	CreateCase(c *Case) error
	// UpdateCase writes every field of c.
	UpdateCase(c *Case) error
	// InsertMessage stores m (with its attachments and references) on the
	// case caseID (0: none) and sets m.ID.
	InsertMessage(m *Message, caseID int64) error
	// AddEvent appends to a case's log and sets e.ID.
	AddEvent(e *Event) error
	// RecordDelivery remembers that the mail at d was handled (messageID is
	// the stored message's row id, 0 when quarantined).
	RecordDelivery(d Delivery, messageID int64, disp Disposition) error
	// InsertQuarantine records a quarantined mail and sets q.ID.
	InsertQuarantine(q *QuarantineEntry) error

	// EnqueueMail puts m in the outbox (state pending, next attempt now
	// unless set) and remembers its Message-ID for its case, so a reply to
	// it finds the case. Sets m.ID.
	EnqueueMail(m *OutgoingMail) error
	// OutgoingByMessageID returns the outbox mail with that Message-ID.
	OutgoingByMessageID(messageID string) (*OutgoingMail, error)
	// DeferClosing moves the case's closing mail that is not due yet
	// (desk.closing_delay) to at; n is how many rows moved (0 or 1).
	DeferClosing(caseID int64, now, at time.Time) (n int, err error)
	// WithdrawClosing removes the case's closing mail that is not due yet:
	// the case reopened before it left. n is how many were removed.
	WithdrawClosing(caseID int64, now time.Time) (n int, err error)
	// RevokeToken stores that the token (a signed Message-ID of ours) no
	// longer authorises anything; added is false if it was already revoked.
	RevokeToken(messageID string, caseID int64, at time.Time, reason string) (added bool, err error)
	// TokenRevoked reports whether RevokeToken was called for the token.
	TokenRevoked(messageID string) (bool, error)
	// Events returns a case's log, oldest first.
	Events(caseID int64) ([]*Event, error)
	// DueEscalations returns up to limit cases whose EscalateAt is at or
	// before now, earliest first.
	DueEscalations(now time.Time, limit int) ([]*Case, error)
	// DueReminders returns up to limit cases whose RemindAt is at or before
	// now, earliest first.
	DueReminders(now time.Time, limit int) ([]*Case, error)
	// InsertRating records a citizen's satisfaction score and sets r.ID.
	InsertRating(r *Rating) error
	// LatestMessageFrom returns the newest stored message of a case sent
	// by addr (an answer is threaded under the citizen's latest mail).
	LatestMessageFrom(caseID int64, addr string) (*Message, error)
	// CountSent counts outbox mails of a purpose to addr (in To) created at
	// or after since, whatever their state: the per-sender cap on
	// acknowledgements counts what was decided, not what was delivered.
	CountSent(purpose Purpose, addr string, since time.Time) (int, error)
	// CountQueued counts outbox mails of a purpose, to anyone, created at
	// or after since (the desk-wide acknowledgement budget).
	CountQueued(purpose Purpose, since time.Time) (int, error)
	// CountQueuedUpTo is CountQueued that stops counting at limit: the
	// burst test asks only "at least limit?", in a few index steps.
	CountQueuedUpTo(purpose Purpose, since time.Time, limit int) (int, error)
	// SetDeskStateOnce records a desk-state key the first time; first
	// reports whether this call did.
	SetDeskStateOnce(key, value string, at time.Time) (first bool, err error)
	// Suppressed reports whether addr is on the suppression list (it
	// reported our mail as spam): it gets no acknowledgement.
	Suppressed(addr string) (bool, error)
	// Suppress puts s on the suppression list; added is false when the
	// address was there already.
	Suppress(s *Suppression) (added bool, err error)
	// UnlinkedMessages returns incoming mail stored on no case, received
	// in [since, until), oldest first.
	UnlinkedMessages(since, until time.Time) ([]*Message, error)
}

// Suppression is an address that gets no more acknowledgements because a
// feedback report (ARF) said its owner called the desk's mail spam.
type Suppression struct {
	Addr      string
	Reason    string
	MessageID int64 // row id of the report that put it on the list
	At        time.Time
}

// Temporary is implemented by errors that say "try again later": the
// database is busy or the disk is full, the server went away. A mail that
// meets one stays where it is; it is never quarantined for it.
type Temporary interface {
	Temporary() bool
}

// TemporaryError marks err as temporary.
func TemporaryError(err error) error {
	if err == nil {
		return nil
	}
	return &temporaryError{err}
}

type temporaryError struct{ err error }

func (e *temporaryError) Error() string   { return e.err.Error() }
func (e *temporaryError) Unwrap() error   { return e.err }
func (e *temporaryError) Temporary() bool { return true }

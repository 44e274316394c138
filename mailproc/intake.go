package mailproc

import (
	"context"
	"io"
)

// IngestResult says what became of one mail.
type IngestResult struct {
	Disposition Disposition
	CaseID      int64
	CaseNumber  string // "" when quarantined or not on a case
	Action      PlacementAction
	Reason      string // why it was quarantined, or how it was placed
}

// MailHandler is what the IMAP adapter hands each mail to. The adapter moves
// the mail on the server only after Ingest has returned without error:
// Stored and Duplicate go to the processed folder, Quarantined to the
// quarantine folder. An error means "leave it where it is and try later".
type MailHandler interface {
	// Seen reports whether the mail at d was already handled, so the adapter
	// can skip fetching it again (it still moves it).
	Seen(ctx context.Context, d Delivery) (Disposition, bool, error)
	// Ingest reads the raw mail from r to its end and commits it.
	Ingest(ctx context.Context, d Delivery, r io.Reader) (IngestResult, error)
	// Oversize records a mail the adapter will not download because its
	// size is above max (imap.max_message_size); it is quarantined.
	Oversize(ctx context.Context, d Delivery, size, max int64) (IngestResult, error)
}

// RangeSeer is a MailHandler that answers Seen for a run of UIDs at once:
// the adapter asks once per fetch batch instead of once per mail, one
// database read where there were fifty.
type RangeSeer interface {
	// SeenRange returns how each mail handled before among the UIDs lo to
	// hi (inclusive) of the mailbox, at that UIDVALIDITY, was handled. A
	// UID not in the map was not handled.
	SeenRange(ctx context.Context, mailbox string, uidValidity, lo, hi uint32) (map[uint32]Disposition, error)
}

// BatchHandler is a MailHandler that commits a fetch batch together (group
// commit): the adapter hands it every mail of one FETCH, then asks it to
// commit them all, and moves the batch with one command. One sync of the
// archive and one database commit for many mails is what lets intake keep
// up with a backlog; every mail still waits in the inbox until its rows are
// committed.
type BatchHandler interface {
	MailHandler
	// Batch starts an empty batch. It is used by one goroutine.
	Batch() MailBatch
}

// MailBatch is one group of mails committed together.
type MailBatch interface {
	// Add reads the raw mail from r to its end and stages it; nothing is
	// durable or recorded yet. An error means this mail is not in the batch
	// (it stays in the inbox); the adapter adds no mail after it.
	Add(ctx context.Context, d Delivery, r io.Reader) error
	// Commit makes the staged mails durable and records them. The results
	// are for the mails in the order added; fewer results than mails means
	// the mail after the last result could not be taken (err says why) and
	// neither could any after it: they stay in the inbox.
	Commit(ctx context.Context) ([]IngestResult, error)
	// Abort drops the staged mails instead: none of them is committed, and
	// they stay in the inbox. The adapter aborts a batch it fetched while
	// the batch before it was committed, when that commit failed: the
	// mails after a failure wait for it, in order.
	Abort()
}

// SealingBatch is a MailBatch that can make its staged mails durable on
// disk before Commit. The adapter calls Seal once no more mails are coming
// to the batch, on the goroutine that staged them; Seal starts the sync
// and returns, so that it overlaps the commit of the batch before and the
// staging of the next one. Commit waits for it, then only records, and
// reports a failed sync (nothing is committed then).
type SealingBatch interface {
	MailBatch
	Seal()
}

// Bookmarks keeps the intake's place in each mailbox.
type Bookmarks interface {
	MailboxState(ctx context.Context, mailbox string) (MailboxState, error)
	SetMailboxState(ctx context.Context, st MailboxState) error
}

// Archive keeps every raw mail byte for byte, named by its SHA-256.
type Archive interface {
	// Create starts a new raw mail.
	Create() (ArchiveWriter, error)
}

// BatchArchive is an Archive that makes many mails durable with one sync.
type BatchArchive interface {
	Archive
	// Batch starts a group of mails that one Sync makes durable.
	Batch() ArchiveBatch
}

// ArchiveBatch is a group of raw mails made durable together. The Commit of
// its writers only names a mail (path, digest, size); it is on disk under
// that path, synced, once Sync has returned without error — which must
// happen before any database row names the path.
type ArchiveBatch interface {
	Create() (ArchiveWriter, error)
	// Sync makes every mail committed in the batch durable, in the
	// archive and in its mirror if there is one.
	Sync() error
	// Abort removes the files of the batch not yet synced.
	Abort()
}

// ArchiveWriter receives one raw mail as it streams in.
type ArchiveWriter interface {
	io.Writer
	// Commit makes the mail durable (written, synced, renamed into place)
	// and returns its path relative to the data dir, digest and size.
	Commit() (path, sha256hex string, size int64, err error)
	// Abort throws the partial file away.
	Abort() error
}

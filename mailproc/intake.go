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

// ArchiveWriter receives one raw mail as it streams in.
type ArchiveWriter interface {
	io.Writer
	// Commit makes the mail durable (written, synced, renamed into place)
	// and returns its path relative to the data dir, digest and size.
	Commit() (path, sha256hex string, size int64, err error)
	// Abort throws the partial file away.
	Abort() error
}

package imap

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	goimap "github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/dpk-kampar/mailproc/mailproc"
)

// SentFolder appends copies of the mail mailproc sends to the desk's Sent
// folder, so staff who open the shared mailbox see the whole conversation.
// It keeps its own connection (the intake's is busy idling), opened on first
// use and dropped on any error; the postman retries a failed copy later.
type SentFolder struct {
	Config        // the desk mailbox; Inbox and the intake folders are unused
	Folder string // e.g. "Sent"
	Logger *slog.Logger

	mu      sync.Mutex
	s       *session
	checked bool // Folder is known to exist
}

var _ mailproc.SentCopier = (*SentFolder)(nil)

// AppendSent implements mailproc.SentCopier: the copy is stored \Seen with
// the time it was sent.
func (f *SentFolder) AppendSent(ctx context.Context, m mailproc.SentMail, at time.Time) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.connect(ctx); err != nil {
		return err
	}
	err := f.s.guard(func() error {
		size := m.Len()
		cmd := f.s.c.Append(f.Folder, size, &goimap.AppendOptions{
			Flags: []goimap.Flag{goimap.FlagSeen},
			Time:  at,
		})
		// Written as it is read (a mail with attachments, from the
		// archive): never whole in memory.
		if n, err := m.WriteTo(cmd); err != nil || n != size {
			if err == nil {
				err = fmt.Errorf("the message had %d bytes, not the %d announced", n, size)
			}
			cmd.Close()
			return err
		}
		if err := cmd.Close(); err != nil {
			return err
		}
		_, err := cmd.Wait()
		return err
	})
	if err != nil {
		f.drop()
		return mailproc.TemporaryError(fmt.Errorf("imap: append to %q: %w", f.Folder, err))
	}
	return nil
}

// Close logs out.
func (f *SentFolder) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.s != nil {
		f.s.logout()
		f.drop()
	}
	return nil
}

func (f *SentFolder) connect(ctx context.Context) error {
	if f.s != nil {
		return nil
	}
	cfg := f.Config.withDefaults()
	log := f.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	c, conn, err := dial(ctx, cfg, &imapclient.Options{}, nil)
	if err != nil {
		return mailproc.TemporaryError(err)
	}
	s := &session{cfg: cfg, c: c, conn: conn, log: log}
	if err := s.guard(func() error { _, err := login(ctx, c, cfg); return err }); err != nil {
		c.Close()
		return mailproc.TemporaryError(err)
	}
	if !f.checked {
		if err := s.ensureFolder(f.Folder); err != nil {
			c.Close()
			return mailproc.TemporaryError(err)
		}
		f.checked = true
	}
	f.s = s
	return nil
}

func (f *SentFolder) drop() {
	if f.s != nil {
		f.s.abort()
		f.s.c.Close()
		f.s = nil
	}
}

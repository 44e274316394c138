package imap

import (
	"context"
	"fmt"
	"log/slog"

	goimap "github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// CheckLogin is `mailproc check` for IMAP: it dials, logs in, lists the
// folders and examines the inbox (read-only), then logs out. It returns the
// server's capabilities (after login) and the problems an operator should
// know about. err is set only when the check itself could not run: the
// server could not be reached, TLS failed, or the login was refused.
//
// It changes nothing on the server. A missing processed or quarantine folder
// is reported, not created: check may be run against the production
// mailbox with a config that is still wrong, and a typo in a folder name
// should not leave a stray folder behind. `mailproc run` creates the folders
// on its first connection (idempotently).
func CheckLogin(ctx context.Context, cfg Config) (caps []string, problems, notes []string, err error) {
	if err := cfg.Validate(); err != nil {
		return nil, nil, nil, err
	}
	cfg = cfg.withDefaults()
	c, conn, err := dial(ctx, cfg, &imapclient.Options{}, nil)
	if err != nil {
		return nil, nil, nil, err
	}
	defer c.Close()
	s := &session{cfg: cfg, c: c, conn: conn, log: slog.New(slog.DiscardHandler)}

	var capSet goimap.CapSet
	err = s.guard(func() error {
		var err error
		capSet, err = login(ctx, c, cfg)
		return err
	})
	if err != nil {
		return nil, nil, nil, err
	}
	caps = capList(capSet)

	var list []*goimap.ListData
	err = s.guard(func() error {
		var err error
		list, err = c.List("", "*", nil).Collect()
		return err
	})
	if err != nil {
		return caps, nil, nil, fmt.Errorf("list folders: %w", err)
	}

	if !listHas(list, cfg.Inbox) {
		problems = append(problems, fmt.Sprintf("inbox %q does not exist", cfg.Inbox))
	} else {
		var data *goimap.SelectData
		err := s.guard(func() error {
			var err error
			data, err = c.Select(cfg.Inbox, &goimap.SelectOptions{ReadOnly: true}).Wait()
			return err
		})
		if err != nil {
			problems = append(problems, fmt.Sprintf("inbox %q cannot be opened: %v", cfg.Inbox, err))
		} else if data.UIDValidity == 0 {
			problems = append(problems, fmt.Sprintf("inbox %q has no UIDVALIDITY; intake cannot keep its place reliably", cfg.Inbox))
		}
	}
	for _, f := range []string{cfg.ProcessedFolder, cfg.QuarantineFolder} {
		if !listHas(list, f) {
			notes = append(notes, fmt.Sprintf("folder %q does not exist yet; `mailproc run` creates it", f))
		}
	}

	if cfg.IDLE && !capSet.Has(goimap.CapIdle) {
		notes = append(notes, fmt.Sprintf("server does not support IDLE; new mail is found by polling every %v", cfg.PollInterval))
	}
	if !capSet.Has(goimap.CapMove) {
		if capSet.Has(goimap.CapUIDPlus) {
			notes = append(notes, "server does not support MOVE; mails are moved by COPY, STORE \\Deleted and UID EXPUNGE")
		} else {
			notes = append(notes, fmt.Sprintf("server supports neither MOVE nor UIDPLUS; handled mails are copied to %q and left in %q marked read (never deleted)",
				cfg.ProcessedFolder, cfg.Inbox))
		}
	}

	s.logout()
	return caps, problems, notes, nil
}

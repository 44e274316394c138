package imap

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"

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
//
// watched names folders mailproc only reads (the desk's Sent folder). Each
// should exist already: `mailproc run` would create a missing one, and then
// watch a new, empty folder while staff's answers land in the real Sent
// folder under another name (Gmail's "[Gmail]/Sent Mail", Microsoft's
// "Sent Items"). That is a problem when the server marks another folder
// \Sent (and the problem names it); on a server that marks none it is a
// note, as for the other folders.
func CheckLogin(ctx context.Context, cfg Config, watched ...string) (caps []string, problems, notes []string, err error) {
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
		var opts *goimap.ListOptions
		if capSet.Has(goimap.CapSpecialUse) || capSet.Has(goimap.CapIMAP4rev2) {
			// Ask for \Sent and friends: some servers send them only when asked.
			opts = &goimap.ListOptions{ReturnSpecialUse: true}
		}
		list, err = c.List("", "*", opts).Collect()
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

	for _, f := range watched {
		problem, note := watchedFolder(list, f)
		if problem != "" {
			problems = append(problems, problem)
		}
		if note != "" {
			notes = append(notes, note)
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

// watchedFolder judges a folder mailproc only reads (the Sent folder) from
// the server's folder list: fine if it exists; a note if it does not and
// the server marks no folder \Sent (run creates it, as it does the other
// folders); a problem if another folder is marked \Sent, which is where
// the mailbox's sent mail really goes.
func watchedFolder(list []*goimap.ListData, name string) (problem, note string) {
	if name == "" || listHas(list, name) {
		return "", ""
	}
	var sent []string
	for _, d := range list {
		if slices.Contains(d.Attrs, goimap.MailboxAttrSent) {
			sent = append(sent, strconv.Quote(d.Mailbox))
		}
	}
	if len(sent) == 0 {
		return "", fmt.Sprintf("folder %q does not exist yet; `mailproc run` creates it (the server marks no folder as Sent)", name)
	}
	return fmt.Sprintf("folder %q does not exist, but the server marks %s as its Sent folder: mailproc would watch a new, empty folder instead of the mailbox's sent mail",
		name, strings.Join(sent, ", ")), ""
}

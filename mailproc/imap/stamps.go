package imap

import (
	"bufio"
	"bytes"
	"context"
	"log/slog"
	"net/textproto"
	"time"

	goimap "github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/dpk-kampar/mailproc/mailproc"
)

// AuthStamps answers `mailproc check`'s question "does the desk's server
// stamp Authentication-Results?": it reads only the Authentication-Results
// headers of the newest n mails in folder and counts, per authserv-id, the
// mails whose topmost such header names it ("" counts mails with none).
func AuthStamps(ctx context.Context, cfg Config, folder string, n int) (looked int, byID map[string]int, err error) {
	if err := cfg.Validate(); err != nil {
		return 0, nil, err
	}
	cfg = cfg.withDefaults()
	c, conn, err := dial(ctx, cfg, &imapclient.Options{}, nil)
	if err != nil {
		return 0, nil, err
	}
	defer c.Close()
	s := &session{cfg: cfg, c: c, conn: conn, log: slog.New(slog.DiscardHandler)}
	byID = map[string]int{}
	err = s.guard(func() error {
		if _, err := login(ctx, c, cfg); err != nil {
			return err
		}
		sel, err := c.Select(folder, &goimap.SelectOptions{ReadOnly: true}).Wait()
		if err != nil || sel.NumMessages == 0 {
			return err
		}
		first := uint32(1)
		if sel.NumMessages > uint32(n) {
			first = sel.NumMessages - uint32(n) + 1
		}
		section := &goimap.FetchItemBodySection{Specifier: goimap.PartSpecifierHeader,
			HeaderFields: []string{"Authentication-Results"}, Peek: true}
		msgs, err := c.Fetch(goimap.SeqSetNum(seqRange(first, sel.NumMessages)...),
			&goimap.FetchOptions{BodySection: []*goimap.FetchItemBodySection{section}}).Collect()
		for _, m := range msgs {
			looked++
			byID[topAuthservID(m.FindBodySection(section))]++
		}
		return err
	})
	return looked, byID, err
}

func seqRange(first, last uint32) []uint32 {
	var l []uint32
	for i := first; i <= last; i++ {
		l = append(l, i)
	}
	return l
}

// topAuthservID is the authserv-id of the first Authentication-Results
// header in a header block, or "".
func topAuthservID(header []byte) string {
	h, _ := textproto.NewReader(bufio.NewReader(bytes.NewReader(append(header, '\r', '\n')))).ReadMIMEHeader()
	return mailproc.TopAuthservID(h.Values("Authentication-Results"))
}

// InboxWaiting answers `mailproc check`'s question "what would the first
// start take?": how many mails wait in the inbox, when the oldest arrived
// (by INTERNALDATE), and how many of them arrived on or after since (all,
// when since is zero). It only reads.
func InboxWaiting(ctx context.Context, cfg Config, since time.Time) (n, fromSince int, oldest time.Time, err error) {
	if err := cfg.Validate(); err != nil {
		return 0, 0, time.Time{}, err
	}
	cfg = cfg.withDefaults()
	c, conn, err := dial(ctx, cfg, &imapclient.Options{}, nil)
	if err != nil {
		return 0, 0, time.Time{}, err
	}
	defer c.Close()
	s := &session{cfg: cfg, c: c, conn: conn, log: slog.New(slog.DiscardHandler)}
	err = s.guard(func() error {
		if _, err := login(ctx, c, cfg); err != nil {
			return err
		}
		sel, err := c.Select(cfg.Inbox, &goimap.SelectOptions{ReadOnly: true}).Wait()
		if err != nil || sel.NumMessages == 0 {
			return err
		}
		n, fromSince = int(sel.NumMessages), int(sel.NumMessages)
		all, err := c.Fetch(goimap.SeqSetNum(seqRange(1, sel.NumMessages)...),
			&goimap.FetchOptions{InternalDate: true}).Collect()
		if err != nil {
			return err
		}
		if !since.IsZero() {
			fromSince = 0
		}
		for _, m := range all {
			if oldest.IsZero() || m.InternalDate.Before(oldest) {
				oldest = m.InternalDate
			}
			if !since.IsZero() && !m.InternalDate.Before(since) {
				fromSince++
			}
		}
		return nil
	})
	return n, fromSince, oldest, err
}

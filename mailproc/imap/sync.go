package imap

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"time"

	goimap "github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/dpk-kampar/mailproc/mailproc"
)

// handlerError is a mail the handler (or the bookmark store) could not take.
// The connection is fine: the session keeps it and retries after a backoff.
type handlerError struct {
	uid goimap.UID
	op  string
	err error
}

func (e *handlerError) Error() string {
	return fmt.Sprintf("%s uid %d: %v", e.op, e.uid, e.err)
}

func (e *handlerError) Unwrap() error { return e.err }

// errShutdown ends a sync whose FETCH was abandoned for shutdown.
var errShutdown = errors.New("shutting down")

// sync handles every mail above the bookmark, in UID order, batch by batch;
// the first batch has at most first mails. It returns nil when it reached
// the end of the inbox (or ctx is done between mails), a *handlerError when
// a mail could not be handled (the bookmark stays below it), or any other
// error when the connection failed.
func (s *session) sync(ctx context.Context, first int) error {
	uids, err := s.search()
	if err != nil {
		return err
	}
	size := first
	for len(uids) > 0 {
		if ctx.Err() != nil {
			return nil
		}
		n := min(size, len(uids))
		size = s.cfg.FetchBatch
		if err := s.batch(ctx, uids[:n]); err != nil {
			if errors.Is(err, errShutdown) && ctx.Err() != nil {
				return nil
			}
			return err
		}
		uids = uids[n:]
	}
	return nil
}

// search returns the UIDs above the bookmark, ascending.
func (s *session) search() ([]goimap.UID, error) {
	last := s.state.LastUID
	if last == math.MaxUint32 {
		return nil, nil
	}
	criteria := &goimap.SearchCriteria{
		UID: []goimap.UIDSet{{{Start: goimap.UID(last + 1), Stop: 0}}}, // last+1:*
	}
	var data *goimap.SearchData
	err := s.guard(func() error {
		var err error
		data, err = s.c.UIDSearch(criteria, nil).Wait()
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("uid search %d:*: %w", last+1, err)
	}
	// "n:*" means "n to the highest UID", and RFC 3501 lets the server
	// read it as "highest:n" when n is above the highest UID: so an empty
	// inbox tail returns the last UID again. Keep only UIDs above the
	// bookmark, or the last mail would be handled on every sync.
	var uids []goimap.UID
	for _, u := range data.AllUIDs() {
		if uint32(u) > last {
			uids = append(uids, u)
		}
	}
	slices.Sort(uids)
	return slices.Compact(uids), nil
}

func (s *session) delivery(uid goimap.UID) mailproc.Delivery {
	return mailproc.Delivery{Mailbox: s.cfg.Inbox, UIDValidity: s.state.UIDValidity, UID: uint32(uid)}
}

// batch handles uids (ascending): ask the handler which it already has,
// stream the rest to it, move the handled prefix and advance the bookmark
// past it. The first mail that fails stops the batch; nothing after it is
// moved and the bookmark stays below it.
func (s *session) batch(ctx context.Context, uids []goimap.UID) error {
	// Ingest, Seen and the bookmark get a context that shutdown does not
	// cancel: the mail in hand is finished, never cut half-way.
	hctx := context.WithoutCancel(ctx)

	done := make(map[goimap.UID]mailproc.Disposition, len(uids))
	var fail error // the first handler failure; ends the batch at its UID

	var fetch []goimap.UID
	for i, uid := range uids {
		disp, seen, err := s.in.Handler.Seen(hctx, s.delivery(uid))
		if err != nil {
			fail = &handlerError{uid: uid, op: "seen", err: err}
			uids = uids[:i]
			break
		}
		if seen {
			if _, ok := destination(s.cfg, disp); !ok {
				fail = &handlerError{uid: uid, op: "seen", err: fmt.Errorf("unknown disposition %q", disp)}
				uids = uids[:i]
				break
			}
			done[uid] = disp
			s.log.Debug("mail already handled; moving it only", "uid", uid, "disposition", disp)
			continue
		}
		fetch = append(fetch, uid)
	}

	gone := map[goimap.UID]bool{} // expunged by someone else before we fetched
	if len(fetch) > 0 && ctx.Err() == nil {
		ferr, err := s.fetchAndIngest(ctx, hctx, fetch, done, gone)
		if err != nil {
			return err
		}
		if fail == nil {
			fail = ferr
		}
	}

	// The handled prefix: every UID up to the first one not handled.
	var prefix []goimap.UID
	for _, uid := range uids {
		if _, ok := done[uid]; !ok && !gone[uid] {
			break
		}
		prefix = append(prefix, uid)
	}
	if len(prefix) == 0 {
		return fail
	}

	if err := s.moveAll(prefix, done); err != nil {
		return err
	}
	st := s.state
	st.LastUID = uint32(prefix[len(prefix)-1])
	if err := s.in.Bookmarks.SetMailboxState(hctx, st); err != nil {
		// The mails are moved; the next sync starts from the old bookmark
		// and simply does not find them any more.
		return &handlerError{uid: prefix[len(prefix)-1], op: "save bookmark", err: err}
	}
	s.state = st
	return fail
}

// mailMeta is what the first, cheap FETCH learns about a mail.
type mailMeta struct {
	arrived   time.Time
	size      int64
	messageID string // only in Watch mode with SkipOwn
}

// fetchAndIngest streams the mails in uids to the handler, recording each
// disposition in done and UIDs that no longer exist in gone. It stops
// handing mails over at the first failure, which it returns as ferr; err is
// a connection failure.
//
// It fetches in two steps: UID INTERNALDATE RFC822.SIZE for the batch
// first (a few bytes per mail), then UID BODY.PEEK[] streamed. A server may
// send a message's items in any order, and the handler needs INTERNALDATE
// before the body begins; the first step makes that certain for one extra
// round trip per batch.
func (s *session) fetchAndIngest(ctx, hctx context.Context, uids []goimap.UID, done map[goimap.UID]mailproc.Disposition, gone map[goimap.UID]bool) (ferr, err error) {
	set := goimap.UIDSetNum(uids...)

	meta := make(map[goimap.UID]mailMeta, len(uids))
	skip := s.cfg.Watch && s.cfg.SkipOwn != nil
	err = s.guard(func() error {
		bufs, err := s.c.Fetch(set, &goimap.FetchOptions{UID: true, InternalDate: true, RFC822Size: true, Envelope: skip}).Collect()
		for _, b := range bufs {
			if b.UID != 0 {
				m := mailMeta{arrived: b.InternalDate, size: b.RFC822Size}
				if b.Envelope != nil {
					m.messageID = b.Envelope.MessageID
				}
				meta[b.UID] = m
			}
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("uid fetch %v metadata: %w", set, err)
	}
	var present []goimap.UID
	var oerr error // an oversize mail the handler could not take: later mails wait
	skipped := 0
	for _, uid := range uids {
		if m, ok := meta[uid]; ok && skip && m.messageID != "" && s.cfg.SkipOwn(m.messageID) {
			done[uid] = mailproc.Duplicate // our own sent mail: nothing to learn from it
			skipped++
		} else if ok && s.cfg.MaxMessageSize > 0 && m.size > s.cfg.MaxMessageSize {
			if oerr = s.oversize(hctx, uid, m, done); oerr != nil {
				break
			}
		} else if ok {
			present = append(present, uid)
		} else {
			// UIDs are never reused: a mail that is not there any more
			// was moved or expunged by another client. Nothing to do.
			s.log.Info("mail vanished from the mailbox before it was fetched", "uid", uid)
			gone[uid] = true
		}
	}
	if skipped > 0 {
		s.log.Debug("own sent mail passed over without download", "count", skipped)
	}
	defer func() {
		if ferr == nil {
			ferr = oerr
		}
	}()
	if len(present) == 0 {
		return nil, nil
	}

	cmd := s.c.Fetch(goimap.UIDSetNum(present...), &goimap.FetchOptions{
		UID:         true,
		BodySection: []*goimap.FetchItemBodySection{{Peek: true}}, // BODY.PEEK[]: leave \Seen alone
	})
	// The mails are staged as they stream in and committed together once
	// the FETCH is read, or earlier when it must be cut short: a mail read
	// whole is never thrown away.
	g := &group{s: s, b: batchOf(s.in.Handler), done: done}
	defer func() {
		if gerr := g.commit(hctx); gerr != nil {
			ferr = gerr // earlier in UID order than any failure after it
		}
	}()
	left := len(present)
	for {
		var msg *imapclient.FetchMessageData
		if err := s.guard(func() error { msg = cmd.Next(); return nil }); err != nil {
			cmd.Close()
			return ferr, err
		}
		if msg == nil {
			break
		}
		left--
		if ferr != nil {
			continue // a mail before this one failed: skip (cmd.Next drains it)
		}
		herr, cerr := g.add(hctx, msg, meta)
		if cerr != nil {
			// The stream is broken mid-message: nothing more can be read.
			s.abort()
			cmd.Close()
			return ferr, cerr
		}
		if herr != nil {
			ferr = herr
			continue
		}
		if ctx.Err() != nil && left > 0 {
			// Shutdown: the mails in hand are committed. Draining the
			// rest of the batch could take long with big mails; drop
			// the connection instead. The next start finds the committed
			// mails via Seen and moves them without fetching them again.
			s.log.Info("shutdown during fetch; leaving the rest of the batch for the next start", "not_fetched", left)
			s.abort()
			cmd.Close()
			return ferr, errShutdown
		}
	}
	if err := s.guard(cmd.Close); err != nil {
		return ferr, fmt.Errorf("uid fetch %v body: %w", goimap.UIDSetNum(present...), err)
	}
	if gerr := g.commit(hctx); gerr != nil {
		ferr = gerr
	}
	if ferr == nil {
		for _, uid := range present {
			if _, ok := done[uid]; !ok {
				// The server listed it a moment ago but sent no body now.
				// Do not pass it: try again later.
				return &handlerError{uid: uid, op: "fetch", err: errors.New("server returned no body")}, nil
			}
		}
	}
	return ferr, nil
}

// oversize hands a mail above MaxMessageSize to the handler by its UID and
// size alone: its body is never fetched.
func (s *session) oversize(hctx context.Context, uid goimap.UID, m mailMeta, done map[goimap.UID]mailproc.Disposition) error {
	d := s.delivery(uid)
	d.Arrived = m.arrived
	res, err := s.in.Handler.Oversize(hctx, d, m.size, s.cfg.MaxMessageSize)
	if err != nil {
		return &handlerError{uid: uid, op: "oversize", err: err}
	}
	if _, ok := destination(s.cfg, res.Disposition); !ok {
		return &handlerError{uid: uid, op: "oversize", err: fmt.Errorf("unknown disposition %q", res.Disposition)}
	}
	s.log.Warn("mail larger than the limit; not downloaded", "uid", uid, "size", m.size,
		"max_message_size", s.cfg.MaxMessageSize, "disposition", res.Disposition)
	done[uid] = res.Disposition
	return nil
}

// group is one fetch batch on its way to the handler: the mails staged so
// far, committed together.
type group struct {
	s      *session
	b      mailproc.MailBatch
	done   map[goimap.UID]mailproc.Disposition
	staged []stagedMail
}

type stagedMail struct {
	uid   goimap.UID
	size  int64
	start time.Time
}

// batchOf is the handler's batch, or, for a handler that commits each mail
// alone, one that hands every mail to Ingest as it comes.
func batchOf(h mailproc.MailHandler) mailproc.MailBatch {
	if bh, ok := h.(mailproc.BatchHandler); ok {
		return bh.Batch()
	}
	return &oneByOne{h: h}
}

type oneByOne struct {
	h   mailproc.MailHandler
	res []mailproc.IngestResult
}

func (o *oneByOne) Add(ctx context.Context, d mailproc.Delivery, r io.Reader) error {
	res, err := o.h.Ingest(ctx, d, r)
	if err == nil {
		o.res = append(o.res, res)
	}
	return err
}

func (o *oneByOne) Commit(context.Context) ([]mailproc.IngestResult, error) {
	res := o.res
	o.res = nil
	return res, nil
}

// commit commits the staged mails and records each one's disposition in
// done. It returns the failure of the first mail not taken, if any.
func (g *group) commit(hctx context.Context) error {
	if len(g.staged) == 0 {
		return nil
	}
	staged := g.staged
	g.staged = nil
	results, err := g.b.Commit(hctx)
	if len(results) > len(staged) {
		// Not a handler's contract; the dispositions cannot be matched to
		// UIDs. Move nothing: the next sync finds them by Seen.
		return &handlerError{uid: staged[0].uid, op: "ingest", err: fmt.Errorf("handler committed %d mails, was given %d", len(results), len(staged))}
	}
	for i, res := range results {
		m := staged[i]
		if _, ok := destination(g.s.cfg, res.Disposition); !ok {
			return &handlerError{uid: m.uid, op: "ingest", err: fmt.Errorf("unknown disposition %q", res.Disposition)}
		}
		g.done[m.uid] = res.Disposition
		g.s.log.Info("mail ingested", "uid", m.uid, "size", m.size, "disposition", res.Disposition,
			"case", res.CaseNumber, "took", time.Since(m.start).Round(time.Millisecond))
	}
	if len(results) < len(staged) {
		if err == nil {
			err = errors.New("handler committed fewer mails than it was given")
		}
		return &handlerError{uid: staged[len(results)].uid, op: "ingest", err: err}
	}
	return nil
}

// add hands one FETCH response to the batch, streaming its body literal
// straight from the socket. herr is a handler failure for this mail; cerr
// means the connection broke while the body was being read.
func (g *group) add(hctx context.Context, msg *imapclient.FetchMessageData, meta map[goimap.UID]mailMeta) (herr, cerr error) {
	s := g.s
	var uid goimap.UID
	added := false
	for {
		var item imapclient.FetchItemData
		if err := s.guard(func() error { item = msg.Next(); return nil }); err != nil {
			return nil, err
		}
		if item == nil {
			break
		}
		switch item := item.(type) {
		case imapclient.FetchItemDataUID:
			uid = item.UID
		case imapclient.FetchItemDataBodySection:
			if uid == 0 {
				// imapclient asks for UID first and routes the response
				// by it, so this does not happen with a sane server.
				return nil, errors.New("server sent a message body before its UID")
			}
			if item.Literal == nil {
				return &handlerError{uid: uid, op: "fetch", err: errors.New("server returned NIL body")}, nil
			}
			m := meta[uid]
			d := s.delivery(uid)
			d.Arrived = m.arrived
			lr := &literalReader{r: item.Literal}
			start := time.Now()
			err := g.b.Add(hctx, d, lr)
			if lr.err != nil {
				return nil, fmt.Errorf("read body of uid %d: %w", uid, lr.err)
			}
			if err != nil {
				return &handlerError{uid: uid, op: "ingest", err: err}, nil
			}
			if rest, _ := io.Copy(io.Discard, item.Literal); rest > 0 {
				s.log.Warn("handler did not read the whole mail", "uid", uid, "unread", rest)
			}
			g.staged = append(g.staged, stagedMail{uid: uid, size: lr.n, start: start})
			added = true
		}
	}
	if !added {
		// A response without a body: leave the mail for the next sync.
		return &handlerError{uid: uid, op: "fetch", err: errors.New("server returned no body")}, nil
	}
	return nil, nil
}

// literalReader counts what the handler read and remembers a read error,
// which means the connection (not the handler) failed.
type literalReader struct {
	r   io.Reader
	n   int64
	err error
}

func (l *literalReader) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	l.n += int64(n)
	if err != nil && err != io.EOF && l.err == nil {
		l.err = err
	}
	return n, err
}

// destination is the folder a disposition sends a mail to.
func destination(cfg Config, d mailproc.Disposition) (string, bool) {
	switch d {
	case mailproc.Stored, mailproc.Duplicate:
		return cfg.ProcessedFolder, true
	case mailproc.Quarantined:
		return cfg.QuarantineFolder, true
	}
	return "", false
}

// moveAll moves the handled mails out of the inbox: one command per
// destination folder. UIDs that vanished are skipped.
func (s *session) moveAll(uids []goimap.UID, done map[goimap.UID]mailproc.Disposition) error {
	if s.cfg.Watch {
		return nil // a watched folder is only read; the bookmark keeps our place
	}
	byDest := map[string][]goimap.UID{}
	var order []string
	for _, uid := range uids {
		disp, ok := done[uid]
		if !ok {
			continue // gone
		}
		dest, _ := destination(s.cfg, disp)
		if _, ok := byDest[dest]; !ok {
			order = append(order, dest)
		}
		byDest[dest] = append(byDest[dest], uid)
	}
	for _, dest := range order {
		if err := s.move(byDest[dest], dest); err != nil {
			return err
		}
		s.log.Info("moved mails", "folder", dest, "count", len(byDest[dest]), "uids", goimap.UIDSetNum(byDest[dest]...).String())
	}
	return nil
}

// move moves uids to dest without ever deleting mail another client marked
// \Deleted. imapclient.Client.Move is not used for the fallback because
// without UIDPLUS it runs a plain EXPUNGE, which would destroy such mail.
//
//   - MOVE: UID MOVE.
//   - UIDPLUS but no MOVE: UID COPY, UID STORE +FLAGS.SILENT (\Deleted),
//     UID EXPUNGE of exactly these UIDs.
//   - neither: UID COPY and UID STORE +FLAGS.SILENT (\Seen). The original
//     stays in the inbox (read); the bookmark keeps it from being handled
//     again.
func (s *session) move(uids []goimap.UID, dest string) error {
	set := goimap.UIDSetNum(uids...)
	if s.caps.Has(goimap.CapMove) {
		return s.guard(func() error {
			if _, err := s.c.Move(set, dest).Wait(); err != nil {
				return fmt.Errorf("uid move %v to %q: %w", set, dest, err)
			}
			return nil
		})
	}
	if err := s.guard(func() error {
		if _, err := s.c.Copy(set, dest).Wait(); err != nil {
			return fmt.Errorf("uid copy %v to %q: %w", set, dest, err)
		}
		return nil
	}); err != nil {
		return err
	}
	if !s.caps.Has(goimap.CapUIDPlus) {
		return s.guard(func() error {
			err := s.c.Store(set, &goimap.StoreFlags{Op: goimap.StoreFlagsAdd, Silent: true, Flags: []goimap.Flag{goimap.FlagSeen}}, nil).Close()
			if err != nil {
				return fmt.Errorf("uid store %v +\\Seen: %w", set, err)
			}
			return nil
		})
	}
	return s.guard(func() error {
		err := s.c.Store(set, &goimap.StoreFlags{Op: goimap.StoreFlagsAdd, Silent: true, Flags: []goimap.Flag{goimap.FlagDeleted}}, nil).Close()
		if err != nil {
			return fmt.Errorf("uid store %v +\\Deleted: %w", set, err)
		}
		if err := s.c.UIDExpunge(set).Close(); err != nil {
			return fmt.Errorf("uid expunge %v: %w", set, err)
		}
		return nil
	})
}

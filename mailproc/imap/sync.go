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
// the end of the inbox (or ctx is done between batches), a *handlerError
// when a mail could not be handled (the bookmark stays below it), or any
// other error when the connection failed.
//
// Batches are pipelined over two cores: while one batch is committed (the
// archive's sync and the database transaction, in a goroutine of its own),
// the next one is fetched and parsed; the MOVE of a committed batch goes
// out behind a later batch's body FETCH (queuedMove), so the server moves
// while mailproc parses. The order per batch is unchanged —
// committed, then moved, then the bookmark — and so is the order between
// batches: a batch is committed only after the one before it, and moved
// only after that one was moved. A mail read whole is always committed,
// even when the batch before it failed: it then stays in the inbox, and
// the next sync finds it by Seen and moves it without fetching it again.
func (s *session) sync(ctx context.Context, first int, expect bool) (err error) {
	uids, err := s.search(first, expect)
	if err != nil {
		return err
	}
	// Ingest, Seen and the bookmark get a context that shutdown does not
	// cancel: the mail in hand is finished, never cut half-way.
	hctx := context.WithoutCancel(ctx)
	var committing *inFlight // committed in the background meanwhile
	var mark goimap.UID      // the last UID moved, its bookmark not yet saved
	var queued *queuedMove   // committed, its MOVE sent behind the next FETCH
	// finishMove waits for the queued MOVE and lets the bookmark pass it.
	finishMove := func() error {
		q := queued
		queued = nil
		if q == nil {
			return nil
		}
		last, err := q.wait(s)
		mark = max(mark, last)
		return err
	}
	defer func() {
		s.queue = nil
		if a := s.ahead; a != nil {
			s.ahead = nil
			s.drop(a) // a failure here is the connection's, reported already or next
		}
		if committing != nil {
			committing.wait() // nothing is left half-done on any return
		}
		var herr *handlerError
		if err == nil || errors.As(err, &herr) {
			// The connection is fine: a move still queued is finished.
			// After a connection failure it would only fail too; the
			// next sync moves those mails by Seen.
			if merr := finishMove(); err == nil {
				err = merr
			}
		}
		if berr := s.saveBookmark(hctx, mark); err == nil {
			err = berr
		}
	}()
	// moveAndMark moves a committed batch's handled prefix and returns the
	// failure that ended it, if any: the rest waits in the inbox. A move
	// still queued goes first.
	moveAndMark := func(f *inFlight) error {
		// A reply read ahead is taken off the wire first: with more than
		// the client holds for a command nobody reads, the MOVE's reply
		// would wait behind it.
		if a := s.ahead; a != nil {
			s.ahead = nil
			if err := s.drop(a); err != nil {
				return err
			}
		}
		if err := finishMove(); err != nil {
			return err
		}
		last, ferr := s.moveBatch(f)
		mark = max(mark, last)
		return ferr
	}
	// behind runs once a batch's body FETCH is on the wire: the queued
	// MOVE goes out behind it, then the metadata FETCH of the batch after
	// it (next). Both only where batches are moved with MOVE: the
	// fallbacks wait for each command in turn.
	var next []goimap.UID
	behind := func() error {
		if err := queued.send(s); err != nil {
			return err
		}
		if readsAhead(len(next)) && s.ahead == nil && s.queuesMoves() {
			a, err := s.askAhead(next)
			if err != nil {
				return err
			}
			s.ahead = a
		}
		return nil
	}
	size := first
	for len(uids) > 0 && ctx.Err() == nil {
		if committing != nil && committing.probe {
			// The one mail retried after a failure is settled before
			// anything after it is fetched.
			if committing.wait(); committing.cerr != nil {
				f := committing
				committing = nil
				return moveAndMark(f)
			}
		}
		n := min(size, len(uids))
		probe := size < s.cfg.FetchBatch
		size = s.cfg.FetchBatch
		next = uids[n:min(len(uids), n+s.cfg.FetchBatch)]
		staging := time.Now()
		s.queue = uids
		cur, serr := s.stage(ctx, hctx, uids[:n], behind)
		moving := time.Now()
		if serr == nil {
			serr = finishMove()
		}
		cur.probe = probe
		uids = uids[cur.taken(uids[:n]):]
		prev := committing
		committing = nil
		if prev != nil {
			waiting := time.Now()
			prev.wait()
			// Where a batch's time goes: staged on this goroutine (while
			// the server moves an earlier batch), then the wait for that
			// MOVE's reply and for the commit before it (each zero when
			// it was the quicker).
			s.log.Debug("batch staged", "mails", n, "stage", moving.Sub(staging).Round(10*time.Microsecond),
				"move_wait", waiting.Sub(moving).Round(10*time.Microsecond),
				"commit_wait", time.Since(waiting).Round(10*time.Microsecond), "commit", prev.took.Round(10*time.Microsecond))
			if prev.cerr != nil {
				// The mails after a failure wait for it, in order.
				cur.abort()
				return moveAndMark(prev)
			}
		}
		// No commit runs now: the bookmark is saved without waiting for
		// the database's one writer.
		if err := s.saveBookmark(hctx, mark); err != nil {
			cur.abort()
			return err
		}
		mark = 0
		committing = cur.commit(hctx)
		if serr != nil {
			// The connection failed: what was staged is committed, and
			// the next sync moves it (Seen) without fetching it again.
			queued = nil
			if errors.Is(serr, errShutdown) && ctx.Err() != nil {
				return nil
			}
			return serr
		}
		if prev != nil {
			prefix, fail := handled(prev)
			if fail != nil || !s.queuesMoves() {
				if err := moveAndMark(prev); err != nil {
					return err
				}
			} else {
				queued = &queuedMove{uids: prefix, done: prev.done}
			}
		}
		if cur.fail != nil {
			break // the rest waits in the inbox
		}
	}
	if committing != nil {
		f := committing
		committing = nil
		f.wait()
		return moveAndMark(f)
	}
	return nil
}

// inFlight is one fetch batch on its way: staged (Seen asked, bodies
// streamed to the handler), then committed in a goroutine, then finished
// (moved and bookmarked) by the session.
type inFlight struct {
	uids []goimap.UID // the batch's UIDs, up to the first one Seen failed on
	done map[goimap.UID]mailproc.Disposition
	gone map[goimap.UID]bool // expunged by someone else before we fetched
	// fetched are the UIDs whose bodies were asked for; each must end
	// with a disposition unless the batch failed.
	fetched []goimap.UID
	// cut is the first UID left for the next batch (Config.FetchBytes),
	// 0 if none: it and the ones after it were not fetched, not handled.
	cut   goimap.UID
	fail  error // the first handler failure while staging
	g     *group
	probe bool // the one mail retried first after a failure
	// committed is closed once the commit is over; cerr is its failure.
	committed chan struct{}
	cerr      error
	took      time.Duration // the commit's time
}

// commit starts committing the batch's staged mails in a goroutine and
// returns f; wait waits for it. The caller starts one only when the one
// before it is over, so the database sees the batches in UID order.
func (f *inFlight) commit(hctx context.Context) *inFlight {
	f.committed = make(chan struct{})
	go func() {
		defer close(f.committed)
		if f.g != nil {
			start := time.Now()
			f.cerr = f.g.commit(hctx)
			f.took = time.Since(start)
		}
	}()
	return f
}

func (f *inFlight) wait() { <-f.committed }

// batch is the handler's batch the mails were staged in; nil when none was.
func (f *inFlight) batch() mailproc.MailBatch {
	if f.g == nil {
		return nil
	}
	return f.g.b
}

// abort drops a staged batch that is not to be committed.
func (f *inFlight) abort() {
	if f.g != nil {
		f.g.b.Abort()
		f.g.staged = nil
	}
}

// stage asks which of uids the handler already has and streams the rest to
// it, without committing; err is a connection failure (the mails staged
// before it are still in the batch, to be committed).
//
// sent is called once the batch's body FETCH is on the wire (not when no
// body is fetched); a command it sends is answered after that FETCH.
func (s *session) stage(ctx, hctx context.Context, uids []goimap.UID, sent func() error) (f *inFlight, err error) {
	// The metadata asked for ahead is this batch's, if any: the one sent
	// while this batch is staged is the next one's.
	mine := s.ahead
	s.ahead = nil
	defer func() {
		if mine != nil && err == nil {
			err = s.drop(mine) // not used: every mail was handled before
		}
	}()
	f = &inFlight{
		uids: uids,
		done: make(map[goimap.UID]mailproc.Disposition, len(uids)),
		gone: map[goimap.UID]bool{},
	}
	var fetch []goimap.UID
	seenOne := s.seenBy(hctx, uids)
	for i, uid := range uids {
		disp, seen, err := seenOne(uid)
		if err != nil {
			f.fail = &handlerError{uid: uid, op: "seen", err: err}
			f.uids = uids[:i]
			break
		}
		if seen {
			if _, ok := destination(s.cfg, disp); !ok {
				f.fail = &handlerError{uid: uid, op: "seen", err: fmt.Errorf("unknown disposition %q", disp)}
				f.uids = uids[:i]
				break
			}
			f.done[uid] = disp
			s.log.Debug("mail already handled; moving it only", "uid", uid, "disposition", disp)
			continue
		}
		fetch = append(fetch, uid)
	}
	if len(fetch) > 0 && ctx.Err() == nil {
		ferr, err := s.fetchAndStage(ctx, hctx, f, fetch, mine, sent)
		mine = nil // read or dropped there
		if f.fail == nil {
			f.fail = ferr
		}
		if sb, ok := f.batch().(mailproc.SealingBatch); ok {
			sb.Seal() // started here; it runs beside the commit of the batch before
		}
		if err != nil {
			return f, err
		}
	}
	return f, nil
}

// seenBy returns the handler's Seen for the UIDs of a batch (ascending):
// one look-up for them all where the handler can (mailproc.RangeSeer),
// else one per mail. A failed range look-up is the first UID's failure.
func (s *session) seenBy(hctx context.Context, uids []goimap.UID) func(goimap.UID) (mailproc.Disposition, bool, error) {
	one := func(uid goimap.UID) (mailproc.Disposition, bool, error) {
		return s.in.Handler.Seen(hctx, s.delivery(uid))
	}
	rs, ok := s.in.Handler.(mailproc.RangeSeer)
	if !ok || len(uids) < 2 {
		return one
	}
	seen, err := rs.SeenRange(hctx, s.cfg.Inbox, s.state.UIDValidity, uint32(uids[0]), uint32(uids[len(uids)-1]))
	return func(uid goimap.UID) (mailproc.Disposition, bool, error) {
		if err != nil {
			return "", false, err
		}
		disp, ok := seen[uint32(uid)]
		return disp, ok, nil
	}
}

// moveBatch moves the handled prefix of a committed batch and returns its
// last UID (0: none) and the failure that ended it, if any: the first mail
// that failed stops the batch, and nothing after it is moved. err is the
// move's connection failure.
func (s *session) moveBatch(f *inFlight) (last goimap.UID, fail error) {
	prefix, fail := handled(f)
	if len(prefix) == 0 {
		return 0, fail
	}
	if err := s.moveAll(prefix, f.done); err != nil {
		return 0, err
	}
	return prefix[len(prefix)-1], fail
}

// handled is the prefix of a committed batch that may leave the inbox (every
// UID up to the first one not handled) and the failure that ended it, if
// any.
func handled(f *inFlight) (prefix []goimap.UID, fail error) {
	fail = f.fail
	if f.cerr != nil {
		fail = f.cerr // earlier in UID order than any failure after it
	}
	if fail == nil {
		for _, uid := range f.fetched {
			if _, ok := f.done[uid]; !ok {
				// The server listed it a moment ago but sent no body now.
				// Do not pass it: try again later.
				fail = &handlerError{uid: uid, op: "fetch", err: errors.New("server returned no body")}
				break
			}
		}
	}
	for _, uid := range f.uids {
		if _, ok := f.done[uid]; !ok && !f.gone[uid] {
			break
		}
		prefix = append(prefix, uid)
	}
	return prefix, fail
}

// saveBookmark advances the bookmark to uid (0: nothing to save). The
// mails up to it are moved already: should saving fail, the next sync
// starts from the old bookmark and simply does not find them any more.
func (s *session) saveBookmark(hctx context.Context, uid goimap.UID) error {
	if uid == 0 {
		return nil
	}
	st := s.state
	st.LastUID = uint32(uid)
	if err := s.in.Bookmarks.SetMailboxState(hctx, st); err != nil {
		return &handlerError{uid: uid, op: "save bookmark", err: err}
	}
	s.state = st
	return nil
}

// search returns the UIDs above the bookmark, ascending.
//
// Where the session reads metadata ahead (queuesMoves) and expects new
// mail (expect: see runSession), the first batch's metadata FETCH goes out right
// behind the SEARCH, for the first UIDs above the bookmark (firstGuess):
// new mail is numbered one after another, so they are nearly always the
// first batch's. A new mail then waits for one round trip (the SEARCH, the
// FETCH's reply behind it) before its body is asked for, where it waited
// for two, one after the other — on every acknowledgement, and a network's
// round trip each with a server elsewhere. A guess that misses (mail
// expunged by someone else meanwhile) is read and dropped when the batch is
// staged, and the metadata asked for again.
func (s *session) search(first int, expect bool) ([]goimap.UID, error) {
	last := s.state.LastUID
	if last == math.MaxUint32 {
		return nil, nil
	}
	criteria := &goimap.SearchCriteria{
		UID: []goimap.UIDSet{{{Start: goimap.UID(last + 1), Stop: 0}}}, // last+1:*
	}
	var data *goimap.SearchData
	err := s.guard(func() error {
		cmd := s.c.UIDSearch(criteria, nil)
		if expect && s.ahead == nil && s.queuesMoves() {
			// At most aheadMax: a new mail or a few are the usual find;
			// a longer batch drops the guess and asks again.
			if guess := firstGuess(last, min(first, aheadMax)); len(guess) > 0 {
				s.ahead = s.sendAhead(guess)
			}
		}
		var err error
		data, err = cmd.Wait()
		return err
	})
	if err != nil {
		if a := s.ahead; a != nil {
			s.ahead = nil
			s.drop(a) // a failure here is the connection's, reported already
		}
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
	d := mailproc.Delivery{Mailbox: s.cfg.Inbox, UIDValidity: s.state.UIDValidity, UID: uint32(uid)}
	if i, ok := slices.BinarySearch(s.queue, uid); ok {
		d.Behind = len(s.queue) - i - 1
	}
	return d
}

// mailMeta is what the first, cheap FETCH learns about a mail.
type mailMeta struct {
	arrived   time.Time
	size      int64
	messageID string // only in Watch mode with SkipOwn
}

// fetchAndStage streams the mails in uids to the batch's handler, without
// committing them: f.g holds what was staged, f.fetched the UIDs whose
// bodies were asked for, f.done the dispositions known already (oversize)
// and f.gone the UIDs that no longer exist. It stops handing mails over at
// the first failure, which it returns as ferr; err is a connection failure.
// Mails staged before either are kept in f.g, to be committed: a mail read
// whole is never thrown away.
//
// It fetches in two steps: UID INTERNALDATE RFC822.SIZE for the batch
// first (a few bytes per mail), then UID BODY.PEEK[] streamed. A server may
// send a message's items in any order, and the handler needs INTERNALDATE
// before the body begins; the first step makes that certain for one extra
// round trip per batch.
func (s *session) fetchAndStage(ctx, hctx context.Context, f *inFlight, uids []goimap.UID, ahead *metaAhead, sent func() error) (ferr, err error) {
	done, gone := f.done, f.gone
	set := goimap.UIDSetNum(uids...)

	meta := make(map[goimap.UID]mailMeta, len(uids))
	skip := s.skipsOwn()
	var bufs []*imapclient.FetchMessageBuffer
	if ahead.covers(uids) {
		bufs, err = s.collect(ahead)
	} else {
		if err := s.drop(ahead); err != nil {
			return nil, fmt.Errorf("uid fetch metadata ahead: %w", err)
		}
		err = s.guard(func() error {
			var err error
			bufs, err = s.c.Fetch(set, s.metaOptions()).Collect()
			return err
		})
	}
	for _, b := range bufs {
		if b.UID != 0 {
			m := mailMeta{arrived: b.InternalDate, size: b.RFC822Size}
			if b.Envelope != nil {
				m.messageID = b.Envelope.MessageID
			}
			meta[b.UID] = m
		}
	}
	if err != nil {
		return nil, fmt.Errorf("uid fetch %v metadata: %w", set, err)
	}
	var present []goimap.UID
	var oerr error // an oversize mail the handler could not take: later mails wait
	skipped := 0
	var bytes int64 // of present
	for i, uid := range uids {
		if m, ok := meta[uid]; ok && skip && m.messageID != "" && s.cfg.SkipOwn(m.messageID) {
			done[uid] = mailproc.Duplicate // our own sent mail: nothing to learn from it
			skipped++
		} else if ok && s.cfg.MaxMessageSize > 0 && m.size > s.cfg.MaxMessageSize {
			if oerr = s.oversize(hctx, uid, m, done); oerr != nil {
				break
			}
		} else if ok {
			if len(present) > 0 && bytes+m.size > s.cfg.FetchBytes {
				// The batch is full by size: this mail and the ones
				// after it are the next batch's.
				f.cut = uid
				s.log.Debug("batch full by size; the rest waits for the next batch", "bytes", bytes, "left", len(uids)-i)
				break
			}
			present = append(present, uid)
			bytes += m.size
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
	if err := sent(); err != nil {
		cmd.Close()
		return ferr, err
	}
	// The mails are staged as they stream in; the caller commits them
	// together once the FETCH is read, or when it was cut short.
	g := &group{s: s, b: batchOf(s.in.Handler), done: done}
	f.g, f.fetched = g, present
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
			// Shutdown: the mails in hand are to be committed. Draining the
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
	return ferr, nil
}

// taken is how many of batch (ascending: the UIDs stage was given, not
// f.uids, which a failed look-up shortens) this batch took; those from
// cut on are the next batch's.
func (f *inFlight) taken(batch []goimap.UID) int {
	if f.cut == 0 {
		return len(batch)
	}
	i, _ := slices.BinarySearch(batch, f.cut)
	return i
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

// Abort implements mailproc.MailBatch: each mail was committed in Add.
func (o *oneByOne) Abort() { o.res = nil }

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
		// The handler logs each mail it stores, with its case; this line
		// is the adapter's view of the same, for debugging.
		g.s.log.Debug("mail ingested", "uid", m.uid, "size", m.size, "disposition", res.Disposition,
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
	byDest, order := byDestination(s.cfg, uids, done)
	for _, dest := range order {
		start := time.Now()
		if err := s.move(byDest[dest], dest); err != nil {
			return err
		}
		s.logMoved(dest, byDest[dest], start)
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

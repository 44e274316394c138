package imap

import (
	"math"
	"slices"

	goimap "github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// metaAhead is the next batch's metadata FETCH (INTERNALDATE, size), sent
// behind the current batch's body FETCH and read when that next batch is
// staged: its round trip overlaps the work on the batch before, where it
// used to open every batch. Against a server across a network, that is one
// round trip a batch less on the intake's path.
type metaAhead struct {
	uids []goimap.UID
	cmd  *imapclient.FetchCommand
}

// aheadMax is the most UIDs a metadata FETCH is asked for ahead. Until the
// session reads it, go-imap holds its responses in a buffer of 128 and then
// stops reading the connection; Dovecot answers pipelined FETCH commands
// side by side, so a larger reply read ahead can fill that buffer while the
// session still waits for the body FETCH sent before it, and the session
// waits for ever (imap.fetch_batch = 200 did). A larger batch is not read
// ahead, and the guess behind the SEARCH is at most this long: a larger
// batch's one round trip is small beside the batch's own time.
const aheadMax = 100

// readsAhead says whether a batch of n mails has its metadata asked for
// ahead (see aheadMax).
func readsAhead(n int) bool { return n > 0 && n <= aheadMax }

// skipsOwn says whether the session passes over its own sent mail by
// Message-ID (a watched Sent folder with SkipOwn).
func (s *session) skipsOwn() bool { return s.cfg.Watch && s.cfg.SkipOwn != nil }

// metaOptions is what the metadata FETCH asks for: the Message-ID too when
// the session passes over its own sent mail.
func (s *session) metaOptions() *goimap.FetchOptions {
	return &goimap.FetchOptions{UID: true, InternalDate: true, RFC822Size: true, Envelope: s.skipsOwn()}
}

// askAhead sends the metadata FETCH for uids without reading its reply.
func (s *session) askAhead(uids []goimap.UID) (*metaAhead, error) {
	var a *metaAhead
	err := s.guard(func() error {
		a = s.sendAhead(uids)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// sendAhead is askAhead for a caller already under the session's guard.
func (s *session) sendAhead(uids []goimap.UID) *metaAhead {
	a := &metaAhead{uids: slices.Clone(uids)}
	a.cmd = s.c.Fetch(goimap.UIDSetNum(a.uids...), s.metaOptions())
	return a
}

// firstGuess is the UIDs the first batch of a sync most likely holds: the
// first ones above the bookmark last, at most first of them.
func firstGuess(last uint32, first int) []goimap.UID {
	var uids []goimap.UID
	for u := uint64(last) + 1; len(uids) < first && u < math.MaxUint32; u++ {
		uids = append(uids, goimap.UID(u))
	}
	return uids
}

// covers says whether the FETCH asked for every one of uids (both
// ascending, as search returns them).
func (a *metaAhead) covers(uids []goimap.UID) bool {
	if a == nil {
		return false
	}
	for _, u := range uids {
		if _, ok := slices.BinarySearch(a.uids, u); !ok {
			return false
		}
	}
	return true
}

// collect reads the reply (the UIDs not wanted are simply not used).
func (s *session) collect(a *metaAhead) ([]*imapclient.FetchMessageBuffer, error) {
	var bufs []*imapclient.FetchMessageBuffer
	err := s.guard(func() error {
		var err error
		bufs, err = a.cmd.Collect()
		return err
	})
	return bufs, err
}

// drop reads and discards the reply of a FETCH that is not needed after
// all: the client's reader would otherwise wait for someone to take it.
// Its error is the connection's, for the caller that still cares.
func (s *session) drop(a *metaAhead) error {
	if a == nil {
		return nil
	}
	return s.guard(a.cmd.Close)
}

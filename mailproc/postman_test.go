package mailproc

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"
)

// memOutbox is an OutboxStore in memory: every mail is due at once, in id
// order; it records what was marked sent and copied.
type memOutbox struct {
	mu     sync.Mutex
	mails  []*OutgoingMail
	copied map[int64]bool
	raw    map[int64][]byte // kept for a Sent copy
}

func (o *memOutbox) DueMail(_ context.Context, now time.Time, n int) ([]*OutgoingMail, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []*OutgoingMail
	for l := LaneCitizen; l <= LaneBurst; l++ {
		for _, m := range o.mails {
			if m.State == OutboxPending && m.Lane() == l && !m.NextAttempt.After(now) && len(out) < n {
				c := *m
				out = append(out, &c)
			}
		}
	}
	return out, nil
}

// add queues m (its ID is set).
func (o *memOutbox) add(m *OutgoingMail) {
	o.mu.Lock()
	defer o.mu.Unlock()
	m.ID, m.State = int64(len(o.mails)+1), OutboxPending
	o.mails = append(o.mails, m)
}

func (o *memOutbox) NextAttempt(context.Context) (time.Time, bool, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, m := range o.mails {
		if m.State == OutboxPending {
			return m.NextAttempt, true, nil
		}
	}
	return time.Time{}, false, nil
}

func (o *memOutbox) MarkSentMany(_ context.Context, sent []SentMark) ([]error, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	errs := make([]error, len(sent))
	for i, s := range sent {
		m := o.mails[s.ID-1]
		if m.State != OutboxPending {
			errs[i] = fmt.Errorf("mail %d is %s", s.ID, m.State)
			continue
		}
		m.State, m.SentAt = OutboxSent, s.At
		if s.Raw != nil {
			o.raw[s.ID] = s.Raw
		}
	}
	return errs, nil
}

func (o *memOutbox) MarkCopiedMany(_ context.Context, ids []int64, _ time.Time) ([]error, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, id := range ids {
		o.copied[id] = true
		delete(o.raw, id)
	}
	return make([]error, len(ids)), nil
}

func (o *memOutbox) MarkCopied(ctx context.Context, id int64, at time.Time) error {
	_, err := o.MarkCopiedMany(ctx, []int64{id}, at)
	return err
}

func (o *memOutbox) MarkRetry(context.Context, int64, int, time.Time, string) error { return nil }
func (o *memOutbox) MarkFailed(_ context.Context, id int64, attempts int, why string, _ *OutgoingMail, _ *Event) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	m := o.mails[id-1]
	m.State, m.Attempts, m.LastError = OutboxFailed, attempts, why
	return nil
}
func (o *memOutbox) SetCopyPending(_ context.Context, id int64, raw []byte) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.raw[id] = raw
	return nil
}

func (o *memOutbox) CopyPending(_ context.Context, n int) ([]PendingCopy, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []PendingCopy
	for _, m := range o.mails {
		if raw, ok := o.raw[m.ID]; ok && len(out) < n {
			out = append(out, PendingCopy{ID: m.ID, Raw: raw, SentAt: m.SentAt})
		}
	}
	return out, nil
}

// keptCopies is how many copies wait in the store.
func (o *memOutbox) keptCopies() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.raw)
}

// counts is how many mails were marked sent and copied.
func (o *memOutbox) counts() (sent, copied int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, m := range o.mails {
		if m.State == OutboxSent {
			sent++
		}
	}
	return sent, len(o.copied)
}

// newMemOutbox holds n staff notifications due at now (an unpaced lane).
func newMemOutbox(n int, now time.Time) *memOutbox {
	o := &memOutbox{copied: map[int64]bool{}, raw: map[int64][]byte{}}
	for i := range n {
		o.mails = append(o.mails, &OutgoingMail{ID: int64(i + 1), Purpose: PurposeNotify, State: OutboxPending,
			MessageID: fmt.Sprintf("m%d@desk.test", i+1), NextAttempt: now, CreatedAt: now})
	}
	return o
}

// okSender accepts every mail and records the order.
type okSender struct {
	mu   sync.Mutex
	sent []string // Message-IDs
}

func (s *okSender) SendMail(_ context.Context, m *OutgoingMail) (SentMail, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sent = append(s.sent, m.MessageID)
	return SentMail{Raw: []byte("Message-ID: <" + m.MessageID + ">\r\n\r\nx\r\n")}, nil
}

func (s *okSender) order() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.sent)
}

// gateCopier is a Sent folder that makes each append wait until the test
// opens the gate; appends counts those made.
type gateCopier struct {
	gate    chan struct{}
	mu      sync.Mutex
	appends int
}

func (c *gateCopier) AppendSent(context.Context, SentMail, time.Time) error {
	<-c.gate
	c.mu.Lock()
	defer c.mu.Unlock()
	c.appends++
	return nil
}

func (c *gateCopier) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.appends
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func runPostman(t *testing.T, store OutboxStore, copier SentCopier) (p *Postman, stop func()) {
	return runPostmanWith(t, store, &okSender{}, copier)
}

func runPostmanWith(t *testing.T, store OutboxStore, sender Sender, copier SentCopier) (p *Postman, stop func()) {
	t.Helper()
	p = NewPostman(Postman{Store: store, Sender: sender, Copier: copier, Connections: 2,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	return p, func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}
}

// sentWithSentFolderStuck runs a postman over n queued mails with a Sent
// folder that does not answer until copier.gate is closed, and returns
// once every mail is sent.
func sentWithSentFolderStuck(t *testing.T, n int) (*memOutbox, *gateCopier, func()) {
	t.Helper()
	store := newMemOutbox(n, time.Now())
	copier := &gateCopier{gate: make(chan struct{})}
	_, stop := runPostman(t, store, copier)
	waitUntil(t, "every mail sent", func() bool { s, _ := store.counts(); return s == n })
	return store, copier, stop
}

// TestPostmanCopiesApart: a Sent folder that does not answer holds no mail
// back (issue 14: the appends took the senders' time under a backlog);
// once it answers, every sent mail gets its copy and is marked copied.
func TestPostmanCopiesApart(t *testing.T) {
	const n = copyQueueMax / 2
	store, copier, stop := sentWithSentFolderStuck(t, n)
	defer stop()
	if got := copier.count(); got != 0 {
		t.Fatalf("%d copies made while the Sent folder was stuck", got)
	}
	close(copier.gate)
	waitUntil(t, "every copy marked", func() bool { _, c := store.counts(); return c == n })
	if got := copier.count(); got != n {
		t.Errorf("%d copies appended, want %d", got, n)
	}
}

// TestPostmanCopiesKept: when more mails are sent than the copy queue
// holds while the Sent folder does not answer, every mail is still sent;
// the copies beyond the queue are kept in the store (memory stays
// bounded), and once the folder answers every mail gets its copy.
func TestPostmanCopiesKept(t *testing.T) {
	const n = 4 * copyQueueMax
	store, copier, stop := sentWithSentFolderStuck(t, n)
	defer stop()
	// In memory: the queue and the group the copier took from it.
	if kept := store.keptCopies(); kept < n-copyQueueMax-copyGroupMax {
		t.Errorf("%d copies kept in the store, want at least %d", kept, n-copyQueueMax-copyGroupMax)
	}
	close(copier.gate)
	waitUntil(t, "every copy made and marked", func() bool { _, c := store.counts(); return c == n })
	if got := copier.count(); got != n {
		t.Errorf("%d copies appended, want %d (one each)", got, n)
	}
	if kept := store.keptCopies(); kept != 0 {
		t.Errorf("%d copies still kept after they were made", kept)
	}
}

// TestPostmanStopMakesQueuedCopies: Run returns only once the copies of
// the mails it sent are made.
func TestPostmanStopMakesQueuedCopies(t *testing.T) {
	const n = copyQueueMax / 2
	store, copier, stop := sentWithSentFolderStuck(t, n)
	go func() {
		time.Sleep(50 * time.Millisecond)
		close(copier.gate)
	}()
	stop()
	if _, c := store.counts(); c != n {
		t.Errorf("Run returned with %d of %d copies made", c, n)
	}
}

// TestPostmanPacesBurst: the notifications a burst digest listed go at
// most one per BurstPace; a citizen's mail queued meanwhile goes next, not
// after them.
func TestPostmanPacesBurst(t *testing.T) {
	const n = 20
	now := time.Now()
	store := newMemOutbox(0, now)
	for i := range n {
		store.add(&OutgoingMail{Purpose: PurposeNotify, Burst: true, MessageID: fmt.Sprintf("burst%d@desk.test", i),
			NextAttempt: now, CreatedAt: now})
	}
	sender := &okSender{}
	began := time.Now()
	p, stop := runPostmanWith(t, store, sender, nil)
	defer stop()
	waitUntil(t, "three notifications sent", func() bool { return len(sender.order()) >= 3 })
	store.add(&OutgoingMail{Purpose: PurposeAck, MessageID: "ack@desk.test", NextAttempt: now, CreatedAt: now})
	p.Wake()
	waitUntil(t, "every mail sent", func() bool { s, _ := store.counts(); return s == n+1 })
	if took := time.Since(began); took < (n-1)*BurstPace {
		t.Errorf("%d burst notifications sent in %v, want at least %v", n, took, (n-1)*BurstPace)
	}
	order := sender.order()
	if i := slices.Index(order, "ack@desk.test"); i < 0 || i >= n {
		t.Errorf("the acknowledgement went out %dth of %d: %v", i+1, len(order), order)
	}
}

// TestPostmanPacesCitizenBacklog: a whole batch of citizen mail due (a
// start-up backlog of acknowledgements) goes at most one per
// CitizenBacklogPace.
func TestPostmanPacesCitizenBacklog(t *testing.T) {
	const n = postmanBatch
	now := time.Now()
	store := newMemOutbox(0, now)
	for i := range n {
		store.add(&OutgoingMail{Purpose: PurposeAck, MessageID: fmt.Sprintf("ack%d@desk.test", i), NextAttempt: now, CreatedAt: now})
	}
	began := time.Now()
	_, stop := runPostman(t, store, nil)
	defer stop()
	waitUntil(t, "every mail sent", func() bool { s, _ := store.counts(); return s == n })
	if took := time.Since(began); took < (n-1)*CitizenBacklogPace {
		t.Errorf("a backlog of %d acknowledgements sent in %v, want at least %v", n, took, (n-1)*CitizenBacklogPace)
	}
}

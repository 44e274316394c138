package imap

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	goimap "github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"

	"github.com/dpk-kampar/mailproc/mailproc"
)

const (
	testUser     = "layanan"
	testPassword = "rahasia"
	quarantineMe = "X-TEST-QUARANTINE"
)

// Capability sets for the in-memory server. IMAP4rev1 servers built with
// imapserver always advertise IDLE after login.
var (
	capsFull    = goimap.CapSet{goimap.CapIMAP4rev1: {}, goimap.CapIMAP4rev2: {}} // MOVE, UIDPLUS, IDLE
	capsUIDPlus = goimap.CapSet{goimap.CapIMAP4rev1: {}, goimap.CapUIDPlus: {}}   // no MOVE
	capsBare    = goimap.CapSet{goimap.CapIMAP4rev1: {}}                          // no MOVE, no UIDPLUS
)

// logSink passes log lines to t.Logf until the test ends; servers and the
// intake may still write a line or two while shutting down.
type logSink struct {
	mu   sync.Mutex
	t    testing.TB
	done bool
}

func (w *logSink) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.done {
		w.t.Logf("%s", bytes.TrimRight(p, "\n"))
	}
	return len(p), nil
}

func (w *logSink) Printf(format string, args ...any) {
	fmt.Fprintf(w, "server: "+format, args...)
}

func newLogSink(t testing.TB) *logSink {
	w := &logSink{t: t}
	t.Cleanup(func() { w.mu.Lock(); w.done = true; w.mu.Unlock() })
	return w
}

// syncBuffer collects the server's protocol trace.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// testServer is imapmemserver behind a real listener on 127.0.0.1. The
// backend (mem, user) outlives restarts of the listener.
type testServer struct {
	t     testing.TB
	log   *logSink
	mem   *imapmemserver.Server
	user  *imapmemserver.User
	caps  goimap.CapSet
	tls   *tls.Config // STARTTLS config; nil: none
	ltls  bool        // implicit TLS listener
	trace syncBuffer  // every byte both ways, for asserting which commands ran

	mu   sync.Mutex
	addr string
	srv  *imapserver.Server
}

func newTestServer(t testing.TB, log *logSink, caps goimap.CapSet) *testServer {
	ts := &testServer{t: t, log: log, mem: imapmemserver.New(), caps: caps, addr: "127.0.0.1:0"}
	ts.user = imapmemserver.NewUser(testUser, testPassword)
	if err := ts.user.Create("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	ts.mem.AddUser(ts.user)
	return ts
}

// start listens (on the previous address after a stop) and serves.
func (ts *testServer) start() {
	ts.t.Helper()
	ts.mu.Lock()
	defer ts.mu.Unlock()
	var ln net.Listener
	var err error
	for deadline := time.Now().Add(5 * time.Second); ; {
		ln, err = net.Listen("tcp", ts.addr)
		if err == nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err != nil {
		ts.t.Fatalf("listen %s: %v", ts.addr, err)
	}
	ts.addr = ln.Addr().String()
	if ts.ltls {
		ln = tls.NewListener(ln, ts.tls)
	}
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return ts.mem.NewSession(), nil, nil
		},
		Caps:         ts.caps,
		InsecureAuth: ts.tls == nil,
		TLSConfig:    ts.tls,
		Logger:       ts.log,
		DebugWriter:  &ts.trace,
	})
	ts.srv = srv
	go srv.Serve(ln)
}

// stop closes the listener and every connection, like a server going down.
func (ts *testServer) stop() {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ts.srv != nil {
		ts.srv.Close()
		ts.srv = nil
	}
}

func (ts *testServer) Addr() string {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return ts.addr
}

type literal struct{ *bytes.Reader }

func (l literal) Size() int64 { return l.Reader.Size() }

func (ts *testServer) appendMail(mailbox string, raw []byte, flags ...goimap.Flag) goimap.UID {
	ts.t.Helper()
	data, err := ts.user.Append(mailbox, literal{bytes.NewReader(raw)}, &goimap.AppendOptions{Flags: flags, Time: arrivedAt})
	if err != nil {
		ts.t.Fatalf("append: %v", err)
	}
	return data.UID
}

// fillInbox appends test mails 1 to n to the INBOX.
func (ts *testServer) fillInbox(n int, body string) {
	ts.t.Helper()
	for i := 1; i <= n; i++ {
		ts.appendMail("INBOX", testMail(i, body))
	}
}

type boxStatus struct {
	messages, unseen, deleted uint32
	uidValidity               uint32
}

func (ts *testServer) status(mailbox string) boxStatus {
	ts.t.Helper()
	d, err := ts.user.Status(mailbox, &goimap.StatusOptions{NumMessages: true, NumUnseen: true, NumDeleted: true, UIDValidity: true})
	if err != nil {
		return boxStatus{} // not created yet
	}
	return boxStatus{messages: *d.NumMessages, unseen: *d.NumUnseen, deleted: *d.NumDeleted, uidValidity: d.UIDValidity}
}

func (ts *testServer) count(mailbox string) int { return int(ts.status(mailbox).messages) }

// arrivedAt is the INTERNALDATE of every test mail.
var arrivedAt = time.Date(2026, 3, 2, 8, 15, 0, 0, time.FixedZone("WIB", 7*3600))

func testMail(i int, body string) []byte {
	return []byte(fmt.Sprintf("From: Warga %d <warga%d@example.id>\r\nTo: layanan@pustakaarsip.kamparkab.go.id\r\n"+
		"Subject: Permohonan informasi %d\r\nMessage-ID: <mail-%d@example.id>\r\nDate: Mon, 2 Mar 2026 08:00:00 +0700\r\n\r\n%s\r\n",
		i, i, i, i, body))
}

// testHandler stands in for the intake service: it remembers mails by
// Message-ID (Duplicate for repeats), quarantines mails whose head carries
// quarantineMe, and records every call.
type testHandler struct {
	mu         sync.Mutex
	byMsgID    map[string]int // Message-ID → times stored (must stay 1)
	deliveries map[mailproc.Delivery]mailproc.Disposition
	ingests    []ingestRecord
	seenCalls  []uint32
	oversize   []oversizeRecord
	fail       func(d mailproc.Delivery) error // before reading; nil: never
	// onIngest, when set, runs at the start of Ingest (outside the lock).
	onIngest func(ctx context.Context, d mailproc.Delivery)
}

type ingestRecord struct {
	Delivery    mailproc.Delivery
	MessageID   string
	Size        int64
	SHA256      [32]byte
	Disposition mailproc.Disposition
	Err         error
}

func newTestHandler() *testHandler {
	return &testHandler{byMsgID: map[string]int{}, deliveries: map[mailproc.Delivery]mailproc.Disposition{}}
}

func key(d mailproc.Delivery) mailproc.Delivery { d.Arrived, d.Behind = time.Time{}, 0; return d }

func (h *testHandler) Seen(ctx context.Context, d mailproc.Delivery) (mailproc.Disposition, bool, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.seenCalls = append(h.seenCalls, d.UID)
	disp, ok := h.deliveries[key(d)]
	return disp, ok, nil
}

func (h *testHandler) Ingest(ctx context.Context, d mailproc.Delivery, r io.Reader) (mailproc.IngestResult, error) {
	h.mu.Lock()
	fail, onIngest := h.fail, h.onIngest
	h.mu.Unlock()
	if onIngest != nil {
		onIngest(ctx, d)
	}
	if err := h.failed(fail, d); err != nil {
		return mailproc.IngestResult{}, err
	}
	// Stream: hash everything, keep only the first 64 KiB to read headers.
	hash := sha256.New()
	head := &headBuffer{max: 64 << 10}
	n, err := io.Copy(io.MultiWriter(hash, head), r)
	if err != nil {
		return mailproc.IngestResult{}, err
	}
	rec := ingestRecord{Delivery: d, Size: n, MessageID: headerValue(head.String(), "Message-ID")}
	hash.Sum(rec.SHA256[:0])

	h.mu.Lock()
	defer h.mu.Unlock()
	switch {
	case strings.Contains(head.String(), quarantineMe):
		rec.Disposition = mailproc.Quarantined
	case h.byMsgID[rec.MessageID] > 0:
		rec.Disposition = mailproc.Duplicate
	default:
		rec.Disposition = mailproc.Stored
		h.byMsgID[rec.MessageID]++
	}
	h.ingests = append(h.ingests, rec)
	h.deliveries[key(d)] = rec.Disposition
	return mailproc.IngestResult{Disposition: rec.Disposition}, nil
}

// Oversize quarantines, like the Ingester, and records the call (with the
// size the server reported) as an ingest of no bytes read.
func (h *testHandler) Oversize(ctx context.Context, d mailproc.Delivery, size, max int64) (mailproc.IngestResult, error) {
	h.mu.Lock()
	fail := h.fail
	h.mu.Unlock()
	if err := h.failed(fail, d); err != nil {
		return mailproc.IngestResult{}, err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.oversize = append(h.oversize, oversizeRecord{Delivery: d, Size: size, Max: max})
	h.deliveries[key(d)] = mailproc.Quarantined
	return mailproc.IngestResult{Disposition: mailproc.Quarantined}, nil
}

// failed runs fail (if set) for d and records a failure as an attempt.
func (h *testHandler) failed(fail func(mailproc.Delivery) error, d mailproc.Delivery) error {
	if fail == nil {
		return nil
	}
	err := fail(d)
	if err != nil {
		h.mu.Lock()
		h.ingests = append(h.ingests, ingestRecord{Delivery: d, Err: err})
		h.mu.Unlock()
	}
	return err
}

type oversizeRecord struct {
	Delivery  mailproc.Delivery
	Size, Max int64
}

func (h *testHandler) setFail(f func(d mailproc.Delivery) error) {
	h.mu.Lock()
	h.fail = f
	h.mu.Unlock()
}

// records returns the successful ingests.
func (h *testHandler) records() []ingestRecord {
	h.mu.Lock()
	defer h.mu.Unlock()
	var l []ingestRecord
	for _, r := range h.ingests {
		if r.Err == nil {
			l = append(l, r)
		}
	}
	return l
}

// attempts counts Ingest calls (failed ones too) for a UID.
func (h *testHandler) attempts(uid uint32) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, r := range h.ingests {
		if r.Delivery.UID == uid {
			n++
		}
	}
	return n
}

func (h *testHandler) storedTwice() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var l []string
	for id, n := range h.byMsgID {
		if n > 1 {
			l = append(l, id)
		}
	}
	return l
}

func (h *testHandler) stored() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.byMsgID)
}

type headBuffer struct {
	bytes.Buffer
	max int
}

func (b *headBuffer) Write(p []byte) (int, error) {
	if room := b.max - b.Len(); room > 0 {
		b.Buffer.Write(p[:min(room, len(p))])
	}
	return len(p), nil
}

func headerValue(head, name string) string {
	for _, line := range strings.Split(head, "\r\n") {
		if line == "" {
			break
		}
		if k, v, ok := strings.Cut(line, ":"); ok && strings.EqualFold(k, name) {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// memBookmarks keeps bookmarks in memory and remembers every save.
type memBookmarks struct {
	mu      sync.Mutex
	m       map[string]mailproc.MailboxState
	history []mailproc.MailboxState
}

func newBookmarks() *memBookmarks { return &memBookmarks{m: map[string]mailproc.MailboxState{}} }

func (b *memBookmarks) MailboxState(ctx context.Context, mailbox string) (mailproc.MailboxState, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.m[mailbox], nil
}

func (b *memBookmarks) SetMailboxState(ctx context.Context, st mailproc.MailboxState) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.m[st.Mailbox] = st
	b.history = append(b.history, st)
	return nil
}

func (b *memBookmarks) get(mailbox string) mailproc.MailboxState {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.m[mailbox]
}

func (b *memBookmarks) maxLastUID() uint32 {
	b.mu.Lock()
	defer b.mu.Unlock()
	var m uint32
	for _, st := range b.history {
		m = max(m, st.LastUID)
	}
	return m
}

// env ties a server, a handler and bookmarks together for one test.
type env struct {
	t   *testing.T
	log *logSink
	srv *testServer
	h   *testHandler
	bm  *memBookmarks
}

func newEnv(t *testing.T, caps goimap.CapSet) *env {
	log := newLogSink(t) // registered first: its cleanup runs last
	e := &env{t: t, log: log, srv: newTestServer(t, log, caps), h: newTestHandler(), bm: newBookmarks()}
	e.srv.start()
	t.Cleanup(e.srv.stop)
	return e
}

func (e *env) config() Config {
	return Config{
		Addr:         e.srv.Addr(),
		TLS:          TLSNone,
		Username:     testUser,
		Password:     testPassword,
		PollInterval: 50 * time.Millisecond,
		IDLE:         true,
		ReconnectMin: 10 * time.Millisecond,
		ReconnectMax: 100 * time.Millisecond,
		FetchBatch:   7,
		Timeout:      5 * time.Second,
	}
}

// running is an Intake running in a goroutine.
type running struct {
	*Intake
	cancel context.CancelFunc
	done   chan error
}

// run starts an intake with the env's config, adjusted by mod.
func (e *env) run(mod func(*Intake)) *running {
	in := &Intake{
		Config:    e.config(),
		Handler:   e.h,
		Bookmarks: e.bm,
		Logger:    slog.New(slog.NewTextHandler(e.log, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	if mod != nil {
		mod(in)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{Intake: in, cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- in.Run(ctx) }()
	e.t.Cleanup(func() { r.stop(e.t) })
	return r
}

// stop cancels Run and waits for it; Run must return nil, promptly.
func (r *running) stop(t testing.TB) {
	t.Helper()
	r.cancel()
	select {
	case err, ok := <-r.done:
		if ok && err != nil {
			t.Errorf("Run returned %v, want nil", err)
		}
		if ok {
			close(r.done)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return within 10s of cancel")
	}
}

// syncs waits for n more completed syncs.
func (r *running) syncs(t testing.TB, n int) {
	t.Helper()
	for range n {
		last := r.Status().LastSync
		waitFor(t, 10*time.Second, "next sync", func() bool { return r.Status().LastSync.After(last) })
	}
}

// firstSync waits until the session has synced once. Right after run, a
// sync may already have happened: syncs, which waits for a later one,
// would then wait in vain where nothing else makes the session sync.
func (r *running) firstSync(t testing.TB) {
	t.Helper()
	waitFor(t, 10*time.Second, "first sync", func() bool { return !r.Status().LastSync.IsZero() })
}

func waitFor(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// countingConn counts the bytes the client read off the socket.
type countingConn struct {
	net.Conn
	n *atomic.Int64
}

func (c countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// selfSigned makes a certificate for 127.0.0.1.
func selfSigned(t testing.TB) (tls.Certificate, *x509.CertPool) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "127.0.0.1"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pool
}

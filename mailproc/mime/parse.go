// Package mime turns a raw mail (RFC 5322, MIME) into a mailproc.Message.
//
// Mail reaches the desk from Gmail, phones, Outlook and old gateways, often
// broken in small ways, sometimes hostile, sometimes with a 50 MB scan
// attached. So Parse reads the mail once, as a stream, in bounded memory:
// attachments are decoded only to be counted, text is kept up to a bound, and
// every value copied into the Message is bounded. Broken input degrades into
// a Note instead of an error; Parse fails only when the input cannot be a
// case at all.
//
// go-message provides the charsets (github.com/emersion/go-message/charset).
// Header sections, multipart splitting and transfer decoding are done here,
// because go-message's versions of them are strict where mail is not and
// unbounded where input is hostile; each replacement says why. So is the
// reading of Outlook's winmail.dat (tnef.go), for which no module exists
// here: the files inside it are listed after it.
package mime

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/dpk-kampar/mailproc/mailproc"
)

// DefaultMaxText is the default bound on stored text: far more than anyone
// writes to a public desk, small enough for every row and notification.
const DefaultMaxText = 256 << 10

// htmlFactor bounds the HTML read for an HTML-only mail, relative to
// MaxText: markup is several times the size of the text it carries.
const htmlFactor = 4

// Structural bounds against hostile mail.
const (
	maxDepth       = 20    // multipart nesting
	maxParts       = 10000 // parts in one mail
	maxAttachments = 200
	maxNotes       = 50
	maxNoteBytes   = 300
	maxBoundary    = 200 // RFC 2046 says 70
)

// Options tune Parse.
type Options struct {
	// MaxText bounds Message.Text in bytes (default DefaultMaxText). Longer
	// text is cut and Message.TextTruncated set.
	MaxText int
	// Logger receives a debug line per parsed mail; nil discards. Bodies and
	// subjects are never logged.
	Logger *slog.Logger
}

// Errors returned by Parse. Anything else wraps the reader's own error.
var (
	ErrEmpty     = errors.New("mime: empty message")
	ErrNoHeader  = errors.New("mime: no header")
	ErrNoContent = errors.New("mime: no sender address and no content")
)

// Parse reads a raw mail from r and returns what mailproc needs of it.
//
// r is read as a stream and, on success, to its end; the whole mail is never
// held in memory (the caller archives and hashes the raw bytes as they pass).
// MessageID is left empty when the mail has no usable one: the caller makes a
// synthetic id from the hash. Size, SHA256 and the storage fields are the
// caller's to fill.
//
// Parse fails only for empty input (ErrEmpty), input that does not start
// with a header (ErrNoHeader), a mail with neither a From address nor any
// text or attachment (ErrNoContent), or an error from r itself (wrapped).
// Everything else it had to work around is listed in Message.Notes.
func Parse(r io.Reader, opts Options) (*mailproc.Message, error) {
	if opts.MaxText <= 0 {
		opts.MaxText = DefaultMaxText
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	src := &source{r: r}
	bufs := getParseBufs(src)
	defer bufs.put()
	br := bufs.br
	p := &parser{opts: opts, msg: &mailproc.Message{}, scratch: bufs.scratch}

	h, err := p.readMailHeader(br, src)
	if err != nil {
		return nil, err
	}
	p.fillHeader(h)
	p.entity(h, br, "", 0, walkCtx{})
	p.flushHTML()
	p.tnefBody()
	p.count(br) // the epilogue, or whatever was not read
	if src.err != nil {
		return nil, fmt.Errorf("mime: read body: %w", src.err)
	}
	if src.loneCRs > 0 {
		p.note("%d line end(s) of a lone CR read as line breaks", src.loneCRs)
	}
	m := p.finish()
	log.Debug("mime: parsed",
		"parts", p.parts, "attachments", len(m.Attachments), "text_bytes", len(m.Text),
		"text_truncated", m.TextTruncated, "from_html", m.FromHTML, "notes", len(m.Notes))
	if m.From.Addr == "" && strings.TrimSpace(m.Text) == "" && len(m.Attachments) == 0 {
		return nil, ErrNoContent
	}
	return m, nil
}

// source remembers the first error of the caller's reader, so that an I/O
// failure is reported as such and never mistaken for a broken mail. It also
// turns a lone CR (old Mac mailers, some gateways: CR-only or mixed line
// ends) into LF, so every line reader sees LF or CRLF; the archive keeps
// the bytes as they came.
type source struct {
	r       io.Reader
	err     error
	heldCR  bool // the last byte read was a CR whose next byte is unknown
	loneCRs int  // lone CRs read as line ends
}

func (s *source) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	off := 0
	if s.heldCR {
		p[0], off, s.heldCR = '\r', 1, false
	}
	n, err := s.r.Read(p[off:])
	if err != nil && err != io.EOF && s.err == nil {
		s.err = err
	}
	n += off
	for i := 0; i+1 < n; i++ {
		if p[i] == '\r' && p[i+1] != '\n' {
			p[i] = '\n'
			s.loneCRs++
		}
	}
	if n > 0 && p[n-1] == '\r' {
		if err == nil {
			s.heldCR, n = true, n-1 // decide when the next byte is known
		} else {
			p[n-1] = '\n' // the last byte of the mail
			s.loneCRs++
		}
	}
	return n, err
}

// parser holds the state of one Parse call.
type parser struct {
	opts    Options
	msg     *mailproc.Message
	scratch []byte

	parts     int
	altGroups int // multipart/alternative entities seen, to tell groups apart

	text      strings.Builder
	textSet   bool
	textAlt   int // alternative group of the first text part (0: none)
	truncated bool

	html    []byte // pending HTML, converted at the end if no plain text came
	htmlSet bool
	htmlAlt int

	nullFrom bool // From: <>, as some mail systems write their reports

	returned returnedCopy // addresses of a bounce's returned copy (report.go)

	tnefText string // the body found in a winmail.dat (see tnef.go)
	tnefMore bool

	attachmentsDropped int
	notes              []string
	notesDropped       int

	b64 *base64Reader // reused from part to part
	qp  *qpReader

	splitters [maxDepth + 1]splitter
	splitBufs [maxDepth + 1]*bufio.Reader
	partBufs  [maxDepth + 1]*bufio.Reader

	// OpenPart walks the mail with the same code, looking for one part
	// instead of reading them all (see part.go).
	target    string    // the section wanted; "" when parsing
	found     io.Reader // its decoded body, once reached
	targetErr error     // why it cannot be opened, once known
}

// walkCtx is what an entity knows of its ancestors.
type walkCtx struct {
	alt    int  // the innermost multipart/alternative ancestor (0: none)
	digest bool // the parent is multipart/digest: parts default to message/rfc822
	report bool // the parent is multipart/report: returned headers name the bounced mail
}

// note records what the parser had to work around, for the log. Notes are
// English, one line, bounded in number and length.
func (p *parser) note(format string, args ...any) {
	s := fmt.Sprintf(format, args...)
	s = truncateBytes(strings.ToValidUTF8(s, "\uFFFD"), maxNoteBytes)
	for _, n := range p.notes {
		if n == s {
			return
		}
	}
	if len(p.notes) >= maxNotes {
		p.notesDropped++
		return
	}
	p.notes = append(p.notes, s)
}

// partName names a part in notes: IMAP section numbers ("part 1.2"), which
// an operator can look up in any mail client.
func partName(path string) string {
	if path == "" {
		return "message body"
	}
	return "part " + path
}

// readMailHeader reads the top header of a mail from br, whose bytes come
// from src: ErrEmpty for no bytes at all, and a read error of src rather
// than the parse error it caused.
func (p *parser) readMailHeader(br *bufio.Reader, src *source) (header, error) {
	if _, err := br.Peek(1); err != nil {
		if src.err != nil {
			return nil, fmt.Errorf("mime: read header: %w", src.err)
		}
		return nil, ErrEmpty
	}
	h, err := p.readTopHeader(br)
	if err != nil && src.err != nil {
		return nil, fmt.Errorf("mime: read header: %w", src.err)
	}
	return h, err
}

func (p *parser) readTopHeader(br *bufio.Reader) (header, error) {
	if b, _ := br.Peek(3); string(b) == "\uFEFF" {
		// A byte-order mark, left by a Windows editor that saved the .eml.
		_, _ = br.Discard(3)
		p.note("byte-order mark before the header skipped")
	}
	if b, _ := br.Peek(5); string(b) == "From " {
		// An mbox separator, left by an export or a forwarder.
		if _, _, err := readLine(br, 0); err != nil {
			return nil, fmt.Errorf("%w: only an mbox \"From \" line", ErrNoHeader)
		}
		p.note("mbox \"From \" line before the header skipped")
	}
	// Lines that are no field (a gateway's stray line, a fold of nothing)
	// before a header with a sender: the mail is fine otherwise, and its
	// citizen must not land in quarantine for it. (The window is wide: the
	// From may come after a long chain of Received fields.)
	win, _ := br.Peek(16 << 10)
	if n := junkBeforeHeader(win); n > 0 {
		for range n {
			_, _, _ = readLine(br, 0) // each ends within win: cannot fail
		}
		p.note("message header: %d line(s) before the first field skipped", n)
	}
	first, _ := br.Peek(1024)
	if len(first) == 0 || !looksLikeHeader(first) || first[0] == '\n' || first[0] == '\r' {
		return nil, fmt.Errorf("%w: the input does not start with a header field", ErrNoHeader)
	}
	h, st, err := readHeader(br, topHeaderLimits)
	if err != nil {
		return nil, fmt.Errorf("mime: read header: %w", err)
	}
	if len(h) == 0 {
		return nil, fmt.Errorf("%w: no header field could be read", ErrNoHeader)
	}
	p.headerNotes("message header", st, topHeaderLimits)
	return h, nil
}

// maxJunkLines bounds the lines before the header that are skipped.
const maxJunkLines = 3

// junkBeforeHeader returns how many lines at the start of b are not header
// fields (a gateway's stray line, continuation lines of nothing) before a
// header section that names a sender: a From field comes before the blank
// line that ends the header, within b. 0 means none are to be skipped: b
// starts with a field, or it is body text without a header.
func junkBeforeHeader(b []byte) int {
	junk := 0
	for len(b) > 0 && b[0] != '\r' && b[0] != '\n' && !looksLikeHeader(b) {
		i := bytes.IndexByte(b, '\n')
		if i < 0 || junk == maxJunkLines {
			return 0
		}
		b, junk = b[i+1:], junk+1
	}
	if junk == 0 || !looksLikeHeader(b) {
		return 0
	}
	for _, line := range bytes.Split(b, []byte("\n")) {
		line = bytes.TrimSuffix(line, []byte("\r"))
		if len(line) == 0 {
			return 0
		}
		if len(line) >= 5 && bytes.EqualFold(line[:5], []byte("from:")) {
			return junk
		}
	}
	return 0
}

func (p *parser) headerNotes(where string, st headerStats, lim headerLimits) {
	if st.skipped > 0 {
		p.note("%s: %d malformed line(s) skipped", where, st.skipped)
	}
	if st.tooBig {
		p.note("%s: larger than %d KiB, the rest ignored", where, lim.maxBytes>>10)
	}
	if st.tooMany {
		p.note("%s: more than %d fields, the rest ignored", where, lim.maxFields)
	}
}

// fillHeader copies the top-level header fields into the Message.
func (p *parser) fillHeader(h header) {
	m := p.msg
	if v, ok := h.get("Message-Id"); ok && strings.TrimSpace(v) != "" {
		if ids := msgIDs(v); len(ids) > 0 {
			m.MessageID = ids[0]
		} else {
			p.note("Message-ID %q is not a usable id: ignored", short(strings.ToValidUTF8(v, "?")))
		}
	}
	if a := p.addresses(h, "From", 1); len(a) > 0 {
		m.From = a[0]
	} else if v, ok := h.get("From"); ok && strings.TrimSpace(v) == "<>" {
		p.nullFrom = true // the null sender written as From: a mail system's report
	}
	if a := p.addresses(h, "Sender", 1); len(a) > 0 {
		m.Sender = a[0]
	}
	m.ReplyTo = p.addresses(h, "Reply-To", maxAddresses)
	m.To = p.addresses(h, "To", maxAddresses)
	m.Cc = p.addresses(h, "Cc", maxAddresses)
	if v, ok := h.get("Subject"); ok {
		m.Subject = p.headerText("Subject", v, maxSubjectRunes)
	}
	if v, ok := h.get("Date"); ok && strings.TrimSpace(v) != "" {
		t, ok := parseDate(p.headerUTF8("Date", v))
		switch {
		case !ok:
			p.note("Date %q unreadable: ignored", short(v))
		case t.Year() < 1970 || t.Year() > 2200:
			p.note("Date %q implausible: ignored", short(v))
		default:
			m.Date = t
		}
	}
	if v, ok := h.get("In-Reply-To"); ok {
		m.InReplyTo = refList(msgIDs(v), maxRefs)
	}
	if v, ok := h.get("References"); ok {
		ids := msgIDs(v)
		if len(ids) > maxRefs {
			p.note("References has %d ids: the first and the last %d kept", len(ids), maxRefs-1)
		}
		m.References = refList(ids, maxRefs)
	}

	a := &m.Auto
	if v, ok := h.get("Auto-Submitted"); ok {
		a.AutoSubmitted = keyword(p.headerUTF8("Auto-Submitted", v))
	}
	if v, ok := h.get("Precedence"); ok {
		a.Precedence = keyword(p.headerUTF8("Precedence", v))
	}
	for _, f := range h {
		if strings.HasPrefix(f.key, "List-") {
			a.ListHeaders = true
			break
		}
	}
	if v, ok := h.get("X-Auto-Response-Suppress"); ok {
		a.HasXAutoResponseSuppress = true
		a.XAutoResponseSuppress, _ = cleanHeaderText(p.headerUTF8("X-Auto-Response-Suppress", v), maxKeywordBytes)
	}
	for _, name := range []string{"X-Autoreply", "X-Autorespond", "X-Auto-Reply"} {
		if v, ok := h.get(name); ok && !strings.EqualFold(strings.TrimSpace(v), "no") {
			a.AutoReply = name
			break
		}
	}
	for _, name := range robotMarkers {
		if v, ok := h.get(name); ok && strings.TrimSpace(v) != "" {
			v, _ = cleanHeaderText(p.headerUTF8(name, v), maxKeywordBytes)
			a.Marker = name + ": " + v
			break
		}
	}
	if v, ok := h.get("Return-Path"); ok {
		a.ReturnPath = p.returnPath(v)
	}
	// Exim, Gmail and others name the failed recipients in a header of the
	// bounce itself; only bounces carry it.
	for _, v := range h.all("X-Failed-Recipients") {
		for _, addr := range splitAddressList(p.headerUTF8("X-Failed-Recipients", v)) {
			p.addRecipient(addr)
		}
	}
	ct := p.contentType(h, "", walkCtx{})
	a.ContentType = ct.value
	if ct.value == "multipart/report" {
		a.ReportType = keyword(ct.params["report-type"])
		if a.ReportType == "delivery-status" {
			p.deliveryReport() // a report even if its parts are unreadable
		}
	}
	for _, v := range h.all("Authentication-Results") {
		if len(m.AuthResults) >= maxAuthResults {
			p.note("more than %d Authentication-Results headers: the rest ignored", maxAuthResults)
			break
		}
		s, _ := cleanHeaderText(p.headerUTF8("Authentication-Results", v), maxAuthBytes)
		m.AuthResults = append(m.AuthResults, truncateBytes(s, maxAuthBytes))
	}
}

// robotMarkers are headers that only software sets on the mail it writes:
// iCloud's vacation reply, Exchange's system messages, and responders that
// mark themselves so.
var robotMarkers = []string{
	"X-Apple-Action", "X-MS-Exchange-Generated-Message-Source", "X-Autogenerated",
	"X-AutoReply-From", "X-Mail-Autoreply", "X-FC-MachineGenerated", "X-Autoresponder",
}

// returnPath reads the envelope sender: "<>" (the null sender of bounces and
// auto-replies) stays "<>", an address is normalized, anything else is kept
// as a cleaned string so that its presence is not lost.
func (p *parser) returnPath(v string) string {
	v = strings.TrimSpace(stripComments(p.headerUTF8("Return-Path", v)))
	inner := v
	if i := strings.IndexByte(v, '<'); i >= 0 {
		inner = v[i+1:]
		if j := strings.IndexByte(inner, '>'); j >= 0 {
			inner = inner[:j]
		}
	}
	inner = strings.TrimSpace(inner)
	if inner == "" {
		return "<>"
	}
	if a, ok := normalizeAddr(inner); ok {
		return a
	}
	s, _ := cleanHeaderText(inner, maxAddrBytes)
	return truncateBytes(s, maxAddrBytes)
}

// contentType reads an entity's Content-Type, with RFC 2045's default
// (text/plain) for a missing or unreadable one, and RFC 2046's
// (message/rfc822) inside multipart/digest.
func (p *parser) contentType(h header, path string, wc walkCtx) mediaType {
	v, ok := h.get("Content-Type")
	if !ok || strings.TrimSpace(v) == "" {
		def := "text/plain"
		if wc.digest {
			def = "message/rfc822"
		}
		return mediaType{value: def, params: map[string]string{}, ok: true}
	}
	mt := p.parseMediaType("Content-Type", v)
	// RFC 6838 allows 127 characters for a type and for a subtype: a
	// longer one is junk, and would reach the database unbounded.
	if t, sub, found := strings.Cut(mt.value, "/"); !found || !isToken(t) || !isToken(sub) || len(t) > 127 || len(sub) > 127 {
		p.note("unreadable Content-Type %q in %s: read as text/plain", short(v), partName(path))
		mt.value = "text/plain"
	}
	return mt
}

// isToken reports whether s is an RFC 2045 token, as both halves of a media
// type must be.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c >= 0x7f || strings.IndexByte(`()<>@,;:\"/[]?=`, c) >= 0 {
			return false
		}
	}
	return true
}

// entity handles one entity: a multipart is split, a leaf is read.
func (p *parser) entity(h header, body io.Reader, path string, depth int, wc walkCtx) {
	ct := p.contentType(h, path, wc)
	if strings.HasPrefix(ct.value, "multipart/") {
		if p.target != "" && path == p.target { // (the top level's children are 1, 2, …)
			p.targetErr = fmt.Errorf("%w: part %s is a %s, not a single part", ErrNoPart, p.target, ct.value)
			return
		}
		p.multipart(ct, body, path, depth, wc)
		return
	}
	p.leaf(h, ct, body, path, wc)
}

// section is the IMAP section number of the entity at path: a mail that is
// not multipart has its body as part "1" (RFC 3501 section 6.4.5).
func section(path string) string {
	if path == "" {
		return "1"
	}
	return path
}

func (p *parser) multipart(ct mediaType, body io.Reader, path string, depth int, wc walkCtx) {
	if depth >= maxDepth {
		p.note("multipart nested deeper than %d levels at %s: not read", maxDepth, partName(path))
		return
	}
	br := p.splitBufs[depth]
	if br == nil {
		br = bufio.NewReaderSize(body, splitBufSize)
		p.splitBufs[depth] = br
	} else {
		br.Reset(body)
	}
	s := &p.splitters[depth]
	boundary := ct.params["boundary"]
	if len(boundary) > maxBoundary {
		boundary = ""
	}
	s.reset(br, boundary)
	win, whole := s.window()
	if boundary == "" || !s.boundaryInWindow(win) {
		what := "missing multipart boundary"
		if boundary != "" {
			what = fmt.Sprintf("multipart boundary %q not found", short(boundary))
		}
		switch g, ok := guessBoundary(win); {
		case ok:
			p.note("%s in %s (%s): guessed %q from the body", what, partName(path), ct.value, short(g))
			s.setBoundary(g)
		case boundary == "" || whole:
			p.note("%s in %s (%s): body read as plain text", what, partName(path), ct.value)
			p.leaf(header{{key: "Content-Type", value: "text/plain"}}, mediaType{value: "text/plain", params: map[string]string{}}, br, path, wc)
			return
		}
		// Otherwise the boundary may still come after the look-ahead.
	}
	// A mail system's bounce is a report whatever its multipart says: many
	// (qmail, OpenSMTPD, Exchange 2007, gateways, mail from the null
	// sender) return the failed mail under multipart/mixed.
	report := ct.value == "multipart/report" || wc.report || mailproc.IsMailSystem(p.msg.From.Addr) ||
		p.msg.Auto.ReturnPath == "<>" || p.nullFrom
	child := walkCtx{alt: wc.alt, digest: ct.value == "multipart/digest", report: report}
	if ct.value == "multipart/alternative" {
		p.altGroups++
		child.alt = p.altGroups
	}
	noOpening := s.partWithoutDelimiter(win)
	if noOpening {
		p.note("missing opening boundary in %s (%s): first part read all the same", partName(path), ct.value)
	}
	for i := 1; ; i++ {
		var raw io.Reader
		var err error
		if i == 1 && noOpening {
			raw = s.firstPart()
		} else if raw, err = s.next(); err != nil {
			break // io.EOF, or the reader's error (reported by Parse)
		}
		p.parts++
		if p.parts > maxParts {
			p.note("more than %d parts: the rest not read", maxParts)
			break
		}
		cpath := strconv.Itoa(i)
		if path != "" {
			cpath = path + "." + cpath
		}
		if p.target != "" && p.target != cpath && !strings.HasPrefix(p.target, cpath+".") {
			continue // not on the way to the part OpenPart wants: drained by next
		}
		pbr := p.partBufs[depth]
		if pbr == nil {
			pbr = bufio.NewReaderSize(raw, 4096)
			p.partBufs[depth] = pbr
		} else {
			pbr.Reset(raw)
		}
		var ph header
		if first, _ := pbr.Peek(1024); looksLikeHeader(first) {
			var st headerStats
			ph, st, _ = readHeader(pbr, partHeaderLimits)
			p.headerNotes(partName(cpath)+" header", st, partHeaderLimits)
		} else {
			p.note("%s has no header: read as text/plain", partName(cpath))
		}
		p.entity(ph, pbr, cpath, depth+1, child)
		if p.target != "" {
			return // the one child on the way to the target: found or not, done
		}
	}
	if s.parts == 0 {
		p.note("no parts found in %s (%s)", partName(path), ct.value)
	} else if s.unterminated {
		p.note("missing closing boundary in %s (%s)", partName(path), ct.value)
	}
}

// leaf reads a single-part entity: body text, HTML, a forwarded mail or an
// attachment.
func (p *parser) leaf(h header, ct mediaType, body io.Reader, path string, wc walkCtx) {
	if p.target != "" {
		if section(path) == p.target {
			// Every attachment is counted through this decoder (attachment,
			// forwarded, deliveryStatus, returnedHeaders), so its bytes are
			// the listed Size.
			p.found = p.transferDecoder(h, body, path)
		}
		return
	}
	if _, from := h.get("From"); wc.report && from {
		// A bounce part that is the returned mail itself, written after
		// the boundary without a MIME header of its own (Sendmail-style
		// gateways): a part header never has From and Message-ID.
		if v, ok := h.get("Message-Id"); ok {
			p.addOriginalID(v)
		}
	}
	var disp mediaType
	if v, ok := h.get("Content-Disposition"); ok && strings.TrimSpace(v) != "" {
		disp = p.parseMediaType("Content-Disposition", v)
	}
	filename := disp.params["filename"]
	if filename == "" {
		filename = ct.params["name"]
	}
	filename = filenameFromPath(filename)
	isAttachment := disp.value == "attachment" || filename != ""
	if isAttachment && disp.value == "" && disp.params["filename"] == "" && !p.textSet && !p.htmlSet &&
		(ct.value == "text/plain" || ct.value == "text/html") {
		// Only a name= and no disposition: some clients name the body part
		// itself. Before any body was found it is the body, not a file.
		isAttachment = false
	}

	switch {
	case ct.value == "message/delivery-status" || ct.value == "message/global-delivery-status":
		p.deliveryStatus(h, ct, filename, body, path)
	case ct.value == "message/feedback-report" || ct.value == "message/disposition-notification" ||
		ct.value == "message/global-disposition-notification":
		p.reportFields(h, ct, filename, body, path)
	case wc.report && (ct.value == "text/rfc822-headers" || ct.value == "message/global-headers" ||
		ct.value == "message/partial" || (isAttachment && ct.value == "text/plain" && headerFile(h, body))):
		p.returnedHeaders(h, ct, filename, body, path)
	case ct.value == "message/rfc822" || ct.value == "message/global":
		p.forwarded(h, filename, body, path, wc.report)
	case !isAttachment && ct.value == "text/plain":
		p.plainPart(h, ct, body, path, wc)
	case !isAttachment && ct.value == "text/html":
		if !p.htmlPart(h, ct, body, path, wc) {
			p.attachment(h, ct, "", body, path)
		}
	default:
		p.attachment(h, ct, filename, body, path)
	}
}

// plainPart takes a text/plain body part. The first one is the text; a later
// one in the same multipart/alternative is a duplicate and skipped; a later
// one elsewhere (Apple Mail's text around an inline image, a list footer)
// is appended.
func (p *parser) plainPart(h header, ct mediaType, body io.Reader, path string, wc walkCtx) {
	if p.textSet && wc.alt != 0 && wc.alt == p.textAlt {
		return
	}
	if p.textSet && p.text.Len()+2 >= p.opts.MaxText {
		p.truncated = true
		return
	}
	limit := p.opts.MaxText + p.opts.MaxText/8 + 64 // cleaning shrinks CRLF
	s, more := p.readText(h, ct, body, path, limit, false)
	if strings.TrimSpace(s) == "" {
		return // an empty plain part does not displace an HTML one
	}
	if p.htmlSet {
		if wc.alt != 0 && wc.alt == p.htmlAlt {
			p.msg.HTMLText = htmlReplyText(p.html)
			p.html, p.htmlSet = nil, false // the plain alternative is preferred
		} else {
			p.flushHTML()
		}
	}
	p.appendText(s, more, wc)
}

func (p *parser) appendText(s string, more bool, wc walkCtx) {
	s = strings.TrimRight(s, " \t\n")
	if strings.TrimSpace(s) == "" {
		if more {
			p.truncated = true
		}
		return
	}
	room := p.opts.MaxText - p.text.Len()
	if p.textSet {
		room -= 2
	}
	if room <= 0 {
		p.truncated = true
		return
	}
	if len(s) > room {
		s = truncateBytes(s, room)
		more = true
	}
	if p.textSet {
		p.text.WriteString("\n\n")
	} else {
		p.textSet, p.textAlt = true, wc.alt
	}
	p.text.WriteString(s)
	if more {
		p.truncated = true
	}
}

// htmlPart keeps a text/html body part for conversion at the end, in case no
// plain text comes. It reports false when the part is not a body (HTML next
// to a plain text that is not its alternative): the caller lists it as an
// attachment so it is not lost.
func (p *parser) htmlPart(h header, ct mediaType, body io.Reader, path string, wc walkCtx) bool {
	if p.textSet {
		if wc.alt == 0 || wc.alt != p.textAlt {
			return false
		}
		if p.msg.HTMLText == "" {
			// The HTML alternative of the text: read for its quote
			// structure (Message.HTMLText), not as the text.
			s, _ := p.readText(h, ct, body, path, htmlFactor*p.opts.MaxText, true)
			p.msg.HTMLText = htmlReplyText([]byte(s))
		}
		return true
	}
	if p.htmlSet && wc.alt != 0 && wc.alt == p.htmlAlt {
		return true // a second HTML alternative: skipped
	}
	limit := htmlFactor*p.opts.MaxText - len(p.html)
	if limit <= 0 {
		p.truncated = true
		return true
	}
	s, more := p.readText(h, ct, body, path, limit, true)
	if !p.htmlSet {
		p.htmlSet, p.htmlAlt = true, wc.alt
	}
	p.html = append(p.html, s...)
	if more {
		p.truncated = true
	}
	return true
}

// flushHTML turns the pending HTML into text.
func (p *parser) flushHTML() {
	if !p.htmlSet {
		return
	}
	s := cleanText(htmlToText(p.html))
	if p.msg.HTMLText == "" {
		p.msg.HTMLText = htmlReplyText(p.html)
	}
	alt := p.htmlAlt
	p.html, p.htmlSet = nil, false
	if strings.TrimSpace(s) != "" {
		p.msg.FromHTML = true
	}
	p.appendText(s, false, walkCtx{alt: alt})
}

// readText reads a text part: transfer decoding, charset conversion, at most
// limit bytes of the result (the rest of the part is left for the caller to
// drain raw), cleaned. more reports that the part had more.
func (p *parser) readText(h header, ct mediaType, body io.Reader, path string, limit int, isHTML bool) (string, bool) {
	dec := p.transferDecoder(h, body, path)
	label := normalizeCharset(ct.params["charset"])
	r, mode, known := openCharset(label, dec)
	b, err := io.ReadAll(io.LimitReader(r, int64(limit)+1))
	if err != nil {
		p.note("decoding error in %s: %v; text kept up to there", partName(path), err)
	}
	more := len(b) > limit
	if more {
		b = trimPartialRune(b[:limit])
	}
	p.transferNotes(dec, path, "")
	if isHTML && label == "" {
		if cs, ok := htmlMetaCharset(b); ok {
			if cr, m, k := openCharset(cs, strings.NewReader(string(b))); k && m == csConverted {
				if conv, err := io.ReadAll(cr); err == nil {
					b, mode = conv, csConverted
				}
			}
		}
	}
	s, guessed, replaced := toUTF8(b, mode)
	switch {
	case !known:
		how := "valid UTF-8"
		if guessed != "" {
			how = "decoded as " + charsetTitle(guessed)
		}
		p.note("unknown charset %q in %s: kept raw (%s)", short(label), partName(path), how)
	case guessed != "" && label == "":
		p.note("8-bit text without a charset in %s: decoded as %s", partName(path), charsetTitle(guessed))
	case guessed != "":
		p.note("text labelled %s in %s is not: decoded as %s", label, partName(path), charsetTitle(guessed))
	case replaced:
		p.note("invalid %s in %s: bad bytes replaced", label, partName(path))
	}
	if isHTML {
		return s, more
	}
	s = cleanText(s)
	if strings.EqualFold(ct.params["format"], "flowed") {
		s = unflow(s, strings.EqualFold(ct.params["delsp"], "yes"))
	}
	return s, more
}

// transferDecoder undoes the Content-Transfer-Encoding. An unknown encoding
// (x-uuencode, a typo) keeps the raw bytes, like go-message does, with a note.
func (p *parser) transferDecoder(h header, body io.Reader, path string) io.Reader {
	v, _ := h.get("Content-Transfer-Encoding")
	enc := strings.ToLower(strings.TrimSpace(stripComments(v)))
	switch enc {
	case "base64":
		if p.b64 == nil {
			p.b64 = newBase64Reader(body)
		} else {
			p.b64.reset(body)
		}
		return p.b64
	case "quoted-printable":
		if p.qp == nil {
			p.qp = newQPReader(body)
		} else {
			p.qp.reset(body)
		}
		return p.qp
	case "", "7bit", "8bit", "binary", "7-bit", "8-bit":
		return body
	}
	p.note("unknown transfer encoding %q in %s: kept raw", short(enc), partName(path))
	return body
}

func (p *parser) transferNotes(dec io.Reader, path, name string) {
	b, ok := dec.(*base64Reader)
	if !ok || !b.bad() {
		return
	}
	where := partName(path)
	if name != "" {
		where += fmt.Sprintf(" (%q)", short(name))
	}
	var what []string
	if b.droppedLines > 0 {
		what = append(what, fmt.Sprintf("%d corrupt line(s) dropped", b.droppedLines))
	}
	if b.badBytes > 0 {
		what = append(what, fmt.Sprintf("%d invalid byte(s)", b.badBytes))
	}
	if b.danglingBits {
		what = append(what, "truncated at the end")
	}
	p.note("bad base64 in %s: %s", where, strings.Join(what, ", "))
}

// count reads r to its end and returns the number of bytes.
func (p *parser) count(r io.Reader) int64 {
	var n int64
	for {
		k, err := r.Read(p.scratch)
		n += int64(k)
		if err != nil {
			return n
		}
	}
}

// attachment counts an attachment's decoded size and lists it; a
// winmail.dat is listed with the files inside it after it.
func (p *parser) attachment(h header, ct mediaType, filename string, body io.Reader, path string) {
	dec := p.transferDecoder(h, body, path)
	if filename == "" {
		filename = syntheticName(ct.value, len(p.msg.Attachments)+1)
	}
	var size int64
	var inner []mailproc.Attachment
	if isTNEF(ct.value, filename) {
		size, inner = p.winmail(dec, path, filename)
	} else {
		size = p.count(dec)
	}
	p.transferNotes(dec, path, filename)
	p.addAttachment(mailproc.Attachment{Filename: filename, ContentType: ct.value, Size: size, Part: section(path)})
	for _, a := range inner {
		p.addAttachment(a)
	}
}

// forwarded lists a forwarded mail (message/rfc822) as one attachment named
// after its subject; its own parts are not descended into — it is the
// citizen's evidence, kept whole in the archive.
func (p *parser) forwarded(h header, filename string, body io.Reader, path string, inReport bool) {
	dec := p.transferDecoder(h, body, path)
	cr := &countingReader{r: dec}
	ibr := bufio.NewReaderSize(cr, 4096)
	var subject string
	if inReport {
		// Some mail systems put a blank line before the returned header.
		for i := 0; i < 4; i++ {
			if b, err := ibr.Peek(1); err != nil || (b[0] != '\n' && b[0] != '\r') {
				break
			}
			ibr.Discard(1)
		}
	}
	if first, _ := ibr.Peek(1024); len(first) > 0 && looksLikeHeader(first) {
		ih, _, _ := readHeader(ibr, partHeaderLimits)
		if v, ok := ih.get("Subject"); ok {
			subject = p.headerText("Subject", v, maxSubjectRunes)
		}
		if v, ok := ih.get("Message-Id"); ok && inReport {
			p.addOriginalID(v) // the returned copy of a bounced mail
		}
		if inReport {
			p.noteReturned(ih)
		}
	}
	p.count(ibr)
	if filename == "" {
		filename = filenameFromSubject(subject)
	}
	p.transferNotes(dec, path, filename)
	p.addAttachment(mailproc.Attachment{Filename: filename, ContentType: "message/rfc822", Size: cr.n, Part: section(path)})
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.n += int64(n)
	return n, err
}

func (p *parser) addAttachment(a mailproc.Attachment) {
	if len(p.msg.Attachments) >= maxAttachments {
		p.attachmentsDropped++
		return
	}
	p.msg.Attachments = append(p.msg.Attachments, a)
}

// syntheticNames name the parts that carry no file name and are not body.
var syntheticNames = map[string]string{
	"message/delivery-status":          "delivery-status.txt",
	"message/disposition-notification": "disposition-notification.txt",
	"text/rfc822-headers":              "rfc822-headers.txt",
	"application/ms-tnef":              "winmail.dat",
	"application/pkcs7-signature":      "smime.p7s",
	"application/x-pkcs7-signature":    "smime.p7s",
	"application/pgp-signature":        "signature.asc",
}

var extensions = map[string]string{
	"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/jpg": ".jpg", "image/pjpeg": ".jpg",
	"image/png": ".png", "image/gif": ".gif", "image/webp": ".webp", "image/heic": ".heic",
	"image/bmp": ".bmp", "image/tiff": ".tif", "text/plain": ".txt", "text/html": ".html",
	"text/calendar": ".ics", "text/csv": ".csv", "application/zip": ".zip",
	"application/msword": ".doc", "application/vnd.ms-excel": ".xls",
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":       ".xlsx",
	"video/mp4": ".mp4", "audio/mpeg": ".mp3", "audio/ogg": ".ogg", "audio/mp4": ".m4a",
}

// syntheticName names an unnamed attachment so that the case can list it:
// "lampiran-3.jpg" (lampiran: attachment), in the desk's language.
func syntheticName(mediaType string, n int) string {
	if s, ok := syntheticNames[mediaType]; ok {
		return s
	}
	return "lampiran-" + strconv.Itoa(n) + extensions[mediaType]
}

// finish assembles the Message.
func (p *parser) finish() *mailproc.Message {
	m := p.msg
	text := strings.TrimRight(p.text.String(), " \t\n")
	text = strings.TrimLeft(text, "\n")
	if len(text) > p.opts.MaxText {
		text = truncateBytes(text, p.opts.MaxText)
		p.truncated = true
	}
	if !utf8.ValidString(text) { // cannot happen; the guarantee is cheap
		text = strings.ToValidUTF8(text, "\uFFFD")
	}
	m.Text = text
	m.TextTruncated = p.truncated
	p.textReport()
	p.returnedRecipient()
	if p.truncated {
		p.note("text cut at %d KiB", p.opts.MaxText>>10)
	}
	if p.attachmentsDropped > 0 {
		p.note("more than %d attachments: %d not listed", maxAttachments, p.attachmentsDropped)
	}
	if p.notesDropped > 0 {
		p.notes[len(p.notes)-1] = fmt.Sprintf("%d more notes dropped", p.notesDropped+1)
	}
	m.Notes = p.notes
	return m
}

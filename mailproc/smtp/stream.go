package smtp

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	stdmime "mime"
	"strings"

	"github.com/dpk-kampar/mailproc/mailproc"
)

// A mail with attachments is written by this file, not by go-mail: go-mail
// base64-encodes each attachment into a buffer of its own and the sender
// kept the whole message in another, so escalating a 30 MB attachment
// held well over 100 MB. Here go-mail writes only the rest of the mail
// (headers, text and HTML bodies: a few kilobytes, once), and the
// attachments are read from the archive, decoded and base64-encoded on the
// fly into the SMTP DATA stream, each time the message is written — for
// the server, and again for the Sent-folder copy. The boundary is chosen
// once per message, so every write is the same bytes.

// message is an outgoing mail ready to be written, as often as needed.
type message struct {
	head     []byte // the top-level header fields, each ending in CRLF, without the content fields
	body     []byte // the first part: its content fields, a blank line, the body
	boundary string
	atts     []mailproc.OutgoingAttachment
	dataDir  string
}

// newMessage builds m: go-mail writes everything but the attachments once,
// and the attachments are checked — found, and of the size listed — by
// reading them through, so a mail that cannot be written fails before any
// connection is made, not halfway through its DATA.
func newMessage(m *mailproc.OutgoingMail, dataDir string) (*message, error) {
	msg, err := Build(m)
	if err != nil {
		return nil, err
	}
	for i, a := range m.Attachments {
		if err := checkAttachment(a, dataDir); err != nil {
			return nil, fmt.Errorf("attachment %d %q: %w", i+1, a.Filename, err)
		}
	}
	var buf bytes.Buffer
	if _, err := msg.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("write message: %w", err)
	}
	raw := buf.Bytes()
	if !bytes.HasSuffix(raw, []byte("\r\n")) {
		// SMTP would add it before the final dot; the Sent copy must be
		// the same bytes the recipients get.
		raw = append(raw, '\r', '\n')
	}
	if len(m.Attachments) == 0 {
		return &message{head: raw}, nil
	}
	for _, a := range m.Attachments {
		if _, err := io.Copy(io.Discard, &archivedPart{dataDir: dataDir, a: a}); err != nil {
			return nil, fmt.Errorf("write message: %w", err)
		}
	}
	head, body, err := splitContent(raw)
	if err != nil {
		return nil, err
	}
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, err
	}
	return &message{head: head, body: body, boundary: "mailproc-" + hex.EncodeToString(b[:]),
		atts: m.Attachments, dataDir: dataDir}, nil
}

// splitContent cuts a message go-mail wrote into its top-level header
// fields without Content-Type and Content-Transfer-Encoding, and a MIME
// part made of those two fields and the body.
func splitContent(raw []byte) (head, part []byte, err error) {
	end := bytes.Index(raw, []byte("\r\n\r\n"))
	if end < 0 {
		return nil, nil, errors.New("write message: no end of header")
	}
	var h, p bytes.Buffer
	for _, f := range headerFields(raw[:end+2]) {
		name, _, _ := strings.Cut(string(f), ":")
		switch strings.ToLower(strings.TrimSpace(name)) {
		case "content-type", "content-transfer-encoding":
			p.Write(f)
		default:
			h.Write(f)
		}
	}
	p.WriteString("\r\n")
	p.Write(raw[end+4:])
	return h.Bytes(), p.Bytes(), nil
}

// headerFields splits a header block (each line ending in CRLF) into its
// fields, each with its folded continuation lines.
func headerFields(h []byte) [][]byte {
	var out [][]byte
	for len(h) > 0 {
		n := bytes.Index(h, []byte("\r\n")) + 2
		for n < len(h) && (h[n] == ' ' || h[n] == '\t') {
			n += bytes.Index(h[n:], []byte("\r\n")) + 2
		}
		out, h = append(out, h[:n]), h[n:]
	}
	return out
}

// WriteTo writes the message to w; every call writes the same bytes.
func (msg *message) WriteTo(w io.Writer) (int64, error) {
	cw := &mailproc.CountingWriter{W: w}
	err := msg.write(cw)
	return cw.N, err
}

func (msg *message) write(w io.Writer) error {
	if msg.atts == nil {
		_, err := w.Write(msg.head)
		return err
	}
	bw := bufio.NewWriterSize(w, dataChunk)
	bw.Write(msg.head)
	fmt.Fprintf(bw, "Content-Type: multipart/mixed;\r\n boundary=\"%s\"\r\n\r\n", msg.boundary)
	fmt.Fprintf(bw, "--%s\r\n", msg.boundary)
	bw.Write(msg.body) // ends in CRLF (newMessage)
	// The CRLF before a boundary belongs to the boundary: the body's own
	// last line break is kept by one more.
	bw.WriteString("\r\n")
	for _, a := range msg.atts {
		name := stdmime.QEncoding.Encode("UTF-8", partFilename(attachmentName(a.Filename)))
		fmt.Fprintf(bw, "--%s\r\nContent-Type: %s;\r\n name=\"%s\"\r\nContent-Disposition: attachment;\r\n filename=\"%s\"\r\nContent-Transfer-Encoding: base64\r\n\r\n",
			msg.boundary, attachmentType(a.ContentType), name, name)
		enc := base64.NewEncoder(base64.StdEncoding, &lineBreaker{w: bw})
		if _, err := io.Copy(enc, &archivedPart{dataDir: msg.dataDir, a: a}); err != nil {
			return err
		}
		if err := enc.Close(); err != nil {
			return err
		}
		bw.WriteString("\r\n")
	}
	fmt.Fprintf(bw, "--%s--\r\n", msg.boundary)
	return bw.Flush()
}

// partFilename replaces what file systems refuse in a name (/ \ : " < > ?
// |) and control characters with "_", as go-mail did.
func partFilename(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 32 || r == 127 || strings.ContainsRune(`"/:<>?\|`, r) {
			return '_'
		}
		return r
	}, s)
}

// base64Line is the length of a base64 line (RFC 2045: at most 76).
const base64Line = 76

// lineBreaker writes base64 text in lines of base64Line characters, each
// ending in CRLF except the last, which the writer of the part ends.
type lineBreaker struct {
	w   io.Writer
	col int
}

func (l *lineBreaker) Write(p []byte) (int, error) {
	n := 0
	for len(p) > 0 {
		if l.col == base64Line {
			if _, err := io.WriteString(l.w, "\r\n"); err != nil {
				return n, err
			}
			l.col = 0
		}
		k := min(len(p), base64Line-l.col)
		if _, err := l.w.Write(p[:k]); err != nil {
			return n, err
		}
		l.col += k
		n += k
		p = p[k:]
	}
	return n, nil
}

package smtp

import (
	"errors"
	"fmt"
	"io"
	stdmime "mime"
	"os"
	"path"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/dpk-kampar/mailproc/mailproc"
	"github.com/dpk-kampar/mailproc/mailproc/mime"
)

// Attachments are parts of mails in the raw archive — a staff member's
// answer relayed to the citizen, a citizen's mail in the staff notification
// — read from the archive when the message is written, never copied into
// the outbox. The domain decides what to attach (it knows every part's
// size); this adapter attaches what it is given, with no size limit of its
// own. An archivedPart opens the archived mail and decodes the part
// (mime.OpenPart) only while it is read, and the message writer
// (stream.go) base64-encodes it on the fly: nothing holds a whole part.

// Bounds on an attachment's file name.
const (
	maxFilenameRunes = 150
	// The name goes RFC 2047-encoded into the part's Content-Type and
	// Content-Disposition, which go-mail does not fold: the encoded form is
	// kept short enough for those lines to stay within RFC 5322's 998.
	maxEncodedFilename = 600
	maxExtensionRunes  = 16
)

// checkAttachment checks that a can be found: a data directory is
// configured, the archive path stays inside it and names a regular file,
// and the part is a part number. Whether the part is really there, and of
// its size, newMessage finds by reading it through.
func checkAttachment(a mailproc.OutgoingAttachment, dataDir string) error {
	switch {
	case dataDir == "":
		return errors.New("no data directory configured: the archive cannot be read")
	case a.ArchivePath == "" || !filepath.IsLocal(filepath.FromSlash(a.ArchivePath)):
		return fmt.Errorf("archive path %q is not a path inside the data directory", a.ArchivePath)
	case a.Part == "":
		return fmt.Errorf("no part number in archived mail %s", a.ArchivePath)
	}
	fi, err := os.Stat(archiveFile(dataDir, a.ArchivePath))
	if err != nil {
		return fmt.Errorf("archived mail: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("archive path %q is not a file", a.ArchivePath)
	}
	return nil
}

// archiveFile is the file of an archive path that checkAttachment found
// local (no "..", not absolute). Symbolic links are followed: an operator
// may have moved the archive to another disk.
func archiveFile(dataDir, rel string) string {
	return filepath.Join(dataDir, filepath.FromSlash(rel))
}

// archivedPart is the decoded part of an archived mail as an io.Reader: the
// file is opened at the first Read and closed at the end of the part or at
// the first error. When the part ends, its
// length is checked against the size the domain listed (Size 0: not
// checked), so a wrong part number cannot slip through as another file.
type archivedPart struct {
	dataDir string
	a       mailproc.OutgoingAttachment

	f   *os.File
	r   io.Reader
	n   int64
	err error // sticky, until a rewind
}

func (p *archivedPart) Read(b []byte) (int, error) {
	if p.err != nil {
		return 0, p.err
	}
	if p.r == nil {
		f, err := os.Open(archiveFile(p.dataDir, p.a.ArchivePath))
		if err != nil {
			return 0, p.fail(fmt.Errorf("archived mail: %w", err))
		}
		r, err := mime.OpenPart(f, p.a.Part)
		if err != nil {
			f.Close()
			return 0, p.fail(err)
		}
		p.f, p.r = f, r
	}
	n, err := p.r.Read(b)
	p.n += int64(n)
	switch {
	case err == io.EOF && p.a.Size > 0 && p.n != p.a.Size:
		return n, p.fail(fmt.Errorf("part has %d bytes, the mail listed %d", p.n, p.a.Size))
	case err == io.EOF:
		p.close()
	case err != nil:
		return n, p.fail(err)
	}
	return n, err
}

func (p *archivedPart) fail(err error) error {
	p.close()
	p.err = &attachmentError{a: p.a, err: err}
	return p.err
}

// attachmentError is an attachment that could not be read while the
// message was written. Send finds it in go-mail's error chain and reports it
// without go-mail's wrapping.
type attachmentError struct {
	a   mailproc.OutgoingAttachment
	err error
}

func (e *attachmentError) Error() string {
	return fmt.Sprintf("attachment %q (part %s of %s): %v", e.a.Filename, e.a.Part, e.a.ArchivePath, e.err)
}

func (e *attachmentError) Unwrap() error { return e.err }

func (p *archivedPart) close() {
	if p.f != nil {
		p.f.Close()
	}
	p.f, p.r = nil, nil
}

// attachmentName makes a file name fit for the part header: cleaned like
// any header text (no control or bidi characters, white space collapsed),
// "lampiran" when nothing is left, and shortened — keeping the extension,
// which tells the recipient's system how to open it — to maxFilenameRunes
// and to maxEncodedFilename once RFC 2047-encoded. The message writer
// replaces the characters file systems refuse (/ \ : " < > ? |) with "_"
// (partFilename) and encodes it.
func attachmentName(s string) string {
	name := mailproc.SanitizeHeader(s, 0)
	if name == "" {
		return "lampiran"
	}
	ext := path.Ext(name)
	if ext == name || utf8.RuneCountInString(ext) > maxExtensionRunes || strings.ContainsRune(ext, ' ') {
		ext = ""
	}
	stem := []rune(strings.TrimSuffix(name, ext))
	fits := func(s string) bool {
		return utf8.RuneCountInString(s) <= maxFilenameRunes &&
			len(stdmime.QEncoding.Encode("UTF-8", s)) <= maxEncodedFilename
	}
	if fits(name) {
		return name
	}
	for len(stem) > 1 {
		stem = stem[:len(stem)-1]
		if s := strings.TrimSpace(string(stem)) + "…" + ext; fits(s) {
			return s
		}
	}
	return "lampiran" + ext
}

// attachmentType is the part's media type: the one given when it is a clean
// type/subtype, application/octet-stream otherwise. A forwarded mail
// (message/rfc822) goes as application/octet-stream too — its name ends in
// .eml, which every mail client opens: go-mail encodes every attachment in
// base64, which RFC 2046 does not allow for message/rfc822, and sending the
// archived mail as it is would put its 8-bit bytes and long or bare-LF lines
// on the wire.
func attachmentType(ct string) string {
	ct = strings.ToLower(strings.TrimSpace(ct))
	t, sub, ok := strings.Cut(ct, "/")
	if !ok || !isToken(t) || !isToken(sub) {
		return "application/octet-stream"
	}
	switch ct {
	case "message/rfc822", "message/partial", "message/external-body":
		return "application/octet-stream"
	}
	return ct
}

// isToken reports whether s is an RFC 2045 token.
func isToken(s string) bool {
	if s == "" || len(s) > 127 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c >= 0x7f || strings.IndexByte(`()<>@,;:\"/[]?=`, c) >= 0 {
			return false
		}
	}
	return true
}

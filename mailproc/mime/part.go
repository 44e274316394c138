package mime

import (
	"bufio"
	"errors"
	"fmt"
	"io"

	"github.com/dpk-kampar/mailproc/mailproc"
)

// ErrNoPart is returned by OpenPart when the mail has no single part with the
// number asked for: the number is out of range or malformed, or it names a
// multipart rather than a leaf.
var ErrNoPart = errors.New("mime: no such part")

// maxSectionLen bounds a part number: maxDepth levels of up to five digits.
const maxSectionLen = maxDepth * 6

// OpenPart reads the raw mail r up to the part numbered part — as
// Attachment.Part gives it, in IMAP section numbering: "1" for the body of a
// mail that is not multipart, "1", "2", … for the parts of a multipart,
// "2.1" for the first part of the second — and returns a reader of its
// decoded bytes: the Content-Transfer-Encoding (base64, quoted-printable,
// 7bit, 8bit, binary) undone, and for a message/rfc822 part the raw
// forwarded mail, header included. Read to its end, it yields exactly the
// bytes Parse counted for the attachment's Size.
//
// OpenPart walks the mail with Parse's own code (the same multipart
// splitter, the same work-arounds for broken boundaries, the same lenient
// decoders), so the numbering is Parse's whatever the mail's faults. It
// streams: parts before the one wanted are skipped as they pass, and the
// returned reader decodes from r as it is read, in memory bounded
// independently of the part's size. The reader reads r; r must not be used
// meanwhile, and what follows the part is left unread.
//
// A part that is not there wraps ErrNoPart; a mail without a header,
// ErrNoHeader or ErrEmpty; an error of r, during OpenPart or while the part
// is read, is wrapped and returned.
func OpenPart(r io.Reader, part string) (io.Reader, error) {
	if !validSection(part) {
		return nil, fmt.Errorf("%w: %q is not a part number", ErrNoPart, part)
	}
	src := &source{r: r}
	br := bufio.NewReaderSize(src, 64<<10)
	p := &parser{
		opts:    Options{MaxText: DefaultMaxText},
		msg:     &mailproc.Message{},
		scratch: make([]byte, decodeBufSize),
		target:  part,
	}
	h, err := p.readMailHeader(br, src)
	if err != nil {
		return nil, err
	}
	p.entity(h, br, "", 0, walkCtx{})
	switch {
	case src.err != nil:
		return nil, fmt.Errorf("mime: read mail: %w", src.err)
	case p.targetErr != nil:
		return nil, p.targetErr
	case p.found == nil:
		return nil, fmt.Errorf("%w: part %s", ErrNoPart, part)
	}
	return &partReader{r: p.found, part: part}, nil
}

// validSection reports whether s is a part number: positive decimal numbers
// without leading zeros, joined by dots, no deeper than a mail can nest.
func validSection(s string) bool {
	if s == "" || len(s) > maxSectionLen {
		return false
	}
	start := true // at the start of a number
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '.' && !start:
			start = true
		case c == '0' && start, c < '0' || c > '9':
			return false
		default:
			start = false
		}
	}
	return !start
}

// partReader names the part in the errors of the mail's reader.
type partReader struct {
	r    io.Reader
	part string
}

func (r *partReader) Read(b []byte) (int, error) {
	n, err := r.r.Read(b)
	if err != nil && err != io.EOF {
		err = fmt.Errorf("mime: read part %s: %w", r.part, err)
	}
	return n, err
}

package mime

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/dpk-kampar/mailproc/mailproc"
)

// Outlook, when it sends "rich text", wraps a mail's attachments in a TNEF
// stream (application/ms-tnef, always named winmail.dat). Every client but
// Outlook shows one opaque winmail.dat: staff reading the desk on a phone or
// in webmail cannot open it, and without the names inside they do not even
// know what the citizen sent. So the parser reads the stream (MS-OXTNEF)
// just far enough to list the files it carries — name, type, size — and the
// plain-text body for a mail that has no other. Nothing is extracted: the
// bytes stay in winmail.dat, which stays listed and archived as it came.
//
// The reader streams like the rest of the parser: attribute data it does
// not need is skipped as it passes, so a winmail.dat carrying a 40 MB scan
// costs no more memory than one carrying a note. Every count in the stream
// is bounded by the bytes actually there or by the constants below, so no
// length field can make it allocate or loop beyond its input.

const (
	tnefSignature = 0x223E9F78

	// Attribute ids: the type in the high word, the id in the low one.
	attBody           = 0x0002800C // the plain-text body, in the OEM code page
	attAttachData     = 0x0006800F // an attachment's bytes
	attAttachTitle    = 0x00018010 // an attachment's (short) file name
	attAttachRenddata = 0x00069002 // the first attribute of every attachment
	attMsgProps       = 0x00069003 // the message's MAPI properties
	attAttachment     = 0x00069005 // an attachment's MAPI properties
	attOemCodepage    = 0x00069007 // the code page of every 8-bit string

	// MAPI property ids read from attMsgProps and attAttachment.
	prBody               = 0x1000
	prDisplayName        = 0x3001
	prAttachDataObj      = 0x3701 // an embedded message or OLE object: its size
	prAttachFilename     = 0x3704
	prAttachLongFilename = 0x3707
	prAttachMimeTag      = 0x370E

	maxTNEFFiles  = 100      // files listed from one winmail.dat
	maxTNEFString = 2 << 10  // bytes kept of a file name or type
	tnefBufSize   = 16 << 10 // the reader's buffer
)

// tnefString is a string property as it came: 8-bit in the stream's code
// page, or UTF-16LE. It is decoded once the code page is known, which in a
// damaged stream may be after the string.
type tnefString struct {
	b       []byte
	unicode bool
}

func (s tnefString) text(codepage uint32) string {
	if s.unicode {
		u := make([]uint16, len(s.b)/2)
		for i := range u {
			u[i] = binary.LittleEndian.Uint16(s.b[2*i:])
		}
		return strings.TrimRight(string(utf16.Decode(u)), "\x00")
	}
	b := []byte(strings.TrimRight(string(s.b), "\x00"))
	if utf8.Valid(b) {
		return string(b)
	}
	if r, mode, known := openCharset(codepageLabel(codepage), strings.NewReader(string(b))); known && mode == csConverted {
		if conv, err := io.ReadAll(r); err == nil {
			return strings.ToValidUTF8(string(conv), "\uFFFD")
		}
	}
	return decode1252(b)
}

// codepageLabel names a Windows code page the way openCharset knows it; ""
// (read as UTF-8, else Windows-1252) for one it does not.
func codepageLabel(cp uint32) string {
	switch {
	case cp == 65001:
		return "utf-8"
	case cp == 874 || cp >= 1250 && cp <= 1258:
		return "windows-" + strconv.Itoa(int(cp))
	case cp >= 28591 && cp <= 28599:
		return "iso-8859-" + strconv.Itoa(int(cp-28590))
	}
	return map[uint32]string{932: "shift_jis", 936: "gbk", 949: "euc-kr", 950: "big5", 20866: "koi8-r"}[cp]
}

// tnefFile is one attachment inside a winmail.dat, as far as it was read.
type tnefFile struct {
	title, longName, shortName, displayName, mimeTag tnefString
	size                                             int64 // attAttachData's length
	objSize                                          int64 // or the embedded object's
}

// tnefContent is what readTNEF found.
type tnefContent struct {
	files    []*tnefFile
	dropped  int // files beyond maxTNEFFiles
	codepage uint32
	body     tnefString // attBody, else PR_BODY
	bodyMore bool       // the body was longer than what was kept

	notTNEF   bool   // no TNEF signature: the file is something else
	truncated bool   // the stream ended inside an attribute
	damaged   string // the first inconsistency met, "" if none
}

var errTNEFShort = errors.New("tnef: attribute shorter than its contents")

// tnefReader reads one TNEF stream from a bufio.Reader, attribute by
// attribute, keeping the checksum of the current attribute's data.
type tnefReader struct {
	br      *bufio.Reader
	pos     int64  // bytes of the stream read
	left    int64  // bytes of the current attribute not yet read
	sum     uint16 // sum of its bytes read so far, mod 65536 (MS-OXTNEF 2.1.3.1)
	eof     bool   // the stream ended inside an attribute
	scratch [16]byte
}

// raw reads n (≤ 16) bytes outside an attribute's data: a header or a
// checksum. io.EOF means the stream ended cleanly before them.
func (r *tnefReader) raw(n int) ([]byte, error) {
	b, err := r.br.Peek(n)
	if len(b) < n {
		if len(b) == 0 && err == io.EOF {
			return nil, io.EOF
		}
		r.eof = true
		return nil, errTNEFShort
	}
	copy(r.scratch[:n], b)
	_, _ = r.br.Discard(n)
	r.pos += int64(n)
	return r.scratch[:n], nil
}

// next consumes n bytes of the current attribute and returns dst with the
// first keep of them appended; the rest pass by without being held.
func (r *tnefReader) next(dst []byte, n int64, keep int) ([]byte, error) {
	if n < 0 || n > r.left {
		return dst, errTNEFShort
	}
	for n > 0 {
		b, err := r.br.Peek(int(min(n, int64(r.br.Size()))))
		for _, c := range b {
			r.sum += uint16(c)
		}
		if k := min(keep, len(b)); k > 0 {
			dst = append(dst, b[:k]...)
			keep -= k
		}
		_, _ = r.br.Discard(len(b))
		n -= int64(len(b))
		r.left -= int64(len(b))
		r.pos += int64(len(b))
		if n > 0 && err != nil {
			r.eof = true
			return dst, errTNEFShort
		}
	}
	return dst, nil
}

func (r *tnefReader) u32() (uint32, error) {
	b, err := r.next(r.scratch[:0], 4, 4)
	if err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint32(b), nil
}

// readTNEF reads a TNEF stream to its end, or to where it breaks off. It
// keeps at most maxBody bytes of the body.
func readTNEF(br *bufio.Reader, maxBody int) *tnefContent {
	c := &tnefContent{}
	r := &tnefReader{br: br}
	if h, err := r.raw(6); err != nil || binary.LittleEndian.Uint32(h) != tnefSignature {
		c.notTNEF = true
		return c
	}
	var cur *tnefFile
	file := func() *tnefFile {
		f := &tnefFile{}
		if len(c.files) < maxTNEFFiles {
			c.files = append(c.files, f)
		} else {
			c.dropped++ // read all the same, and forgotten
		}
		return f
	}
	damaged := func(what string) {
		if c.damaged == "" {
			c.damaged = what
		}
	}
	for {
		h, err := r.raw(9)
		if err == io.EOF {
			break
		}
		if err != nil {
			break // r.eof is set
		}
		level, id := h[0], binary.LittleEndian.Uint32(h[1:5])
		r.left, r.sum = int64(binary.LittleEndian.Uint32(h[5:9])), 0

		if cur == nil && (id == attAttachTitle || id == attAttachData || id == attAttachment) {
			cur = file() // attachment attributes without attAttachRenddata first
		}
		var perr error
		switch {
		case id == attAttachRenddata:
			cur = file()
		case id == attAttachTitle:
			cur.title.b, perr = r.next(nil, r.left, maxTNEFString)
		case id == attAttachData:
			// The size is what is there, not what the length claims: a
			// stream cut short must not list a 4 GB file.
			start := r.pos
			_, perr = r.next(nil, r.left, 0)
			cur.size = r.pos - start
		case id == attAttachment:
			perr = r.props(func(pid uint16) int {
				switch pid {
				case prAttachLongFilename, prAttachFilename, prDisplayName, prAttachMimeTag:
					return maxTNEFString
				}
				return 0
			}, func(pid uint16, s tnefString, size int64) {
				switch pid {
				case prAttachLongFilename:
					cur.longName = s
				case prAttachFilename:
					cur.shortName = s
				case prDisplayName:
					cur.displayName = s
				case prAttachMimeTag:
					cur.mimeTag = s
				case prAttachDataObj:
					cur.objSize = max(size-16, 0) // after the object's interface id
				}
			})
		case id == attOemCodepage:
			var cp uint32
			if cp, perr = r.u32(); perr == nil {
				c.codepage = cp
			}
		case id == attBody && level == 1 && c.body.b == nil:
			c.bodyMore = r.left > int64(maxBody)
			c.body.b, perr = r.next(nil, r.left, maxBody)
		case id == attMsgProps && level == 1:
			perr = r.props(func(pid uint16) int {
				if pid == prBody && c.body.b == nil {
					return 2 * maxBody // UTF-16 takes up to twice the bytes
				}
				return 0
			}, func(pid uint16, s tnefString, size int64) {
				if pid == prBody && c.body.b == nil {
					c.body, c.bodyMore = s, size > int64(len(s.b))
				}
			})
		}
		if perr != nil && !r.eof {
			damaged("an attribute could not be read")
		}
		if _, err := r.next(nil, r.left, 0); err != nil {
			break
		}
		sum := r.sum
		ck, err := r.raw(2)
		if err != nil {
			r.eof = true // the checksum is missing
			break
		}
		if binary.LittleEndian.Uint16(ck) != sum {
			damaged("checksum mismatch")
		}
	}
	c.truncated = r.eof
	return c
}

// props reads a MAPI property list (MS-OXTNEF 2.1.3.4) from the current
// attribute. For each single-valued string or binary property it calls got
// with the first keep(id) bytes of the value and the value's full size. It
// stops at a property type it does not know, whose size it cannot tell.
func (r *tnefReader) props(keep func(id uint16) int, got func(id uint16, s tnefString, size int64)) error {
	count, err := r.u32()
	if err != nil {
		return err
	}
	for i := uint32(0); i < count; i++ {
		tag, err := r.u32()
		if err != nil {
			return err
		}
		typ, id := uint16(tag), uint16(tag>>16)
		if id >= 0x8000 { // a named property: GUID, kind, then a number or a name
			if _, err := r.next(nil, 16, 0); err != nil {
				return err
			}
			kind, err := r.u32()
			if err != nil {
				return err
			}
			n := int64(4)
			if kind != 0 {
				ln, err := r.u32()
				if err != nil {
					return err
				}
				n = pad4(int64(ln))
			}
			if _, err := r.next(nil, n, 0); err != nil {
				return err
			}
		}
		multi, base := typ&0x1000 != 0, typ&^0x1000
		size, fixed := mapiFixedSize[base]
		variable := base == 0x001E || base == 0x001F || base == 0x0102 || base == 0x000D
		if !fixed && !variable {
			return fmt.Errorf("tnef: unknown property type %#04x", typ)
		}
		values := uint32(1)
		if multi || variable {
			if values, err = r.u32(); err != nil {
				return err
			}
		}
		for j := uint32(0); j < values; j++ {
			if !variable {
				if _, err := r.next(nil, pad4(size), 0); err != nil {
					return err
				}
				continue
			}
			ln, err := r.u32()
			if err != nil {
				return err
			}
			k := 0
			if !multi && j == 0 {
				k = min(keep(id), int(min(int64(ln), 1<<30)))
			}
			v, err := r.next(nil, pad4(int64(ln)), k)
			if err != nil {
				return err
			}
			if !multi && j == 0 {
				got(id, tnefString{b: v, unicode: base == 0x001F}, int64(ln))
			}
		}
	}
	return nil
}

// mapiFixedSize is the size of each fixed-size MAPI property type's value;
// each is padded to a multiple of 4 in the stream.
var mapiFixedSize = map[uint16]int64{
	0x0002: 2, 0x0003: 4, 0x0004: 4, 0x0005: 8, 0x0006: 8, 0x0007: 8,
	0x000A: 4, 0x000B: 2, 0x0014: 8, 0x0040: 8, 0x0048: 16,
}

func pad4(n int64) int64 { return (n + 3) &^ 3 }

// isTNEF reports whether an attachment is to be read as a TNEF stream. The
// signature decides in the end; the name is enough to try, as some gateways
// relabel it application/octet-stream.
func isTNEF(mediaType, filename string) bool {
	return mediaType == "application/ms-tnef" || mediaType == "application/vnd.ms-tnef" ||
		strings.EqualFold(filename, "winmail.dat")
}

// winmail counts a winmail.dat attachment while reading the TNEF stream in
// it, and returns its size and the files it carries, listed with Part ""
// (they are not MIME parts: the case shows them, and staff open them from
// winmail.dat, which stays listed with its own part number).
func (p *parser) winmail(body io.Reader, path, name string) (int64, []mailproc.Attachment) {
	cr := &countingReader{r: body}
	br := bufio.NewReaderSize(cr, tnefBufSize)
	c := readTNEF(br, p.opts.MaxText)
	p.count(br)
	where := fmt.Sprintf("%s (%q)", partName(path), short(name))
	if c.notTNEF {
		if cr.n > 0 {
			p.note("%s is not a TNEF stream: listed as it is", where)
		}
		return cr.n, nil
	}
	var out []mailproc.Attachment
	for _, f := range c.files {
		n := ""
		for _, s := range []tnefString{f.longName, f.title, f.shortName, f.displayName} {
			if n = filenameFromPath(s.text(c.codepage)); n != "" {
				break
			}
		}
		ct := strings.ToLower(strings.TrimSpace(f.mimeTag.text(c.codepage)))
		if t, sub, ok := strings.Cut(ct, "/"); !ok || !isToken(t) || !isToken(sub) || len(ct) > 100 {
			ct = typeByExtension(n)
		}
		if n == "" {
			n = syntheticName(ct, len(p.msg.Attachments)+len(out)+2)
		}
		size := f.size
		if size == 0 {
			size = f.objSize
		}
		out = append(out, mailproc.Attachment{Filename: n, ContentType: ct, Size: size})
	}
	switch {
	case c.truncated:
		p.note("%s is cut short: %d file(s) listed from it", where, len(c.files))
	case c.damaged != "":
		p.note("%s is damaged (%s): %d file(s) listed from it", where, c.damaged, len(c.files))
	}
	if c.dropped > 0 {
		p.note("%s holds more than %d files: %d not listed", where, maxTNEFFiles, c.dropped)
	}
	if body := c.body.text(c.codepage); strings.TrimSpace(body) != "" && p.tnefText == "" {
		p.tnefText, p.tnefMore = cleanText(strings.ToValidUTF8(body, "\uFFFD")), c.bodyMore
	}
	return cr.n, out
}

// tnefBody makes the body text of winmail.dat the mail's text when the mail
// had no other: Outlook normally sends a text part beside it, but not every
// gateway keeps it.
func (p *parser) tnefBody() {
	if p.textSet || p.tnefText == "" {
		return
	}
	p.appendText(p.tnefText, p.tnefMore, walkCtx{})
	if p.textSet {
		p.note("text taken from winmail.dat")
	}
}

// typeByExtension guesses a media type from a file name, by the extensions
// the parser itself gives unnamed parts.
func typeByExtension(name string) string {
	i := strings.LastIndexByte(name, '.')
	if i < 0 {
		return "application/octet-stream"
	}
	if t, ok := typesByExtension[strings.ToLower(name[i:])]; ok {
		return t
	}
	return "application/octet-stream"
}

// typesByExtension inverts extensions; where several types share an
// extension (image/jpeg, image/jpg, image/pjpeg) the first in sort order,
// the registered one, wins.
var typesByExtension = func() map[string]string {
	types := make([]string, 0, len(extensions))
	for t := range extensions {
		types = append(types, t)
	}
	sort.Strings(types)
	m := make(map[string]string)
	for _, t := range types {
		if _, ok := m[extensions[t]]; !ok {
			m[extensions[t]] = t
		}
	}
	return m
}()

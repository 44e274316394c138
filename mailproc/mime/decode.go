package mime

import (
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	// ISO-8859-x, Windows-125x, GB2312/GBK, Big5, ISO-2022-JP, Shift_JIS,
	// EUC-KR, KOI8 and the rest, by any of their IANA or WHATWG names.
	"github.com/emersion/go-message/charset"
	"golang.org/x/text/encoding/charmap"
)

// decodeBufSize is the chunk the transfer decoders read at a time: large
// enough that a 50 MB attachment costs few calls, small enough to not matter.
const decodeBufSize = 32 << 10

// base64Reader decodes base64 leniently. The standard decoder stops at the
// first byte outside the alphabet, which would cut a citizen's text (or an
// attachment's counted size) at a single stray character; mail in the wild
// has such characters, corrupt lines, missing padding and padding in the
// middle.
//
// Simply skipping bad bytes is not enough: a corrupt line usually also holds
// alphabet characters, and a stray count of them shifts every later quantum,
// turning the rest of the part into noise. Mail wraps base64 in lines that
// are whole quanta, so a line with a bad byte is dropped whole and decoding
// goes on aligned at the next line. (A line longer than maxB64Line, from an
// encoder that does not wrap, is decoded as it comes, skipping bad bytes.)
type base64Reader struct {
	r      io.Reader
	in     []byte
	outBuf []byte
	out    []byte

	acc  uint32 // bits of the quantum being assembled
	nacc int    // sextets in acc

	// The line being read, held back until its end shows it is clean.
	line      []byte
	lineAcc   uint32
	lineNacc  int
	lineLen   int
	lineChars int // alphabet and padding characters in the line
	lineBad   bool
	streaming bool // this line is too long to hold back

	badBytes     int // bytes that were neither alphabet, padding nor white space
	droppedLines int
	danglingBits bool // the data ended in the middle of a byte
	err          error
}

const maxB64Line = 4096

const (
	b64Invalid = -1
	b64Space   = -2
	b64Pad     = -3
	b64EOL     = -4
)

var b64Table = func() (t [256]int8) {
	for i := range t {
		t[i] = b64Invalid
	}
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	for i := 0; i < len(alphabet); i++ {
		t[alphabet[i]] = int8(i)
	}
	// The URL-safe alphabet shows up from web forms and scripts.
	t['-'], t['_'] = 62, 63
	for _, c := range []byte(" \t\r\f\v\x00") {
		t[c] = b64Space
	}
	t['\n'] = b64EOL
	t['='] = b64Pad
	return t
}()

func newBase64Reader(r io.Reader) *base64Reader {
	return &base64Reader{
		r:      r,
		in:     make([]byte, decodeBufSize),
		outBuf: make([]byte, 0, decodeBufSize/4*3+maxB64Line),
		line:   make([]byte, 0, maxB64Line/4*3+3),
	}
}

// reset readies b for another part, keeping its buffers: parts are decoded
// one at a time, so one decoder per parse is enough.
func (b *base64Reader) reset(r io.Reader) {
	*b = base64Reader{r: r, in: b.in, outBuf: b.outBuf[:0], line: b.line[:0]}
}

// bad reports whether anything had to be skipped.
func (b *base64Reader) bad() bool {
	return b.badBytes > 0 || b.droppedLines > 0 || b.danglingBits
}

func (b *base64Reader) Read(p []byte) (int, error) {
	for len(b.out) == 0 {
		if b.err != nil {
			return 0, b.err
		}
		n, err := b.r.Read(b.in)
		b.out = b.decode(b.in[:n], b.outBuf[:0])
		if err != nil {
			b.out = b.endLine(b.out)
			b.out = b.flush(b.out)
			b.err = err
		}
	}
	n := copy(p, b.out)
	b.out = b.out[n:]
	return n, nil
}

func (b *base64Reader) decode(in, out []byte) []byte {
	for _, c := range in {
		v := b64Table[c]
		if v == b64EOL {
			out = b.endLine(out)
			continue
		}
		b.lineLen++
		if !b.streaming && b.lineLen > maxB64Line {
			// Too long to hold back: commit it and go on byte by byte.
			if !b.lineBad {
				out = append(out, b.line...)
			}
			b.line = b.line[:0]
			b.streaming = true
		}
		if v >= 0 || v == b64Pad {
			b.lineChars++
		}
		switch {
		case v >= 0:
			b.acc = b.acc<<6 | uint32(v)
			b.nacc++
			if b.nacc == 4 {
				b.line = append(b.line, byte(b.acc>>16), byte(b.acc>>8), byte(b.acc))
				b.acc, b.nacc = 0, 0
			}
		case v == b64Pad:
			// Padding ends a quantum. Data may follow (concatenated
			// encodings); it is decoded as a new quantum.
			b.line = b.flush(b.line)
		case v == b64Invalid:
			b.badBytes++
			if !b.streaming {
				b.lineBad = true
			}
		}
		if b.streaming && len(b.line) > 0 {
			out = append(out, b.line...)
			b.line = b.line[:0]
		}
	}
	return out
}

// endLine commits the line just read, or drops it if it had a bad byte
// that put it out of step. A line whose bad bytes were inserted (a stray
// byte, a non-breaking space pasted in) still holds whole quanta of
// alphabet and padding characters, as encoders wrap them, and is kept, its
// text with it. One whose bad bytes replaced characters does not, and would
// turn everything after it into noise.
func (b *base64Reader) endLine(out []byte) []byte {
	if b.lineBad && b.lineChars%4 != 0 {
		b.droppedLines++
		b.acc, b.nacc = b.lineAcc, b.lineNacc
	} else {
		out = append(out, b.line...)
	}
	b.line = b.line[:0]
	b.lineBad, b.streaming, b.lineLen, b.lineChars = false, false, 0, 0
	b.lineAcc, b.lineNacc = b.acc, b.nacc
	return out
}

// flush emits the bytes of an incomplete quantum, as if it had been padded.
func (b *base64Reader) flush(out []byte) []byte {
	switch b.nacc {
	case 1:
		b.danglingBits = true // six bits cannot make a byte
	case 2:
		out = append(out, byte(b.acc>>4))
	case 3:
		out = append(out, byte(b.acc>>10), byte(b.acc>>2))
	}
	b.acc, b.nacc = 0, 0
	return out
}

// qpReader decodes quoted-printable leniently. The standard decoder fails on
// lines longer than 4 KiB and on unescaped control bytes, both common in
// mail from web forms and old gateways; this one never fails: "=" not
// followed by two hex digits or a line end is kept as a literal "=", and
// lower-case hex is accepted. Trailing white space before a line end is kept
// (RFC 2045 says to drop it; keeping it changes nothing a person reads).
type qpReader struct {
	r      io.Reader
	in     []byte
	outBuf []byte
	out    []byte
	state  int
	hex1   byte
	ws     []byte // white space seen after "=", pending
	err    error
}

const (
	qpNormal   = iota
	qpEq       // after "="
	qpEqHex    // after "=" and one hex digit
	qpEqSpace  // after "=" and white space
	qpEqCR     // after "=" (and white space) and CR
	qpMaxSpace = 64
)

func newQPReader(r io.Reader) *qpReader {
	return &qpReader{r: r, in: make([]byte, decodeBufSize), outBuf: make([]byte, 0, decodeBufSize+qpMaxSpace+4)}
}

// reset readies q for another part, keeping its buffers.
func (q *qpReader) reset(r io.Reader) {
	*q = qpReader{r: r, in: q.in, outBuf: q.outBuf[:0], ws: q.ws[:0]}
}

func (q *qpReader) Read(p []byte) (int, error) {
	for len(q.out) == 0 {
		if q.err != nil {
			return 0, q.err
		}
		n, err := q.r.Read(q.in)
		q.out = q.decode(q.in[:n], q.outBuf[:0])
		if err != nil {
			q.out = q.finish(q.out)
			q.err = err
		}
	}
	n := copy(p, q.out)
	q.out = q.out[n:]
	return n, nil
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	}
	return 0, false
}

func (q *qpReader) decode(in, out []byte) []byte {
	for i := 0; i < len(in); {
		c := in[i]
		switch q.state {
		case qpNormal:
			if c == '=' {
				q.state = qpEq
			} else {
				out = append(out, c)
			}
		case qpEq:
			if _, ok := unhex(c); ok {
				q.hex1, q.state = c, qpEqHex
			} else if c == '\n' {
				q.state = qpNormal // soft line break
			} else if c == '\r' {
				q.state = qpEqCR
			} else if c == ' ' || c == '\t' {
				q.ws = append(q.ws[:0], c)
				q.state = qpEqSpace
			} else {
				out = append(out, '=')
				q.state = qpNormal
				continue // reprocess c
			}
		case qpEqHex:
			if lo, ok := unhex(c); ok {
				hi, _ := unhex(q.hex1)
				out = append(out, hi<<4|lo)
				q.state = qpNormal
			} else {
				out = append(out, '=', q.hex1)
				q.state = qpNormal
				continue
			}
		case qpEqSpace:
			switch {
			case c == '\n':
				q.state = qpNormal
			case c == '\r':
				q.state = qpEqCR
			case (c == ' ' || c == '\t') && len(q.ws) < qpMaxSpace:
				q.ws = append(q.ws, c)
			default:
				out = append(out, '=')
				out = append(out, q.ws...)
				q.state = qpNormal
				continue
			}
		case qpEqCR:
			q.state = qpNormal // "=\r" is a soft break even without the LF
			if c != '\n' {
				continue
			}
		}
		i++
	}
	return out
}

func (q *qpReader) finish(out []byte) []byte {
	if q.state == qpEqHex {
		out = append(out, '=', q.hex1)
	}
	// A lone "=" or "= " at the very end is a soft break with nothing after.
	q.state = qpNormal
	return out
}

// charsetMode says how the bytes of a text part become UTF-8.
type charsetMode int

const (
	csUTF8      charsetMode = iota // declared UTF-8: invalid bytes become U+FFFD
	csSniff                        // undeclared, ASCII or unknown: UTF-8 if valid, else Windows-1252
	csConverted                    // a known charset, decoded by go-message/charset
)

// normalizeCharset turns a charset label as mail writes it into the form the
// decoders know. ISO-8859-1 is read as Windows-1252, as every browser and
// mail client does: mail labelled Latin-1 routinely carries Windows quotes
// and dashes in 0x80–0x9F, which Latin-1 would turn into control characters.
func normalizeCharset(label string) string {
	label = strings.ToLower(strings.Trim(label, " \t\"'"))
	switch label {
	case "iso-8859-1", "iso8859-1", "iso_8859-1", "iso_8859-1:1987", "latin1", "latin-1", "l1", "cp819", "ibm819":
		return "windows-1252"
	case "utf8", "unicode-1-1-utf-8", "x-utf_8j":
		return "utf-8"
	case "ascii", "ansi_x3.4-1968", "iso646-us", "us", "646", "cp367", "ibm367", "iso-ir-6":
		return "us-ascii"
	}
	return label
}

// openCharset returns the reader that turns a part's bytes into UTF-8 and how
// to treat what comes out. known is false for a label nobody can decode.
func openCharset(label string, r io.Reader) (_ io.Reader, mode charsetMode, known bool) {
	switch label {
	case "":
		return r, csSniff, true
	case "us-ascii":
		// ASCII with 8-bit bytes is a mislabelled legacy charset or UTF-8.
		return r, csSniff, true
	case "utf-8":
		return r, csUTF8, true
	}
	cr, err := charset.Reader(label, r)
	if err != nil || cr == nil {
		return r, csSniff, false
	}
	return cr, csConverted, true
}

// toUTF8 makes b valid UTF-8 according to mode. It reports whether it fell
// back to Windows-1252 and whether it had to replace invalid sequences.
func toUTF8(b []byte, mode charsetMode) (s, guessed string, replaced bool) {
	if utf8.Valid(b) {
		return string(b), "", false
	}
	if mode == csSniff {
		guessed, s = sniffCharset(b)
		return s, guessed, false
	}
	return strings.ToValidUTF8(string(b), "\uFFFD"), "", true
}

// decode1252 reads b as Windows-1252, the fallback for 8-bit bytes that are
// not UTF-8: in Indonesia (as in most of the West) legacy mail is Windows
// Latin, it maps every byte, and so nothing the citizen wrote is dropped.
func decode1252(b []byte) string {
	s, err := charmap.Windows1252.NewDecoder().Bytes(b)
	if err != nil {
		return strings.ToValidUTF8(string(b), "\uFFFD")
	}
	return string(s)
}

// repairUTF8 keeps the valid UTF-8 runs of b and decodes only the bytes
// that are not UTF-8 as Windows-1252: a header that is UTF-8 but for one
// stray byte must not turn into mojibake as a whole.
func repairUTF8(b []byte) string {
	var sb strings.Builder
	sb.Grow(len(b) + 8)
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if r == utf8.RuneError && size == 1 {
			sb.WriteString(decode1252(b[:1]))
		} else {
			sb.Write(b[:size])
		}
		b = b[size:]
	}
	return sb.String()
}

// trimPartialRune drops an incomplete UTF-8 sequence at the end of b, left
// there when reading stopped at a size bound.
func trimPartialRune(b []byte) []byte {
	for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax; i-- {
		if utf8.RuneStart(b[i]) {
			if !utf8.FullRune(b[i:]) {
				return b[:i]
			}
			break
		}
	}
	return b
}

// cleanText makes body text safe to store and show: CRLF and lone CR become
// LF, NUL and every other control character except LF and TAB are removed
// (they break terminals, logs and some databases), as are byte-order marks.
// s must be valid UTF-8.
func cleanText(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '\r':
			b.WriteByte('\n')
			if i+1 < len(s) && s[i+1] == '\n' {
				size++
			}
		case r == '\n' || r == '\t':
			b.WriteRune(r)
		case r == '\uFEFF' || unicode.IsControl(r):
		case r == utf8.RuneError && size == 1:
			b.WriteRune(utf8.RuneError)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// cleanHeaderText makes a decoded header value one clean line: white space
// runs become one space, control characters go, and C1 controls (U+0080–
// U+009F, which only appear when Windows-1252 was labelled ISO-8859-1 in an
// encoded word) become the Windows-1252 characters the sender meant.
func cleanHeaderText(s string, maxRunes int) (string, bool) {
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	b.Grow(min(len(s), maxRunes*utf8.UTFMax))
	space := false
	n := 0
	cut := false
	for _, r := range s {
		if r >= 0x80 && r <= 0x9f {
			if w := []rune(decode1252([]byte{byte(r)})); len(w) == 1 {
				r = w[0]
			}
		}
		switch {
		case unicode.IsSpace(r):
			space = b.Len() > 0
			continue
		case r == '\uFEFF' || unicode.IsControl(r):
			continue
		}
		if n >= maxRunes {
			cut = true
			break
		}
		if space {
			if n+1 >= maxRunes {
				cut = true
				break
			}
			b.WriteByte(' ')
			n++
			space = false
		}
		b.WriteRune(r)
		n++
	}
	return b.String(), cut
}

// truncateBytes cuts s to at most n bytes on a rune boundary.
func truncateBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// unflow decodes RFC 3676 format=flowed text (Thunderbird, Apple Mail): a
// line ending in a space continues on the next line of the same quote depth,
// so paragraphs come back as the sender typed them instead of cut at 72
// columns. Space-stuffing is undone; with DelSp=yes the joining space goes.
// Quoted lines are written back with a "> " per level. s has LF line ends.
func unflow(s string, delSp bool) string {
	var b strings.Builder
	b.Grow(len(s))
	open := false // the previous line was flowed: this one continues it
	prevDepth := 0
	lines := strings.Split(s, "\n")
	for i, line := range lines {
		depth := 0
		for depth < len(line) && line[depth] == '>' {
			depth++
		}
		content := line[depth:]
		content = strings.TrimPrefix(content, " ") // stuffing, or the space after ">"
		flowed := strings.HasSuffix(content, " ") && content != "-- " && i < len(lines)-1
		if open && depth != prevDepth {
			b.WriteByte('\n') // a flowed line followed by another depth ends there
			open = false
		}
		if !open {
			if depth > 0 {
				b.WriteString(strings.Repeat(">", depth))
				b.WriteByte(' ')
			}
		}
		if flowed && delSp {
			content = content[:len(content)-1]
		}
		b.WriteString(content)
		if !flowed && i < len(lines)-1 {
			b.WriteByte('\n')
		}
		open, prevDepth = flowed, depth
	}
	return b.String()
}

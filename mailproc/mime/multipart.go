package mime

import (
	"bufio"
	"bytes"
	"io"
)

// splitBufSize is the look-ahead of a multipart body: the window in which a
// missing boundary is guessed, and the chunk scanned for the next boundary.
const splitBufSize = 32 << 10

// splitter cuts a multipart body into its raw parts (header and body), the
// way Go's mime/multipart does — the scanning follows its partReader — but
// it only cuts: part headers are read by readHeader, with its bounds.
// go-message's textproto.MultipartReader reads each part header without any
// bound, fails on a preamble line over 4 KiB, and treats a missing closing
// boundary or a stray line between parts as an error that ends the walk.
// Here all of these degrade: a missing closing boundary ends the last part
// at the end of input (and is reported), stray lines are skipped.
type splitter struct {
	br             *bufio.Reader
	dashBoundary   []byte // "--boundary"
	nlDashBoundary []byte // "\n--boundary"
	cur            *rawPart
	parts          int
	done           bool
	unterminated   bool // input ended inside a part, before the closing boundary
}

func (s *splitter) reset(br *bufio.Reader, boundary string) {
	*s = splitter{br: br}
	s.setBoundary(boundary)
}

func (s *splitter) setBoundary(boundary string) {
	b := []byte("\n--" + boundary)
	s.nlDashBoundary = b
	s.dashBoundary = b[1:]
}

// window returns the look-ahead and whether it holds the whole rest of the
// body.
func (s *splitter) window() ([]byte, bool) {
	buf, err := s.br.Peek(splitBufSize)
	return buf, err != nil
}

// boundaryInWindow reports whether the current boundary starts a line in the
// look-ahead.
func (s *splitter) boundaryInWindow(buf []byte) bool {
	if bytes.HasPrefix(buf, s.dashBoundary) {
		return true
	}
	return bytes.Contains(buf, s.nlDashBoundary)
}

// guessBoundary looks in the window for the first line that looks like a
// boundary delimiter ("--" and 1–70 boundary characters), for multipart
// bodies whose Content-Type lost its boundary parameter.
func guessBoundary(buf []byte) (string, bool) {
	for len(buf) > 0 {
		line := buf
		if i := bytes.IndexByte(buf, '\n'); i >= 0 {
			line, buf = buf[:i], buf[i+1:]
		} else {
			buf = nil
		}
		if !bytes.HasPrefix(line, []byte("--")) {
			continue
		}
		b := bytes.TrimRight(line[2:], " \t\r")
		b = bytes.TrimSuffix(b, []byte("--")) // a closing delimiter names it too
		if validBoundary(b) {
			return string(b), true
		}
	}
	return "", false
}

// validBoundary applies RFC 2046's bchars rule, which keeps signature
// separators ("-- ") and rulers ("------") from being taken for boundaries.
func validBoundary(b []byte) bool {
	if len(b) == 0 || len(b) > 70 || b[len(b)-1] == ' ' {
		return false
	}
	letters := 0
	for _, c := range b {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
			letters++
		case bytes.IndexByte([]byte("'()+_,-./:=? "), c) >= 0:
		default:
			return false
		}
	}
	return letters > 0
}

// partWithoutDelimiter reports whether buf, the start of a multipart body,
// is a part's header where the first delimiter should be: a mailer that
// writes the delimiter only between parts. That text is a part, usually
// the citizen's message, not a preamble to throw away.
func (s *splitter) partWithoutDelimiter(buf []byte) bool {
	return len(buf) >= 8 && bytes.EqualFold(buf[:8], []byte("content-")) && looksLikeHeader(buf)
}

// firstPart returns the part that starts at the beginning of the body, for
// a body whose first delimiter is missing (see partWithoutDelimiter).
func (s *splitter) firstPart() io.Reader {
	s.parts++
	s.cur = &rawPart{s: s}
	return s.cur
}

// next returns the next raw part, or io.EOF after the last one. The previous
// part is drained first.
func (s *splitter) next() (io.Reader, error) {
	if s.cur != nil {
		if _, err := io.Copy(io.Discard, s.cur); err != nil {
			s.done = true
			return nil, err
		}
		s.cur = nil
	}
	if s.done {
		return nil, io.EOF
	}
	for {
		line, long, err := s.readLine()
		if !long && len(line) > 0 {
			if s.isFinal(line) {
				s.done = true
				return nil, io.EOF
			}
			if s.isDelimiter(line) {
				s.parts++
				s.cur = &rawPart{s: s}
				return s.cur, nil
			}
		}
		if err != nil {
			s.done = true
			if s.parts > 0 {
				s.unterminated = true
			}
			if err == io.EOF {
				return nil, io.EOF
			}
			return nil, err
		}
		// A preamble line, or a stray line between parts: skipped.
	}
}

// readLine reads a line between parts. Only its start matters (it is
// compared with the boundary); an overlong line is consumed and flagged.
func (s *splitter) readLine() (line []byte, long bool, err error) {
	line, err = s.br.ReadSlice('\n')
	for err == bufio.ErrBufferFull {
		long = true
		_, err = s.br.ReadSlice('\n')
	}
	return line, long, err
}

func (s *splitter) isDelimiter(line []byte) bool {
	if !bytes.HasPrefix(line, s.dashBoundary) {
		return false
	}
	return len(bytes.TrimRight(line[len(s.dashBoundary):], " \t\r\n")) == 0
}

func (s *splitter) isFinal(line []byte) bool {
	if !bytes.HasPrefix(line, s.dashBoundary) {
		return false
	}
	rest := line[len(s.dashBoundary):]
	if !bytes.HasPrefix(rest, []byte("--")) {
		return false
	}
	return len(bytes.TrimRight(rest[2:], " \t\r\n")) == 0
}

// rawPart reads one part, header and body, up to the line ending before the
// next boundary line (or to the end of input).
type rawPart struct {
	s     *splitter
	n     int   // bytes known to be part data, waiting in the buffer
	total int64 // bytes returned so far
	end   bool  // the data in the buffer is the last of the part
	rerr  error // error of the last attempt to fill the buffer
}

const (
	scanMore = iota
	scanBoundary
	scanEOF
)

func (p *rawPart) Read(d []byte) (int, error) {
	s := p.s
	for p.n == 0 && !p.end {
		peek, _ := s.br.Peek(s.br.Buffered())
		var st int
		p.n, st = s.scan(peek, p.total == 0, p.rerr != nil)
		switch st {
		case scanBoundary:
			p.end = true
		case scanEOF:
			p.end = true
			s.done = true
			if p.rerr == io.EOF {
				s.unterminated = true
			}
		default:
			if p.n == 0 {
				_, p.rerr = s.br.Peek(len(peek) + 1)
			}
		}
	}
	if p.n == 0 {
		if p.rerr != nil && p.rerr != io.EOF {
			return 0, p.rerr
		}
		return 0, io.EOF
	}
	n, _ := s.br.Read(d[:min(len(d), p.n)])
	p.n -= n
	p.total += int64(n)
	return n, nil
}

// scan says how many bytes at the start of buf are part data, and whether a
// boundary (or the end of input, when eof) follows them. It finds
// "\n--boundary" with either line ending (mixed CRLF and LF is common) and
// holds back a tail that might be the start of one.
func (s *splitter) scan(buf []byte, atStart, eof bool) (int, int) {
	if atStart && bytes.HasPrefix(buf, s.dashBoundary) {
		// An empty part: the boundary line follows the delimiter at once.
		switch matchAfter(buf, s.dashBoundary, eof) {
		case +1:
			return 0, scanBoundary
		case 0:
			return 0, scanMore
		}
	}
	if atStart && !eof && len(buf) < len(s.dashBoundary) && bytes.HasPrefix(s.dashBoundary, buf) {
		return 0, scanMore
	}
	for off := 0; ; {
		i := bytes.Index(buf[off:], s.nlDashBoundary)
		if i < 0 {
			break
		}
		i += off
		switch matchAfter(buf[i:], s.nlDashBoundary, eof) {
		case +1:
			return trimCR(buf, i), scanBoundary
		case 0:
			return trimCR(buf, i), scanMore
		}
		off = i + 1
	}
	if eof {
		return len(buf), scanEOF
	}
	if j := bytes.LastIndexByte(buf, '\n'); j >= 0 && bytes.HasPrefix(s.nlDashBoundary, buf[j:]) {
		return trimCR(buf, j), scanMore
	}
	if n := len(buf); n > 0 && buf[n-1] == '\r' {
		return n - 1, scanMore
	}
	return len(buf), scanMore
}

// trimCR excludes the CR of a CRLF that belongs to the boundary line.
func trimCR(buf []byte, i int) int {
	if i > 0 && buf[i-1] == '\r' {
		return i - 1
	}
	return i
}

// matchAfter decides whether buf, which starts with prefix, is a boundary:
// +1 if prefix is followed by white space, a line end, "-" or the end of
// input; -1 if by anything else ("--foobar" is not "--foo"); 0 if more
// input is needed to tell.
func matchAfter(buf, prefix []byte, eof bool) int {
	if len(buf) == len(prefix) {
		if eof {
			return +1
		}
		return 0
	}
	switch buf[len(prefix)] {
	case ' ', '\t', '\r', '\n', '-':
		return +1
	}
	return -1
}

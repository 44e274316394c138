package mime

import (
	"bufio"
	"bytes"
	"io"
	"net/textproto"
	"strings"
)

// field is one header field: the canonical key and the unfolded value, still
// raw (encoded words not decoded, 8-bit bytes as they came).
type field struct {
	key   string
	value string
}

// header is a header section in the order of the mail, top first.
type header []field

// get returns the value of the topmost field named key (canonical form).
func (h header) get(key string) (string, bool) {
	for _, f := range h {
		if f.key == key {
			return f.value, true
		}
	}
	return "", false
}

// all returns the values of every field named key, top first.
func (h header) all(key string) []string {
	var vs []string
	for _, f := range h {
		if f.key == key {
			vs = append(vs, f.value)
		}
	}
	return vs
}

// headerLimits bound what a header section may cost. Beyond them the rest of
// the section is read and thrown away, so the body still starts where it
// should and memory stays bounded.
type headerLimits struct {
	maxBytes  int // bytes of field text kept
	maxFields int
}

var (
	topHeaderLimits  = headerLimits{maxBytes: 1 << 20, maxFields: 1000}
	partHeaderLimits = headerLimits{maxBytes: 64 << 10, maxFields: 100}
)

// headerStats says what readHeader had to work around.
type headerStats struct {
	skipped int  // lines that were not fields (no colon, bad name, stray continuation)
	tooBig  bool // maxBytes reached
	tooMany bool // maxFields reached
}

// readHeader reads a header section up to and including the blank line that
// ends it (or the end of input). It is written here rather than taken from
// go-message's textproto.ReadHeader because that one stops at the first line
// without a colon (losing every field after it), and allocates 256 bytes per
// line, so 1 MiB of hostile one-letter fields costs over 150 MB. Here a bad
// line is skipped and counted, and the section costs at most lim.
func readHeader(br *bufio.Reader, lim headerLimits) (header, headerStats, error) {
	var (
		h    header
		st   headerStats
		cur  []byte // the field being assembled, continuation lines included
		have bool   // cur holds a field
		keep bool   // and it started before a limit was reached
		kept int    // bytes of field text kept so far
		stop bool   // a limit was reached: read on, keep nothing new
	)
	flush := func() {
		if !have || !keep {
			have = false
			return
		}
		have = false
		if len(h) >= lim.maxFields {
			st.tooMany, stop = true, true
			return
		}
		if f, ok := parseField(cur); ok {
			h = append(h, f)
		} else {
			st.skipped++
		}
	}
	for {
		room := 2 // enough to see a blank line or a continuation
		if !stop {
			room = max(room, lim.maxBytes-kept)
		}
		line, n, err := readLine(br, room)
		if n == 0 && err != nil {
			flush()
			return h, st, eofOK(err)
		}
		if len(line) == 0 {
			flush()
			return h, st, nil
		}
		cont := line[0] == ' ' || line[0] == '\t'
		if !cont {
			flush()
		}
		switch {
		case cont && !have:
			st.skipped++ // a continuation of nothing
		case cont && keep && !stop:
			cur = append(cur, ' ')
			cur = append(cur, bytes.TrimLeft(line, " \t")...)
		case !cont:
			cur = append(cur[:0], line...)
			have, keep = true, !stop
		}
		if !stop {
			kept += len(line)
			// A line cut to the room left still makes its field (its
			// start is all anyone reads); nothing after it is kept.
			if kept >= lim.maxBytes {
				st.tooBig, stop = true, true
			}
		}
		if err != nil {
			flush()
			return h, st, eofOK(err)
		}
	}
}

func eofOK(err error) error {
	if err == io.EOF {
		return nil
	}
	return err
}

// parseField splits "Key: value" and unfolds the value. ok is false for a
// line that is not a field: no colon, or a name with characters RFC 5322
// does not allow (such as the space in an mbox "From " line).
func parseField(b []byte) (field, bool) {
	i := bytes.IndexByte(b, ':')
	if i <= 0 {
		return field{}, false
	}
	name := bytes.TrimRight(b[:i], " \t") // "Subject :" is seen in the wild
	if len(name) == 0 {
		return field{}, false
	}
	for _, c := range name {
		if c < 33 || c > 126 {
			return field{}, false
		}
	}
	v := bytes.Trim(b[i+1:], " \t")
	return field{key: textproto.CanonicalMIMEHeaderKey(string(name)), value: string(v)}, true
}

// readLine reads one line and returns it without its line ending, keeping at
// most keep bytes of it (the rest is read and dropped). n is the number of
// bytes read, line ending included.
func readLine(br *bufio.Reader, keep int) (line []byte, n int, err error) {
	for {
		frag, e := br.ReadSlice('\n')
		n += len(frag)
		if room := keep - len(line); room > 0 {
			line = append(line, frag[:min(room, len(frag))]...)
		}
		if e == bufio.ErrBufferFull {
			continue
		}
		err = e
		break
	}
	line = bytes.TrimSuffix(line, []byte("\n"))
	line = bytes.TrimSuffix(line, []byte("\r"))
	return line, n, err
}

// looksLikeHeader reports whether b (the start of a section) begins with a
// header field or with the blank line of an empty header, rather than with
// body text: a name of printable ASCII up to a colon on the first line.
func looksLikeHeader(b []byte) bool {
	if len(b) == 0 || b[0] == '\n' || (b[0] == '\r' && (len(b) == 1 || b[1] == '\n')) {
		return true
	}
	if b[0] == ' ' || b[0] == '\t' {
		return false
	}
	for i, c := range b {
		switch {
		case c == ':':
			return i > 0
		case c == ' ' || c == '\t':
			// Only trailing white space before the colon is tolerated.
			rest := bytes.TrimLeft(b[i:], " \t")
			return len(rest) > 0 && rest[0] == ':'
		case c < 33 || c > 126:
			return false
		}
	}
	return false
}

// stripComments removes RFC 5322 comments "(…)" outside quoted strings, for
// the structured fields read by keyword (Content-Transfer-Encoding, …).
func stripComments(s string) string {
	if !strings.ContainsRune(s, '(') {
		return s
	}
	var b strings.Builder
	depth := 0
	quoted := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s) && (quoted || depth > 0):
			if depth == 0 {
				b.WriteByte(c)
				b.WriteByte(s[i+1])
			}
			i++
			continue
		case c == '"' && depth == 0:
			quoted = !quoted
		case c == '(' && !quoted:
			depth++
			continue
		case c == ')' && !quoted && depth > 0:
			depth--
			continue
		}
		if depth == 0 {
			b.WriteByte(c)
		}
	}
	return b.String()
}

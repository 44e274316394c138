package mime

import (
	"bytes"
	"io"
	"mime"
	"net/mail"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/dpk-kampar/mailproc/mailproc"
)

// Bounds on what one header may put into the database.
const (
	maxSubjectRunes  = 998 // RFC 5322's line length; no real subject is longer
	maxNameRunes     = 256
	maxAddrBytes     = 320 // 64 local + @ + 255 domain
	maxAddresses     = 100
	maxRefs          = 100
	maxIDBytes       = 250
	maxAuthResults   = 20
	maxAuthBytes     = 4 << 10
	maxKeywordBytes  = 200
	maxFilenameRunes = 200
)

// mediaType is a parsed Content-Type or Content-Disposition.
type mediaType struct {
	value  string            // lower-case type/subtype or disposition
	params map[string]string // lower-case names; values decoded to UTF-8
	ok     bool              // the value parsed cleanly
}

// parseMediaType reads a Content-Type or Content-Disposition value. The
// standard parser is used first; when it fails — and it fails on a trailing
// comment, a duplicate parameter, an unquoted space, or an RFC 2231 charset
// other than UTF-8 — a lenient reading keeps what it can. (go-message's own
// Header.ContentType returns the whole raw string as the media type on any
// such error, with no parameters, which loses the charset and the boundary.)
func (p *parser) parseMediaType(name, v string) mediaType {
	v = p.headerUTF8(name, v)
	mt, params, err := mime.ParseMediaType(v)
	if err != nil || missing2231(v, params) {
		mt, params = lenientMediaType(v)
	} else {
		mt = strings.ToLower(mt)
	}
	for k, val := range params {
		if strings.Contains(val, "=?") {
			val = p.decodeWords(name, val)
		}
		params[k] = strings.ToValidUTF8(val, "\uFFFD")
	}
	return mediaType{value: mt, params: params, ok: err == nil}
}

// missing2231 reports whether the standard parser silently dropped an RFC
// 2231 parameter (it does for charsets other than UTF-8 and US-ASCII).
func missing2231(raw string, params map[string]string) bool {
	for _, k := range []string{"filename", "name"} {
		if _, ok := params[k]; !ok && strings.Contains(strings.ToLower(raw), k+"*") {
			return true
		}
	}
	return false
}

// lenientMediaType splits "type; a=b; c*=utf-8”x" by hand: the first value
// of a name wins, quotes and comments are removed, RFC 2231 extended values
// and continuations are decoded in any charset go-message knows.
func lenientMediaType(v string) (string, map[string]string) {
	parts := splitOutsideQuotes(v, ';')
	mt := strings.ToLower(strings.TrimSpace(stripComments(parts[0])))
	params := make(map[string]string)
	type piece struct {
		n       int
		encoded bool
		value   string
	}
	cont := make(map[string][]piece)
	for _, raw := range parts[1:] {
		k, val, ok := strings.Cut(raw, "=")
		if !ok {
			continue
		}
		k = strings.ToLower(strings.TrimSpace(k))
		val = strings.TrimSpace(val)
		if strings.HasPrefix(val, `"`) {
			val = unquote(val)
		} else {
			val = strings.TrimSpace(stripComments(val))
		}
		if k == "" {
			continue
		}
		base, idx, star := k, "", false
		if strings.HasSuffix(base, "*") {
			base, star = strings.TrimSuffix(base, "*"), true
		}
		if b, i, ok := strings.Cut(base, "*"); ok {
			base, idx = b, i
		}
		switch {
		case idx != "":
			n, err := strconv.Atoi(idx)
			if err != nil || n < 0 || n > 100 {
				continue
			}
			cont[base] = append(cont[base], piece{n, star, val})
		case star:
			if _, dup := params[base]; !dup {
				params[base] = decode2231(val, true)
			}
		default:
			if _, dup := params[k]; !dup {
				params[k] = val
			}
		}
	}
	for base, ps := range cont {
		if _, dup := params[base]; dup {
			continue
		}
		sort.Slice(ps, func(i, j int) bool { return ps[i].n < ps[j].n })
		var raw strings.Builder
		cs := ""
		for i, pc := range ps {
			val := pc.value
			if pc.encoded {
				if i == 0 {
					if c, rest, ok := cut2231(val); ok {
						cs, val = c, rest
					}
				}
				val = percentDecode(val)
			}
			raw.WriteString(val)
		}
		params[base] = convertCharset(cs, raw.String())
	}
	return mt, params
}

// decode2231 decodes an RFC 2231 extended value "charset'lang'%xx…".
func decode2231(v string, extended bool) string {
	if !extended {
		return v
	}
	cs, rest, ok := cut2231(v)
	if !ok {
		return percentDecode(v)
	}
	return convertCharset(cs, percentDecode(rest))
}

func cut2231(v string) (charset, rest string, ok bool) {
	cs, after, ok := strings.Cut(v, "'")
	if !ok {
		return "", v, false
	}
	_, rest, ok = strings.Cut(after, "'")
	if !ok {
		return "", v, false
	}
	return cs, rest, true
}

func percentDecode(s string) string {
	if d, err := url.PathUnescape(s); err == nil {
		return d
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) {
			if hi, ok := unhex(s[i+1]); ok {
				if lo, ok := unhex(s[i+2]); ok {
					b.WriteByte(hi<<4 | lo)
					i += 2
					continue
				}
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// convertCharset turns bytes in the named charset into valid UTF-8, falling
// back as body text does.
func convertCharset(label, s string) string {
	r, mode, _ := openCharset(normalizeCharset(label), strings.NewReader(s))
	b, err := io.ReadAll(io.LimitReader(r, 1<<20))
	if err != nil && len(b) == 0 {
		b = []byte(s)
		mode = csSniff
	}
	out, _, _ := toUTF8(b, mode)
	return out
}

func unquote(s string) string {
	s = strings.TrimPrefix(s, `"`)
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\' && i+1 < len(s):
			i++
			b.WriteByte(s[i])
		case c == '"':
			return b.String()
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// splitOutsideQuotes splits s at sep, except inside double quotes.
func splitOutsideQuotes(s string, sep byte) []string {
	var out []string
	quoted := false
	start := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			if quoted {
				i++
			}
		case '"':
			quoted = !quoted
		case sep:
			if !quoted {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	return append(out, s[start:])
}

// headerUTF8 makes a raw header value valid UTF-8. Raw 8-bit bytes in
// headers are legal UTF-8 under RFC 6532 and common from phones; the bytes
// that are not UTF-8 are an old client's Windows-1252, and only those are
// decoded so (the valid UTF-8 around them is kept).
func (p *parser) headerUTF8(name, v string) string {
	if utf8.ValidString(v) {
		return v
	}
	p.note("8-bit bytes in header %s are not UTF-8: those decoded as Windows-1252", name)
	return repairUTF8([]byte(v))
}

// wordDecoder decodes RFC 2047 encoded words leniently. The standard
// decoder gives up on the whole value when one word names a charset it
// cannot decode; with this charset reader such a word keeps its bytes (UTF-8
// if valid, else Windows-1252) and the rest of the value is still decoded.
func (p *parser) wordDecoder(name string) *mime.WordDecoder {
	return &mime.WordDecoder{CharsetReader: func(label string, r io.Reader) (io.Reader, error) {
		b, err := io.ReadAll(io.LimitReader(r, 1<<20))
		if err != nil {
			return nil, err
		}
		cr, mode, known := openCharset(normalizeCharset(label), bytes.NewReader(b))
		if !known {
			p.note("unknown charset %q in header %s: kept raw", short(label), name)
		}
		out, err := io.ReadAll(cr)
		if err != nil {
			out, mode = b, csSniff
		}
		s, _, _ := toUTF8(out, mode)
		return strings.NewReader(s), nil
	}}
}

// decodeWords decodes the encoded words in a header value.
func (p *parser) decodeWords(name, v string) string {
	if !strings.Contains(v, "=?") {
		return v
	}
	out, err := p.wordDecoder(name).DecodeHeader(fixWordPadding(v))
	if err != nil {
		return v
	}
	return strings.ToValidUTF8(out, "\uFFFD")
}

// bWordRE finds base64 encoded words ("=?charset?B?text?=").
var bWordRE = regexp.MustCompile(`=\?([^?\s]{1,75})\?([bB])\?([A-Za-z0-9+/=]*)\?=`)

// fixWordPadding gives every base64 encoded word the padding it needs:
// mailers write too much ("suLK1A===") or none, and the standard decoder
// then leaves the word raw in the subject.
func fixWordPadding(v string) string {
	if !strings.Contains(v, "?B?") && !strings.Contains(v, "?b?") {
		return v
	}
	return bWordRE.ReplaceAllStringFunc(v, func(w string) string {
		m := bWordRE.FindStringSubmatch(w)
		text := strings.TrimRight(m[3], "=")
		if len(text)%4 == 1 {
			text = text[:len(text)-1] // a stray character: no whole byte in it
		}
		if r := len(text) % 4; r != 0 {
			text += strings.Repeat("=", 4-r)
		}
		return "=?" + m[1] + "?" + m[2] + "?" + text + "?="
	})
}

// headerText decodes an unstructured header (Subject) into one clean bounded line.
func (p *parser) headerText(name, v string, maxRunes int) string {
	s, cut := cleanHeaderText(p.decodeWords(name, p.headerUTF8(name, v)), maxRunes)
	if cut {
		p.note("header %s cut to %d characters", name, maxRunes)
	}
	return s
}

// addresses reads an address list header. net/mail is tried first; it
// rejects much real mail (an unquoted comma or dot in a name, a space in the
// address, an 8-bit name that is not UTF-8), so each comma-separated piece
// is then read on its own, and last by looking for <addr> or a word with @.
func (p *parser) addresses(h header, name string, limit int) []mailproc.Address {
	v, ok := h.get(name)
	if !ok || strings.TrimSpace(v) == "" {
		return nil
	}
	v = p.headerUTF8(name, v)
	if sys := bareMailSystem(v); sys != "" {
		return []mailproc.Address{{Addr: sys}}
	}
	ap := mail.AddressParser{WordDecoder: p.wordDecoder(name)}
	var out []mailproc.Address
	seen := 0
	add := func(n, a string) {
		addr, ok := normalizeAddr(a)
		if !ok {
			return
		}
		seen++
		if len(out) >= limit {
			return
		}
		if strings.Contains(n, "=?") {
			n = p.decodeWords(name, n)
		}
		n, _ = cleanHeaderText(strings.Trim(n, `"' ,`), maxNameRunes)
		if strings.EqualFold(n, addr) {
			n = "" // Outlook's "addr" <addr>: the name says nothing
		}
		out = append(out, mailproc.Address{Name: n, Addr: addr})
	}
	if list, err := ap.ParseList(v); err == nil {
		for _, a := range list {
			add(a.Name, a.Address)
		}
	} else {
		// A piece without "@" is part of the next one's name: display
		// names with unquoted commas ("Drs. H. Ahmad, M.Si.") are the
		// rule for Indonesian titles, not the exception.
		carry := ""
		for _, piece := range splitAddressList(v) {
			if strings.TrimSpace(piece) == "" {
				continue
			}
			if !strings.Contains(piece, "@") {
				carry += piece + ","
				continue
			}
			piece, carry = carry+piece, ""
			if a, err := ap.Parse(piece); err == nil {
				add(a.Name, a.Address)
				continue
			}
			// Comments inside the address (siti(kantor)@gmail.com): the
			// address without them, the first comment as the name.
			if bare := stripComments(piece); bare != piece {
				if a, err := ap.Parse(bare); err == nil {
					add(a.Name, a.Address)
					continue
				}
			}
			if n, a, ok := looseAddress(stripComments(piece)); ok {
				add(n, a)
			}
		}
	}
	if seen > limit {
		p.note("header %s has %d addresses: only the first %d kept", name, seen, limit)
	}
	return out
}

// bareMailSystem reads a sender that is a mail system's name without a
// domain — "MAILER-DAEMON", "Mail Delivery Subsystem <MAILER-DAEMON>",
// "MAILER-DAEMON (Mail Delivery System)", "MAILER-DAEMON <>" — which no
// address parser accepts
// but which says plainly that the mail is a bounce. "" for anything else.
func bareMailSystem(v string) string {
	s := strings.TrimSpace(stripComments(v))
	if i := strings.LastIndexByte(s, '<'); i >= 0 {
		name := s[:i]
		s = s[i+1:]
		if j := strings.IndexByte(s, '>'); j >= 0 {
			s = s[:j]
		}
		if strings.TrimSpace(s) == "" { // "MAILER-DAEMON <>": the null sender, named
			s = name
		}
	}
	s = strings.Trim(strings.TrimSpace(s), `"'`)
	if s == "" || strings.ContainsAny(s, "@ \t,;") || !mailproc.IsMailSystem(s) {
		return ""
	}
	return s
}

// splitAddressList splits at commas outside quotes, angle brackets and
// comments.
func splitAddressList(s string) []string {
	var out []string
	quoted, angle, paren := false, 0, 0
	start := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\':
			i++
		case c == '"':
			quoted = !quoted
		case quoted:
		case c == '<':
			angle++
		case c == '>' && angle > 0:
			angle--
		case c == '(':
			paren++
		case c == ')' && paren > 0:
			paren--
		case (c == ',' || c == ';') && angle == 0 && paren == 0:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// looseAddress finds an address in text net/mail could not read.
func looseAddress(s string) (name, addr string, ok bool) {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '<'); i >= 0 {
		inner := s[i+1:]
		if j := strings.IndexByte(inner, '>'); j >= 0 {
			inner = inner[:j]
		}
		return strings.TrimSpace(s[:i]), strings.ReplaceAll(strings.TrimSpace(inner), " ", ""), true
	}
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || r == ',' || r == ';' }) {
		w = strings.Trim(w, `<>"'()[]:`)
		if strings.Contains(w, "@") {
			return "", w, true
		}
	}
	return "", "", false
}

// normalizeAddr checks that a is a plausible mailbox and lower-cases its
// domain (the local part is left alone: RFC 5321 lets it be case-sensitive).
func normalizeAddr(a string) (string, bool) {
	a = strings.TrimSpace(a)
	if len(a) < 3 || len(a) > maxAddrBytes || !utf8.ValidString(a) {
		return "", false
	}
	at := strings.LastIndexByte(a, '@')
	if at <= 0 || at == len(a)-1 {
		return "", false
	}
	for _, r := range a {
		if unicode.IsSpace(r) || unicode.IsControl(r) || strings.ContainsRune("<>,;()[]\\", r) {
			return "", false
		}
	}
	return a[:at] + "@" + strings.ToLower(a[at+1:]), true
}

// msgIDs extracts message ids from a Message-ID, In-Reply-To or References
// value: bracketed ids, and — for mailers that forget the brackets — bare
// words containing "@". Comments, phrases ("Your message of …") and words
// without "@" are ignored. Ids are returned without brackets, in order,
// without duplicates.
func msgIDs(v string) []string {
	var ids []string
	seen := make(map[string]bool)
	add := func(id string) {
		id = mailproc.NormalizeMessageID(id)
		if validMsgID(id) && !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	for i := 0; i < len(v); {
		switch c := v[i]; {
		case c == '<':
			end := strings.IndexAny(v[i+1:], "<>")
			if end < 0 {
				// No closing bracket: the id runs to the next white space.
				end = strings.IndexFunc(v[i+1:], func(r rune) bool { return unicode.IsSpace(r) || r == ',' })
				if end < 0 {
					end = len(v) - i - 1
				}
				add(v[i+1 : i+1+end])
				i += 1 + end
				continue
			}
			if v[i+1+end] == '<' { // "<a@b <c@d>": the first one is unterminated
				add(v[i+1 : i+1+end])
				i += 1 + end
				continue
			}
			add(v[i+1 : i+1+end])
			i += end + 2
		case c == '(':
			depth := 0
			for ; i < len(v); i++ {
				if v[i] == '(' {
					depth++
				} else if v[i] == ')' {
					depth--
					if depth == 0 {
						i++
						break
					}
				}
			}
		case c == ' ' || c == '\t' || c == ',' || c == ';' || c == '\r' || c == '\n':
			i++
		default:
			end := strings.IndexFunc(v[i:], func(r rune) bool {
				return unicode.IsSpace(r) || r == ',' || r == ';' || r == '<' || r == '('
			})
			if end < 0 {
				end = len(v) - i
			}
			if end == 0 {
				end = 1
			}
			if w := v[i : i+end]; strings.Contains(w, "@") {
				add(strings.Trim(w, `"'`))
			}
			i += end
		}
	}
	return ids
}

// validMsgID accepts id-left@id-right of printable characters. The "@" is
// required: mailers that send "<null>" or "<unknown>" on every mail would
// otherwise make every such mail a duplicate of the first.
func validMsgID(id string) bool {
	if id == "" || len(id) > maxIDBytes || !utf8.ValidString(id) {
		return false
	}
	at := strings.LastIndexByte(id, '@')
	if at <= 0 || at == len(id)-1 {
		return false
	}
	for _, r := range id {
		if unicode.IsSpace(r) || unicode.IsControl(r) || r == '<' || r == '>' || r == ',' || r == '"' {
			return false
		}
	}
	return true
}

// refList keeps at most max ids of a References list: the first (the root
// of the thread) and the most recent ones, which are what threading uses.
func refList(ids []string, limit int) []string {
	if len(ids) <= limit {
		return ids
	}
	out := make([]string, 0, limit)
	out = append(out, ids[0])
	return append(out, ids[len(ids)-limit+1:]...)
}

// zoneOffsets are time zone names seen in Date headers that net/mail reads
// as UTC: the RFC 822 North American zones and Indonesia's own.
var zoneOffsets = map[string]int{
	"WIB": 7 * 3600, "WITA": 8 * 3600, "WIT": 9 * 3600,
	"EST": -5 * 3600, "EDT": -4 * 3600, "CST": -6 * 3600, "CDT": -5 * 3600,
	"MST": -7 * 3600, "MDT": -6 * 3600, "PST": -8 * 3600, "PDT": -7 * 3600,
}

var dateLayouts = []string{
	time.RFC3339,
	"2006-01-02 15:04:05 -0700",
	"2006-01-02 15:04:05",
	time.ANSIC,
	time.UnixDate,
	"Mon, 2 Jan 2006 15:04:05 -0700 MST",
	"2 Jan 2006 15:04:05 MST -0700",
}

// commonDate is the Date of nearly every mail, tried before
// mail.ParseDate: that tries a dozen layouts in turn, and each that fails
// allocates its error, 140 allocations for a date like this one. A date
// this layout reads, mail.ParseDate reads the same (TestCommonDateAsNetMail).
const commonDate = "Mon, 2 Jan 2006 15:04:05 -0700"

// parseDate reads a Date header. Beyond net/mail it accepts a weekday in
// another language ("Sen, 02 Jan 2026 …" from Indonesian phones), ISO 8601
// and asctime dates, and gives WIB/WITA/WIT their real offsets.
func parseDate(v string) (time.Time, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, false
	}
	try := func(s string) (time.Time, bool) {
		if t, err := time.Parse(commonDate, s); err == nil {
			return t, true
		}
		if t, err := mail.ParseDate(s); err == nil {
			return t, true
		}
		s = strings.TrimSpace(stripComments(s))
		for _, l := range dateLayouts {
			if t, err := time.Parse(l, s); err == nil {
				return t, true
			}
		}
		return time.Time{}, false
	}
	t, ok := try(v)
	if !ok {
		if _, rest, found := strings.Cut(v, ","); found {
			t, ok = try(rest)
		}
	}
	if !ok {
		return time.Time{}, false
	}
	if name, off := t.Zone(); off == 0 {
		if o, known := zoneOffsets[strings.ToUpper(name)]; known {
			y, mo, d := t.Date()
			hh, mm, ss := t.Clock()
			t = time.Date(y, mo, d, hh, mm, ss, t.Nanosecond(), time.FixedZone(strings.ToUpper(name), o))
		}
	}
	return t, true
}

// keyword returns the first token of a structured value, lower-cased:
// "Auto-Submitted: auto-replied (vacation)" → "auto-replied". A value with no
// token (only a comment or parameters) is kept whole, so that its presence
// still counts.
func keyword(v string) string {
	v = strings.TrimSpace(v)
	if v == "" {
		return ""
	}
	k := strings.ToLower(strings.TrimSpace(stripComments(v)))
	if i := strings.IndexAny(k, "; \t"); i >= 0 {
		k = k[:i]
	}
	if k == "" {
		k = strings.ToLower(v)
	}
	k, _ = cleanHeaderText(k, maxKeywordBytes)
	return truncateBytes(k, maxKeywordBytes)
}

// filenameFromPath keeps the last element of a path some clients send as the
// file name ("C:\Users\Budi\surat.pdf"), cleaned and bounded.
func filenameFromPath(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if i := strings.LastIndexAny(s, `/\`); i >= 0 {
		s = s[i+1:]
	}
	s, _ = cleanHeaderText(s, maxFilenameRunes)
	return strings.Trim(s, " .")
}

// filenameFromSubject makes a file name for a forwarded mail from its subject.
func filenameFromSubject(subject string) string {
	s := strings.Map(func(r rune) rune {
		switch {
		case r == ':':
			return -1 // "Re: x" → "Re x"
		case strings.ContainsRune(`/\*?"<>|`, r):
			return '_'
		}
		return r
	}, subject)
	s, _ = cleanHeaderText(s, 100)
	s = strings.Trim(s, " ._")
	if s == "" {
		return "pesan-terlampir.eml"
	}
	return s + ".eml"
}

// short bounds a value quoted in a note.
func short(s string) string {
	const n = 60
	if len(s) <= n {
		return s
	}
	return truncateBytes(s, n) + "…"
}

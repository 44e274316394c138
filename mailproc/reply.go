package mailproc

import (
	"strings"
	"unicode"
)

// ReplyMarker is the first line of every mail to staff and heads that can be
// answered (notification, reminder, escalation, confirmation, help). A reply
// that still holds it — quoted, under a header block, re-wrapped, with its
// spaces changed — has its quote start there: mailproc wrote the line, so it
// need not guess.
const ReplyMarker = "── Tulis jawaban di atas garis ini ──"

// markerWords is the marker as normalizeLine leaves it.
var markerWords = normalizeLine(ReplyMarker)

// ReplyText returns exactly what a staff member typed in a reply to mail the
// desk sent: the text that is relayed to the citizen. originals are the texts
// of the desk's own mails the reply references (the outbox keeps them); nil
// when unknown.
//
// Each body the mail has — its text, and the text of its HTML alternative cut
// at the client's quote container (see Message.HTMLText) — is read in order
// of certainty: the marker line, then the known original's lines, then the
// guesses of StripQuote. When the two bodies disagree the shorter non-empty
// answer is taken: a text/plain part that lost its line breaks (Samsung Email
// writes the whole quote on the answer's line) cannot be cut, its HTML can,
// and more text is never safer than less. LeakFindings is the last check.
func ReplyText(m *Message, originals []string) string {
	known := newOriginalText(originals)
	plain := cutBody(m.Text, known)
	if m.HTMLText == "" {
		return plain
	}
	html := cutBody(m.HTMLText, known)
	if m.FromHTML && html != "" {
		// Both come from the same HTML; HTMLText ends at the client's
		// quote container, which the plain conversion cannot see.
		return html
	}
	return preferReply(plain, html)
}

// preferReply chooses between the answers read from the plain and the HTML
// body. The plain one is kept when they agree, when the HTML found nothing,
// and when the HTML answer is its first lines (an interleaved answer the HTML
// cut at its first quote). The HTML one when the plain answer is its first
// part (the plain part's last typed line shared a line with the quote, and
// went with it). Otherwise the shorter: a plain answer that goes on
// in the middle of a line after the HTML answer ends has lost its line
// breaks, and whatever follows there is the quote.
func preferReply(plain, html string) string {
	np, nh := normalizeLine(plain), normalizeLine(html)
	switch {
	case nh == "" || np == nh:
		return plain
	case np == "":
		return html
	case strings.HasPrefix(np, nh) && endsAtLine(plain, html):
		return plain
	case strings.HasPrefix(nh, np):
		// The plain part was cut early: a line holding the typed end and
		// the quote together went whole.
		return html
	case len(html) < len(plain):
		return html
	}
	return plain
}

// endsAtLine reports whether the last line of html, normalised, ends one of
// plain's lines.
func endsAtLine(plain, html string) bool {
	hl := splitLines(strings.TrimSpace(html))
	last := normalizeLine(hl[len(hl)-1])
	for _, l := range splitLines(plain) {
		if n := normalizeLine(l); n != "" && strings.HasSuffix(n, last) {
			return true
		}
	}
	return false
}

// cutBody cuts one body: lines from our own mails are marked as quoted,
// then StripQuote drops every quoted line and what introduces it.
func cutBody(text string, known *originalText) string {
	return StripQuote(strings.Join(markKnownLines(splitLines(text), known), "\n"))
}

// markKnownLines returns lines with every line the desk wrote quoted ("> "):
// from an unquoted marker line to the end (an Outlook-style original below a
// header block), and each line found in one of originals, wherever it stands,
// so typed lines between them (interleaved answers) stay. known is nil when
// the originals are not known. The attribution or
// header block just above a marked run is quoted with it.
func markKnownLines(lines []string, known *originalText) []string {
	out := append([]string(nil), lines...)
	ours := make([]bool, len(lines))
	if i := markerLine(lines); i >= 0 {
		for j := i; j < len(lines); j++ {
			ours[j] = true
		}
		if isQuoted(lines[i]) {
			// A quoted marker: only the quote it stands in is ours; text
			// typed below the quote (bottom-posting) is not.
			for j := i + 1; j < len(lines); j++ {
				if !isQuoted(lines[j]) && !isBlank(lines[j]) {
					for k := j; k < len(lines); k++ {
						ours[k] = false
					}
					break
				}
			}
		}
	}
	if known != nil {
		// A line of ours is found inside the original (re-wrapped, any
		// quote level). An unquoted line counts only when long, or next to
		// another such line: a typed sentence may repeat a short phrase of
		// the citizen's message that the notification quoted.
		cand := make([]bool, len(lines))
		for i, l := range lines {
			// An attribution is the client's, never ours: the desk's
			// mails carry none, and it marks where an older mail starts.
			cand[i] = !isBlank(l) && (known.holds(l) || known.hasLine(l)) && !isAttributionLine(lines, i)
		}
		for i, l := range lines {
			if cand[i] && (isQuoted(l) || len(normalizeLine(l)) >= minKnownAlone || ourNeighbours(lines, cand, i)) {
				ours[i] = true
			}
		}
	}
	for i := range lines {
		if ours[i] && (i == 0 || !ours[i-1]) {
			for _, j := range leadIn(lines, i) {
				ours[j] = true
			}
		}
	}
	for i, l := range lines {
		if ours[i] && !isQuoted(l) {
			out[i] = "> " + l
		}
	}
	return out
}

// markerLine returns the index of the line holding the reply marker (alone,
// or wrapped over two lines), or -1.
func markerLine(lines []string) int {
	for i, l := range lines {
		n := normalizeLine(l)
		if n == "" {
			continue
		}
		if strings.Contains(n, markerWords) {
			return i
		}
		if i+1 < len(lines) && len(n) < len(markerWords) && strings.HasPrefix(markerWords, n) &&
			strings.Contains(n+" "+normalizeLine(lines[i+1]), markerWords) {
			return i
		}
	}
	return -1
}

// ourNeighbours reports whether the nearest non-blank line above or below
// line i is marked as ours.
func ourNeighbours(lines []string, ours []bool, i int) bool {
	above, below := false, false
	for j := i - 1; j >= 0; j-- {
		if !isBlank(lines[j]) {
			above = ours[j]
			break
		}
	}
	for j := i + 1; j < len(lines); j++ {
		if !isBlank(lines[j]) {
			below = ours[j]
			break
		}
	}
	return above || below
}

// maxLeadIn bounds the lines of an attribution or header block.
const maxLeadIn = 10

// leadIn returns the lines just above line i (blank lines skipped) that
// introduce a quote of our mail: a header block by its shape (see
// isHeaderBlockShape), a separator line, a line of underscores, or an
// attribution paragraph of at most three lines (looksLikeAttribution). They
// would otherwise be relayed as the answer's last lines.
func leadIn(lines []string, i int) []int {
	var idx []int
	j := i - 1
	for j >= 0 && isBlank(unquote(lines[j])) {
		j--
	}
	end := j
	for j >= 0 && !isBlank(lines[j]) && end-j < maxLeadIn {
		j--
	}
	para := lines[j+1 : end+1]
	switch {
	case len(para) == 0:
		return nil
	case isHeaderBlockShape(para):
	case len(para) <= 3 && looksLikeAttribution(para):
	case len(para) >= 2 && allLabelLines(para):
		// "Label: value" lines right on top of our own text: a header
		// block whatever its language and fields.
	case len(para) == 1 && (isOriginalSeparator(para[0]) || isUnderscoreLine(para[0])):
	case len(para) <= 2 && isLabelLine(para[0]) && emailRE.MatchString(para[0]):
		// What is left of a header block ("From: Layanan <…>") when the
		// HTML drew the rest as a table.
	default:
		if k := headerBlockTail(para); k >= 0 {
			para, j = para[k:], j+k
			break
		}
		return nil
	}
	for k := range para {
		idx = append(idx, j+1+k)
	}
	// The separator or underscore line clients draw above a header block.
	for k := j; k >= 0 && k >= j-2; k-- {
		if isBlank(lines[k]) {
			continue
		}
		if isOriginalSeparator(lines[k]) || isUnderscoreLine(lines[k]) {
			idx = append(idx, k)
		}
		break
	}
	return idx
}

// looksLikeAttribution reports an attribution paragraph in any language: its
// last line ends in ":", and it names an address, a date or a time — or it is
// one short line ("Layanan kirjoitti:").
func looksLikeAttribution(para []string) bool {
	joined := strings.TrimSpace(strings.Join(para, " "))
	if !strings.HasSuffix(joined, ":") {
		return false
	}
	if emailRE.MatchString(joined) || timeRE.MatchString(joined) || dateRE.MatchString(joined) {
		return true
	}
	return len(para) == 1 && len(strings.Fields(joined)) <= 8
}

func allLabelLines(para []string) bool {
	for _, l := range para {
		if !isLabelLine(l) {
			return false
		}
	}
	return true
}

// headerBlockTail returns where a header block starts at the bottom of para
// (typed text above it on the lines before, without a blank line), or -1.
func headerBlockTail(para []string) int {
	for k := len(para) - 2; k >= 0; k-- {
		if !isLabelLine(para[k]) {
			if k+1 < len(para)-1 && isHeaderBlockShape(para[k+1:]) {
				return k + 1
			}
			return -1
		}
	}
	return -1
}

// originalText is what the desk wrote in the mails a reply answers, in
// normalised form, for finding it again in the reply.
type originalText struct {
	joined string            // all lines, normalised, joined by spaces
	lines  map[string]bool   // each non-blank line, normalised
	index  func(string) bool // finds a piece of joined
}

// minKnownLen is the shortest normalised line found inside the original text
// on its own: shorter ones ("salam,", "terima kasih.") are too common.
const minKnownLen = 16

// minKnownAlone is the shortest unquoted line taken as ours with no line of
// ours next to it.
const minKnownAlone = 40

func newOriginalText(originals []string) *originalText {
	if len(originals) == 0 {
		return nil
	}
	o := &originalText{lines: make(map[string]bool)}
	var b strings.Builder
	for _, t := range originals {
		for _, l := range splitLines(t) {
			n := normalizeLine(l)
			if n == "" {
				continue
			}
			o.lines[n] = true
			b.WriteString(n)
			b.WriteByte(' ')
		}
	}
	o.joined = b.String()
	return o
}

// holds reports whether l (any quote level, re-wrapped) is part of the
// original text.
func (o *originalText) holds(l string) bool {
	n := normalizeLine(l)
	if len(n) < minKnownLen {
		return false
	}
	if o.lines[n] {
		return true
	}
	// A piece of a line (re-wrapped): looked up in a suffix array, built
	// on the first such line, so a long reply against a long original stays
	// linear-logarithmic.
	if o.index == nil {
		o.index = finder(o.joined, 1<<10)
	}
	return o.index(n)
}

func (o *originalText) hasLine(l string) bool {
	n := normalizeLine(l)
	return n != "" && o.lines[n]
}

// normalizeLine reduces a line to what survives every client's handling of
// it: quote marks, white space (non-breaking too), the drawing characters
// and dashes around it, and letter case go; words stay, one space apart.
func normalizeLine(l string) string {
	s := strings.TrimLeftFunc(l, func(r rune) bool { return r == '>' || unicode.IsSpace(r) })
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		switch {
		case unicode.IsSpace(r) || r == '\u00a0' || r == '\u200b':
			space = true
			continue
		case r == '─' || r == '—' || r == '–' || r == '*' || r == '_' || r == '>' && b.Len() == 0:
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// addReplyMarker puts ReplyMarker on the first line of a mail that staff or
// heads can answer, in the text and in the HTML (as the body's first
// paragraph). It is added here rather than in each template so that a
// site's own templates carry it too.
func addReplyMarker(out *OutgoingMail) {
	if !signedPurposes[out.Purpose] {
		return
	}
	out.Text = ReplyMarker + "\n\n" + out.Text
	if out.HTML == "" {
		return
	}
	const p = `<p style="margin:0 0 12px;color:#52606d;font-size:13px;">` + ReplyMarker + `</p>` + "\n"
	i := indexTag(out.HTML, "<body")
	if i < 0 {
		out.HTML = p + out.HTML
		return
	}
	if j := strings.IndexByte(out.HTML[i:], '>'); j >= 0 {
		k := i + j + 1
		out.HTML = out.HTML[:k] + "\n" + p + out.HTML[k:]
	}
}

// indexTag is the index of the first tag named by open ("<body") in s,
// in any case, or -1. It looks at the '<' only, where lower-casing all of
// s (a notification's whole HTML, for every mail) made a copy, and moved
// the index past any character whose lower case is longer.
func indexTag(s, open string) int {
	for i := 0; ; {
		j := strings.IndexByte(s[i:], '<')
		if j < 0 {
			return -1
		}
		i += j
		if len(s)-i >= len(open) && strings.EqualFold(s[i:i+len(open)], open) {
			return i
		}
		i++
	}
}

// isAttributionLine reports an attribution starting at line i, quoted or not.
func isAttributionLine(lines []string, i int) bool {
	l := unquote(lines[i])
	if !strings.HasSuffix(strings.TrimSpace(l), ":") {
		return false
	}
	n, _ := attributionAt([]string{l}, 0, 1)
	return n > 0
}

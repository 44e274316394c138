package mailproc

import (
	"regexp"
	"strings"
	"unicode"
)

// StripQuote returns only what a person newly wrote in a reply: the quoted
// original, the attribution line that introduces it ("Pada … menulis:",
// "On … wrote:"), the header block of Outlook and Zimbra, and the signature
// are dropped. mailproc relays this text, and nothing else, to the citizen
// when staff answer by pressing Reply in their own mail client, so the rules
// lean towards dropping the original: a citizen must never receive our
// internal notification back, while a staff member whose answer was not found
// is told so and can write again.
//
// The rules, applied to the text line by line (CRLF or CR ends become LF):
//
//  1. The original starts at the first of these, and everything from there
//     to the end is dropped (top-posting with an unquoted original):
//     - a separator line "-----Original Message-----", "----- Pesan Asli -----",
//     "-------- Pesan asli --------", "---------- Forwarded message ---------",
//     "Begin forwarded message:" and their Indonesian forms;
//     - a header block: a line "From:"/"Dari:" followed, without a blank line,
//     by at least two of Sent/Date (Dikirim, Terkirim, Tanggal), To (Kepada,
//     Ke), Cc (Tembusan), Subject (Perihal, Subjek), where From holds an
//     address or the date a clock time (so a memo's "Dari: Kepala Seksi /
//     Tanggal: 27 November 2026 / Perihal: …" in an answer is not taken),
//     together with the "____…" line Outlook draws above it;
//     - an attribution line not followed by "> " quoting (Yahoo, and any
//     HTML reply whose original is not in a <blockquote>).
//  2. Quoted lines (starting with ">", after optional white space) are
//     dropped wherever they stand, so new text between quoted blocks
//     (interleaved answers, bottom-posting) is kept, in order, one blank line
//     standing for each dropped block.
//  3. An attribution followed by quoted lines is dropped. A strong
//     attribution starts with "On"/"Pada", ends with "wrote:"/"menulis:", and
//     holds a date and a clock time or an address; it may be wrapped over up
//     to three lines, as Gmail wraps long names and addresses. A weak one is a
//     single line ending in "wrote:"/"menulis:" holding an address, a date, a
//     time, or at most six words ("Layanan Informasi menulis:"). "Pada dasarnya
//     saya setuju" or "On the 5th floor we have" are neither.
//  4. A signature starts at a line "-- " (the standard delimiter) or "--"
//     alone (as Outlook and HTML mail leave it) and runs to the next quoted
//     line: text after the delimiter is never relayed, even when nothing else
//     is left, because clients insert signatures by themselves.
//  5. A client's line such as "Dikirim dari iPhone saya", "Sent from my
//     iPhone", "Dikirim dari ponsel Samsung Galaxy saya", "Sent from Outlook
//     for Android", "Get Outlook for iOS", "Dapatkan Outlook untuk Android",
//     "Sent from FairEmail" is dropped when it ends its paragraph (only other
//     such lines, a blank line or the end after it). A sign-off such as
//     "Salam,\nDewi" is part of the answer and kept, and so are lines
//     starting with "#" (staff commands, parsed afterwards by ParseCommands).
//  6. Leading and trailing blank lines go, trailing white space on each line
//     goes, three or more blank lines in a row become one; the rest of the
//     formatting is kept. A dropped attribution right under the answer (no
//     blank line between) stands for no blank line.
//
// Rules 1 and 3 also know quote starts by their shape, in any language
// (quote_shape.go): header blocks of "Label: value" lines with an address and
// a date; attributions that name an address as clients write it (<…>, (…),
// mailto:) with a date or time and end in ":", date-first, wrapped, or spread
// over lines with blank ones between; separators with an attribution between
// dashes ("---- John Smith wrote ----"). Text typed on the same line as an
// attribution or a separator is split off first, and a piece of a wrapped
// link between quoted lines belongs to the quote.
//
// When these rules leave nothing and the reply (before the original starts)
// is all quoted, the person may have typed the answer inside the quote: an
// HTML composer puts text typed into a <blockquote> into the quote, so the
// plain text shows it as "> answer". Then the first quoted block is taken
// one level less deep and stripped again, and its result is the answer only
// if that strip found where an older mail starts: an attribution, a header
// block or a separator line. (It then also holds what the quoted mail itself
// said above that mark: typed and quoted text look the same there.) A
// deeper quote alone is not enough, and a flat
// quote gives nothing: neither can be told apart from a reply sent without a
// word typed, and relaying the quoted original (our own notification) to
// the citizen is worse than asking staff again. For the same reason the
// staff notification should not carry an attribution line ("Pada …, Budi
// menulis:") above the citizen's quoted message. "" therefore means "no new
// text found": the caller should ask the sender to write the answer above
// the quote.
//
// StripQuote is idempotent, its result is never longer than its input, and
// valid UTF-8 stays valid.
func StripQuote(text string) string {
	lines := splitSharedLines(splitLines(text))
	out, _, cut := stripLines(lines)
	if out != "" {
		return out
	}
	// Fallback: the answer was typed inside the quote, one level deep. Deeper
	// levels are not tried: nobody types into a quote inside a quote, and
	// what is found there is an older mail's own text.
	block := firstQuotedBlock(lines[:cut])
	if block == nil {
		return ""
	}
	if out, older, _ := stripLines(block); older {
		return out
	}
	return ""
}

// splitLines splits text into lines with any of CRLF, CR, LF as line end.
func splitLines(text string) []string {
	if strings.IndexByte(text, '\r') >= 0 {
		text = strings.ReplaceAll(text, "\r\n", "\n")
		text = strings.ReplaceAll(text, "\r", "\n")
	}
	return strings.Split(text, "\n")
}

// What stripLines decided for one line.
type lineKind uint8

const (
	lineKeep  lineKind = iota
	lineBlank          // white space only: kept as a blank line, runs collapsed
	lineGap            // dropped: stands for at most one blank line
	lineAttr           // a dropped attribution: right under the answer, stands for none
)

// stripLines applies rules 1–6 to lines. older reports that it found where
// an older mail starts (an attribution, a header block or a separator line),
// which the fallback needs; quotes and signatures are no such mark. cut is
// the index where the original starts (len(lines) if nowhere).
func stripLines(lines []string) (out string, older bool, cut int) {
	cut = findCut(lines)
	older = cut < len(lines)
	kinds := make([]lineKind, cut)
	inSig := false
	for i := 0; i < cut; {
		l := lines[i]
		switch {
		case (isQuoted(l) && !isArrowLine(l)) || isBrokenQuoteLine(lines, i, cut):
			kinds[i], inSig = lineGap, false
		case isBlank(l):
			kinds[i] = lineBlank
			if inSig {
				kinds[i] = lineGap
			}
		default:
			if n, _ := attributionAt(lines, i, cut); n > 0 && quoteFollows(lines, i+n, cut) {
				for j := i; j < i+n; j++ {
					kinds[j] = lineAttr
				}
				i += n
				inSig, older = false, true
				continue
			}
			if inSig || isSigDelimiter(l) {
				kinds[i], inSig = lineGap, true
			}
		}
		i++
	}
	// Client signatures, from the bottom up so that a line counts as ending
	// its paragraph after the lines below it are gone.
	for i := cut - 1; i >= 0; i-- {
		if kinds[i] == lineKeep && isClientSignature(lines[i]) && (i+1 == cut || kinds[i+1] != lineKeep) {
			kinds[i] = lineGap
		}
	}
	return assemble(lines[:cut], kinds), older, cut
}

// assemble joins the kept lines: runs of blank lines holding a dropped line
// become one blank line, other runs of three or more become one, and blank
// lines at either end go.
func assemble(lines []string, kinds []lineKind) string {
	var b strings.Builder
	blanks, gap, started := 0, false, false
	above := 0       // blank lines between the last kept line and the first dropped one
	attrGap := false // the dropped block starts with an attribution
	for i, l := range lines {
		switch kinds[i] {
		case lineBlank:
			blanks++
			continue
		case lineGap, lineAttr:
			if !gap {
				above, attrGap = blanks, kinds[i] == lineAttr
			}
			gap = true
			continue
		}
		if started {
			n := blanks
			switch {
			case gap && above == 0 && attrGap:
				// The dropped block is an attribution right under
				// the answer, and its quote: nothing stands between.
				n = 0
			case gap || n >= 3:
				n = 1
			}
			b.WriteByte('\n')
			for range n {
				b.WriteByte('\n')
			}
		}
		blanks, gap, attrGap, started = 0, false, false, true
		b.WriteString(strings.TrimRightFunc(l, unicode.IsSpace))
	}
	return b.String()
}

func isBlank(l string) bool { return strings.TrimSpace(l) == "" }

// isQuoted reports a line of a quoted mail: ">" first, after optional white
// space (HTML converters and some clients indent).
func isQuoted(l string) bool {
	return strings.HasPrefix(strings.TrimLeftFunc(l, unicode.IsSpace), ">")
}

// quoteFollows reports whether the first non-blank line from i on (before
// limit) is quoted.
func quoteFollows(lines []string, i, limit int) bool {
	for ; i < limit; i++ {
		if !isBlank(lines[i]) {
			return isQuoted(lines[i])
		}
	}
	return false
}

// firstQuotedBlock returns the first run of quoted (and blank) lines, one
// quote level less deep, or nil if there is none.
func firstQuotedBlock(lines []string) []string {
	start := -1
	for i, l := range lines {
		if isQuoted(l) {
			start = i
			break
		}
	}
	if start < 0 {
		return nil
	}
	var block []string
	for _, l := range lines[start:] {
		if !isQuoted(l) && !isBlank(l) {
			break
		}
		block = append(block, unquote(l))
	}
	return block
}

// unquote removes one quote level: the ">" and the space after it.
func unquote(l string) string {
	s := strings.TrimLeftFunc(l, unicode.IsSpace)
	if !strings.HasPrefix(s, ">") {
		return l
	}
	return strings.TrimPrefix(s[1:], " ")
}

// isSigDelimiter reports the signature delimiter: "-- " by RFC 3676, or "--"
// as Outlook (which trims the space) and HTML converters leave it.
func isSigDelimiter(l string) bool { return strings.TrimSpace(l) == "--" }

// findCut returns the index of the line where an unquoted original starts
// (rule 1), or len(lines).
func findCut(lines []string) int {
	for i, l := range lines {
		if isBlank(l) || isQuoted(l) {
			continue
		}
		if isOriginalSeparator(l) {
			return i
		}
		if isHeaderBlock(lines, i) || isForeignHeaderBlock(lines[i:]) {
			// Outlook draws a line of underscores (or dashes) above the block.
			for j := i - 1; j >= 0 && j >= i-3; j-- {
				if isBlank(lines[j]) {
					continue
				}
				if isUnderscoreLine(lines[j]) || isDashLine(lines[j]) {
					return j
				}
				break
			}
			return i
		}
		if n, strong := attributionAt(lines, i, len(lines)); n > 0 && strong && !quoteFollows(lines, i+n, len(lines)) {
			return i
		}
	}
	return len(lines)
}

// originalSeparators are the lines clients put above a quoted or forwarded
// mail, lower-cased, without the dashes around them.
var originalSeparators = map[string]bool{
	"original message":            true, // Outlook, Zimbra, Samsung (English)
	"pesan asli":                  true, // Outlook, Zimbra, Samsung (Indonesian)
	"forwarded message":           true, // Gmail
	"pesan yang diteruskan":       true, // Gmail (Indonesian)
	"pesan terusan":               true,
	"pesan diteruskan":            true,
	"begin forwarded message:":    true, // Apple Mail
	"awal pesan yang diteruskan:": true,
	"pesan yang diteruskan:":      true,
	"reply message":               true, // AOL, Yahoo
	"ursprüngliche nachricht":     true,
	"antwort nachricht":           true,
	"originalnachricht":           true,
	"oprindelig meddelelse":       true,
	"opprinnelig melding":         true,
	"ursprungligt meddelande":     true,
	"mensaje original":            true,
	"message d'origine":           true,
	"messaggio originale":         true,
	"oorspronkelijk bericht":      true,
	"wiadomość oryginalna":        true,
}

func isOriginalSeparator(l string) bool {
	s := strings.TrimSpace(l)
	if strings.HasPrefix(s, "--") && strings.HasSuffix(s, "--") {
		inner := strings.Trim(s, "- ")
		// "---- John Smith wrote ----", "------On 12/29/1987, Julius wrote-----"
		return originalSeparators[strings.ToLower(inner)] || attrTailRE.MatchString(strings.TrimSpace(inner)+":")
	}
	if strings.HasSuffix(s, ":") {
		return originalSeparators[strings.ToLower(s)]
	}
	return false
}

func isUnderscoreLine(l string) bool {
	s := strings.TrimSpace(l)
	return len(s) >= 10 && strings.Trim(s, "_") == ""
}

// headerFields maps the field names of a quoted header block, as Outlook,
// Zimbra, Samsung Email and Gmail write them in English and Indonesian, to
// what they are.
var headerFields = map[string]string{
	"from": "from", "dari": "from",
	"sent": "date", "dikirim": "date", "terkirim": "date", "date": "date", "tanggal": "date",
	"to": "to", "kepada": "to", "ke": "to",
	"cc": "cc", "bcc": "cc", "tembusan": "cc",
	"subject": "subject", "perihal": "subject", "subjek": "subject",
}

// headerField splits "Name: value" (also "*Name:* value", as plain text made
// from bold HTML shows it). The name must touch its colon, as mail clients
// write it; a letter's "Dari : …" does not count.
func headerField(l string) (field, value string, ok bool) {
	s := strings.TrimPrefix(strings.TrimSpace(l), "*")
	colon := strings.IndexByte(s, ':')
	if colon < 1 || colon > 10 {
		return "", "", false
	}
	field, ok = headerFields[strings.ToLower(strings.TrimSuffix(s[:colon], "*"))]
	value = strings.TrimSpace(strings.TrimPrefix(s[colon+1:], "*"))
	return field, value, ok
}

// isHeaderBlock reports a quoted mail's header block starting at line i.
func isHeaderBlock(lines []string, i int) bool {
	field, from, ok := headerField(lines[i])
	if !ok || field != "from" || from == "" {
		return false
	}
	seen := map[string]bool{}
	clock := false
	for j := i + 1; j < len(lines) && j <= i+8; j++ {
		if isBlank(lines[j]) || isQuoted(lines[j]) {
			break
		}
		f, v, ok := headerField(lines[j])
		if !ok || f == "from" {
			continue // a wrapped long To: or Cc: line
		}
		seen[f] = true
		if f == "date" && timeRE.MatchString(v) {
			clock = true
		}
	}
	return len(seen) >= 2 && (clock || strings.Contains(from, "@"))
}

var (
	attrLeadRE = regexp.MustCompile(`(?i)^(on|pada)\s`)
	attrTailRE = regexp.MustCompile(`(?i)(\b(wrote|writes|sent|menulis|schrieb|geschreven|schreef|skrev|napisał|escribió|escreveu|ha scritto|написал|написала)|a écrit|đã viết)\s*:$`)
	// Gmail's old attribution: "2016-11-27 10:15 GMT+07:00 Siti <siti@gmail.com>:".
	attrISORE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}\s+\d{1,2}[:.]\d{2}\b.*<[^<>\s@]+@[^<>\s]+>:$`)
	timeRE    = regexp.MustCompile(`\b\d{1,2}[:.]\d{2}\b`)
	emailRE   = regexp.MustCompile(`[^\s<>@()]+@[^\s<>@()]+\.[^\s<>@()]+`)
	dateRE    = regexp.MustCompile(`(?i)\b(19|20)\d{2}\b|\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b|` +
		`\b(jan(uari|uary)?|feb(ruari|ruary)?|mar(et|ch)?|apr(il)?|mei|may|jun[ei]?|jul[iy]?|` +
		`agu(stus)?|agt|aug(ust)?|sep(t|tember)?|o[kc]t(ober)?|nov(ember)?|de[sc](ember)?)\b`)
)

// maxAttributionLen bounds an attribution line (joined when wrapped); a
// longer line is prose.
const maxAttributionLen = 400

// attributionAt reports an attribution line starting at line i (rule 3):
// how many lines it spans (0 if none) and whether it is strong. Lines from
// limit on are not looked at.
func attributionAt(lines []string, i, limit int) (n int, strong bool) {
	first := strings.TrimSpace(lines[i])
	if len(first) > maxAttributionLen {
		return 0, false
	}
	if attrISORE.MatchString(first) {
		return 1, true
	}
	if n := attributionByShape(lines, i, limit); n > 0 {
		return n, true
	}
	if attrTailRE.MatchString(first) {
		if isStrongAttribution(first) {
			return 1, true
		}
		if len(first) <= 200 && (emailRE.MatchString(first) || dateRE.MatchString(first) ||
			timeRE.MatchString(first) || len(strings.Fields(first)) <= 6) {
			return 1, false
		}
		return 0, false
	}
	if !attrLeadRE.MatchString(first) {
		return 0, false
	}
	// Wrapped: Gmail breaks a long attribution inside the address.
	joined := first
	for k := 1; k < 3 && i+k < limit; k++ {
		l := lines[i+k]
		if isBlank(l) || isQuoted(l) {
			return 0, false
		}
		joined += " " + strings.TrimSpace(l)
		if len(joined) > maxAttributionLen {
			return 0, false
		}
		if attrTailRE.MatchString(joined) {
			if isStrongAttribution(joined) {
				return k + 1, true
			}
			return 0, false
		}
	}
	return 0, false
}

func isStrongAttribution(s string) bool {
	return attrLeadRE.MatchString(s) && attrTailRE.MatchString(s) && dateRE.MatchString(s) &&
		(timeRE.MatchString(s) || emailRE.MatchString(s))
}

var (
	// clientSignatureRE matches the lines mail apps add below a message,
	// with any trailing link already removed.
	clientSignatureRE = regexp.MustCompile(`(?i)^(` +
		`sent from my [\p{L}\p{N} .,'&-]{1,40}|` +
		`dikirim dari [\p{L}\p{N} .,'&-]{1,40} saya|` +
		`(sent|dikirim) (from|with|via|using|dari|dengan|melalui|menggunakan) ` +
		`(outlook|yahoo( mail)?|mail|email|e-mail|surat|fairemail|k-9( mail)?|gmail|proton ?mail|aquamail|spark|bluemail|samsung email|email samsung)` +
		`( (for|on|untuk|di|pada) [\p{L}\p{N} .-]{1,30})?( secure email)?|` +
		`(get|dapatkan) outlook (for|untuk) (ios|android|windows|mac)` +
		`)[.!]?$`)
	// trailingLinkRE is a link after a client signature: "<https://aka.ms/…>"
	// in plain text, "( https://… )" after HTML conversion.
	trailingLinkRE = regexp.MustCompile(`\s*(<https?://[^\s<>]*>|\(\s*https?://\S*\s*\))$`)
)

func isClientSignature(l string) bool {
	s := strings.TrimSpace(l)
	if len(s) > 120 {
		return false
	}
	s = trailingLinkRE.ReplaceAllString(s, "")
	return clientSignatureRE.MatchString(s)
}

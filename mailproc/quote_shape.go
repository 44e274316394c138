package mailproc

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Header blocks by shape. Outlook, Zimbra, Samsung and Gmail's forwards put
// the quoted mail's fields above it, translated into the writer's language
// ("Von:/Gesendet:", "De :/Envoyé :", "Fra:/Sendt:", "发件人:"). A word list
// never ends, so the block is told by its shape: consecutive "Label: value"
// lines with short labels, one value holding an address and one a date or a
// clock time.

// maxLabelRunes bounds a field label ("Envoyé", "Gesendet", "发件人").
const maxLabelRunes = 20

// labelValue splits a "Label: value" line: the label is one to three words of
// letters (no digits), at most maxLabelRunes long, optionally in "*" (bold
// made plain), followed by ":" or "：" (with one space before it, as French
// writes it).
func labelValue(l string) (label, value string, ok bool) {
	s := strings.TrimSpace(l)
	i := strings.IndexAny(s, ":：")
	if i < 1 {
		return "", "", false
	}
	label = strings.TrimSpace(strings.Trim(s[:i], "* "))
	_, w := utf8.DecodeRuneInString(s[i:])
	value = strings.TrimSpace(strings.TrimPrefix(s[i+w:], "*"))
	if label == "" || utf8.RuneCountInString(label) > maxLabelRunes || len(strings.Fields(label)) > 3 {
		return "", "", false
	}
	for _, r := range label {
		if !unicode.IsLetter(r) && r != ' ' && r != '-' && r != '.' {
			return "", "", false
		}
	}
	return label, value, true
}

func isLabelLine(l string) bool {
	_, _, ok := labelValue(l)
	return ok
}

// isHeaderBlockShape reports whether lines start with a quoted mail's header
// block: at least three "Label: value" lines among the first (a wrapped long
// To: or Cc: may continue on a line of its own), the first with a value, one
// value holding an address and one a date or a clock time. A memo's
// "Dari: Kepala Seksi / Tanggal: 27 November 2026 / Perihal: …" holds no
// address and is kept.
func isHeaderBlockShape(lines []string) bool {
	if len(lines) == 0 {
		return false
	}
	if _, v, ok := labelValue(lines[0]); !ok || v == "" {
		return false
	}
	fields, addr, date := 0, false, false
	for k, l := range lines {
		if k >= maxLeadIn || isBlank(l) || isQuoted(l) {
			break
		}
		_, v, ok := labelValue(l)
		if !ok {
			continue
		}
		fields++
		addr = addr || emailRE.MatchString(v)
		date = date || timeRE.MatchString(v) || dateRE.MatchString(v)
	}
	return fields >= 3 && addr && date
}

// Attributions by shape: "Le 23 janv. 2015 à 22:03, Brendan <b@x.com> a
// écrit:", "2014-10-17 11:28 GMT+03:00 Postmaster <\npostmaster@x.org>:",
// "Vào 14:24 8 tháng 6, 2017, Hùng <h@x.com> đã viết:", in any language: a
// line, or two (a long address wraps), that names an address the way a client
// writes it (in <>, () or after mailto:), holds a date or a clock time, and
// ends with ":". A typed sentence names an address bare.
var (
	bracketAddrRE = regexp.MustCompile(`[<(\[]\s*(mailto:)?[^\s<>()@]+@[^\s<>()]+\s*[>)\]]|mailto:[^\s<>()@]+@`)
	dateFirstRE   = regexp.MustCompile(`^\d{4}[-/.]\d{1,2}[-/.]\d{1,2}\b|^\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}\b`)
)

// maxShapeAttributionLen bounds an attribution found by shape.
const maxShapeAttributionLen = 300

// attributionByShape returns how many lines the attribution at line i spans,
// or 0. "On <date> … wrote:" spread over lines with blank ones between (as
// Polymail writes it) counts too when its first line holds a date and a time.
func attributionByShape(lines []string, i, limit int) int {
	joined := strings.TrimSpace(lines[i])
	// The first line holds the date or the time: typed text above an
	// attribution does not.
	dated := timeRE.MatchString(joined) || dateRE.MatchString(joined)
	for k := 0; dated && k < 2 && i+k < limit; k++ {
		if k > 0 {
			l := strings.TrimSpace(lines[i+k])
			if l == "" || isQuoted(lines[i+k]) {
				break
			}
			joined += " " + l
		}
		if len(joined) > maxShapeAttributionLen {
			break
		}
		if strings.HasSuffix(joined, ":") && attributionShaped(joined) {
			return k + 1
		}
	}
	// Date first, no colon, the quote right below (Gmail in some
	// languages: "2011/4/7 Nathan <support@example.com>").
	first := strings.TrimSpace(lines[i])
	if dateFirstRE.MatchString(first) && bracketAddrRE.MatchString(first) && len(first) <= maxShapeAttributionLen && quoteFollows(lines, i+1, limit) {
		return 1
	}
	// "On Tue, Apr 11, 2017 at 10:07 PM John Smith" … "> wrote:".
	if attrLeadRE.MatchString(first) && dateRE.MatchString(first) && timeRE.MatchString(first) {
		for k := 1; k <= 6 && i+k < limit; k++ {
			l := strings.TrimSpace(unquote(lines[i+k]))
			if attrTailRE.MatchString(l) {
				return k + 1
			}
			if len(l) > 80 {
				break
			}
		}
	}
	return 0
}

func attributionShaped(s string) bool {
	return bracketAddrRE.MatchString(s) && (timeRE.MatchString(s) || dateRE.MatchString(s))
}

// headerWords are field names of quoted header blocks in the languages
// staff and their correspondents write. They only help the shape: a block
// of two fields counts when both are such names.
var headerWords = map[string]bool{
	"from": true, "sent": true, "date": true, "to": true, "cc": true, "subject": true,
	"dari": true, "dikirim": true, "terkirim": true, "tanggal": true, "kepada": true, "ke": true, "perihal": true, "subjek": true,
	"von": true, "gesendet": true, "an": true, "betreff": true, "datum": true,
	"de": true, "envoyé": true, "à": true, "objet": true, "date d'envoi": true,
	"fra": true, "sendt": true, "til": true, "emne": true,
	"från": true, "skickat": true, "till": true, "ämne": true,
	"van": true, "verzonden": true, "aan": true, "onderwerp": true,
	"od": true, "wysłano": true, "do": true, "temat": true,
	"enviado": true, "para": true, "asunto": true, "assunto": true,
	"da": true, "inviato": true, "oggetto": true,
	"发件人": true, "发送时间": true, "收件人": true, "主题": true, "日期": true,
}

// isForeignHeaderBlock is isHeaderBlockShape for a block that starts an
// unquoted original: three or more fields with an address and a date (the
// first one a known field name, or four fields), or two known fields with an
// address and a clock time ("Date: …\nTo: bob@example.com").
func isForeignHeaderBlock(lines []string) bool {
	if !isHeaderBlockShape(lines) && !isTwoFieldBlock(lines) {
		return false
	}
	label, _, _ := labelValue(lines[0])
	if headerWords[strings.ToLower(label)] {
		return true
	}
	n := 0
	for _, l := range lines {
		if isBlank(l) || !isLabelLine(l) {
			break
		}
		n++
	}
	return n >= 4
}

func isTwoFieldBlock(lines []string) bool {
	if len(lines) < 2 {
		return false
	}
	l1, v1, ok1 := labelValue(lines[0])
	l2, v2, ok2 := labelValue(lines[1])
	if !ok1 || !ok2 || !headerWords[strings.ToLower(l1)] || !headerWords[strings.ToLower(l2)] {
		return false
	}
	both := v1 + " " + v2
	return emailRE.MatchString(both) && timeRE.MatchString(both) && dateRE.MatchString(both)
}

// isDashLine reports a line of dashes alone (Outlook's plain rendering of
// the rule above a header block).
func isDashLine(l string) bool {
	s := strings.TrimSpace(l)
	return len(s) >= 10 && strings.Trim(s, "-") == ""
}

// Reply text that shares its line with the attribution or the separator
// ("reply On Wed, Apr 4, 2012 at 3:59 PM, bob@example.com wrote:",
// "…tutup.-------- Original message --------"): the line is split there.
var (
	sharedAttrRE = regexp.MustCompile(`(?i)(-{2,}\s*)?\b(on|pada)\s`)
	sharedSepRE  = regexp.MustCompile(`-{2,}\s*[\p{L}' ]{6,30}?\s*-{2,}`)
)

// splitSharedLines splits each line where an attribution or a separator
// starts after text typed on the same line.
func splitSharedLines(lines []string) []string {
	out := lines[:0:0]
	for _, l := range lines {
		if m := sharedSepRE.FindStringIndex(l); m != nil && m[0] > 0 && !isQuoted(l) && strings.TrimSpace(l[:m[0]]) != "" &&
			isOriginalSeparator(l[m[0]:m[1]]) {
			// text, the separator alone (where the original starts), the rest
			out = append(out, strings.TrimRightFunc(l[:m[0]], unicode.IsSpace), l[m[0]:m[1]], l[m[1]:])
			continue
		}
		if k := sharedAttribution(l); k > 0 {
			// The dashes before "On" go: the attribution line is then
			// one StripQuote knows.
			out = append(out, strings.TrimRightFunc(l[:k], unicode.IsSpace), strings.TrimLeft(l[k:], "- "))
			continue
		}
		out = append(out, l)
	}
	return out
}

// sharedAttribution returns where a strong attribution starts inside l
// after typed text, or 0.
func sharedAttribution(l string) int {
	if isQuoted(l) || len(l) > 2*maxAttributionLen || !attrTailRE.MatchString(strings.TrimSpace(l)) {
		return 0
	}
	for _, m := range sharedAttrRE.FindAllStringIndex(l, -1) {
		if m[0] == 0 || strings.TrimSpace(l[:m[0]]) == "" {
			continue
		}
		// Trailing white space trimmed: the line's own test above
		// trims it, and a stripped answer has none (idempotence).
		if isStrongAttribution(strings.TrimSpace(strings.TrimLeft(l[m[0]:], "- "))) {
			return m[0]
		}
	}
	return 0
}

// urlPieceRE is the end of a link a client wrapped out of its quote:
// "_nonce=3dd518)", " (http://example.com/c/YzOTYzMmE) >".
var urlPieceRE = regexp.MustCompile(`^\S*\)\s*>?$|^\(?\s*https?://\S+\s*\)?\s*>?$`)

// isBrokenQuoteLine reports an unquoted line standing between two quoted
// lines that is only a piece of a wrapped link: it belongs to the quote.
func isBrokenQuoteLine(lines []string, i, limit int) bool {
	if i == 0 || i+1 >= limit || !isQuoted(lines[i-1]) || !isQuoted(lines[i+1]) {
		return false
	}
	return urlPieceRE.MatchString(strings.TrimSpace(lines[i]))
}

// isArrowLine reports a line drawn with arrows, not quoted:
// ">>> http://www.example.com <<<".
func isArrowLine(l string) bool {
	s := strings.TrimSpace(l)
	return strings.HasPrefix(s, ">>>") && strings.HasSuffix(s, "<<<")
}

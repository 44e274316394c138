package mailproc

import (
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

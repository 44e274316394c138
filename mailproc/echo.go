package mailproc

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// What the desk echoes back to a citizen of their own mail: the subject and
// the display name. Anyone can put anything there and any address in From:,
// so a mail the government desk sends on its own (the acknowledgement, and
// the answer and closing mails that repeat the subject) must not carry a
// stranger's link or advertisement to a third party. Links are removed
// (not shortened or defanged: a mail client links "evil[.]com" too) and the
// text is cut at a length a subject line holds.
const (
	maxEchoSubject = 120 // runes
	maxEchoName    = 60  // runes
)

// EchoSubject is a citizen's subject as the desk may repeat it.
func EchoSubject(s string) string { return echoText(s, maxEchoSubject) }

// EchoName is a citizen's display name as the desk may repeat it.
func EchoName(s string) string { return echoText(s, maxEchoName) }

// echoText drops every word that is or holds a link, then sanitises and
// cuts the rest like a header (SanitizeHeader).
func echoText(s string, maxRunes int) string {
	words := strings.Fields(SanitizeHeader(s, 0))
	kept := words[:0]
	for _, w := range words {
		if !isLink(w) {
			kept = append(kept, w)
		}
	}
	return SanitizeHeader(strings.Join(kept, " "), maxRunes)
}

// degrees are Indonesian academic titles that look like domain names
// ("M.Si" could be Slovenian); in a display name they are a title.
var degrees = map[string]bool{
	"S.Sos": true, "M.Si": true, "S.Si": true, "S.Kom": true, "M.Kom": true, "S.Pd": true, "M.Pd": true,
	"S.Ag": true, "M.Ag": true, "S.Hum": true, "M.Hum": true, "S.IP": true, "S.Kep": true, "S.Ked": true,
	"S.Psi": true, "M.Psi": true, "S.Ak": true, "M.Ak": true, "S.Farm": true, "S.KM": true, "M.Kes": true,
	"S.Hut": true, "S.Sn": true, "S.Tr": true, "M.Eng": true, "S.Stat": true, "S.Gz": true, "S.Ars": true,
}

// isLink reports whether a word is, or holds, something a mail client turns
// into a link: a URL with a scheme, anything starting with "www", an e-mail
// address, or a bare domain ("contoh.com", "bit.ly/x", "evil[.]com",
// "evil(dot)com", fullwidth or ideographic dots).
func isLink(word string) bool {
	w := strings.Trim(word, `"'()[]{}<>«»“”‘’,;:!?*_`)
	if degrees[w] || degrees[strings.TrimSuffix(w, ".")] {
		return false
	}
	low := strings.ToLower(w)
	if strings.Contains(low, "://") || strings.HasPrefix(low, "www") || strings.Contains(low, "@") {
		return true
	}
	for _, dot := range []string{"[.]", "(.)", "{.}", "[dot]", "(dot)", "{dot}", "\u3002", "\uff0e", "\uff61", "\u2024"} {
		low = strings.ReplaceAll(low, dot, ".")
	}
	host, _, _ := strings.Cut(low, "/")
	host = strings.TrimRight(host, ".")
	labels := strings.Split(host, ".")
	if len(labels) < 2 {
		return false
	}
	tld := labels[len(labels)-1]
	if utf8.RuneCountInString(tld) < 2 {
		return false
	}
	for _, r := range tld {
		if !unicode.IsLetter(r) && !strings.HasPrefix(tld, "xn--") {
			return false // "1.5", "Rp50.000": numbers, not names
		}
	}
	for _, l := range labels[:len(labels)-1] {
		if l == "" {
			return false // "...": an ellipsis, not a name
		}
	}
	return true
}

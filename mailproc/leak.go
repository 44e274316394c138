package mailproc

import (
	"index/suffixarray"
	"regexp"
	"strings"
)

// LeakFindings is the last check before a staff answer is relayed: what the
// text still holds of the internal mail it answers. A finding is a short
// Indonesian description for the staff member and the case's log; none means
// the text may go to the citizen.
//
// Found are the reply marker (re-wrapped or with changed spaces too), a
// token of ours (the id of a mail to staff: "mailproc.notify.…"), and any
// line of originals — the desk's own mails the reply answers — that is not
// the citizen's own quoted text ("> " lines of a notification): the
// "Warga : …" line with the citizen's address, the command hints, the
// deadline. A line is found whole, or as a piece of at least minLeakPiece
// characters of a line the client re-wrapped.
//
// Everything is compared normalised (see normalizeLine), so quote marks,
// white space and letter case hide nothing.
func LeakFindings(text string, originals []string) []string {
	norm := normalizeText(text)
	if norm == "" {
		return nil
	}
	var found []string
	if strings.Contains(norm, markerWords) {
		found = append(found, "garis penanda balasan (\""+ReplyMarker+"\")")
	}
	if t := findToken(text); t != "" {
		found = append(found, "kode sistem "+t)
	}
	internal := internalLines(originals)
	if len(internal) == 0 {
		return found
	}
	var joined strings.Builder
	for _, n := range internal {
		joined.WriteString(n)
		joined.WriteByte(' ')
	}
	lines := splitLines(text)
	inText := finder(norm, len(internal))
	inInternal := finder(joined.String(), len(lines))
	for _, n := range internal {
		if inText(n) {
			found = append(found, "baris email internal: \""+n+"\"")
		}
		if len(found) >= maxLeakFindings {
			return found
		}
	}
	for _, l := range lines {
		if n := normalizeLine(l); len(n) >= minLeakPiece && inInternal(n) && !containsAny(found, n) {
			found = append(found, "potongan email internal: \""+n+"\"")
			if len(found) >= maxLeakFindings {
				break
			}
		}
	}
	return found
}

const (
	// minLeakLine is the shortest internal line looked for: shorter ones
	// ("terima kasih,", "hormat kami,") are what anybody types.
	minLeakLine = 16
	// minLeakPiece is the shortest line of the answer that counts when it
	// is a piece of an internal line: a client wrapped that line.
	minLeakPiece = 40
	// maxLeakFindings bounds what is listed: one is enough to hold the
	// answer, a few tell the staff member where.
	maxLeakFindings = 5
)

// tokenRE finds a Message-ID local part of a mail mailproc sent to staff,
// of the first two formats.
var tokenRE = regexp.MustCompile(`(?i)\bmailproc\.(notify|escalation|confirm|help|reminder)\.[a-z0-9-]+\.[0-9a-f]{8,}`)

// compactRE finds what may be a compact id (token_compact.go) as a
// Message-ID shows it: the local part before its @.
var compactRE = regexp.MustCompile(`\b[a-z2-7]{29}@`)

// findToken returns the first token of ours written in text, any format.
func findToken(text string) string {
	if t := tokenRE.FindString(text); t != "" {
		return t
	}
	for _, m := range compactRE.FindAllString(text, -1) {
		if _, ok := parseCompact(strings.TrimSuffix(m, "@")); ok {
			return strings.TrimSuffix(m, "@")
		}
	}
	return ""
}

// internalLines returns the normalised lines of originals that are the
// desk's own words: not blank, long enough, not the citizen's quoted text.
func internalLines(originals []string) []string {
	var out []string
	seen := make(map[string]bool)
	for _, t := range originals {
		for _, l := range splitLines(t) {
			if isQuoted(l) {
				continue // the citizen's own words, quoted by the notification
			}
			n := normalizeLine(l)
			if len(n) < minLeakLine || seen[n] {
				continue
			}
			seen[n] = true
			out = append(out, n)
		}
	}
	return out
}

// normalizeText normalises every line of text and joins them with spaces, so
// a line re-wrapped by a client is found whole.
func normalizeText(text string) string {
	var b strings.Builder
	for _, l := range splitLines(text) {
		if n := normalizeLine(l); n != "" {
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(n)
		}
	}
	return b.String()
}

func containsAny(found []string, n string) bool {
	for _, f := range found {
		if strings.Contains(f, n) {
			return true
		}
	}
	return false
}

// finder returns a test for substrings of hay that will be asked queries
// times: strings.Contains when that is cheap, else a suffix array, so a long
// answer against a long original does not cost their product.
func finder(hay string, queries int) func(string) bool {
	if queries*len(hay) <= 1<<22 {
		return func(s string) bool { return strings.Contains(hay, s) }
	}
	idx := suffixarray.New([]byte(hay))
	return func(s string) bool { return len(idx.Lookup([]byte(s), 1)) > 0 }
}

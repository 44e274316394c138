package mailproc

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// SanitizeHeader makes text that came from outside — a citizen's subject, a
// display name — safe to put into a header of a mail mailproc sends, and
// keeps it readable:
//
//   - line breaks (CR, LF, NEL U+0085, U+2028, U+2029) and every other kind of
//     white space become one space, so "Halo\r\nBcc: x" can never start a new
//     header line and a folded subject reads as one line;
//   - other control characters (C0, DEL, C1) and the bidi embeddings,
//     overrides and isolates (U+202A–U+202E, U+2066–U+2069) are removed: the
//     latter can make a subject display as something other than what it is;
//   - invalid UTF-8 becomes U+FFFD, one per run of bad bytes;
//   - the result is trimmed and at most maxRunes runes long, the ellipsis
//     "…" included when it had to be cut (maxRunes <= 0: no limit).
//
// Zero-width joiners and the left-to-right/right-to-left marks stay: emoji
// sequences and Arabic or Javanese script need them.
//
// Encoding the result for the header (RFC 2047) is the SMTP adapter's job.
func SanitizeHeader(s string, maxRunes int) string {
	var b strings.Builder
	b.Grow(min(len(s), 4*max(maxRunes, 0)+8))
	n := 0         // runes written to b
	space := false // white space seen after the last rune written
	cut := false
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			// A run of bad bytes becomes one replacement character.
			for i < len(s) {
				r2, size2 := utf8.DecodeRuneInString(s[i:])
				if r2 != utf8.RuneError || size2 != 1 {
					break
				}
				i++
			}
			r = utf8.RuneError
		} else {
			i += size
		}
		switch {
		case unicode.IsSpace(r):
			space = n > 0
			continue
		case droppedFromHeader(r):
			continue
		}
		need := 1
		if space {
			need = 2
		}
		if maxRunes > 0 && n+need > maxRunes {
			cut = true
			break
		}
		if space {
			b.WriteByte(' ')
			n++
			space = false
		}
		b.WriteRune(r)
		n++
	}
	if !cut {
		return b.String()
	}
	// Make room for the ellipsis, and don't leave a dangling space or joiner
	// in front of it.
	out := []rune(b.String())
	out = out[:maxRunes-1]
	for len(out) > 0 {
		last := out[len(out)-1]
		if last != ' ' && last != '\u200d' && last != '\u200c' {
			break
		}
		out = out[:len(out)-1]
	}
	return string(out) + "…"
}

// droppedFromHeader reports whether r is removed from header text: control
// characters, and the bidi controls that reorder what follows them
// (embeddings and overrides U+202A–U+202E, isolates U+2066–U+2069).
func droppedFromHeader(r rune) bool {
	return unicode.IsControl(r) ||
		(r >= '\u202a' && r <= '\u202e') ||
		(r >= '\u2066' && r <= '\u2069')
}

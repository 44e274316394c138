package template

import (
	"iter"
	"strings"
	"unicode"
	"unicode/utf8"
)

// cleanSubject makes a rendered subject one clean line. The domain already
// sanitises the citizen's subject and name before they reach a template;
// this is the second line of defence, so that no template or data can put
// a CR/LF (a header injection: "\r\nBcc: …") or other control character
// into the Subject header. Line breaks and tabs become spaces, other
// control characters go, runs of white space collapse to one space, and
// invalid UTF-8 becomes U+FFFD.
func cleanSubject(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\r' || r == '\n' || r == '\t' || r == '\u2028' || r == '\u2029':
			return ' '
		case unicode.IsControl(r):
			return -1
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// normalizeText gives every plain-text body the same shape whatever the
// template's whitespace: LF line endings, no trailing white space (which
// quoted-printable would encode as =20 and some clients show), no blank
// lines at the start or end, at most one blank line in a row, and one final
// newline. Control characters other than tab are removed, and invalid UTF-8
// becomes U+FFFD. Lines are not wrapped: the SMTP adapter encodes the body
// as quoted-printable, which keeps long lines intact for the reader.
//
// Collapsing blank lines also lets a template put {{if}} and {{end}} on
// lines of their own without leaving holes in the letter.
func normalizeText(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	blank := false
	for line := range lines(s) {
		line = trimRightSpace(stripControls(line))
		if line == "" {
			blank = b.Len() > 0
			continue
		}
		if blank {
			b.WriteByte('\n')
			blank = false
		}
		b.WriteString(line)
		b.WriteByte('\n')
	}
	return b.String()
}

// normalizeHTML gives the HTML alternative LF line endings, no trailing
// white space and no control characters. Blank lines are kept: inside a
// <pre> they are content. A body that renders to white space only is ""
// (no HTML alternative).
func normalizeHTML(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	blanks := 0 // blank lines not written yet: kept only between lines of text
	for line := range lines(s) {
		line = trimRightSpace(stripControls(line))
		if line == "" {
			blanks++
			continue
		}
		if b.Len() > 0 {
			for range blanks {
				b.WriteByte('\n')
			}
		}
		blanks = 0
		b.WriteString(line)
		b.WriteByte('\n')
	}
	return b.String()
}

// lines yields the lines of s split at LF, CRLF, CR and the Unicode line
// and paragraph separators, after replacing invalid UTF-8. A body is
// rendered for every mail mailproc sends: the lines are not collected in a
// slice, and a body with LF breaks only, as rendered bodies are, is not
// run through the replacer.
func lines(s string) iter.Seq[string] {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if strings.IndexByte(s, '\r') >= 0 || strings.Contains(s, "\u2028") || strings.Contains(s, "\u2029") {
		s = lineBreaks.Replace(s)
	}
	return strings.SplitSeq(s, "\n")
}

// lineBreaks turns every line break lines knows into LF. Built once,
// not on every render.
var lineBreaks = strings.NewReplacer("\r\n", "\n", "\r", "\n", "\u2028", "\n", "\u2029", "\n")

// trimRightSpace is strings.TrimRightFunc(s, unicode.IsSpace), without
// decoding a line that ends in printable ASCII.
func trimRightSpace(s string) string {
	for len(s) > 0 {
		c := s[len(s)-1]
		if c >= utf8.RuneSelf {
			return strings.TrimRightFunc(s, unicode.IsSpace)
		}
		if c != ' ' && (c < '\t' || c > '\r') {
			return s
		}
		s = s[:len(s)-1]
	}
	return s
}

// stripControls removes control characters other than tab from one line.
// A line of printable ASCII, which most lines of a letter are, is returned
// as it is without decoding it rune by rune.
func stripControls(line string) string {
	if printableASCII(line) {
		return line
	}
	return strings.Map(func(r rune) rune {
		if r != '\t' && unicode.IsControl(r) {
			return -1
		}
		return r
	}, line)
}

// printableASCII reports whether s is ASCII with no control character
// other than tab (so stripControls would keep all of it).
func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 0x7f || (c < 0x20 && c != '\t') {
			return false
		}
	}
	return true
}

package mime

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
)

// Undeclared 8-bit text (no charset, or a wrong "us-ascii") is Windows-1252
// from an old Western client most of the time, but the desk also receives
// Cyrillic and Chinese mail from clients that forget the label. sniffCharset
// tries the charsets that occur and keeps the reading in which the text
// looks most like language: the most frequent letters or characters of
// that script, no replacement characters, no control characters. It is a
// small detector of our own (measured in sniff_test.go), not a general one.

// sniffCandidates are tried in order; Windows-1252 wins ties.
var sniffCandidates = []struct {
	name   string
	enc    encoding.Encoding
	common string // frequent letters or characters of the language
}{
	{"windows-1252", charmap.Windows1252, "eaionrtslcdumpéèàáíóúãõçñüöäß"},
	{"koi8-r", charmap.KOI8R, "оеаинтсрвлкмдпуяыьгзбчйхжшюцщэфъё"},
	{"windows-1251", charmap.Windows1251, "оеаинтсрвлкмдпуяыьгзбчйхжшюцщэфъё"},
	{"big5", traditionalchinese.Big5, commonHan + "這個們來說時會對為國學與後開關"},
	{"gb18030", simplifiedchinese.GB18030, commonHan + "这个们来说时会对为国学与后开关"},
	{"shift_jis", japanese.ShiftJIS, commonHan + "のはをにがでとしたてるますいうかなっれ"},
	{"euc-jp", japanese.EUCJP, commonHan + "のはをにがでとしたてるますいうかなっれ"},
	{"euc-kr", korean.EUCKR, "이의다는에을하고를가한지서기사로도있리수대시나해"},
}

// commonHan are characters frequent in both Chinese scripts and Japanese.
const commonHan = "的一是不了在人有我他中大上到以和要地出也就可年生自子你能好下过天小多心日么见对"

// sniffCharset decodes b, which is not valid UTF-8, in the charset it most
// likely is, and names it.
func sniffCharset(b []byte) (name, text string) {
	// The start decides: 4 KiB of text name its charset as well as all of
	// it, at a fraction of the cost.
	sample := b
	if len(sample) > sniffSample {
		sample = sample[:sniffSample]
	}
	var best encoding.Encoding
	bestScore := -1.0
	for _, c := range sniffCandidates {
		out, err := c.enc.NewDecoder().Bytes(sample)
		if err != nil {
			continue
		}
		if sc := languageScore(string(out), c.common, c.name == "windows-1252"); sc > bestScore+0.05 || best == nil {
			best, bestScore, name = c.enc, sc, c.name
		}
	}
	if best != nil {
		if out, err := best.NewDecoder().Bytes(b); err == nil {
			return name, strings.ToValidUTF8(string(out), "\uFFFD")
		}
	}
	return "windows-1252", decode1252(b)
}

// sniffSample bounds the bytes sniffCharset weighs.
const sniffSample = 4 << 10

// languageScore is the share of the non-ASCII letters of s that are among
// common (as written: running text is mostly lower case, and a wrong
// Cyrillic table swaps the cases), minus a penalty for what text does not
// hold: replacement and control characters, symbols such as box drawing
// that a wrong single-byte table produces, and — unless the charset is a
// Latin one — a non-ASCII letter inside an ASCII word (bibliothиque).
func languageScore(s, common string, latin bool) float64 {
	var high, hits, bad int
	rs := []rune(s)
	ascii := func(i int) bool {
		return i >= 0 && i < len(rs) && rs[i] < 0x80 && unicode.IsLetter(rs[i])
	}
	for i, r := range rs {
		switch {
		case r == utf8.RuneError || (unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t'):
			bad++
		case r < 0x80 || unicode.IsPunct(r) || unicode.IsSpace(r):
		case unicode.IsLetter(r) && (latin || (!ascii(i-1) && !ascii(i+1))):
			high++
			if strings.ContainsRune(common, r) {
				hits++
			}
		default:
			bad++
		}
	}
	if high+bad == 0 {
		return 0
	}
	return (float64(hits) - 2*float64(bad)) / float64(high+bad)
}

// charsetTitle writes a detected charset's name as the notes do.
func charsetTitle(name string) string {
	switch name {
	case "windows-1252":
		return "Windows-1252"
	case "windows-1251":
		return "Windows-1251"
	}
	return strings.ToUpper(name)
}

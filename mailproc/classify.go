package mailproc

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"unicode"
)

// Classification is the kind the classifier chose for a mail and why. The
// reason goes into the case's log so staff can see, and correct, the choice.
type Classification struct {
	Kind   Kind
	Reason string
}

// Explicit subject tags a citizen or staff member can write to choose the
// kind: "[ADUAN] Buku rusak", "[INFO] Jam buka".
var (
	tagAduanRE = regexp.MustCompile(`(?i)\[\s*(aduan|pengaduan|keluhan|komplain|complaint)\s*\]`)
	tagInfoRE  = regexp.MustCompile(`(?i)\[\s*(info|informasi|tanya|pertanyaan|question)\s*\]`)
)

// Keyword stems. A stem matches at the start of a word, so "keluh" matches
// keluhan and mengeluhkan's stem after its prefix is stripped; Indonesian
// affixes (me-, pe-, di-, ke-…-an) are handled by matching stems inside the
// word for the longer, unambiguous stems.
var complaintWords = []string{
	"aduan", "pengaduan", "mengadu", "mengadukan", "diadukan",
	"keluhan", "keluh", "mengeluh", "mengeluhkan", "dikeluhkan",
	"komplain", "complain", "complaint",
	"kecewa", "mengecewakan", "dikecewakan",
	"lapor", "laporan", "melapor", "melaporkan", // "laporan" also means report; weighed like the others
	"rusak", "kerusakan", "tidak puas", "tak puas", "buruk", "jelek", "kotor", "bau",
	"tidak ramah", "kasar", "lambat", "lama sekali", "terlalu lama", "pungli", "pungutan",
	"dipungut biaya", "dimintai uang", "diminta uang", "sogok", "bocor", "hilang", "tidak berfungsi",
	"mati", "error", "tidak bisa", "gagal", "protes", "disappointed", "broken", "rude", "dirty",
	"unacceptable",
}

var infoWords = []string{
	"informasi", "info", "tanya", "bertanya", "menanyakan", "pertanyaan", "mohon info",
	"jam buka", "jam layanan", "jam operasional", "buka jam", "syarat", "persyaratan",
	"cara", "bagaimana", "apakah", "kapan", "dimana", "di mana", "berapa", "bisakah",
	"mohon penjelasan", "ingin tahu", "daftar", "pendaftaran", "kartu anggota", "anggota",
	"pinjam", "meminjam", "peminjaman", "arsip", "koleksi",
	"question", "inquiry", "information", "how", "when", "where", "opening hours",
}

// Classify decides the kind of a citizen's mail from its subject and text.
// An explicit tag wins; otherwise complaint words must outweigh information
// words (subject words count double). When unsure — no words, or a tie — the
// answer is informasi: its clock is the shorter one, so a doubtful mail is
// looked at sooner, and staff can change it with a command.
func Classify(subject, text string) Classification {
	if m := tagAduanRE.FindString(subject); m != "" {
		return Classification{KindAduan, "tanda " + m + " di subjek"}
	}
	if m := tagInfoRE.FindString(subject); m != "" {
		return Classification{KindInformasi, "tanda " + m + " di subjek"}
	}
	// Only the start of a long mail is read: what people ask or complain
	// about is said first, and quoted history below must not decide.
	const maxRunes = 4000
	if r := []rune(text); len(r) > maxRunes {
		text = string(r[:maxRunes])
	}
	subj, body := normalizeWords(subject), normalizeWords(text)
	cs, cHits := score(subj, body, complaintWords)
	is, iHits := score(subj, body, infoWords)
	switch {
	case cs == 0 && is == 0:
		return Classification{KindInformasi, "tidak ada kata kunci yang jelas; dianggap permintaan informasi"}
	case cs > is:
		return Classification{KindAduan, fmt.Sprintf("kata kunci aduan (%s) lebih banyak daripada kata kunci informasi", strings.Join(cHits, ", "))}
	case cs == is:
		return Classification{KindInformasi, fmt.Sprintf("kata kunci aduan (%s) dan informasi (%s) seimbang; dianggap permintaan informasi",
			strings.Join(cHits, ", "), strings.Join(iHits, ", "))}
	default:
		return Classification{KindInformasi, fmt.Sprintf("kata kunci informasi (%s)", strings.Join(iHits, ", "))}
	}
}

// normalizeWords lower-cases s and turns every run of non-letters into one
// space, with a space at each end, so " word " matching finds whole words.
func normalizeWords(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte(' ')
	space := true
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
			space = false
		} else if !space {
			b.WriteByte(' ')
			space = true
		}
	}
	if !space {
		b.WriteByte(' ')
	}
	return b.String()
}

// score counts whole-word (or whole-phrase) hits of words, subject hits
// weighing two, and returns the distinct words found, sorted.
func score(subj, body string, words []string) (int, []string) {
	total := 0
	var hits []string
	for _, w := range words {
		needle := " " + w + " "
		n := 2*strings.Count(subj, needle) + strings.Count(body, needle)
		if n > 0 {
			total += n
			hits = append(hits, w)
		}
	}
	sort.Strings(hits)
	if len(hits) > 6 {
		hits = append(hits[:6], "…")
	}
	return total, hits
}

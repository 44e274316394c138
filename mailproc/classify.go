package mailproc

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
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

// Classify decides the kind of a citizen's mail from its subject and text.
// An explicit tag wins. Otherwise the words are weighed: complaint roots
// (after affix stripping, see stems) and phrases, a negated service word
// ("tidak puas", "belum dibalas", "gak dilayanin") against question and
// request words and question marks; subject words count double. When unsure
// — no words, or a tie — the answer is informasi: its clock is the shorter
// one, so a doubtful mail is looked at sooner, the reason says so on the
// case, and staff can change it with a command.
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
	var c, i tally
	for _, part := range []struct {
		s      string
		weight int
	}{{subject, 2}, {text, 1}} {
		words := strings.Fields(normalizeWords(part.s))
		c.phrases(words, complaintPhraseSet, part.weight)
		i.phrases(words, infoPhraseSet, part.weight)
		for n, w := range words {
			roots := rootsOf(w)
			switch {
			case roots&complaintRoot != 0 && !negated(words, n) && !hypotheticalBefore(words, n):
				c.add(w, part.weight)
			case roots&positiveRoot != 0 && negated(words, n):
				c.add(negatorBefore(words, n)+" "+w, part.weight)
			case roots&infoRoot != 0:
				i.add(w, part.weight)
			}
		}
		if q := strings.Count(part.s, "?"); q > 0 {
			i.add("tanda tanya", min(q, 2))
		}
	}
	switch {
	case c.score == 0 && i.score == 0:
		return Classification{KindInformasi, "tidak ada kata kunci yang jelas; dianggap permintaan informasi (ragu: petugas dapat mengubah jenisnya)"}
	case c.score > i.score:
		return Classification{KindAduan, fmt.Sprintf("kata kunci aduan (%s) lebih berat daripada kata kunci informasi (%s)", c.list(), i.list())}
	case c.score == i.score:
		return Classification{KindInformasi, fmt.Sprintf("kata kunci aduan (%s) dan informasi (%s) seimbang; dianggap permintaan informasi (ragu: petugas dapat mengubah jenisnya)",
			c.list(), i.list())}
	case c.score > 0:
		return Classification{KindInformasi, fmt.Sprintf("kata kunci informasi (%s) lebih berat daripada kata kunci aduan (%s)", i.list(), c.list())}
	default:
		return Classification{KindInformasi, fmt.Sprintf("kata kunci informasi (%s)", i.list())}
	}
}

// tally is the weight of one kind's evidence and the words that gave it.
type tally struct {
	score int
	hits  []string
}

func (t *tally) add(hit string, weight int) {
	t.score += weight
	if !slices.Contains(t.hits, hit) {
		t.hits = append(t.hits, hit)
	}
}

// phrases counts the phrases among words (normalizeWords, split): whole
// words, every occurrence that does not overlap the one before it (back to
// back counts each). One pass over the words, with the phrases looked up by
// their first word.
func (t *tally) phrases(words []string, set phraseSet, weight int) {
	var ends map[string]int // where each phrase's last occurrence ended
	for n, w := range words {
		for _, p := range set[w] {
			if n+len(p.words) > len(words) || !slices.Equal(words[n:n+len(p.words)], p.words) {
				continue
			}
			if end, ok := ends[p.text]; ok && n < end {
				continue
			}
			if ends == nil {
				ends = map[string]int{}
			}
			ends[p.text] = n + len(p.words)
			t.add(p.text, weight)
		}
	}
}

// phraseSet is a list of phrases by their first word.
type phraseSet map[string][]phrase

type phrase struct {
	text  string
	words []string
}

func newPhraseSet(list []string) phraseSet {
	set := phraseSet{}
	for _, p := range list {
		words := strings.Fields(p)
		if len(words) > 0 {
			set[words[0]] = append(set[words[0]], phrase{text: p, words: words})
		}
	}
	return set
}

// The roots a word can stand for, as the classifier weighs them.
const (
	complaintRoot uint8 = 1 << iota
	positiveRoot
	infoRoot
)

// rootsOf says which lexicons hold one of w's stems. A burst of mail
// repeats the same few thousand words, and stemming is most of the
// classifier's work: the answers are kept (rootCache).
func rootsOf(w string) uint8 {
	if r, ok := rootCache.get(w); ok {
		return r
	}
	var r uint8
	stemmed := stems(w)
	for _, l := range []struct {
		lexicon map[string]bool
		bit     uint8
	}{{complaintRoots, complaintRoot}, {positiveRoots, positiveRoot}, {infoRoots, infoRoot}} {
		if hasAny(stemmed, l.lexicon) {
			r |= l.bit
		}
	}
	rootCache.put(w, r)
	return r
}

// rootCache keeps rootsOf's answers, up to rootCacheMax words; when full it
// starts again empty (a few hundred kB at most).
var rootCache = wordCache{m: map[string]uint8{}}

const rootCacheMax = 20000

type wordCache struct {
	mu sync.Mutex
	m  map[string]uint8
}

func (c *wordCache) get(w string) (uint8, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	r, ok := c.m[w]
	return r, ok
}

func (c *wordCache) put(w string, r uint8) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= rootCacheMax {
		clear(c.m)
	}
	c.m[strings.Clone(w)] = r
}

// list names the evidence for the case's log: at most six, sorted.
func (t *tally) list() string {
	if len(t.hits) == 0 {
		return "tidak ada"
	}
	h := slices.Clone(t.hits)
	sort.Strings(h)
	if len(h) > 6 {
		h = append(h[:6], "…")
	}
	return strings.Join(h, ", ")
}

func hasAny(roots []string, lexicon map[string]bool) bool {
	for _, r := range roots {
		if lexicon[r] {
			return true
		}
	}
	return false
}

// negatorBefore returns the negator governing words[n] — right before it,
// or before filler words ("tidak ada tanggapan") — or "".
func negatorBefore(words []string, n int) string {
	for j := n - 1; j >= 0 && j >= n-3; j-- {
		switch {
		case negators[words[j]]:
			return words[j]
		case !negationFiller[words[j]]:
			return ""
		}
	}
	return ""
}

func negated(words []string, n int) bool { return negatorBefore(words, n) != "" }

// hypotheticalBefore reports a worry word just before words[n] ("takut
// ilang", "kalau telat").
func hypotheticalBefore(words []string, n int) bool {
	for j := n - 1; j >= 0 && j >= n-2; j-- {
		if hypothetical[words[j]] {
			return true
		}
	}
	return false
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

package mailproc

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

// Rating is a citizen's satisfaction score for a closed case (IKM/SKM):
// their reply to the closing mail.
type Rating struct {
	ID        int64
	CaseID    int64
	Score     int // 1 sangat tidak puas … 4 sangat puas
	Comment   string
	At        time.Time
	MessageID int64 // the stored reply
}

// RatingLabels names the scores as the closing mail asks them.
var RatingLabels = [5]string{"", "sangat tidak puas", "tidak puas", "puas", "sangat puas"}

var ratingRE = regexp.MustCompile(`^\s*\(?([1-4])\)?(?:\s*[.,:;)\-–—]|\s|$)(.*)$`)

// ParseRating reads a reply to the closing mail: the first line of the new
// text starts with 1–4, optionally followed by a comment, which may go on
// in the lines below. Anything else is not a rating (and the reply is
// handled as a follow-up).
func ParseRating(text string) (score int, comment string, ok bool) {
	text = strings.TrimSpace(StripQuote(text))
	first, rest, _ := strings.Cut(text, "\n")
	m := ratingRE.FindStringSubmatch(first)
	if m == nil {
		return 0, "", false
	}
	score = int(m[1][0] - '0')
	comment = strings.TrimSpace(strings.TrimSpace(m[2]) + "\n" + strings.TrimSpace(rest))
	return score, comment, true
}

// SatisfactionSummary is the report's line on satisfaction.
func SatisfactionSummary(ratings []Rating) string {
	if len(ratings) == 0 {
		return SatisfactionNoData
	}
	var n [5]int
	sum := 0
	for _, r := range ratings {
		n[r.Score]++
		sum += r.Score
	}
	avg := strings.Replace(fmt.Sprintf("%.2f", float64(sum)/float64(len(ratings))), ".", ",", 1)
	return fmt.Sprintf("%d penilaian, rata-rata %s dari 4 (sangat puas %d, puas %d, tidak puas %d, sangat tidak puas %d)",
		len(ratings), avg, n[4], n[3], n[2], n[1])
}

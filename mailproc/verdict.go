package mailproc

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"
)

// A verdict (putusan) is what the month report needs to know about a case,
// stored on the case at the moment it is known: when the first answer goes
// out, or when the promise runs out unanswered (the first head is told). A
// report of a closed month reads only verdicts, so a later change of office
// hours, holidays, the promise or the case's kind never moves last month's
// figures: the desk is judged by the rules in force when it acted.

// Outcome says whether a case was answered within its promise.
type Outcome string

const (
	OutcomeNone   Outcome = ""          // not decided yet
	OutcomeWithin Outcome = "tepat"     // first answer within the promise
	OutcomeLate   Outcome = "terlambat" // first answer after it, or none when it ran out
)

// Verdict is the stored judgement of one case's first answer.
type Verdict struct {
	Outcome Outcome
	Kind    Kind          // the kind the case had when judged
	Promise time.Duration // the promise in force, in service time
	// ServiceTime is the service time from opening to the first answer;
	// HasServiceTime is false while a case judged late at its deadline is
	// still unanswered.
	ServiceTime    time.Duration
	HasServiceTime bool
	// Calendar is the version of the service calendar and promises used
	// (CalendarClock.Version): two verdicts with the same version were
	// counted on the same rules.
	Calendar string
	At       time.Time // when the verdict was made
}

// Detail is the verdict as its event (EventVerdict) records it: words for
// the timeline, then every stored field exactly (times in milliseconds), so
// `mailproc verify` can check the case's verdict columns against the event
// in the hash chain.
func (v Verdict) Detail() string {
	words := "tepat waktu"
	if v.Outcome == OutcomeLate {
		words = "melewati janji"
	}
	service, ms := "belum dijawab", "-"
	if v.HasServiceTime {
		service = "jawaban pertama setelah " + FormatDurasi(v.ServiceTime) + " waktu layanan"
		ms = fmt.Sprint(v.ServiceTime.Milliseconds())
	}
	return fmt.Sprintf("%s: %s, janji %s [%s %s %d %s %s %d]", words, service, FormatDurasi(v.Promise),
		v.Outcome, v.Kind, v.Promise.Milliseconds(), ms, v.Calendar, v.At.UnixMilli())
}

// Decided reports whether the case has been judged.
func (v Verdict) Decided() bool { return v.Outcome != OutcomeNone }

// VerdictClock is a service clock that can judge a case: its promise per
// kind, service time between two moments, and a version naming its rules.
// CalendarClock and FixedClock are both.
type VerdictClock interface {
	For(k Kind) time.Duration
	ServiceTimeBetween(a, b time.Time) time.Duration
	Version() string
}

// JudgeAnswer records the verdict of c's first answer at c.FirstAnswerAt.
// A case already judged late at its deadline keeps that outcome and gets
// its service time; a case judged with its service time is left alone, so
// the verdict is made exactly once. clock that is not a VerdictClock judges
// nothing.
func JudgeAnswer(c *Case, clock any, now time.Time) {
	vc, ok := clock.(VerdictClock)
	if !ok || c == nil || c.FirstAnswerAt.IsZero() || c.Verdict.HasServiceTime {
		return
	}
	took := vc.ServiceTimeBetween(c.OpenedAt, c.FirstAnswerAt)
	if c.Verdict.Decided() {
		c.Verdict.ServiceTime, c.Verdict.HasServiceTime = took, true
		return
	}
	v := Verdict{Outcome: OutcomeWithin, Kind: c.Kind, Promise: vc.For(c.Kind),
		ServiceTime: took, HasServiceTime: true, Calendar: vc.Version(), At: now}
	if took > v.Promise {
		v.Outcome = OutcomeLate
	}
	c.Verdict = v
}

// JudgeRunOut records that c's promise ran out unanswered: its deadline
// passed and the first head is being told. A case already judged or
// answered is left alone.
func JudgeRunOut(c *Case, clock any, now time.Time) {
	vc, ok := clock.(VerdictClock)
	if !ok || c == nil || c.Verdict.Decided() || !c.FirstAnswerAt.IsZero() {
		return
	}
	c.Verdict = Verdict{Outcome: OutcomeLate, Kind: c.Kind, Promise: vc.For(c.Kind),
		Calendar: vc.Version(), At: now}
}

// JudgeAtUpgrade judges a case answered before verdicts were stored, as
// JudgeAnswer would have, on clock: the configuration in force at the
// upgrade, the only one known then. Calendar records its version with the
// prefix "migrasi:" so an auditor sees the verdict was made afterwards. It
// reports whether it judged c. Unanswered cases are left to the escalator
// (and the report's DueAt rule).
func JudgeAtUpgrade(c *Case, clock VerdictClock, now time.Time) bool {
	if c == nil || c.Verdict.Decided() || c.FirstAnswerAt.IsZero() {
		return false
	}
	JudgeAnswer(c, clock, now)
	c.Verdict.Calendar = "migrasi:" + c.Verdict.Calendar
	return true
}

// ServiceTimeBetween implements VerdictClock: every minute counts.
func (c FixedClock) ServiceTimeBetween(a, b time.Time) time.Duration { return max(b.Sub(a), 0) }

// Version implements VerdictClock.
func (c FixedClock) Version() string {
	return versionOf(fmt.Sprintf("24/7\ninformasi %d\naduan %d\n", c.Info, c.Complaint))
}

// ServiceTimeBetween implements VerdictClock on the calendar.
func (c CalendarClock) ServiceTimeBetween(a, b time.Time) time.Duration {
	return c.Calendar.ServiceTimeBetween(a, b)
}

// Version implements VerdictClock: a short SHA-256 of everything that
// decides a verdict — time zone, office hours, holidays, 24/7 mode and the
// two promises. Any change of the configuration gives a new version.
func (c CalendarClock) Version() string {
	var b strings.Builder
	fmt.Fprintf(&b, "informasi %d\naduan %d\n", c.Info, c.Complaint)
	cal := c.Calendar
	if cal.always() {
		b.WriteString("24/7\n")
		return versionOf(b.String())
	}
	fmt.Fprintf(&b, "zona %s\n", cal.loc())
	for wd, spans := range cal.Hours {
		fmt.Fprintf(&b, "hari %d:", wd)
		for _, s := range normalizeSpans(spans) {
			fmt.Fprintf(&b, " %d-%d", s.Start, s.End)
		}
		b.WriteString("\n")
	}
	var days []string
	for d, on := range cal.Holidays {
		if on {
			days = append(days, d)
		}
	}
	slices.Sort(days)
	fmt.Fprintf(&b, "libur %s\n", strings.Join(days, " "))
	return versionOf(b.String())
}

func versionOf(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:6])
}

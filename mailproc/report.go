package mailproc

import (
	"slices"
	"strconv"
	"strings"
	"time"
)

// The monthly report (`mailproc report --month YYYY-MM`): what the service
// standard promised and what the desk delivered, for the cases opened in one
// calendar month on the desk's wall clock. BuildMonthReport is pure; the CLI
// reads the cases and their escalation events from the database and the
// renderers in package report print the result.
//
// How the numbers are counted:
//
//   - A case belongs to the month in which it was opened (OpenedAt in the
//     desk's time zone). Cases opened before the month are not in it, even
//     if still open.
//   - "Answered within the promise" is the case's stored verdict (see
//     verdict.go): made once, when the first answer went out or the promise
//     ran out unanswered, on the calendar, promise and kind in force then.
//     A case counts under the kind it was judged as. A closed month (now at
//     or after its end) reads verdicts only, so a later change of office
//     hours, holidays, promise or kind never moves it.
//   - A case without a verdict is judged provisionally only in the month
//     still running, on today's calendar, as before verdicts were stored.
//     In a closed month an undecided case is Late when it is open,
//     unanswered and past its stored DueAt, and otherwise Pending.
//   - The share within the promise is Within / (Within + Late). A case not
//     yet judged whose promise has not run out is Pending; a case closed
//     (selesai) without any answer and without a verdict — a duplicate,
//     spam, closed before its promise ran out — is ClosedUnanswered.
//     Neither is in the share. A case judged late when its promise ran out
//     stays Late if it is closed unanswered afterwards.
//   - First-answer times p50 and p90 are nearest-rank percentiles of the
//     service time from opening to first answer, over the answered cases of
//     the kind.
//   - Escalations per level count the EventEscalated events of the month's
//     cases whose Detail starts "tingkat N (" — a head of level N was told,
//     whether the deadline passed or staff asked (#eskalasi). The event
//     that says the chain is exhausted tells nobody and is not counted.
//   - Open cases are those not selesai. An open case is overdue when its
//     DueAt has passed at now and the desk still owes something: it is not
//     in dijawab, or it is but needs follow-up (tindak lanjut), whose own
//     deadline DueAt then is. How late it is, is counted in service time
//     on today's calendar, and only in the month still running: in a closed
//     month it depends on today, not on the month.

// SatisfactionNoData is what the report says about citizen satisfaction
// until the answers to the closing mail's question are collected.
const SatisfactionNoData = "belum ada data"

// MonthReport is one month of the desk's work.
type MonthReport struct {
	Year     int
	Month    time.Month
	Location *time.Location // the desk's time zone: days and times are read on it
	From, To time.Time      // the month: [From, To) in Location
	Now      time.Time      // when the report was made: open and overdue are as of now
	// AllHours is true when service time is every minute (a 24/7
	// calendar), so the report does not speak of office hours.
	AllHours bool
	// Closed is true when the month has ended at Now: its figures come
	// from stored verdicts only.
	Closed bool
	// ChainHead is the head of the case history's hash chain the report
	// was computed from (ChainHead.String), so a printed report can be
	// matched against the database later; "" when not known.
	ChainHead string
	// Agency and DeskName head the HTML report (desk.agency, desk.name):
	// a printed page says whose promise it measures.
	Agency, DeskName string

	Total int         // cases opened in the month
	Kinds []KindStats // informasi, then aduan (always both)
	// Channels are the month's cases per channel (kanal), every channel
	// in the order of Channels, with none listed as 0.
	Channels []ChannelStats
	States   []StateCount
	// Escalations counts heads told, per level, ascending; levels with
	// no escalation between 1 and the highest are listed with 0.
	Escalations []LevelCount
	Open        []CaseLine // cases still open, oldest first
	Overdue     []CaseLine // the open cases past their deadline, oldest first
	Days        []DayStats // every day of the month, in order
	// Satisfaction is the 1-4 distribution line (SatisfactionSummary), or
	// SatisfactionNoData.
	Satisfaction string
	// IKM is the Indeks Kepuasan Masyarakat of the month's cases:
	// informasi, aduan, then all (AddRatings).
	IKM []IKMStats
}

// KindStats is the month of one kind of case.
type KindStats struct {
	Kind    Kind
	Promise time.Duration // in service time: 5 menit informasi, 1 jam aduan
	// PromiseVaries is true when the month's verdicts of the kind were
	// made under different promises (the config changed in the month);
	// Promise is then the configured one.
	PromiseVaries bool

	Cases            int // opened in the month
	Answered         int // with a first answer
	Within           int // answered within the promise
	Late             int // answered after it, or unanswered past it
	Pending          int // unanswered, promise not yet run out
	ClosedUnanswered int // closed without an answer

	// WithinPercent is 100 × Within / (Within + Late); HasPercent is
	// false when that is 0 / 0.
	WithinPercent float64
	HasPercent    bool
	// P50 and P90 are first-answer times in service time; HasTimes is
	// false when no case of the kind was answered.
	P50, P90 time.Duration
	HasTimes bool
}

// ChannelStats is the month of one channel: cases, those answered
// within the promise, and the median first answer in service time.
type ChannelStats struct {
	Channel  Channel
	Cases    int
	Within   int
	Late     int
	P50      time.Duration
	HasTimes bool
}

// StateCount is how many of the month's cases are in a state now.
type StateCount struct {
	State State
	Count int
}

// LevelCount is how many times a head of a level was told.
type LevelCount struct {
	Level int
	Count int
}

// CaseLine is one case in the list of open or overdue cases.
type CaseLine struct {
	Number          string
	Subject         string // of the mail that opened the case
	Kind            Kind   // the kind it is counted under: as judged, else as it is now
	State           State
	EscalationLevel int
	OpenedAt        time.Time
	DueAt           time.Time
	// Late is the service time since DueAt at the report's now; zero
	// for a case not (yet) overdue.
	Late    time.Duration
	Overdue bool
}

// DayStats is one day of the month.
type DayStats struct {
	Date      time.Time // midnight in the report's Location
	Informasi int       // cases opened that day, per kind
	Aduan     int
	Within    int // of those: answered within the promise
	Late      int // of those: answered late, or unanswered past the promise
}

// Cases is the number of cases opened that day.
func (d DayStats) Cases() int { return d.Informasi + d.Aduan }

// reportStates is the order in which states are listed.
var reportStates = []State{StateBaru, StateDiakui, StateDijawab, StateDieskalasi, StateSelesai}

// BuildMonthReport counts the cases opened in month of year, on the wall
// clock of loc (nil: UTC), as of now. cases may hold cases of other months;
// they are left out. escalations holds the EventEscalated events per case
// id (other events are ignored). promise gives the promised service time
// per kind and cal the calendar it is counted on (nil: 24/7).
func BuildMonthReport(year int, month time.Month, loc *time.Location, cases []*Case,
	escalations map[int64][]*Event, promise FixedClock, cal *ServiceCalendar, now time.Time) MonthReport {
	if loc == nil {
		loc = time.UTC
	}
	from := time.Date(year, month, 1, 0, 0, 0, 0, loc)
	to := time.Date(year, month+1, 1, 0, 0, 0, 0, loc)
	r := MonthReport{
		Year: from.Year(), Month: from.Month(), Location: loc, From: from, To: to, Now: now,
		Satisfaction: SatisfactionNoData, AllHours: cal == nil || cal.Always,
		Closed: !now.Before(to),
	}

	for d := 1; ; d++ {
		day := time.Date(from.Year(), from.Month(), d, 0, 0, 0, 0, loc)
		if !day.Before(to) {
			break
		}
		r.Days = append(r.Days, DayStats{Date: day})
	}

	kinds := map[Kind]*KindStats{}
	times := map[Kind][]time.Duration{}
	for _, k := range []Kind{KindInformasi, KindAduan} {
		r.Kinds = append(r.Kinds, KindStats{Kind: k, Promise: promise.For(k)})
	}
	for i := range r.Kinds {
		kinds[r.Kinds[i].Kind] = &r.Kinds[i]
	}
	states := map[State]int{}
	levels := map[int]int{}
	channels := map[Channel]*ChannelStats{}
	chTimes := map[Channel][]time.Duration{}
	for _, ch := range Channels {
		r.Channels = append(r.Channels, ChannelStats{Channel: ch})
	}
	for i := range r.Channels {
		channels[r.Channels[i].Channel] = &r.Channels[i]
	}

	var inMonth []*Case
	for _, c := range cases {
		if c == nil || c.OpenedAt.Before(from) || !c.OpenedAt.Before(to) {
			continue
		}
		inMonth = append(inMonth, c)
	}
	slices.SortStableFunc(inMonth, func(a, b *Case) int {
		if n := a.OpenedAt.Compare(b.OpenedAt); n != 0 {
			return n
		}
		return strings.Compare(a.Number, b.Number)
	})

	promises := map[Kind]map[time.Duration]bool{}
	for _, c := range inMonth {
		r.Total++
		v := c.Verdict
		if !v.Decided() && !r.Closed {
			v = provisionalVerdict(c, promise, cal, now)
		}
		kind := c.Kind
		if v.Decided() && v.Kind.Valid() {
			kind = v.Kind
		}
		if kind != KindAduan {
			kind = KindInformasi
		}
		ks := kinds[kind]
		if c.Verdict.Decided() {
			if promises[kind] == nil {
				promises[kind] = map[time.Duration]bool{}
			}
			promises[kind][c.Verdict.Promise] = true
		}
		ks.Cases++
		cs := channels[c.Channel.OrEmail()]
		if cs == nil { // a channel this version does not know
			r.Channels = append(r.Channels, ChannelStats{Channel: c.Channel})
			cs = &r.Channels[len(r.Channels)-1]
			channels[c.Channel] = cs
		}
		cs.Cases++
		if v.HasServiceTime {
			chTimes[cs.Channel] = append(chTimes[cs.Channel], v.ServiceTime)
		}
		states[c.State]++
		day := &r.Days[c.OpenedAt.In(loc).Day()-1]
		if kind == KindAduan {
			day.Aduan++
		} else {
			day.Informasi++
		}

		if !c.FirstAnswerAt.IsZero() {
			ks.Answered++
		}
		if v.HasServiceTime {
			times[kind] = append(times[kind], v.ServiceTime)
		}
		switch {
		case v.Outcome == OutcomeWithin:
			ks.Within++
			cs.Within++
			day.Within++
		case v.Outcome == OutcomeLate:
			ks.Late++
			cs.Late++
			day.Late++
		case c.State == StateSelesai && c.FirstAnswerAt.IsZero():
			ks.ClosedUnanswered++
		case c.State.Open() && c.FirstAnswerAt.IsZero() && !c.DueAt.IsZero() && now.After(c.DueAt):
			ks.Late++
			cs.Late++
			day.Late++
		default:
			ks.Pending++
		}

		if c.State.Open() {
			line := CaseLine{Number: c.Number, Subject: c.Subject, Kind: kind, State: c.State,
				EscalationLevel: c.EscalationLevel, OpenedAt: c.OpenedAt, DueAt: c.DueAt}
			owes := c.State != StateDijawab || c.NeedsFollowUp
			if owes && !c.DueAt.IsZero() && now.After(c.DueAt) {
				line.Overdue = true
				if !r.Closed {
					line.Late = cal.ServiceTimeBetween(c.DueAt, now)
				}
				r.Overdue = append(r.Overdue, line)
			}
			r.Open = append(r.Open, line)
		}

		for _, e := range escalations[c.ID] {
			if e == nil || e.Type != EventEscalated {
				continue
			}
			if n, ok := EscalationLevelOf(e.Detail); ok {
				levels[n]++
			}
		}
	}

	for i := range r.Kinds {
		ks := &r.Kinds[i]
		if ps := promises[ks.Kind]; len(ps) == 1 {
			for p := range ps {
				ks.Promise = p
			}
		} else if len(ps) > 1 {
			ks.PromiseVaries = true
		}
		if n := ks.Within + ks.Late; n > 0 {
			ks.HasPercent = true
			ks.WithinPercent = 100 * float64(ks.Within) / float64(n)
		}
		if ts := times[ks.Kind]; len(ts) > 0 {
			slices.Sort(ts)
			ks.HasTimes = true
			ks.P50, ks.P90 = percentile(ts, 50), percentile(ts, 90)
		}
	}
	for i := range r.Channels {
		cs := &r.Channels[i]
		if ts := chTimes[cs.Channel]; len(ts) > 0 {
			slices.Sort(ts)
			cs.HasTimes, cs.P50 = true, percentile(ts, 50)
		}
	}
	for _, s := range reportStates {
		r.States = append(r.States, StateCount{State: s, Count: states[s]})
		delete(states, s)
	}
	// States this version does not know (a newer database) are still
	// counted, after the known ones, in a stable order.
	var other []State
	for s := range states {
		other = append(other, s)
	}
	slices.Sort(other)
	for _, s := range other {
		r.States = append(r.States, StateCount{State: s, Count: states[s]})
	}
	top := 0
	for l := range levels {
		top = max(top, l)
	}
	for l := 1; l <= top; l++ {
		r.Escalations = append(r.Escalations, LevelCount{Level: l, Count: levels[l]})
	}
	return r
}

// provisionalVerdict judges an undecided case of the month still running
// on today's calendar and promise: answered, or unanswered past the promise
// at now. A case whose promise has not run out stays undecided.
func provisionalVerdict(c *Case, promise FixedClock, cal *ServiceCalendar, now time.Time) Verdict {
	clock := CalendarClock{Calendar: cal, Info: promise.Info, Complaint: promise.Complaint}
	d := *c
	switch {
	case !d.FirstAnswerAt.IsZero():
		JudgeAnswer(&d, clock, now)
	case d.State.Open() && clock.ServiceTimeBetween(d.OpenedAt, now) > clock.For(d.Kind):
		JudgeRunOut(&d, clock, now)
	}
	return d.Verdict
}

// EscalationLevelOf reads the level of an EventEscalated detail written by
// the escalator: "tingkat 2 (Kepala Bagian Pelayanan, …) diberi tahu: …".
// ok is false for any other text, such as the note that the chain is
// exhausted.
func EscalationLevelOf(detail string) (level int, ok bool) {
	rest, found := strings.CutPrefix(detail, "tingkat ")
	if !found {
		return 0, false
	}
	i := 0
	for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
		i++
	}
	if i == 0 || !strings.HasPrefix(rest[i:], " (") {
		return 0, false
	}
	n, err := strconv.Atoi(rest[:i])
	if err != nil || n <= 0 {
		return 0, false
	}
	return n, true
}

// percentile is the nearest-rank p-th percentile of sorted, which is not
// empty: the smallest value at least p% of the values are at or below.
func percentile(sorted []time.Duration, p int) time.Duration {
	rank := (p*len(sorted) + 99) / 100 // ceil(p/100 × n)
	return sorted[max(rank, 1)-1]
}

package mailproc

import (
	"cmp"
	"fmt"
	"slices"
	"time"
)

// DaySpan is one stretch of office hours (jam layanan) within a day, as
// wall-clock offsets from local midnight: 07:30-16:00 is {7h30m, 16h}. It is
// half-open, [Start, End): the desk is open at 07:30 and closed at 16:00, so
// mail that arrives on the stroke of closing time waits for the next opening.
// End may be 24h (open until midnight).
type DaySpan struct{ Start, End time.Duration }

// ServiceCalendar is the calendar the service standard's promises are counted
// on: office hours per weekday and whole-day holidays (libur nasional, cuti
// bersama) in the desk's time zone. "Answer within 5 minutes" means five
// minutes during which the desk is open, so mail that arrives after hours is
// due that many working minutes after the desk opens again.
//
// Hours are as config.ParseHours gives them: in order, not overlapping, within
// 00:00-24:00. NewServiceCalendar also repairs other input; a calendar built
// as a literal with spans out of order is sorted on the fly, never counted
// twice.
//
// The zero value and a calendar with no office hours on any day count every
// minute (24/7): a desk that is never open would otherwise never fall due,
// and a deadline that never comes is a promise silently broken. For the same
// reason a calendar closed for more than 400 days in a row (holidays covering
// every working day for over a year) is counted 24/7 where it matters.
type ServiceCalendar struct {
	// Location is the desk's time zone (WIB, Asia/Jakarta). Office hours and
	// holidays are read on its wall clock; nil means UTC.
	Location *time.Location
	// Hours are the open spans of each weekday, indexed by time.Weekday;
	// nil or empty means closed all day.
	Hours [7][]DaySpan
	// Holidays are dates "2006-01-02" in Location on which the desk is
	// closed all day, whatever Hours say.
	Holidays map[string]bool
	// Always counts every minute (24/7 mode); Hours and Holidays are not
	// used.
	Always bool
}

// maxClosedDays bounds every search for the next open minute: a calendar with
// no open minute in this many days in a row is broken (every working day a
// holiday for more than a year), and is then counted 24/7 rather than
// searched forever or given a deadline that never comes.
const maxClosedDays = 400

// NewServiceCalendar builds a calendar from configuration: hours per
// weekday (as config.OfficeHours gives them), holidays as any moment of the
// day in loc (config.HolidayDates and the iCalendar adapter give midnights),
// and the 24/7 switch. Spans are copied, clipped to 00:00-24:00, sorted and
// merged where they overlap, and empty ones dropped, so the calendar never
// shares memory with the caller. A nil loc is UTC.
func NewServiceCalendar(loc *time.Location, hours [7][]DaySpan, holidays []time.Time, always bool) *ServiceCalendar {
	if loc == nil {
		loc = time.UTC
	}
	c := &ServiceCalendar{Location: loc, Always: always, Holidays: make(map[string]bool, len(holidays))}
	for wd := range hours {
		c.Hours[wd] = normalizeSpans(hours[wd])
	}
	for _, h := range holidays {
		c.Holidays[dateOf(h, loc).key()] = true
	}
	return c
}

// AddServiceTime returns the moment d of service time after from: the
// deadline of something promised within d. Time while the desk is closed does
// not count; a deadline that falls exactly at closing time stays there rather
// than moving to the next opening. A d of zero or less returns from. The
// result is in Location.
//
// ServiceTimeBetween(from, AddServiceTime(from, d)) == d.
func (c *ServiceCalendar) AddServiceTime(from time.Time, d time.Duration) time.Time {
	if d <= 0 {
		return from
	}
	loc := c.loc()
	if c.always() {
		return from.Add(d).In(loc)
	}
	left := d
	closed := 0 // days in a row without an open minute after from
	for day := dateOf(from, loc); ; day = day.next() {
		counted := false
		for _, iv := range c.intervals(day) {
			if !iv.end.After(from) {
				continue
			}
			start := iv.start
			if start.Before(from) {
				start = from
			}
			counted = true
			avail := iv.end.Sub(start)
			if left <= avail {
				return start.Add(left).In(loc)
			}
			left -= avail
		}
		if counted {
			closed = 0
		} else if closed++; closed > maxClosedDays {
			return from.Add(d).In(loc)
		}
	}
}

// ServiceTimeBetween is the service time that elapsed from a to b: how long a
// case really waited by the promise's own measure (the monthly report), and
// how late an overdue case is (ServiceTimeBetween(due, now)). It is 0 when b
// is not after a.
func (c *ServiceCalendar) ServiceTimeBetween(a, b time.Time) time.Duration {
	if !b.After(a) {
		return 0
	}
	if c.always() {
		return b.Sub(a)
	}
	loc := c.loc()
	var total time.Duration
	last := dateOf(b, loc)
	for day := dateOf(a, loc); !last.before(day); day = day.next() {
		for _, iv := range c.intervals(day) {
			start, end := iv.start, iv.end
			if start.Before(a) {
				start = a
			}
			if end.After(b) {
				end = b
			}
			if end.After(start) {
				total += end.Sub(start)
			}
		}
	}
	return total
}

// IsOpen reports whether the desk is open at t: within a span of that
// weekday (opening time included, closing time not) and not on a holiday.
func (c *ServiceCalendar) IsOpen(t time.Time) bool {
	if c.always() {
		return true
	}
	for _, iv := range c.intervals(dateOf(t, c.loc())) {
		if !t.Before(iv.start) && t.Before(iv.end) {
			return true
		}
	}
	return false
}

// NextOpen is the first moment at or after t when the desk is open: t itself
// if it is open then, else the next opening (in Location). The
// acknowledgement can say when the desk will look at mail sent at night.
func (c *ServiceCalendar) NextOpen(t time.Time) time.Time {
	if c.always() || c.IsOpen(t) {
		return t
	}
	loc := c.loc()
	day := dateOf(t, loc)
	for range maxClosedDays + 1 {
		for _, iv := range c.intervals(day) {
			if iv.start.After(t) {
				return iv.start.In(loc)
			}
		}
		day = day.next()
	}
	return t // broken calendar: counted 24/7, see ServiceCalendar
}

// CalendarClock is the service clock of a desk with office hours: informasi
// is due Info of service time after arrival, aduan (tindak lanjut) Complaint
// after arrival, both counted on Calendar. A nil Calendar counts 24/7, like
// FixedClock.
type CalendarClock struct {
	Calendar        *ServiceCalendar
	Info, Complaint time.Duration
}

// Due implements ServiceClock: the promised duration of the kind, counted on
// the calendar from arrival.
func (c CalendarClock) Due(k Kind, from time.Time) time.Time {
	return c.AddServiceTime(from, c.For(k))
}

// For is the promised duration of a kind, in service time.
func (c CalendarClock) For(k Kind) time.Duration {
	return FixedClock{Info: c.Info, Complaint: c.Complaint}.For(k)
}

// AddServiceTime counts d of service time from from on the calendar, so an
// escalation level's "one hour" is an hour of office time too.
func (c CalendarClock) AddServiceTime(from time.Time, d time.Duration) time.Time {
	return c.Calendar.AddServiceTime(from, d)
}

// always reports whether every minute counts: 24/7 mode, the zero or nil
// calendar, or no office hours on any day.
func (c *ServiceCalendar) always() bool {
	if c == nil || c.Always {
		return true
	}
	for _, spans := range c.Hours {
		for _, s := range spans {
			if min(s.End, 24*time.Hour) > max(s.Start, 0) {
				return false
			}
		}
	}
	return true
}

func (c *ServiceCalendar) loc() *time.Location {
	if c == nil || c.Location == nil {
		return time.UTC
	}
	return c.Location
}

// interval is an open stretch of one day as instants: [start, end).
type interval struct{ start, end time.Time }

// intervals returns the open stretches of a day, in order; none on a
// holiday. The instants come from time.Date on the wall clock of Location,
// so 07:30 is 07:30 local time even on a day with a daylight-saving change.
func (c *ServiceCalendar) intervals(day civilDate) []interval {
	if c.Holidays[day.key()] {
		return nil
	}
	spans := c.Hours[day.weekday()]
	if !spansNormal(spans) {
		spans = normalizeSpans(spans)
	}
	out := make([]interval, 0, len(spans))
	for _, s := range spans {
		out = append(out, interval{day.at(s.Start, c.loc()), day.at(s.End, c.loc())})
	}
	return out
}

// spansNormal reports whether spans are already in the form
// normalizeSpans gives, so the common case allocates nothing.
func spansNormal(spans []DaySpan) bool {
	var prevEnd time.Duration
	for i, s := range spans {
		if s.Start < 0 || s.End > 24*time.Hour || s.End <= s.Start || (i > 0 && s.Start < prevEnd) {
			return false
		}
		prevEnd = s.End
	}
	return true
}

// normalizeSpans returns a sorted copy of spans clipped to 00:00-24:00, with
// empty spans dropped and overlapping ones merged, so no minute is counted
// twice.
func normalizeSpans(spans []DaySpan) []DaySpan {
	var out []DaySpan
	for _, s := range spans {
		s.Start, s.End = max(s.Start, 0), min(s.End, 24*time.Hour)
		if s.End > s.Start {
			out = append(out, s)
		}
	}
	slices.SortFunc(out, func(a, b DaySpan) int { return cmp.Compare(a.Start, b.Start) })
	merged := out[:0]
	for _, s := range out {
		if n := len(merged); n > 0 && s.Start <= merged[n-1].End {
			merged[n-1].End = max(merged[n-1].End, s.End)
			continue
		}
		merged = append(merged, s)
	}
	return merged
}

// civilDate is a date on the desk's wall calendar, free of any instant, so
// walking from day to day never trips over a midnight that a time zone
// skips.
type civilDate struct {
	y int
	m time.Month
	d int
}

func dateOf(t time.Time, loc *time.Location) civilDate {
	y, m, d := t.In(loc).Date()
	return civilDate{y, m, d}
}

// next is the following day; time.Date normalizes 32 December to 1 January.
// The arithmetic is on dates only, so UTC serves any desk.
func (d civilDate) next() civilDate {
	y, m, dd := time.Date(d.y, d.m, d.d+1, 12, 0, 0, 0, time.UTC).Date()
	return civilDate{y, m, dd}
}

func (d civilDate) before(e civilDate) bool {
	if d.y != e.y {
		return d.y < e.y
	}
	if d.m != e.m {
		return d.m < e.m
	}
	return d.d < e.d
}

func (d civilDate) weekday() time.Weekday {
	return time.Date(d.y, d.m, d.d, 0, 0, 0, 0, time.UTC).Weekday()
}

// at is the instant of wall-clock offset off on this day. It goes through
// time.Date's wall clock rather than adding off to midnight, so 07:30 is 07:30
// local time even on a day whose clocks move; 24:00 becomes the next
// midnight.
func (d civilDate) at(off time.Duration, loc *time.Location) time.Time {
	h, m := int(off/time.Hour), int(off%time.Hour/time.Minute)
	s, ns := int(off%time.Minute/time.Second), int(off%time.Second)
	return time.Date(d.y, d.m, d.d, h, m, s, ns, loc)
}

// key is the date as Holidays holds it.
func (d civilDate) key() string {
	return fmt.Sprintf("%04d-%02d-%02d", d.y, int(d.m), d.d)
}

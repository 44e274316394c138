// Package ical reads the desk's holidays (libur nasional and cuti bersama)
// from an iCalendar file, such as Google Calendar's "Hari libur di
// Indonesia" export or a calendar the office keeps itself, so the holidays
// the government announces each year need not be typed into the config file
// one by one. It wraps github.com/emersion/go-ical and returns plain dates;
// cmd/mailproc hands them to mailproc.NewServiceCalendar with the dates from
// the config file.
//
// What counts as a holiday:
//
//   - Every VEVENT is a day (or days) the desk is closed, all day. An event
//     with STATUS:CANCELLED is not: a cuti bersama the government withdraws
//     stays in the published calendar as cancelled.
//   - Google's full holiday calendars also list observances that are not
//     days off (Hari Kartini, Hari Ibu); Google marks them with a
//     DESCRIPTION that starts with "Observance", and they are skipped.
//     Google's official-holidays-only calendars have none.
//   - DTSTART;VALUE=DATE with DTEND;VALUE=DATE (exclusive, as RFC 5545 says)
//     covers every date from the start up to the day before the end, so a
//     four-day cuti bersama is one event. Without DTEND, DURATION is used,
//     else the event is one day.
//   - A DTSTART with a time (UTC, TZID or floating) is the date it falls on
//     in the desk's time zone, and an event with times covers every date it
//     touches: a half-day closure closes the whole day, since the service
//     calendar only knows whole-day holidays. A TZID that Go does not know
//     (Outlook's "SE Asia Standard Time") is read as the desk's own zone.
//   - RRULE with FREQ=YEARLY (17 Agustus every year, as Outlook and
//     Thunderbird write it) is expanded, EXDATE and RDATE included, for at
//     most maxYears years. Other frequencies are an error: a holiday that
//     comes back every week or month is office hours, not a holiday, and
//     guessing would close or open the desk on the wrong days. Most
//     Indonesian holidays follow the Hijri, Chinese, Saka or Buddhist
//     calendar and move every year; they come one event per year.
//
// A file that cannot be read is an error that names the line, so the
// operator can fix it before the desk starts counting deadlines on a wrong
// calendar.
package ical

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	goical "github.com/emersion/go-ical"
	"github.com/teambition/rrule-go"
)

const (
	// maxSize bounds the file read into memory. A year of Google's holiday
	// calendar is a few kilobytes; several decades fit in this.
	maxSize = 8 << 20
	// maxYears bounds the expansion of a yearly RRULE without COUNT or
	// UNTIL: 17 Agustus from 1945 still reaches past 2100.
	maxYears = 200
	// maxEventDays is the longest event read as a holiday. Cuti bersama
	// around Idul Fitri is about a week; a longer event is almost always a
	// typo in DTEND (a year off) that would close the desk for months.
	maxEventDays = 31
)

// HolidaysFile reads the holidays of an iCalendar file (calendar.holidays_ics
// in the config). Errors name the file and, where it can be found, the line.
func HolidaysFile(path string, loc *time.Location) ([]time.Time, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err // *PathError names the file
	}
	defer f.Close()
	days, err := Holidays(f, loc)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return days, nil
}

// Holidays reads the holidays of an iCalendar stream: every date on which an
// event falls, as midnight in loc (the form config.HolidayDates has), sorted
// and without duplicates. A nil loc is UTC. See the package documentation
// for which events count.
func Holidays(r io.Reader, loc *time.Location) ([]time.Time, error) {
	if loc == nil {
		loc = time.UTC
	}
	data, err := io.ReadAll(io.LimitReader(r, maxSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxSize {
		return nil, fmt.Errorf("larger than %d MiB: not a holiday calendar", maxSize>>20)
	}
	// Windows editors put a byte-order mark in front; the decoder would
	// read it as part of the first property name.
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	lines := unfold(data)
	if err := checkStructure(lines); err != nil {
		return nil, err
	}
	cals, err := decode(data)
	if err != nil {
		if n := badLine(lines); n > 0 {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		return nil, err
	}

	set := make(map[civilDate]bool)
	ev := 0 // index of the VEVENT in the file, to find its lines
	for _, cal := range cals {
		for _, e := range cal.Events() {
			ev++
			if err := addEvent(set, e, loc); err != nil {
				return nil, eventError(lines, ev, e, err)
			}
		}
	}
	out := make([]time.Time, 0, len(set))
	for d := range set {
		out = append(out, d.midnight(loc))
	}
	slices.SortFunc(out, func(a, b time.Time) int { return a.Compare(b) })
	return out, nil
}

// decode reads every VCALENDAR in data (some tools concatenate several). The
// decoder panics on a few malformed lines (a parameter with no value and no
// colon); a bad file must be an error, never a crash of the daemon.
func decode(data []byte) (cals []*goical.Calendar, err error) {
	defer func() {
		if p := recover(); p != nil {
			cals, err = nil, fmt.Errorf("malformed content line: %v", p)
		}
	}()
	dec := goical.NewDecoder(bytes.NewReader(data))
	for {
		cal, err := dec.Decode()
		if errors.Is(err, io.EOF) {
			if len(cals) == 0 {
				return nil, errors.New("no BEGIN:VCALENDAR: not an iCalendar file")
			}
			return cals, nil
		}
		if err != nil {
			return nil, err
		}
		cals = append(cals, cal)
	}
}

// addEvent adds the dates of one event to set.
func addEvent(set map[civilDate]bool, e goical.Event, loc *time.Location) error {
	if st := e.Props.Get(goical.PropStatus); st != nil && strings.EqualFold(strings.TrimSpace(st.Value), "CANCELLED") {
		return nil
	}
	if desc := e.Props.Get(goical.PropDescription); desc != nil && strings.HasPrefix(strings.TrimSpace(desc.Value), "Observance") {
		return nil
	}
	startProp := e.Props.Get(goical.PropDateTimeStart)
	if startProp == nil {
		return propError{goical.PropDateTimeStart, errors.New("missing: the event has no date")}
	}
	start, allDay, err := when(startProp, startProp.Value, loc)
	if err != nil {
		return propError{goical.PropDateTimeStart, err}
	}
	days, err := length(e, start, allDay, loc)
	if err != nil {
		return err
	}

	starts := []time.Time{start} // DTSTART is always an occurrence
	if rr := e.Props.Get(goical.PropRecurrenceRule); rr != nil {
		more, err := yearly(rr, start, loc)
		if err != nil {
			return propError{goical.PropRecurrenceRule, err}
		}
		starts = append(starts, more...)
	}
	for _, p := range e.Props.Values(goical.PropRecurrenceDates) {
		ts, err := dates(&p, loc)
		if err != nil {
			return propError{goical.PropRecurrenceDates, err}
		}
		starts = append(starts, ts...)
	}
	except := make(map[civilDate]bool)
	for _, p := range e.Props.Values(goical.PropExceptionDates) {
		ts, err := dates(&p, loc)
		if err != nil {
			return propError{goical.PropExceptionDates, err}
		}
		for _, t := range ts {
			except[dateOf(t, loc)] = true
		}
	}
	for _, s := range starts {
		first := dateOf(s, loc)
		if except[first] {
			continue
		}
		for i := range days {
			set[first.add(i)] = true
		}
	}
	return nil
}

// length is how many dates the event covers, counted from its start date:
// DTEND is exclusive for dates, and for times every date the event touches
// counts.
func length(e goical.Event, start time.Time, allDay bool, loc *time.Location) (int, error) {
	end := start
	var name string
	switch {
	case e.Props.Get(goical.PropDateTimeEnd) != nil:
		name = goical.PropDateTimeEnd
		p := e.Props.Get(name)
		var err error
		if end, _, err = when(p, p.Value, loc); err != nil {
			return 0, propError{name, err}
		}
	case e.Props.Get(goical.PropDuration) != nil:
		name = goical.PropDuration
		d, err := e.Props.Get(name).Duration()
		if err != nil {
			return 0, propError{name, err}
		}
		if allDay {
			// Whole days of a date event are calendar days, not 24-hour
			// stretches.
			end = dateOf(start, loc).add(int(d / (24 * time.Hour))).midnight(loc)
		} else {
			end = start.Add(d)
		}
	default:
		if allDay {
			return 1, nil
		}
	}
	first := dateOf(start, loc)
	var last civilDate
	switch {
	case !end.After(start):
		if end.Before(start) {
			return 0, propError{name, fmt.Errorf("ends before it starts (%s)", start.In(loc).Format(time.DateOnly))}
		}
		last = first // an instant, or a date event ending where it starts
	case allDay:
		last = dateOf(end, loc).add(-1)
	default:
		last = dateOf(end.Add(-time.Nanosecond), loc)
	}
	n := first.daysUntil(last) + 1
	if n > maxEventDays {
		return 0, propError{name, fmt.Errorf("the event lasts %d days (from %s); a holiday longer than %d days is taken for a mistake",
			n, start.In(loc).Format(time.DateOnly), maxEventDays)}
	}
	return n, nil
}

// yearly expands a yearly RRULE from start, for at most maxYears years. A
// yearly holiday falls once a year: a rule that gives two dates in one year
// (FREQ=YEARLY;BYDAY=MO is every Monday) is an error, not a closed desk.
func yearly(p *goical.Prop, start time.Time, loc *time.Location) ([]time.Time, error) {
	opt, err := rrule.StrToROptionInLocation(p.Value, loc)
	if err != nil {
		return nil, fmt.Errorf("%q: %w", p.Value, err)
	}
	if opt.Freq != rrule.YEARLY {
		return nil, fmt.Errorf("%q: only FREQ=YEARLY is read: a holiday that recurs more often belongs in the office hours", p.Value)
	}
	// UNTIL bounds the library's own search too: a rule no date matches
	// (BYMONTH=2;BYMONTHDAY=30) would otherwise be searched to the year 9999.
	limit := time.Date(start.In(loc).Year()+maxYears, 1, 1, 0, 0, 0, 0, loc)
	if opt.Until.IsZero() || opt.Until.After(limit) {
		opt.Until = limit
	}
	opt.Dtstart = start
	rule, err := rrule.NewRRule(*opt)
	if err != nil {
		return nil, fmt.Errorf("%q: %w", p.Value, err)
	}
	var out []time.Time
	years := make(map[int]bool)
	next := rule.Iterator()
	for {
		t, ok := next()
		if !ok || !t.Before(limit) {
			return out, nil
		}
		if t.Equal(start) {
			continue // DTSTART is counted already
		}
		y := t.In(loc).Year()
		if years[y] {
			return nil, fmt.Errorf("%q gives more than one date in %d: a yearly holiday falls once a year (write a holiday of several days with DTEND)", p.Value, y)
		}
		years[y] = true
		out = append(out, t)
	}
}

// dates reads an RDATE or EXDATE: a comma-separated list of dates or times.
func dates(p *goical.Prop, loc *time.Location) ([]time.Time, error) {
	var out []time.Time
	for _, v := range strings.Split(p.Value, ",") {
		if strings.EqualFold(p.Params.Get(goical.ParamValue), "PERIOD") {
			v, _, _ = strings.Cut(v, "/") // a period counts from its start
		}
		t, _, err := when(p, v, loc)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

// when reads value, a DATE or DATE-TIME with p's parameters, and reports
// whether it is a date. A date is midnight in loc. A bare eight-digit value
// without VALUE=DATE is taken as the date it plainly is.
func when(p *goical.Prop, value string, loc *time.Location) (time.Time, bool, error) {
	value = strings.TrimSpace(value)
	vt := strings.ToUpper(p.Params.Get(goical.ParamValue))
	if vt == string(goical.ValueDate) || vt != string(goical.ValueDateTime) && len(value) == len("20060102") {
		t, err := time.ParseInLocation("20060102", value, loc)
		if err != nil {
			return time.Time{}, false, fmt.Errorf("%q: want a date YYYYMMDD", value)
		}
		return t, true, nil
	}
	q := goical.Prop{Name: p.Name, Params: goical.Params{}, Value: value}
	if tzid := p.Params.Get(goical.ParamTimezoneID); tzid != "" {
		if _, err := time.LoadLocation(tzid); err == nil {
			q.Params.Set(goical.ParamTimezoneID, tzid)
		}
	}
	q.SetValueType(goical.ValueDateTime)
	t, err := q.DateTime(loc)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("%q: want a date YYYYMMDD or a time YYYYMMDDTHHMMSS[Z]", value)
	}
	return t, false, nil
}

// propError is an error in one property of an event.
type propError struct {
	prop string
	err  error
}

func (e propError) Error() string {
	if e.prop == "" {
		return e.err.Error()
	}
	return e.prop + ": " + e.err.Error()
}

func (e propError) Unwrap() error { return e.err }

// eventError says which event is wrong, by line, summary and UID.
func eventError(lines []contentLine, ev int, e goical.Event, err error) error {
	var what []string
	if p := e.Props.Get(goical.PropSummary); p != nil && p.Value != "" {
		s, err := p.Text()
		if err != nil {
			s = p.Value
		}
		what = append(what, fmt.Sprintf("%q", short(s)))
	}
	if uid := e.Props.Get(goical.PropUID); uid != nil {
		what = append(what, "UID "+short(uid.Value))
	}
	desc := "event"
	if len(what) > 0 {
		desc += " " + strings.Join(what, ", ")
	}
	var pe propError
	line := 0
	if errors.As(err, &pe) {
		line = findLine(lines, ev, pe.prop)
	}
	if line == 0 {
		line = findLine(lines, ev, "")
	}
	if line > 0 {
		return fmt.Errorf("line %d: %s: %w", line, desc, err)
	}
	return fmt.Errorf("%s: %w", desc, err)
}

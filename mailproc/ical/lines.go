package ical

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"time"
)

// contentLine is one unfolded iCalendar line and the line of the file it
// starts on. go-ical reports errors without a position; the desk's operator
// needs one to fix the file, so the lines are also read here.
type contentLine struct {
	no   int
	text string
}

// unfold splits data into content lines the way RFC 5545 (and go-ical)
// does: a line that starts with a space or a tab continues the one before.
func unfold(data []byte) []contentLine {
	var out []contentLine
	var cur strings.Builder
	no := 0
	flush := func() {
		if no > 0 {
			out = append(out, contentLine{no: no, text: cur.String()})
		}
		cur.Reset()
	}
	for i, raw := range bytes.Split(data, []byte("\n")) {
		raw = bytes.TrimSuffix(raw, []byte("\r"))
		if no > 0 && len(raw) > 0 && (raw[0] == ' ' || raw[0] == '\t') {
			cur.Write(raw[1:])
			continue
		}
		flush()
		no = i + 1
		cur.Write(raw)
	}
	flush()
	return out
}

// maxParams bounds the parameters of one line (TZID, LANGUAGE, CN …, all
// short in real files). go-ical reads parameter values a byte at a time into
// a growing string, which takes seconds for 100 kB and hours for megabytes.
const maxParams = 4 << 10

// paramsLen is the length of the parameters between the property name and
// the colon that starts the value, a colon inside quotes not counting, as
// go-ical reads them.
func (l contentLine) paramsLen() int {
	i := strings.IndexAny(l.text, ";:")
	if i < 0 || l.text[i] == ':' {
		return 0
	}
	quoted := false
	for j := i; j < len(l.text); j++ {
		switch l.text[j] {
		case '"':
			quoted = !quoted
		case ':':
			if !quoted {
				return j - i
			}
		}
	}
	return len(l.text) - i
}

// name is the property name of a content line, upper case, and whether the
// line has the colon every content line needs.
func (l contentLine) name() (string, bool) {
	i := strings.IndexAny(l.text, ";:")
	if i < 0 {
		return strings.ToUpper(l.text), false
	}
	return strings.ToUpper(l.text[:i]), strings.Contains(l.text[i:], ":")
}

// value is what follows the first colon (enough for BEGIN and END).
func (l contentLine) value() string {
	_, v, _ := strings.Cut(l.text, ":")
	return strings.ToUpper(strings.TrimSpace(v))
}

// checkStructure finds what go-ical would reject without saying where: a line
// that is not NAME:value, and BEGIN and END that do not pair up.
func checkStructure(lines []contentLine) error {
	type open struct {
		name string
		no   int
	}
	var stack []open
	seen := false
	for _, l := range lines {
		if l.text == "" {
			continue
		}
		seen = true
		name, colon := l.name()
		switch {
		case name == "":
			return fmt.Errorf("line %d: %q: no property name", l.no, short(l.text))
		case !colon:
			return fmt.Errorf("line %d: %q: not a content line NAME:value (no colon)", l.no, short(l.text))
		case l.paramsLen() > maxParams:
			return fmt.Errorf("line %d: %q: parameters longer than %d KiB", l.no, short(l.text), maxParams>>10)
		}
		switch {
		case len(stack) == 0 && name == "END":
			return fmt.Errorf("line %d: END:%s without BEGIN", l.no, l.value())
		case len(stack) == 0 && (name != "BEGIN" || l.value() != "VCALENDAR"):
			return fmt.Errorf("line %d: %q: want BEGIN:VCALENDAR", l.no, short(l.text))
		case name == "BEGIN":
			stack = append(stack, open{l.value(), l.no})
		case name == "END":
			top := stack[len(stack)-1]
			if l.value() != top.name {
				return fmt.Errorf("line %d: END:%s does not close BEGIN:%s of line %d", l.no, l.value(), top.name, top.no)
			}
			stack = stack[:len(stack)-1]
		}
	}
	if !seen {
		return errors.New("empty file: no BEGIN:VCALENDAR")
	}
	if n := len(stack); n > 0 {
		return fmt.Errorf("line %d: BEGIN:%s is never closed (file cut short?)", stack[n-1].no, stack[n-1].name)
	}
	return nil
}

// findLine returns the line of property prop in the ev-th VEVENT of the file
// (counted from 1, as go-ical lists them: directly inside a VCALENDAR), or
// of its BEGIN when prop is "" or not there; 0 if there is no such event.
func findLine(lines []contentLine, ev int, prop string) int {
	depth, n, begin := 0, 0, 0
	for _, l := range lines {
		if l.text == "" {
			continue
		}
		name, _ := l.name()
		switch name {
		case "BEGIN":
			depth++
			if depth == 2 && l.value() == "VEVENT" {
				if n++; n == ev {
					begin = l.no
					if prop == "" {
						return begin
					}
				}
			}
			continue
		case "END":
			if depth == 2 && begin != 0 {
				return begin // prop not found in the event
			}
			depth--
			continue
		}
		if begin != 0 && depth == 2 && name == prop {
			return l.no
		}
	}
	return begin
}

// badLine finds the first line that go-ical rejects on its own, for an error
// from the decoder that does not say where: each content line is decoded
// alone inside an empty calendar. 0 if every line passes alone.
func badLine(lines []contentLine) int {
	for _, l := range lines {
		if name, _ := l.name(); l.text == "" || name == "BEGIN" || name == "END" {
			continue
		}
		one := "BEGIN:VCALENDAR\r\n" + l.text + "\r\nEND:VCALENDAR\r\n"
		if _, err := decode([]byte(one)); err != nil {
			return l.no
		}
	}
	return 0
}

// short cuts a line for an error message.
func short(s string) string {
	if r := []rune(s); len(r) > 60 {
		return string(r[:60]) + "…"
	}
	return s
}

// civilDate is a date on the desk's wall calendar.
type civilDate struct {
	y int
	m time.Month
	d int
}

func dateOf(t time.Time, loc *time.Location) civilDate {
	y, m, d := t.In(loc).Date()
	return civilDate{y, m, d}
}

// add is the date n days later; time.Date carries over months and years.
func (c civilDate) add(n int) civilDate {
	y, m, d := time.Date(c.y, c.m, c.d+n, 0, 0, 0, 0, time.UTC).Date()
	return civilDate{y, m, d}
}

// daysUntil counts the days from c to e.
func (c civilDate) daysUntil(e civilDate) int {
	a := time.Date(c.y, c.m, c.d, 0, 0, 0, 0, time.UTC)
	b := time.Date(e.y, e.m, e.d, 0, 0, 0, 0, time.UTC)
	return int(b.Sub(a) / (24 * time.Hour))
}

func (c civilDate) midnight(loc *time.Location) time.Time {
	return time.Date(c.y, c.m, c.d, 0, 0, 0, 0, loc)
}

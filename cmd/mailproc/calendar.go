package main

import (
	"fmt"
	"time"

	"github.com/dpk-kampar/mailproc/mailproc"
	"github.com/dpk-kampar/mailproc/mailproc/config"
	"github.com/dpk-kampar/mailproc/mailproc/ical"
)

// serviceClock is the desk's service calendar from the config: office hours
// per weekday, holidays from the config and the iCalendar file, or 24/7.
// A holidays file that cannot be read stops the daemon at start: deadlines
// on a wrong calendar would break the published promise silently.
func serviceClock(cfg *config.Config) (mailproc.CalendarClock, error) {
	var week [7][]mailproc.DaySpan
	for wd := range week {
		for _, s := range cfg.OfficeHours(time.Weekday(wd)) {
			week[wd] = append(week[wd], mailproc.DaySpan{Start: s.Start, End: s.End})
		}
	}
	holidays := cfg.HolidayDates()
	if path := cfg.Calendar.HolidaysICS; path != "" {
		more, err := ical.HolidaysFile(path, cfg.Location())
		if err != nil {
			return mailproc.CalendarClock{}, fmt.Errorf("calendar.holidays_ics: %w", err)
		}
		holidays = append(holidays, more...)
	}
	cal := mailproc.NewServiceCalendar(cfg.Location(), week, holidays, cfg.Calendar.Mode == config.Mode247)
	return mailproc.CalendarClock{Calendar: cal, Info: cfg.Desk.InfoDue.D(), Complaint: cfg.Desk.ComplaintDue.D()}, nil
}

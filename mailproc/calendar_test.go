package mailproc_test

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"
	_ "time/tzdata" // Asia/Jakarta and America/New_York on any machine

	"github.com/dpk-kampar/mailproc/mailproc"
	"github.com/dpk-kampar/mailproc/mailproc/config"
)

var (
	_ mailproc.ServiceClock = mailproc.CalendarClock{}
	_ mailproc.ServiceTimer = mailproc.CalendarClock{}
	_ mailproc.ServiceTimer = (*mailproc.ServiceCalendar)(nil)
)

func mustLoc(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// hours reads office hours the way the config file writes them.
func hours(t testing.TB, s string) []mailproc.DaySpan {
	t.Helper()
	spans, err := config.ParseHours(s)
	if err != nil {
		t.Fatalf("ParseHours(%q): %v", s, err)
	}
	return daySpans(spans)
}

func daySpans(spans []config.Span) []mailproc.DaySpan {
	var out []mailproc.DaySpan
	for _, s := range spans {
		out = append(out, mailproc.DaySpan{Start: s.Start, End: s.End})
	}
	return out
}

// week gives Monday to Thursday one set of hours and Friday another; the
// weekend is closed.
func week(t testing.TB, monThu, fri string) [7][]mailproc.DaySpan {
	var w [7][]mailproc.DaySpan
	for wd := time.Monday; wd <= time.Thursday; wd++ {
		w[wd] = hours(t, monThu)
	}
	w[time.Friday] = hours(t, fri)
	return w
}

// dates reads "2006-01-02" dates as midnights in loc, as config.HolidayDates
// gives them.
func dates(t testing.TB, loc *time.Location, ds ...string) []time.Time {
	t.Helper()
	var out []time.Time
	for _, d := range ds {
		tm, err := time.ParseInLocation("2006-01-02", d, loc)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, tm)
	}
	return out
}

// at reads "2006-01-02 15:04" in loc.
func at(t testing.TB, loc *time.Location, s string) time.Time {
	t.Helper()
	tm, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

// calendarFromConfig is the wiring cmd/mailproc needs: the validated config's
// zone, hours and holidays as a ServiceCalendar.
func calendarFromConfig(cfg *config.Config, extraHolidays []time.Time) *mailproc.ServiceCalendar {
	var w [7][]mailproc.DaySpan
	for wd := range w {
		w[wd] = daySpans(cfg.OfficeHours(time.Weekday(wd)))
	}
	return mailproc.NewServiceCalendar(cfg.Location(), w, append(cfg.HolidayDates(), extraHolidays...),
		cfg.Calendar.Mode == config.Mode247)
}

// The issue's example: a complaint that arrives Friday 16.10 is due Monday
// 08.30. That holds when Friday closes before 16.10; with Friday open until
// 16.30 the twenty minutes left on Friday count, and it is due at 08.10.
func TestAddServiceTimeIssueExample(t *testing.T) {
	wib := mustLoc(t, "Asia/Jakarta")
	friday := at(t, wib, "2026-01-30 16:10")
	for _, tt := range []struct {
		friday string
		want   string
	}{
		{"07:30-16:00", "2026-02-02 08:30"},
		{"07:30-16:30", "2026-02-02 08:10"},
	} {
		cal := mailproc.NewServiceCalendar(wib, week(t, "07:30-16:00", tt.friday), nil, false)
		clock := mailproc.CalendarClock{Calendar: cal, Info: 5 * time.Minute, Complaint: time.Hour}
		got := clock.Due(mailproc.KindAduan, friday)
		if want := at(t, wib, tt.want); !got.Equal(want) {
			t.Errorf("Friday %s: aduan at Fri 16:10 due %s, want %s", tt.friday, got.Format(time.DateTime), tt.want)
		}
		if got.Location() != wib {
			t.Errorf("due in %v, want the calendar's zone", got.Location())
		}
	}
}

func TestAddServiceTime(t *testing.T) {
	wib := mustLoc(t, "Asia/Jakarta")
	office := mailproc.NewServiceCalendar(wib, week(t, "07:30-16:00", "07:30-16:30"),
		dates(t, wib, "2026-08-17", "2026-12-25", "2027-01-01"), false)
	allUntil16 := mailproc.NewServiceCalendar(wib, week(t, "07:30-16:00", "07:30-16:00"),
		dates(t, wib, "2027-01-01"), false)
	lunch := mailproc.NewServiceCalendar(wib, week(t, "07:30-12:00, 13:00-16:00", "07:30-11:30, 13:30-16:30"), nil, false)
	// Idul Fitri 1447 H with its cuti bersama and Nyepi just before it:
	// Wednesday 18 to Tuesday 24 March closed (the weekend in between).
	lebaran := mailproc.NewServiceCalendar(wib, week(t, "07:30-16:00", "07:30-16:30"),
		dates(t, wib, "2026-03-18", "2026-03-19", "2026-03-20", "2026-03-21", "2026-03-23", "2026-03-24"), false)
	saturday := week(t, "07:30-16:00", "07:30-16:30")
	saturday[time.Saturday] = hours(t, "08:00-12:00")
	withSaturday := mailproc.NewServiceCalendar(wib, saturday, nil, false)
	always := mailproc.NewServiceCalendar(wib, week(t, "07:30-16:00", "07:30-16:30"),
		dates(t, wib, "2026-08-17"), true)

	tests := []struct {
		name string
		cal  *mailproc.ServiceCalendar
		from string
		d    time.Duration
		want string
	}{
		{"within hours", office, "2026-02-03 09:00", time.Hour, "2026-02-03 10:00"},
		{"informasi within hours", office, "2026-02-03 09:00", 5 * time.Minute, "2026-02-03 09:05"},
		{"before opening", office, "2026-02-03 06:00", time.Hour, "2026-02-03 08:30"},
		{"just before opening", office, "2026-02-03 07:29", time.Hour, "2026-02-03 08:30"},
		{"exactly at opening", office, "2026-02-03 07:30", time.Hour, "2026-02-03 08:30"},
		{"exactly at closing", office, "2026-02-03 16:00", time.Hour, "2026-02-04 08:30"},
		{"after hours", office, "2026-02-03 20:00", time.Hour, "2026-02-04 08:30"},
		{"just after midnight", office, "2026-02-04 00:01", time.Hour, "2026-02-04 08:30"},
		{"due exactly at closing stays", office, "2026-02-03 15:00", time.Hour, "2026-02-03 16:00"},
		{"carries over the night", office, "2026-02-03 15:30", time.Hour, "2026-02-04 08:00"},
		{"informasi carries over", office, "2026-02-03 15:58", 5 * time.Minute, "2026-02-04 07:33"},
		{"Saturday", office, "2026-01-31 10:00", time.Hour, "2026-02-02 08:30"},
		{"Sunday night", office, "2026-02-01 23:59", time.Hour, "2026-02-02 08:30"},
		{"Friday carries over the weekend", office, "2026-01-30 16:00", time.Hour, "2026-02-02 08:00"},
		{"Saturday morning office", withSaturday, "2026-01-30 16:10", time.Hour, "2026-01-31 08:40"},
		{"lunch: before and after", lunch, "2026-02-03 11:30", time.Hour, "2026-02-03 13:30"},
		{"lunch: informasi across", lunch, "2026-02-03 11:58", 5 * time.Minute, "2026-02-03 13:03"},
		{"lunch: arrives during", lunch, "2026-02-03 12:15", time.Hour, "2026-02-03 14:00"},
		{"lunch: due at lunch", lunch, "2026-02-03 11:00", time.Hour, "2026-02-03 12:00"},
		{"lunch: Friday prayers", lunch, "2026-01-30 11:00", time.Hour, "2026-01-30 14:00"},
		{"holiday on a Monday", office, "2026-08-17 09:00", time.Hour, "2026-08-18 08:30"},
		{"eve of a holiday", office, "2026-08-14 16:10", time.Hour, "2026-08-18 08:10"},
		{"Christmas Friday", office, "2026-12-24 15:30", time.Hour, "2026-12-28 08:00"},
		{"lebaran: before the break", lebaran, "2026-03-17 15:30", time.Hour, "2026-03-25 08:00"},
		{"lebaran: on Nyepi", lebaran, "2026-03-19 10:00", 5 * time.Minute, "2026-03-25 07:35"},
		{"lebaran: on the Saturday", lebaran, "2026-03-21 10:00", time.Hour, "2026-03-25 08:30"},
		{"end of month", office, "2026-03-31 16:10", time.Hour, "2026-04-01 08:30"},
		{"31 Dec into the new year", allUntil16, "2026-12-31 16:10", time.Hour, "2027-01-04 08:30"},
		{"31 Dec late evening", office, "2026-12-31 23:59", 5 * time.Minute, "2027-01-04 07:35"},
		{"zero duration", office, "2026-01-31 10:00", 0, "2026-01-31 10:00"},
		{"a week of office time ends at Friday's closing", office, "2026-02-02 07:30", 4*(8*time.Hour+30*time.Minute) + 9*time.Hour, "2026-02-06 16:30"},
		{"24/7", always, "2026-01-30 16:10", time.Hour, "2026-01-30 17:10"},
		{"24/7 ignores holidays", always, "2026-08-17 23:30", time.Hour, "2026-08-18 00:30"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			from := at(t, wib, tt.from)
			got := tt.cal.AddServiceTime(from, tt.d)
			if want := at(t, wib, tt.want); !got.Equal(want) {
				t.Fatalf("AddServiceTime(%s, %v) = %s, want %s", tt.from, tt.d, got.In(wib).Format("Mon 2006-01-02 15:04"), want.Format("Mon 2006-01-02 15:04"))
			}
			if back := tt.cal.ServiceTimeBetween(from, got); back != tt.d {
				t.Errorf("ServiceTimeBetween(from, due) = %v, want %v", back, tt.d)
			}
		})
	}
}

func TestServiceTimeBetween(t *testing.T) {
	wib := mustLoc(t, "Asia/Jakarta")
	cal := mailproc.NewServiceCalendar(wib, week(t, "07:30-12:00, 13:00-16:00", "07:30-11:30, 13:30-16:30"),
		dates(t, wib, "2026-08-17", "2027-01-01"), false)
	tests := []struct {
		name, a, b string
		want       time.Duration
	}{
		{"same span", "2026-02-03 08:00", "2026-02-03 09:15", 75 * time.Minute},
		{"over lunch", "2026-02-03 11:00", "2026-02-03 14:00", 2 * time.Hour},
		{"over the weekend: how late", "2026-01-30 16:00", "2026-02-02 08:30", 30*time.Minute + time.Hour},
		{"a whole working day", "2026-02-03 00:00", "2026-02-04 00:00", 7*time.Hour + 30*time.Minute},
		{"a whole week", "2026-02-02 00:00", "2026-02-09 00:00", 4*(7*time.Hour+30*time.Minute) + 7*time.Hour},
		{"a holiday counts nothing", "2026-08-17 00:00", "2026-08-18 00:00", 0},
		{"closed to closed", "2026-01-31 09:00", "2026-02-01 09:00", 0},
		{"equal", "2026-02-03 09:00", "2026-02-03 09:00", 0},
		{"b before a", "2026-02-03 10:00", "2026-02-03 09:00", 0},
		{"across the year", "2026-12-31 15:00", "2027-01-01 08:30", time.Hour},
	}
	for _, tt := range tests {
		if got := cal.ServiceTimeBetween(at(t, wib, tt.a), at(t, wib, tt.b)); got != tt.want {
			t.Errorf("%s: ServiceTimeBetween(%s, %s) = %v, want %v", tt.name, tt.a, tt.b, got, tt.want)
		}
	}
}

func TestIsOpenNextOpen(t *testing.T) {
	wib := mustLoc(t, "Asia/Jakarta")
	cal := mailproc.NewServiceCalendar(wib, week(t, "07:30-12:00, 13:00-16:00", "07:30-11:30, 13:30-16:30"),
		dates(t, wib, "2026-08-17", "2027-01-01"), false)
	ns := time.Nanosecond
	tests := []struct {
		name     string
		t        time.Time
		open     bool
		nextOpen string // "" = t itself
	}{
		{"at opening", at(t, wib, "2026-02-03 07:30"), true, ""},
		{"just before opening", at(t, wib, "2026-02-03 07:30").Add(-ns), false, "2026-02-03 07:30"},
		{"just before closing", at(t, wib, "2026-02-03 16:00").Add(-ns), true, ""},
		{"at closing", at(t, wib, "2026-02-03 16:00"), false, "2026-02-04 07:30"},
		{"lunch starts", at(t, wib, "2026-02-03 12:00"), false, "2026-02-03 13:00"},
		{"lunch ends", at(t, wib, "2026-02-03 13:00"), true, ""},
		{"Friday prayers", at(t, wib, "2026-01-30 12:00"), false, "2026-01-30 13:30"},
		{"Friday evening", at(t, wib, "2026-01-30 16:30"), false, "2026-02-02 07:30"},
		{"Sunday", at(t, wib, "2026-02-01 10:00"), false, "2026-02-02 07:30"},
		{"holiday", at(t, wib, "2026-08-17 10:00"), false, "2026-08-18 07:30"},
		{"New Year's Eve", at(t, wib, "2026-12-31 18:00"), false, "2027-01-04 07:30"},
		// The same instant written in UTC is still read on WIB's wall clock.
		{"instant in UTC", at(t, wib, "2026-02-03 08:00").UTC(), true, ""},
		{"UTC date differs", time.Date(2026, 2, 3, 23, 30, 0, 0, time.UTC), false, "2026-02-04 07:30"},
	}
	for _, tt := range tests {
		if got := cal.IsOpen(tt.t); got != tt.open {
			t.Errorf("%s: IsOpen(%s) = %v", tt.name, tt.t, got)
		}
		got := cal.NextOpen(tt.t)
		if tt.nextOpen == "" {
			if got != tt.t {
				t.Errorf("%s: NextOpen(%s) = %s, want t itself", tt.name, tt.t, got)
			}
			continue
		}
		if want := at(t, wib, tt.nextOpen); !got.Equal(want) {
			t.Errorf("%s: NextOpen(%s) = %s, want %s", tt.name, tt.t, got, tt.nextOpen)
		}
		if !cal.IsOpen(got) || cal.IsOpen(got.Add(-ns)) {
			t.Errorf("%s: NextOpen %s is not an opening", tt.name, got)
		}
	}
}

// The calendar as cmd/mailproc builds it: config file hours (Friday open
// longer), holidays from the config file.
func TestCalendarFromConfig(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "mailproc.toml")
	const file = `
[desk]
agency = "Dinas Perpustakaan dan Kearsipan Kabupaten Kampar"
address = "layanan@pustakaarsip.kamparkab.go.id"
ops = ["operator.tik@pustakaarsip.kamparkab.go.id"]
[[desk.staff]]
name = "Rina Marlina"
address = "rina.marlina@pustakaarsip.kamparkab.go.id"
[imap]
host = "mail.kamparkab.go.id"
username = "layanan@pustakaarsip.kamparkab.go.id"
[[chain]]
title = "Kepala Seksi Pelayanan"
addresses = ["kasi.pelayanan@pustakaarsip.kamparkab.go.id"]
after = "30m"
[calendar]
monday = "07:30-12:00, 13:00-16:00"
holidays = ["2026-08-17", "2026-12-25", "2027-01-01"]
`
	if err := os.WriteFile(path, []byte(file), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("MAILPROC_IMAP_PASSWORD", "rahasia-imap-Kampar#2026$x")
	t.Setenv("MAILPROC_DESK_HMAC_SECRET", "0123456789abcdef0123456789abcdef-hmac")
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatalf("config.Load: %v", err)
	}
	cal := calendarFromConfig(cfg, nil)
	wib := cfg.Location()
	clock := mailproc.CalendarClock{Calendar: cal, Info: cfg.Desk.InfoDue.D(), Complaint: cfg.Desk.ComplaintDue.D()}
	for _, tt := range []struct {
		kind       mailproc.Kind
		from, want string
	}{
		{mailproc.KindAduan, "2026-01-30 16:10", "2026-02-02 08:10"},     // the default Friday runs to 16.30
		{mailproc.KindAduan, "2026-02-02 11:30", "2026-02-02 13:30"},     // Monday has a break in this file
		{mailproc.KindAduan, "2026-08-14 16:10", "2026-08-18 08:10"},     // 17 Agustus
		{mailproc.KindInformasi, "2026-12-24 20:00", "2026-12-28 07:35"}, // Natal on Friday
		{mailproc.KindAduan, "2026-12-31 16:10", "2027-01-04 08:30"},     // Tahun Baru on Friday
	} {
		got := clock.Due(tt.kind, at(t, wib, tt.from))
		if want := at(t, wib, tt.want); !got.Equal(want) {
			t.Errorf("%s at %s: due %s, want %s", tt.kind, tt.from, got.Format(time.DateTime), tt.want)
		}
	}

	cfg.Calendar.Mode = config.Mode247
	always := mailproc.CalendarClock{Calendar: calendarFromConfig(cfg, nil), Info: 5 * time.Minute, Complaint: time.Hour}
	if got, want := always.Due(mailproc.KindAduan, at(t, wib, "2026-08-17 23:30")), at(t, wib, "2026-08-18 00:30"); !got.Equal(want) {
		t.Errorf("24/7: due %s, want %s", got, want)
	}
}

// ServiceTimeBetween undoes AddServiceTime, from any moment (open or closed)
// and for any duration, including across holidays and lunch breaks.
func TestServiceTimeInverseProperty(t *testing.T) {
	wib := mustLoc(t, "Asia/Jakarta")
	ny := mustLoc(t, "America/New_York")
	lebaran := []string{"2026-03-18", "2026-03-19", "2026-03-20", "2026-03-23", "2026-03-24", "2026-08-17", "2026-12-25", "2027-01-01"}
	cals := map[string]*mailproc.ServiceCalendar{
		"WIB office": mailproc.NewServiceCalendar(wib, week(t, "07:30-16:00", "07:30-16:30"), dates(t, wib, lebaran...), false),
		"WIB lunch":  mailproc.NewServiceCalendar(wib, week(t, "07:30-12:00, 13:00-16:00", "07:30-11:30, 13:30-16:30"), dates(t, wib, lebaran...), false),
		// A zone with daylight saving: 01:00-04:00 on the day clocks
		// spring forward is two hours of service, not three.
		"New York nights": mailproc.NewServiceCalendar(ny, week(t, "00:00-04:00, 22:00-24:00", "01:00-03:00"), dates(t, ny, "2026-07-03"), false),
		"WIB 24/7":        mailproc.NewServiceCalendar(wib, [7][]mailproc.DaySpan{}, nil, true),
	}
	rng := rand.New(rand.NewPCG(2026, 1447))
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, wib)
	for name, cal := range cals {
		prev := time.Duration(0)
		for i := range 3000 {
			a := start.Add(time.Duration(rng.Int64N(int64(2 * 365 * 24 * time.Hour))))
			var d time.Duration
			switch i % 3 {
			case 0:
				d = time.Duration(rng.Int64N(int64(10 * time.Minute)))
			case 1:
				d = time.Duration(rng.Int64N(int64(2 * time.Hour)))
			default:
				d = time.Duration(rng.Int64N(int64(30 * 24 * time.Hour)))
			}
			due := cal.AddServiceTime(a, d)
			if due.Before(a) {
				t.Fatalf("%s: AddServiceTime(%s, %v) = %s, before from", name, a, d, due)
			}
			if got := cal.ServiceTimeBetween(a, due); got != d {
				t.Fatalf("%s: ServiceTimeBetween(%s, AddServiceTime(a, %v) = %s) = %v", name, a, d, due, got)
			}
			if d > 0 && !cal.IsOpen(due.Add(-time.Nanosecond)) {
				t.Fatalf("%s: due %s does not end open service time", name, due)
			}
			// Monotonic in d.
			if d > prev && cal.AddServiceTime(a, prev).After(due) {
				t.Fatalf("%s: AddServiceTime(a, %v) after AddServiceTime(a, %v)", name, prev, d)
			}
			prev = d
		}
	}
}

func TestDaylightSaving(t *testing.T) {
	ny := mustLoc(t, "America/New_York")
	var w [7][]mailproc.DaySpan
	w[time.Sunday] = hours(t, "01:00-04:00")
	cal := mailproc.NewServiceCalendar(ny, w, nil, false)
	// 8 March 2026: 02:00 EST becomes 03:00 EDT.
	spring := time.Date(2026, 3, 8, 0, 0, 0, 0, ny)
	if got := cal.ServiceTimeBetween(spring, spring.Add(24*time.Hour)); got != 2*time.Hour {
		t.Errorf("spring forward: %v of service, want 2h", got)
	}
	if got, want := cal.AddServiceTime(spring, 2*time.Hour), time.Date(2026, 3, 8, 4, 0, 0, 0, ny); !got.Equal(want) {
		t.Errorf("spring forward: due %s, want %s (wall clock 04:00)", got, want)
	}
	// 1 November 2026: 02:00 EDT becomes 01:00 EST; 01:00-04:00 is four hours.
	fall := time.Date(2026, 11, 1, 0, 0, 0, 0, ny)
	if got := cal.ServiceTimeBetween(fall, fall.Add(25*time.Hour)); got != 4*time.Hour {
		t.Errorf("fall back: %v of service, want 4h", got)
	}
}

func TestCalendarDegenerate(t *testing.T) {
	wib := mustLoc(t, "Asia/Jakarta")
	from := at(t, wib, "2026-01-31 10:00") // a Saturday

	// No office hours at all counts 24/7 instead of never falling due.
	for name, cal := range map[string]*mailproc.ServiceCalendar{
		"no hours":      mailproc.NewServiceCalendar(wib, [7][]mailproc.DaySpan{}, dates(t, wib, "2026-01-31"), false),
		"zero value":    {},
		"nil":           nil,
		"empty spans":   mailproc.NewServiceCalendar(wib, [7][]mailproc.DaySpan{1: {{Start: 9 * time.Hour, End: 9 * time.Hour}}}, nil, false),
		"outside a day": {Location: wib, Hours: [7][]mailproc.DaySpan{1: {{Start: 25 * time.Hour, End: 26 * time.Hour}}}},
	} {
		if got := cal.AddServiceTime(from, time.Hour); !got.Equal(from.Add(time.Hour)) {
			t.Errorf("%s: due %s, want 24/7", name, got)
		}
		if !cal.IsOpen(from) || cal.NextOpen(from) != from {
			t.Errorf("%s: not open around the clock", name)
		}
		if got := cal.ServiceTimeBetween(from, from.Add(time.Hour)); got != time.Hour {
			t.Errorf("%s: ServiceTimeBetween = %v, want 1h", name, got)
		}
	}
	var nilClock mailproc.CalendarClock
	nilClock.Complaint = time.Hour
	if got := nilClock.Due(mailproc.KindAduan, from); !got.Equal(from.Add(time.Hour)) {
		t.Errorf("CalendarClock without a calendar: due %s, want 24/7", got)
	}

	// Holidays on every working day for well over a year: a broken
	// calendar. The search gives up and counts 24/7 rather than loop or
	// never fall due.
	var all []time.Time
	for d := 0; d < 600; d++ {
		all = append(all, time.Date(2026, 2, 1+d, 0, 0, 0, 0, wib))
	}
	broken := mailproc.NewServiceCalendar(wib, week(t, "07:30-16:00", "07:30-16:30"), all, false)
	if got := broken.AddServiceTime(from, time.Hour); !got.Equal(from.Add(time.Hour)) {
		t.Errorf("broken calendar: due %s, want from + 1h", got)
	}
	if got := broken.NextOpen(from); got != from {
		t.Errorf("broken calendar: NextOpen %s, want from", got)
	}
	// A closed stretch shorter than the bound is still waited out.
	long := mailproc.NewServiceCalendar(wib, week(t, "07:30-16:00", "07:30-16:30"), all[:300], false)
	want := time.Date(2026, 2, 1+300, 8, 30, 0, 0, wib) // 28 Nov 2026, a Saturday
	want = long.NextOpen(want).Add(time.Hour)
	if got := long.AddServiceTime(from, time.Hour); !got.Equal(want) {
		t.Errorf("300 closed days: due %s, want %s", got, want)
	}
}

// Spans out of order or overlapping never count a minute twice.
func TestCalendarSpansRepaired(t *testing.T) {
	wib := mustLoc(t, "Asia/Jakarta")
	messy := []mailproc.DaySpan{
		{Start: 13 * time.Hour, End: 16 * time.Hour},
		{Start: 7*time.Hour + 30*time.Minute, End: 12 * time.Hour},
		{Start: 11 * time.Hour, End: 13*time.Hour + 30*time.Minute},
		{Start: 15 * time.Hour, End: 15 * time.Hour},
		{Start: -time.Hour, End: 0},
	}
	built := mailproc.NewServiceCalendar(wib, [7][]mailproc.DaySpan{time.Tuesday: messy}, nil, false)
	literal := &mailproc.ServiceCalendar{Location: wib, Hours: [7][]mailproc.DaySpan{time.Tuesday: messy}}
	day := at(t, wib, "2026-02-03 00:00")
	for name, cal := range map[string]*mailproc.ServiceCalendar{"NewServiceCalendar": built, "literal": literal} {
		if got := cal.ServiceTimeBetween(day, day.Add(24*time.Hour)); got != 8*time.Hour+30*time.Minute {
			t.Errorf("%s: a Tuesday has %v of service, want 8h30m", name, got)
		}
		if got, want := cal.AddServiceTime(day, 5*time.Hour), at(t, wib, "2026-02-03 12:30"); !got.Equal(want) {
			t.Errorf("%s: due %s, want %s", name, got, want)
		}
	}
	messy[0].End = 17 * time.Hour
	if got := built.ServiceTimeBetween(day, day.Add(24*time.Hour)); got != 8*time.Hour+30*time.Minute {
		t.Errorf("NewServiceCalendar shares the caller's spans: %v", got)
	}
}

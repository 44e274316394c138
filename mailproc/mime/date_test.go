package mime

import (
	"net/mail"
	"testing"
	"time"
)

var dateSeeds = []string{
	"Fri, 27 Nov 2026 09:00:00 +0700",
	"Fri, 7 Nov 2026 09:00:00 +0700",
	"Sat, 07 Nov 2026 23:59:59 -0000",
	"Mon, 2 Jan 2006 15:04:05 +0000",
	"Sun, 31 Dec 2006 24:00:00 +0700", // hour out of range
	"Fri, 27 Nov 2026 09:00 +0700",    // no seconds
	"Fri, 27 Nov 26 09:00:00 +0700",   // two-digit year
	"Fri, 27 Nov 2026 09:00:00 +0700 (WIB)",
	" Fri, 27 Nov 2026 09:00:00 +0700",
	"Jum, 27 Nov 2026 09:00:00 +0700",
	"27 Nov 2026 09:00:00 +0700",
	"Fri, 27 Nov 2026 09:00:00 WIB",
	"Fri, 30 Feb 2026 09:00:00 +0700",
	"Fri, 27 Nov 2026 09:00:00 +9999",
	"Fri,  27 Nov 2026 09:00:00 +0700",
	"Fri, 27 nov 2026 09:00:00 +0700",
	"",
}

// TestCommonDateAsNetMail: a date the commonDate layout reads, net/mail
// reads the same (instant and zone), so trying the layout first changes no
// mail's Date; and parseDate still reads what only net/mail reads.
func TestCommonDateAsNetMail(t *testing.T) {
	for _, s := range dateSeeds {
		checkCommonDate(t, s)
	}
	if _, ok := parseDate("Fri, 27 Nov 2026 09:00:00 +0700 (WIB)"); !ok {
		t.Error("a date with a comment after its zone is not read")
	}
}

func FuzzCommonDateAsNetMail(f *testing.F) {
	for _, s := range dateSeeds {
		f.Add(s)
	}
	f.Fuzz(checkCommonDate)
}

func checkCommonDate(t *testing.T, s string) {
	got, err := time.Parse(commonDate, s)
	if err != nil {
		return // parseDate goes on to net/mail, as before
	}
	want, err := mail.ParseDate(s)
	if err != nil {
		t.Fatalf("%q: the common layout reads %v, net/mail refuses it: %v", s, got, err)
	}
	gotName, gotOff := got.Zone()
	wantName, wantOff := want.Zone()
	if !got.Equal(want) || gotName != wantName || gotOff != wantOff {
		t.Errorf("%q: the common layout reads %v, net/mail %v", s, got, want)
	}
}

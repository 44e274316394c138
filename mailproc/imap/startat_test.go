package imap

import (
	"testing"
	"time"

	goimap "github.com/emersion/go-imap/v2"
)

// imap.start_at names a day in the desk's zone; the first mail taken is
// the lowest UID that arrived at or after its start, whatever day the
// server's own zone gives that moment.
func TestFirstArrivedSince(t *testing.T) {
	wib := time.FixedZone("WIB", 7*3600)
	since := time.Date(2026, 12, 6, 0, 0, 0, 0, wib) // 2026-12-05 17:00 UTC
	for _, tt := range []struct {
		name    string
		arrived map[goimap.UID]time.Time
		want    goimap.UID
		ok      bool
	}{
		{"none", nil, 0, false},
		{"all before", map[goimap.UID]time.Time{1: since.Add(-time.Hour), 2: since.Add(-time.Second)}, 0, false},
		{"at the very start", map[goimap.UID]time.Time{3: since.Add(-time.Minute), 4: since}, 4, true},
		// 00:25 WIB is still the 5th in UTC: a server that reads dates in
		// UTC would leave it out of SEARCH SINCE 6-Dec.
		{"after midnight WIB, the day before in UTC", map[goimap.UID]time.Time{
			5: since.Add(-30 * time.Minute).UTC(), 6: since.Add(25 * time.Minute).UTC()}, 6, true},
		{"the lowest UID, not the earliest date", map[goimap.UID]time.Time{
			9: since.Add(time.Hour), 7: since.Add(3 * time.Hour), 8: since.Add(-time.Hour)}, 7, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := firstArrivedSince(tt.arrived, since)
			if got != tt.want || ok != tt.ok {
				t.Errorf("firstArrivedSince = %d, %v; want %d, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

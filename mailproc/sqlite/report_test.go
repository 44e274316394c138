package sqlite

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/dpk-kampar/mailproc/mailproc"
)

func TestReportReads(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	wib := time.FixedZone("WIB", 7*3600)
	from := time.Date(2026, 3, 1, 0, 0, 0, 0, wib)
	to := time.Date(2026, 4, 1, 0, 0, 0, 0, wib)

	// Inserted out of order; the boundaries are [from, to).
	for _, tc := range []struct {
		number string
		opened time.Time
	}{
		{"INF-2026-00003", to.Add(-time.Millisecond)},
		{"INF-2026-00001", from.Add(-time.Millisecond)},
		{"INF-2026-00002", from},
		{"INF-2026-00004", to},
		{"ADU-2026-00001", from.Add(24 * time.Hour)},
	} {
		kind := mailproc.KindInformasi
		if tc.number[:3] == "ADU" {
			kind = mailproc.KindAduan
		}
		createCase(t, db, newCase(tc.number, kind, tc.opened))
	}
	cases, err := db.CasesOpenedBetween(ctx, from, to)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range cases {
		got = append(got, c.Number)
	}
	if want := []string{"INF-2026-00002", "ADU-2026-00001", "INF-2026-00003"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("CasesOpenedBetween = %v, want %v", got, want)
	}
	if !cases[0].OpenedAt.Equal(from) || cases[1].Kind != mailproc.KindAduan {
		t.Errorf("case read back wrong: %+v", cases[0])
	}

	a, b, c := cases[0], cases[1], cases[2]
	esc := []*mailproc.Event{
		{CaseID: b.ID, At: t0.Add(2 * time.Hour), Actor: mailproc.ActorSystem, Type: mailproc.EventEscalated,
			Detail: "tingkat 2 (Kepala Bagian Pelayanan, kabag@x.id) diberi tahu: batas waktu terlewati"},
		{CaseID: b.ID, At: t0.Add(time.Hour), Actor: mailproc.ActorSystem, Type: mailproc.EventEscalated,
			Detail: "tingkat 1 (Kepala Seksi Pelayanan, kasi@x.id) diberi tahu: batas waktu terlewati"},
		{CaseID: a.ID, At: t0, Actor: "staf@x.id", Type: mailproc.EventEscalated,
			Detail: "tingkat 1 (Kepala Seksi Pelayanan, kasi@x.id) diberi tahu: diminta oleh staf@x.id"},
	}
	other := []*mailproc.Event{
		{CaseID: a.ID, At: t0, Actor: mailproc.ActorSystem, Type: mailproc.EventCreated, Detail: "dari email"},
		{CaseID: c.ID, At: t0, Actor: mailproc.ActorSystem, Type: mailproc.EventNote, Detail: "tingkat 1 (bukan)"},
	}
	intake(t, db, func(tx mailproc.IntakeTx) error {
		for _, e := range append(append([]*mailproc.Event{}, esc...), other...) {
			if err := tx.AddEvent(e); err != nil {
				return err
			}
		}
		return nil
	})
	m, err := db.EscalationEvents(ctx, []int64{a.ID, b.ID, c.ID, 4242})
	if err != nil {
		t.Fatal(err)
	}
	want := map[int64][]*mailproc.Event{a.ID: {esc[2]}, b.ID: {esc[1], esc[0]}}
	if !reflect.DeepEqual(m, want) {
		t.Errorf("EscalationEvents:\n got %+v\nwant %+v", m, want)
	}
	if m, err := db.EscalationEvents(ctx, nil); err != nil || len(m) != 0 {
		t.Errorf("EscalationEvents(nil) = %v, %v", m, err)
	}
}

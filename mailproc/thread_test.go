package mailproc

import (
	"testing"
	"time"
)

func TestPlace(t *testing.T) {
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	window := 14 * 24 * time.Hour
	open := &Case{ID: 1, Number: "ADU-2026-00007", State: StateDiakui, CitizenAddr: "siti@gmail.com"}
	closedRecently := &Case{ID: 2, Number: "INF-2026-00042", State: StateSelesai, CitizenAddr: "siti@gmail.com", ClosedAt: now.Add(-3 * 24 * time.Hour)}
	closedLongAgo := &Case{ID: 3, Number: "INF-2026-00001", State: StateSelesai, CitizenAddr: "siti@gmail.com", ClosedAt: now.Add(-30 * 24 * time.Hour)}
	fromSiti := &Message{From: Address{Addr: "Siti@Gmail.com"}}
	fromBudi := &Message{From: Address{Addr: "budi@yahoo.co.id"}}

	tests := []struct {
		name         string
		m            *Message
		byRef, byNum *Case
		action       PlacementAction
		wantCase     *Case
	}{
		{"no reference opens a case", fromSiti, nil, nil, ActionNewCase, nil},
		{"reference joins an open case", fromSiti, open, nil, ActionJoin, open},
		{"reference joins even from another sender", fromBudi, open, nil, ActionJoin, open},
		{"number from the same sender joins", fromSiti, nil, open, ActionJoin, open},
		{"number from another sender opens a new case", fromBudi, nil, open, ActionNewCase, nil},
		{"reply to a recently closed case reopens it", fromSiti, closedRecently, nil, ActionReopen, closedRecently},
		{"reply to a long closed case links a new case", fromSiti, closedLongAgo, nil, ActionNewLink, closedLongAgo},
		{"reference beats number", fromSiti, closedRecently, open, ActionReopen, closedRecently},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := Place(tt.m, tt.byRef, tt.byNum, now, window)
			if p.Action != tt.action || p.Case != tt.wantCase {
				t.Fatalf("Place = %s %+v, want %s %+v", p.Action, p.Case, tt.action, tt.wantCase)
			}
			if p.Reason == "" {
				t.Error("no reason")
			}
		})
	}
}

func TestReferencedIDs(t *testing.T) {
	m := &Message{
		MessageID:  "self@x",
		InReplyTo:  []string{"b@x"},
		References: []string{"a@x", "b@x", "self@x", ""},
	}
	got := m.ReferencedIDs()
	want := []string{"b@x", "a@x"}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("ReferencedIDs = %v, want %v", got, want)
	}
}

package http

import (
	"sort"
	"time"

	"github.com/dpk-kampar/mailproc/mailproc"
)

// Stats is what the desk looks like at one moment: the figures behind
// /metrics and the status page. The daemon fills it from the database and the
// intake's status on every request; AddCases and AddOutbox do the counting.
type Stats struct {
	Now time.Time // when the figures were taken; zero: time.Now()

	// Cases counts cases by kind and state (all cases ever opened).
	Cases []CaseCount
	// Escalated counts the open cases whose chain of heads has reached each
	// level (Case.EscalationLevel > 0).
	Escalated []LevelCount
	// Outbox counts outgoing mail by purpose and state: acks, answers and
	// escalations sent, failures, and the backlog (pending).
	Outbox []OutboxCount

	// Open is how many cases still need the desk (state not selesai).
	Open int
	// Overdue lists the open, unanswered cases past their promised time,
	// most overdue first (the daemon lists at most 100).
	Overdue []OverdueCase
	// OverdueN counts them all; 0: len(Overdue).
	OverdueN int
	// OpenCases lists the open cases, oldest first (the daemon lists at
	// most 100; Open counts them all).
	OpenCases []CaseLine
	// Month is this calendar month's figures, in the zone of Now.
	Month MonthFigures

	// From the IMAP intake.
	IMAPConnected  bool
	IMAPReconnects int       // connections lost or failed since start
	LastSync       time.Time // zero: never synced
}

// CaseCount is the number of cases of one kind in one state.
type CaseCount struct {
	Kind  mailproc.Kind
	State mailproc.State
	N     int
}

// LevelCount is the number of open cases escalated to one level of the chain
// (1: Kepala Seksi, 2: Kepala Bagian, 3: Kepala Dinas).
type LevelCount struct {
	Level int
	N     int
}

// OutboxCount is the number of outgoing mails of one purpose in one state.
type OutboxCount struct {
	Purpose mailproc.Purpose
	State   mailproc.OutboxState
	N       int
}

// CaseLine is one case as the status page lists it: the heads see what
// it is about (Perihal) and how old it is, not only a number.
type CaseLine struct {
	Number          string
	Kind            mailproc.Kind
	State           mailproc.State
	Subject         string
	OpenedAt        time.Time
	DueAt           time.Time
	EscalationLevel int
}

// OverdueCase is one line of the status page's overdue list.
type OverdueCase = CaseLine

// CaseLineOf is c's line on the status page.
func CaseLineOf(c *mailproc.Case) CaseLine {
	return CaseLine{Number: c.Number, Kind: c.Kind, State: c.State, Subject: c.Subject,
		OpenedAt: c.OpenedAt, DueAt: c.DueAt, EscalationLevel: c.EscalationLevel}
}

// MonthFigures are the counts of the current calendar month.
type MonthFigures struct {
	Start          time.Time // first instant of the month
	Informasi      int       // permintaan informasi opened
	Aduan          int       // aduan opened
	Answered       int       // cases first answered this month
	AnsweredOnTime int       // of those, answered by their promised time
	Closed         int       // cases closed (selesai) this month
	Escalated      int       // cases opened this month that reached a head
	// Channels are the cases opened this month per channel (kanal), every
	// channel of mailproc.Channels in order.
	Channels []ChannelCount
}

// ChannelCount is the number of cases opened by one channel.
type ChannelCount struct {
	Channel mailproc.Channel
	N       int
}

// AddChannel adds n cases opened by ch to the month's channel counts
// (every channel of mailproc.Channels is listed, in order, once one is).
func (m *MonthFigures) AddChannel(ch mailproc.Channel, n int) {
	if m.Channels == nil {
		for _, c := range mailproc.Channels {
			m.Channels = append(m.Channels, ChannelCount{Channel: c})
		}
	}
	ch = ch.OrEmail()
	for i := range m.Channels {
		if m.Channels[i].Channel == ch {
			m.Channels[i].N += n
			return
		}
	}
	m.Channels = append(m.Channels, ChannelCount{Channel: ch, N: n})
}

// Overdue reports whether c is open, still owes the citizen an answer (or a
// follow-up, tindak lanjut) and is past its promised time at now.
func Overdue(c *mailproc.Case, now time.Time) bool {
	if !c.State.Open() || c.DueAt.IsZero() || !now.After(c.DueAt) {
		return false
	}
	return c.State != mailproc.StateDijawab || c.NeedsFollowUp
}

// AddCases counts cases into s: by kind and state, open, overdue, escalated
// and this month's figures. The month is taken in the zone of s.Now, so set
// Now in the desk's time zone (WIB) first.
func (s *Stats) AddCases(cases []*mailproc.Case) {
	now := s.now()
	y, mo, _ := now.Date()
	s.Month.Start = time.Date(y, mo, 1, 0, 0, 0, 0, now.Location())
	inMonth := func(t time.Time) bool { return !t.IsZero() && !t.Before(s.Month.Start) }

	byKS := make(map[CaseCount]int)
	byLevel := make(map[int]int)
	for _, c := range cases {
		byKS[CaseCount{Kind: c.Kind, State: c.State}]++
		if c.State.Open() {
			s.Open++
			s.OpenCases = append(s.OpenCases, CaseLineOf(c))
			if c.EscalationLevel > 0 {
				byLevel[c.EscalationLevel]++
			}
		}
		if Overdue(c, now) {
			s.Overdue = append(s.Overdue, CaseLineOf(c))
		}
		if inMonth(c.OpenedAt) {
			s.Month.AddChannel(c.Channel, 1)
			if c.Kind == mailproc.KindAduan {
				s.Month.Aduan++
			} else {
				s.Month.Informasi++
			}
			if c.EscalationLevel > 0 {
				s.Month.Escalated++
			}
		}
		if inMonth(c.FirstAnswerAt) {
			s.Month.Answered++
			if c.DueAt.IsZero() || !c.FirstAnswerAt.After(c.DueAt) {
				s.Month.AnsweredOnTime++
			}
		}
		if c.State == mailproc.StateSelesai && inMonth(c.ClosedAt) {
			s.Month.Closed++
		}
	}
	for k, n := range byKS {
		s.Cases = append(s.Cases, CaseCount{Kind: k.Kind, State: k.State, N: n})
	}
	sort.Slice(s.Cases, func(i, j int) bool {
		a, b := s.Cases[i], s.Cases[j]
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		return a.State < b.State
	})
	for l, n := range byLevel {
		s.Escalated = append(s.Escalated, LevelCount{Level: l, N: n})
	}
	sort.Slice(s.Escalated, func(i, j int) bool { return s.Escalated[i].Level < s.Escalated[j].Level })
	sort.SliceStable(s.Overdue, func(i, j int) bool { return s.Overdue[i].DueAt.Before(s.Overdue[j].DueAt) })
	sort.SliceStable(s.OpenCases, func(i, j int) bool { return s.OpenCases[i].OpenedAt.Before(s.OpenCases[j].OpenedAt) })
}

// AddOutbox counts outgoing mails into s by purpose and state.
func (s *Stats) AddOutbox(mails []*mailproc.OutgoingMail) {
	by := make(map[OutboxCount]int)
	for _, m := range mails {
		by[OutboxCount{Purpose: m.Purpose, State: m.State}]++
	}
	for k, n := range by {
		s.Outbox = append(s.Outbox, OutboxCount{Purpose: k.Purpose, State: k.State, N: n})
	}
	sort.Slice(s.Outbox, func(i, j int) bool {
		a, b := s.Outbox[i], s.Outbox[j]
		if a.Purpose != b.Purpose {
			return a.Purpose < b.Purpose
		}
		return a.State < b.State
	})
}

// OverdueCount is how many cases are overdue.
func (s *Stats) OverdueCount() int { return max(s.OverdueN, len(s.Overdue)) }

// OutboxTotal is the number of outgoing mails in state st, any purpose.
func (s *Stats) OutboxTotal(st mailproc.OutboxState) int {
	n := 0
	for _, o := range s.Outbox {
		if o.State == st {
			n += o.N
		}
	}
	return n
}

func (s *Stats) now() time.Time {
	if s.Now.IsZero() {
		return time.Now()
	}
	return s.Now
}

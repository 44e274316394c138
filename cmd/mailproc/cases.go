package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/dpk-kampar/mailproc/mailproc"
	"github.com/dpk-kampar/mailproc/mailproc/config"
	"github.com/dpk-kampar/mailproc/mailproc/sqlite"
)

// runCases is `mailproc cases list|show`.
func runCases(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New("usage: mailproc cases list [--open|--unlinked [--since DURATION]] [--json] | mailproc cases show NUMBER")
	}
	fs := flag.NewFlagSet("mailproc cases "+args[0], flag.ContinueOnError)
	cfgPath := fs.String("config", "mailproc.toml", "config file")
	openOnly := fs.Bool("open", false, "only cases that are not closed")
	asJSON := fs.Bool("json", false, "print JSON")
	unlinked := fs.Bool("unlinked", false, "list stored mail on no case (robots, lists, reports) instead of cases")
	since := fs.Duration("since", 0, "with --unlinked: only mail received in this last period (e.g. 24h); 0: all")
	pos, err := parseAnywhere(fs, args[1:])
	if err != nil {
		return err
	}
	cfg, db, err := openDatabase(*cfgPath)
	if err != nil {
		return err
	}
	defer db.Close()
	loc := cfg.Location()
	switch args[0] {
	case "list":
		if len(pos) > 0 {
			return fmt.Errorf("mailproc cases list takes no %q; did you mean cases show?", pos[0])
		}
		if *unlinked {
			var from time.Time
			if *since > 0 {
				from = time.Now().Add(-*since)
			}
			msgs, err := db.UnlinkedMessages(ctx, from)
			if err != nil {
				return err
			}
			return printUnlinked(stdout, msgs, *asJSON, loc)
		}
		cases, err := db.ListCases(ctx, sqlite.CaseFilter{OpenOnly: *openOnly})
		if err != nil {
			return err
		}
		if *asJSON {
			out := make([]caseJSON, 0, len(cases))
			for _, c := range cases {
				out = append(out, toCaseJSON(c))
			}
			return writeJSON(stdout, out)
		}
		printCaseList(stdout, cases, loc)
		return nil
	case "show":
		if len(pos) != 1 {
			return errors.New("usage: mailproc cases show [-config FILE] [--json] NUMBER")
		}
		number, err := mailproc.NormalizeNumber(pos[0])
		if err != nil {
			return err
		}
		c, err := db.CaseByNumber(ctx, number)
		if err != nil {
			return err
		}
		events, err := db.Timeline(ctx, c.ID)
		if err != nil {
			return err
		}
		msgs, err := db.CaseMessages(ctx, c.ID)
		if err != nil {
			return err
		}
		sent, err := db.Outbox(ctx, sqlite.OutboxFilter{CaseID: c.ID})
		if err != nil {
			return err
		}
		if *asJSON {
			out := struct {
				caseJSON
				Events   []eventJSON   `json:"events"`
				Messages []messageJSON `json:"messages"`
				Sent     []sentJSON    `json:"sent"`
			}{caseJSON: toCaseJSON(c)}
			for _, o := range sent {
				out.Sent = append(out.Sent, toSentJSON(o))
			}
			for _, e := range events {
				out.Events = append(out.Events, eventJSON{e.At, e.Actor, string(e.Type), e.Detail})
			}
			for _, m := range msgs {
				out.Messages = append(out.Messages, toMessageJSON(m))
			}
			return writeJSON(stdout, out)
		}
		printCase(stdout, c, events, msgs, sent, loc)
		return nil
	default:
		return fmt.Errorf("unknown: mailproc cases %s", args[0])
	}
}

// openDatabase loads the config at path and opens its database, for the
// commands that read it.
func openDatabase(path string) (*config.Config, *sqlite.DB, error) {
	cfg, err := config.Load(path)
	if err != nil {
		return nil, nil, err
	}
	db, err := sqlite.Open(cfg.DatabasePath())
	if err != nil {
		return nil, nil, err
	}
	return cfg, db, nil
}

type caseJSON struct {
	Number        string       `json:"number"`
	Kind          string       `json:"kind"`
	State         string       `json:"state"`
	Level         int          `json:"escalation_level"`
	Citizen       string       `json:"citizen"`
	ReplyTo       string       `json:"reply_to,omitempty"`
	CitizenName   string       `json:"citizen_name,omitempty"`
	Subject       string       `json:"subject"`
	OpenedAt      time.Time    `json:"opened_at"`
	DueAt         *time.Time   `json:"due_at,omitempty"`
	FirstAnswerAt *time.Time   `json:"first_answer_at,omitempty"`
	ClosedAt      *time.Time   `json:"closed_at,omitempty"`
	Verdict       *verdictJSON `json:"verdict,omitempty"`
	Channel       string       `json:"channel"`
	Contact       string       `json:"contact,omitempty"`
}

// verdictJSON is the stored verdict on the first answer (mailproc.Verdict).
type verdictJSON struct {
	Outcome        string    `json:"outcome"` // tepat or terlambat
	Kind           string    `json:"kind"`
	PromiseMinutes float64   `json:"promise_minutes"`
	ServiceMinutes *float64  `json:"service_minutes,omitempty"` // absent while unanswered
	Calendar       string    `json:"calendar"`
	At             time.Time `json:"at"`
}

type eventJSON struct {
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"`
	Type   string    `json:"type"`
	Detail string    `json:"detail"`
}

type messageJSON struct {
	MessageID   string    `json:"message_id"`
	From        string    `json:"from"`
	Subject     string    `json:"subject"`
	Received    time.Time `json:"received_at"`
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"`
	Attachments []string  `json:"attachments,omitempty"`
}

func toCaseJSON(c *mailproc.Case) caseJSON {
	opt := func(t time.Time) *time.Time {
		if t.IsZero() {
			return nil
		}
		return &t
	}
	out := caseJSON{
		Number: c.Number, Kind: string(c.Kind), State: string(c.State), Level: c.EscalationLevel,
		Citizen: c.CitizenAddr, ReplyTo: c.ReplyAddr, CitizenName: c.CitizenName, Subject: c.Subject, OpenedAt: c.OpenedAt,
		DueAt: opt(c.DueAt), FirstAnswerAt: opt(c.FirstAnswerAt), ClosedAt: opt(c.ClosedAt),
		Channel: string(c.Channel.OrEmail()), Contact: c.Contact,
	}
	if v := c.Verdict; v.Decided() {
		out.Verdict = &verdictJSON{Outcome: string(v.Outcome), Kind: string(v.Kind), PromiseMinutes: v.Promise.Minutes(),
			Calendar: v.Calendar, At: v.At}
		if v.HasServiceTime {
			m := v.ServiceTime.Minutes()
			out.Verdict.ServiceMinutes = &m
		}
	}
	return out
}

func toMessageJSON(m *mailproc.Message) messageJSON {
	out := messageJSON{MessageID: m.MessageID, From: m.From.Addr, Subject: m.Subject,
		Received: m.Received, Size: m.Size, SHA256: m.SHA256}
	for _, a := range m.Attachments {
		out.Attachments = append(out.Attachments, fmt.Sprintf("%s (%s, %d bytes)", a.Filename, a.ContentType, a.Size))
	}
	return out
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func printCaseList(w io.Writer, cases []*mailproc.Case, loc *time.Location) {
	if len(cases) == 0 {
		fmt.Fprintln(w, "Belum ada kasus.")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NOMOR\tJENIS\tSTATUS\tDITERIMA\tBATAS WAKTU\tKANAL\tWARGA\tSUBJEK")
	for _, c := range cases {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", c.Number, c.Kind, c.State,
			c.OpenedAt.In(loc).Format("02-01-2006 15.04"), shortTime(c.DueAt, loc), c.Channel.OrEmail(), citizenOf(c), clip(c.Subject, 50))
	}
	tw.Flush()
}

func printCase(w io.Writer, c *mailproc.Case, events []*mailproc.Event, msgs []*mailproc.Message, sent []*mailproc.OutgoingMail, loc *time.Location) {
	fmt.Fprintf(w, "%s — %s\n", c.Number, c.Kind.Label())
	fmt.Fprintf(w, "  Status      : %s\n", c.State)
	fmt.Fprintf(w, "  Kanal       : %s\n", c.Channel.OrEmail())
	if c.Contact != "" {
		fmt.Fprintf(w, "  Kontak      : %s\n", c.Contact)
	}
	fmt.Fprintf(w, "  Warga       : %s\n", mailproc.Address{Name: c.CitizenName, Addr: c.CitizenAddr})
	fmt.Fprintf(w, "  Balasan ke  : %s\n", c.ReplyAddress())
	fmt.Fprintf(w, "  Subjek      : %s\n", c.Subject)
	fmt.Fprintf(w, "  Diterima    : %s\n", c.OpenedAt.In(loc).Format("02-01-2006 15.04.05 MST"))
	fmt.Fprintf(w, "  Batas waktu : %s\n", shortTime(c.DueAt, loc))
	if c.Verdict.Decided() {
		fmt.Fprintf(w, "  Putusan     : %s\n", c.Verdict.Detail())
	}
	fmt.Fprintln(w, "\nRiwayat:")
	for _, e := range events {
		fmt.Fprintf(w, "  %s  %-14s %-28s %s\n", e.At.In(loc).Format("02-01 15.04.05"), e.Type, e.Actor, e.Detail)
	}
	fmt.Fprintf(w, "\nEmail (%d):\n", len(msgs))
	for _, m := range msgs {
		fmt.Fprintf(w, "  %s  dari %s  %q  %d byte\n", m.Received.In(loc).Format("02-01 15.04.05"), m.From.Addr, m.Subject, m.Size)
		for _, a := range m.Attachments {
			fmt.Fprintf(w, "      lampiran: %s (%s, %d byte)\n", a.Filename, a.ContentType, a.Size)
		}
	}
	fmt.Fprintf(w, "\nEmail keluar (%d):\n", len(sent))
	for _, o := range sent {
		j := toSentJSON(o)
		fmt.Fprintf(w, "  %s  %-12s %-8s kepada %s  %q\n", o.CreatedAt.In(loc).Format("02-01 15.04.05"), j.Purpose, j.State,
			strings.Join(j.To, ", "), o.Subject)
	}
}

// sentJSON is one mail the desk sent (or is sending) for the case.
type sentJSON struct {
	Purpose   string     `json:"purpose"`
	State     string     `json:"state"`
	To        []string   `json:"to"`
	Subject   string     `json:"subject"`
	MessageID string     `json:"message_id"`
	Queued    time.Time  `json:"queued_at"`
	SentAt    *time.Time `json:"sent_at,omitempty"`
}

func toSentJSON(o *mailproc.OutgoingMail) sentJSON {
	j := sentJSON{Purpose: string(o.Purpose), State: string(o.State), Subject: o.Subject, MessageID: o.MessageID, Queued: o.CreatedAt}
	for _, a := range append(append([]mailproc.Address(nil), o.To...), o.Cc...) {
		j.To = append(j.To, a.Addr)
	}
	if !o.SentAt.IsZero() {
		j.SentAt = &o.SentAt
	}
	return j
}

func shortTime(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return "-"
	}
	return t.In(loc).Format("02-01-2006 15.04")
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// unlinkedJSON is one stored mail on no case, for `cases list --unlinked`.
type unlinkedJSON struct {
	messageJSON
	Automatic string `json:"automatic"`
}

// printUnlinked lists mail stored on no case with why it opened none.
func printUnlinked(w io.Writer, msgs []*mailproc.Message, asJSON bool, loc *time.Location) error {
	if asJSON {
		out := make([]unlinkedJSON, 0, len(msgs))
		for _, m := range msgs {
			out = append(out, unlinkedJSON{toMessageJSON(m), mailproc.AutomaticReason(m)})
		}
		return writeJSON(w, out)
	}
	if len(msgs) == 0 {
		fmt.Fprintln(w, "Tidak ada email tanpa kasus.")
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "DITERIMA\tDARI\tSUBJEK\tMENGAPA TANPA KASUS\tMESSAGE-ID")
	for _, m := range msgs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", m.Received.In(loc).Format("02-01-2006 15.04"), m.From.Addr,
			clip(m.Subject, 40), clip(mailproc.AutomaticReason(m), 60), m.MessageID)
	}
	return tw.Flush()
}

// citizenOf is who a listed case is from: the address, or for a contact
// registered from another channel without one, the name and contact.
func citizenOf(c *mailproc.Case) string {
	if c.CitizenAddr != "" {
		return c.CitizenAddr
	}
	return strings.TrimSpace(c.CitizenName + " " + c.Contact)
}

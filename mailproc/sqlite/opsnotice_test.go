package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dpk-kampar/mailproc/mailproc"
)

// TestOpsNoticesCoalesced: on a fake clock, at most one ops notice per kind
// per interval reaches the outbox; the rest are held and go out as one
// digest once the interval has passed, and the held notices and the last
// sending time survive a restart (the database is closed and reopened).
func TestOpsNoticesCoalesced(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mailproc.db")
	now := time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	open := func() *DB {
		db := openAt(t, path)
		db.Now, db.OpsNoticeInterval = clock, 15*time.Minute
		return db
	}
	db := open()
	seq := 0
	notice := func(kind string) *mailproc.OutgoingMail {
		seq++
		return &mailproc.OutgoingMail{Purpose: mailproc.PurposeOps, OpsKind: kind, MessageID: fmt.Sprintf("ops-%d@desk.test", seq),
			From: mailproc.Address{Addr: "layanan@desk.test"}, To: []mailproc.Address{{Addr: "ops@desk.test"}},
			Subject: fmt.Sprintf("%s %d", kind, seq), Text: "teks " + kind}
	}
	compose := func(kind string, held []mailproc.HeldOpsNotice) (*mailproc.OutgoingMail, error) {
		var subjects []string
		for _, h := range held {
			subjects = append(subjects, h.Subject)
		}
		d := notice(kind)
		d.Subject = "digest " + kind + ": " + strings.Join(subjects, ", ")
		return d, nil
	}
	opsMail := func() []string {
		rows, err := db.Outbox(context.Background(), OutboxFilter{Purpose: mailproc.PurposeOps})
		if err != nil {
			t.Fatal(err)
		}
		var l []string
		for _, r := range rows {
			l = append(l, r.Subject)
		}
		return l
	}

	steps := []struct {
		name    string
		advance time.Duration
		send    []string // kinds of notices enqueued at this step
		flush   bool
		restart bool
		want    []string // the ops outbox after the step
	}{
		{"first of each kind goes out", 0, []string{"ops-quarantine", "ops-forgery"}, false, false,
			[]string{"ops-quarantine 1", "ops-forgery 2"}},
		{"more within the interval are held", 5 * time.Minute, []string{"ops-quarantine", "ops-quarantine", "ops-forgery"}, true, false,
			[]string{"ops-quarantine 1", "ops-forgery 2"}},
		{"restart keeps them held", time.Minute, nil, true, true,
			[]string{"ops-quarantine 1", "ops-forgery 2"}},
		{"interval over: one digest per kind", 9 * time.Minute, nil, true, false,
			[]string{"ops-quarantine 1", "ops-forgery 2", "digest ops-forgery: ops-forgery 5", "digest ops-quarantine: ops-quarantine 3, ops-quarantine 4"}},
		{"a notice right after the digest is held", time.Minute, []string{"ops-quarantine"}, true, false,
			[]string{"ops-quarantine 1", "ops-forgery 2", "digest ops-forgery: ops-forgery 5", "digest ops-quarantine: ops-quarantine 3, ops-quarantine 4"}},
		{"after a restart and the interval, its digest", 15 * time.Minute, nil, true, true,
			[]string{"ops-quarantine 1", "ops-forgery 2", "digest ops-forgery: ops-forgery 5", "digest ops-quarantine: ops-quarantine 3, ops-quarantine 4", "digest ops-quarantine: ops-quarantine 8"}},
		{"nothing held: nothing sent; a later notice goes out at once", 20 * time.Minute, []string{"ops-forgery"}, true, false,
			[]string{"ops-quarantine 1", "ops-forgery 2", "digest ops-forgery: ops-forgery 5", "digest ops-quarantine: ops-quarantine 3, ops-quarantine 4", "digest ops-quarantine: ops-quarantine 8", "ops-forgery 10"}},
	}
	for _, s := range steps {
		now = now.Add(s.advance)
		if s.restart {
			db.Close()
			db = open()
		}
		for _, kind := range s.send {
			m := notice(kind)
			intake(t, db, func(tx mailproc.IntakeTx) error { return tx.EnqueueMail(m) })
		}
		if s.flush {
			if _, err := db.FlushOpsDigests(context.Background(), now, 15*time.Minute, compose); err != nil {
				t.Fatalf("%s: flush: %v", s.name, err)
			}
		}
		if got := opsMail(); strings.Join(got, "|") != strings.Join(s.want, "|") {
			t.Fatalf("%s:\n got  %q\n want %q", s.name, got, s.want)
		}
	}
}

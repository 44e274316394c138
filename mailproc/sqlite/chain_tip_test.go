package sqlite

import (
	"context"
	"errors"
	"testing"

	"github.com/dpk-kampar/mailproc/mailproc"
)

// TestChainTipSavepointRollback: an intake transaction links each event and
// message to the one it linked just before (the chain tip kept in memory).
// A mail whose savepoint rolls back after its event and message were linked
// takes their hashes with it: the rows after it link to the rows before it,
// the next transaction links to the last row committed, and verify passes.
func TestChainTipSavepointRollback(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	failed := errors.New("mail gagal")
	addMail := func(tx mailproc.IntakeTx, c *mailproc.Case, id string) error {
		m := &mailproc.Message{MessageID: id, From: mailproc.Address{Addr: "warga@example.id"}, Text: "isi " + id}
		if err := tx.InsertMessage(m, c.ID); err != nil {
			return err
		}
		return tx.AddEvent(&mailproc.Event{CaseID: c.ID, Actor: mailproc.ActorSystem,
			Type: mailproc.EventCreated, Detail: "pesan " + id, MessageID: m.ID})
	}
	c := &mailproc.Case{Number: "ADU-2026-00001", Kind: mailproc.KindAduan, State: mailproc.StateBaru, OpenedAt: t0}
	err := db.Intake(ctx, func(tx mailproc.IntakeTx) error {
		if err := tx.CreateCase(c); err != nil {
			return err
		}
		for i, id := range []string{"a@example.id", "b@example.id", "c@example.id", "d@example.id"} {
			err := tx.Savepoint(func() error {
				if err := addMail(tx, c, id); err != nil {
					return err
				}
				if i == 1 || i == 2 { // two in a row fail after linking
					return failed
				}
				return nil
			})
			if (i == 1 || i == 2) != errors.Is(err, failed) {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = db.Intake(ctx, func(tx mailproc.IntakeTx) error {
		if err := tx.Savepoint(func() error {
			if err := addMail(tx, c, "e@example.id"); err != nil {
				return err
			}
			return failed
		}); !errors.Is(err, failed) {
			return err
		}
		return addMail(tx, c, "f@example.id")
	})
	if err != nil {
		t.Fatal(err)
	}
	res, err := db.Verify(ctx, t.TempDir())
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	if res.Events != 3 || res.Messages != 3 {
		t.Errorf("verify: %d events, %d messages, want 3 and 3 (a, d, f)", res.Events, res.Messages)
	}
	var ids []string
	rows, err := db.db.Query("SELECT message_id FROM messages ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if got := ids; len(got) != 3 || got[0] != "a@example.id" || got[1] != "d@example.id" || got[2] != "f@example.id" {
		t.Errorf("messages %v, want a, d, f", got)
	}
}

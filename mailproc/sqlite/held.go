package sqlite

import (
	"context"
	"errors"
	"fmt"

	"github.com/dpk-kampar/mailproc/mailproc"
)

// Staff notifications held for a burst digest are queued unrendered
// (mailproc.Ingester.notifyStaff): outbox.render_message names the stored
// mail each is rendered from, render_flags how it came to the case. The
// postman renders them when it picks them up (RenderHeld).

var _ mailproc.HeldNotifyStore = (*DB)(nil)

// The bits of outbox.render_flags.
const (
	renderFollowUp = 1
	renderReopened = 2
)

// renderHeldQuery stores a rendered notification; the condition keeps a
// row rendered once as it is.
const renderHeldQuery = `UPDATE outbox SET subject = ?, text = ?, html = ?, attachments = ?,
	render_message = NULL, render_flags = 0
	WHERE id = ? AND render_message IS NOT NULL`

// heldArgs are the render_message and render_flags of m.
func heldArgs(m *mailproc.OutgoingMail) (any, int, error) {
	h := m.Held
	if h == nil {
		return nil, 0, nil
	}
	if m.Purpose != mailproc.PurposeNotify || h.MessageRowID == 0 || m.CaseID == 0 {
		return nil, 0, fmt.Errorf("unrendered %s mail of case %d from message %d: only a staff notification of a stored mail is held unrendered",
			m.Purpose, m.CaseID, h.MessageRowID)
	}
	flags := 0
	if h.FollowUp {
		flags |= renderFollowUp
	}
	if h.Reopened {
		flags |= renderReopened
	}
	return h.MessageRowID, flags, nil
}

// errHeldGone: the stored mail or the case of a held notification is no
// longer there to render it from.
var errHeldGone = errors.New("its stored mail or case is gone")

// RenderHeld implements mailproc.HeldNotifyStore.
func (db *DB) RenderHeld(ctx context.Context, held []*mailproc.OutgoingMail,
	render func(out *mailproc.OutgoingMail, m *mailproc.Message, cs *mailproc.Case) error) ([]error, error) {
	var (
		errs     []error
		rendered []mailproc.OutgoingMail
	)
	err := db.write(ctx, "render held notifications", func(t *intakeTx) error {
		errs, rendered = make([]error, len(held)), make([]mailproc.OutgoingMail, len(held))
		for i, m := range held {
			rendered[i] = *m
			r := &rendered[i]
			if r.Held == nil {
				continue
			}
			msg, cs, err := t.heldSource(r)
			if err != nil {
				return err
			}
			if msg == nil || cs == nil {
				errs[i] = fmt.Errorf("held notification %d: %w", r.ID, errHeldGone)
				continue
			}
			if err := render(r, msg, cs); err != nil {
				errs[i] = err
				continue
			}
			r.Held = nil
			if err := checkOutgoingUTF8(r); err != nil {
				errs[i] = fmt.Errorf("held notification %d: %w", r.ID, err)
				continue
			}
			_, _, _, atts, err := encodeOutgoingJSON(r)
			if err != nil {
				errs[i] = fmt.Errorf("held notification %d: %w", r.ID, err)
				continue
			}
			if _, err := t.tx.ExecContext(t.ctx, renderHeldQuery, r.Subject, r.Text, r.HTML, atts, r.ID); err != nil {
				return t.wrap(fmt.Sprintf("store rendered notification %d", r.ID), err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for i, m := range held {
		if errs[i] == nil {
			*m = rendered[i]
		}
	}
	return errs, nil
}

// heldSource reads what the held notification m is rendered from: its
// stored mail (with attachments) and its case, as they are now; nil when
// gone.
func (t *intakeTx) heldSource(m *mailproc.OutgoingMail) (*mailproc.Message, *mailproc.Case, error) {
	msgs, _, err := queryMessages(t.ctx, t.tx, "WHERE id = ?", m.Held.MessageRowID)
	if err != nil || len(msgs) == 0 {
		return nil, nil, err
	}
	cs, err := t.CaseByID(m.CaseID)
	return msgs[0], cs, err
}

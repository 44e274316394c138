package sqlite

import (
	"fmt"
	"time"

	"github.com/dpk-kampar/mailproc/mailproc"
)

// waitingClosing is the WHERE of a case's closing mail that has not become
// due yet (desk.closing_delay): the postman only takes rows whose
// next_attempt has passed, so a row this matches is in no sender's hands
// and can be moved or withdrawn without a race.
const waitingClosing = `case_id = ? AND purpose = '` + string(mailproc.PurposeClosing) + `'
	AND state = 'pending' AND next_attempt > ?`

// DeferClosing moves the waiting closing mail of the case to at, its Date
// header with it (a client sorting by Date shows it after the answer).
func (t *intakeTx) DeferClosing(caseID int64, now, at time.Time) (int, error) {
	res, err := t.tx.ExecContext(t.ctx, `UPDATE outbox SET next_attempt = ?, date = ? WHERE `+waitingClosing,
		timeArg(msUTC(at)), timeArg(msUTC(at)), caseID, timeArg(msUTC(now)))
	if err != nil {
		return 0, t.wrap(fmt.Sprintf("defer closing mail of case %d", caseID), err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// WithdrawClosing removes the waiting closing mail of the case, with its
// recipient and id rows: it never left, so nothing refers to it.
func (t *intakeTx) WithdrawClosing(caseID int64, now time.Time) (int, error) {
	op := fmt.Sprintf("withdraw closing mail of case %d", caseID)
	rows := `SELECT id FROM outbox WHERE ` + waitingClosing
	for _, q := range []string{
		`DELETE FROM outbox_rcpts WHERE outbox_id IN (` + rows + `)`,
		`DELETE FROM outgoing_ids WHERE message_id IN (SELECT message_id FROM outbox WHERE ` + waitingClosing + `)`,
	} {
		if _, err := t.tx.ExecContext(t.ctx, q, caseID, timeArg(msUTC(now))); err != nil {
			return 0, t.wrap(op, err)
		}
	}
	res, err := t.tx.ExecContext(t.ctx, `DELETE FROM outbox WHERE `+waitingClosing, caseID, timeArg(msUTC(now)))
	if err != nil {
		return 0, t.wrap(op, err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}

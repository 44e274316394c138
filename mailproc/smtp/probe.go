package smtp

import "context"

// CheckRecipients asks the server whether it would take mail from from to
// each of rcpts, without sending any: it connects and logs in as Send does,
// says MAIL FROM and RCPT TO for every address (repeats asked once), then
// RSET and QUIT, never DATA. It returns the addresses the server refused,
// in order, each with the server's reply: `mailproc check` uses it so that
// a typo in a head's address shows as "550 5.1.1 … User unknown" on the day
// the config is written, not on the day a case escalates and the mail to
// the Kepala Dinas bounces.
//
// A refusal is only as good as the server's knowledge: a submission server
// refuses an unknown mailbox of its own domains at RCPT time, but usually
// accepts any address of another domain and bounces it later, so an
// accepted address is not proof that the mailbox exists.
//
// err is for the session as a whole — cannot connect or log in, MAIL FROM
// refused (e.g. the login may not send as from), the connection lost — and
// then refused is nil.
func CheckRecipients(ctx context.Context, cfg Config, from string, rcpts []string) (refused []Refusal, err error) {
	sess, err := dial(ctx, cfg)
	if err != nil {
		return nil, err
	}
	defer sess.close()
	timeout := cfg.timeout()
	refused, err = sess.envelope(timeout, from, uniqueAddrs(rcpts))
	if err != nil {
		return nil, err
	}
	// Drop the transaction explicitly: a server must not take the QUIT of an
	// open transaction as anything but an abort, but RSET leaves no doubt.
	if err := sess.client.UpdateDeadline(timeout); err != nil {
		return nil, sess.fail("RSET", err)
	}
	if err := sess.client.Reset(); err != nil {
		return nil, sess.fail("RSET", err)
	}
	sess.quit(timeout)
	return refused, nil
}

package main

import (
	"testing"
	"time"
)

// TestE2ELargeFetchBatch: a backlog taken in batches of 200 (imap.fetch_batch)
// from the real Dovecot is taken whole. The next batch's metadata used to be
// asked for ahead whatever the batch's size; Dovecot answers pipelined
// FETCH commands side by side, so 200 responses nobody read yet filled
// go-imap's buffer of 128 while the session waited for the body FETCH
// before them, and the intake stopped for good after its second batch.
func TestE2ELargeFetchBatch(t *testing.T) {
	const n = 700 // four batches: the old build stopped while staging the third
	d := newTestDesk(t)
	d.Config.IMAP.FetchBatch = 200
	d.Config.Ack.Enabled = false
	loadMails(t, d, n)
	// A separate process: an intake that waits for ever is killed when
	// the test ends (in process, the daemon's Close would wait for it).
	d.spawn(d.writeConfig())
	db := d.db()
	waitFor(t, 60*time.Second, "every mail a case", func() bool {
		c, _, _ := counts(t, db)
		return c == n
	})
	waitFor(t, 30*time.Second, "every mail moved out of the inbox", func() bool {
		return d.count("INBOX") == 0 && d.count(d.Config.IMAP.ProcessedFolder) == n
	})
}

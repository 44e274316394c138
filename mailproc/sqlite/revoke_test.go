package sqlite

import (
	"path/filepath"
	"testing"

	"github.com/dpk-kampar/mailproc/mailproc"
)

// TestRevokeToken: a revoked token stays revoked across transactions and a
// reopening of the file; revoking it again adds nothing; angle brackets
// around the id do not matter.
func TestRevokeToken(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mailproc.db")
	db := openAt(t, path)
	const id = "mailproc.notify.adu-2026-00007.20261205.3f1a.9c0d11aa.0123456789abcdef01234567@desk.test"
	intake(t, db, func(tx mailproc.IntakeTx) error {
		if revoked, err := tx.TokenRevoked(id); err != nil || revoked {
			t.Errorf("before: revoked %v, %v", revoked, err)
		}
		added, err := tx.RevokeToken("<"+id+">", 0, t0, "terlihat oleh warga@gmail.com")
		if err != nil || !added {
			t.Errorf("first revocation: added %v, %v", added, err)
		}
		return nil
	})
	db.Close()
	db = openAt(t, path)
	intake(t, db, func(tx mailproc.IntakeTx) error {
		if revoked, err := tx.TokenRevoked(id); err != nil || !revoked {
			t.Errorf("after reopening: revoked %v, %v", revoked, err)
		}
		if added, err := tx.RevokeToken(id, 0, t0, "lagi"); err != nil || added {
			t.Errorf("second revocation: added %v, %v", added, err)
		}
		return nil
	})
}

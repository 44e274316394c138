package sqlite

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/dpk-kampar/mailproc/mailproc"
)

// The hash chains of events and messages (see mailproc/chain.go). A row is
// linked in the transaction that inserts it (chainTable.insert): the
// previous row's hash is the transaction's last link (or, for its first,
// one lookup of the last row), and the row goes in with its digest and
// hash, made from the values the INSERT binds. AddEvent and InsertMessage are the only
// writers of the two tables, so every writer — intake, staff, escalator,
// postman, ratings — goes through insert. link, which reads a row back as
// stored, links the rows of a database from before the chain.

// chainTable names the columns of one chained table.
type chainTable struct {
	name    string
	noun    string   // in messages: "peristiwa" or "pesan"
	fixed   []string // non-personal columns, in the link as they are
	content []string // redactable columns, in the digest
}

var (
	eventChain = chainTable{name: "events", noun: "peristiwa",
		fixed:   []string{"id", "case_id", "at", "type", "message_row_id"},
		content: []string{"actor", "detail"}}
	messageChain = chainTable{name: "messages", noun: "pesan",
		fixed: []string{"id", "case_id", "direction", "synthetic_id", "date", "auto",
			"text_truncated", "from_html", "size", "sha256", "archive_path", "mailbox",
			"uidvalidity", "uid", "arrived_at", "received_at"},
		content: []string{"message_id", "from_addr", "from_name", "sender_addr", "sender_name",
			"reply_to", "to_addrs", "cc_addrs", "subject", "in_reply_to", "refs",
			"auth_results", "text", "notes"}}

	insertEventSQL   = eventChain.insertSQL()
	insertMessageSQL = messageChain.insertSQL()
)

// insertSQL is the INSERT of a linked row of c: every column of the
// chain, fixed ones (the id first) then content, in the order of the lists,
// then the digest and hash.
func (c chainTable) insertSQL() string {
	cols := append(append(append([]string{}, c.fixed...), c.content...), "digest", "hash")
	return "INSERT INTO " + c.name + " (" + strings.Join(cols, ", ") + ") VALUES (?" +
		strings.Repeat(", ?", len(cols)-1) + ")"
}

// lastLinkQuery is the query of c's last row: the tip of its chain.
func (c chainTable) lastLinkQuery() string {
	return "SELECT id, hash FROM " + c.name + " ORDER BY id DESC LIMIT 1"
}

// insert adds a row to c, linked, in one statement. fixed are the values
// of c.fixed but the id, content those of c.content. tip is the
// transaction's last link of c (zero: none yet, then it is looked up).
//
// The row's id is the one after the tip's, which is what SQLite would give
// it (the largest rowid plus one: the tables have no AUTOINCREMENT) as long
// as the tip is the last row of the table: inside the write transaction
// nobody else inserts, every insert of this package goes through here and
// advances the tip, and a savepoint rolled back restores the tip with the
// rows (intakeTx.Savepoint); nothing deletes rows of a chained table.
//
// The digest and hash are made from the values as bound, which are what the
// row holds: each is NULL, an integer into an INTEGER column or text into a
// TEXT one, so SQLite stores it unchanged (no affinity conversion) and
// returns it as ChainEncode encodes it; verify reads the rows back and
// checks that. The caller wraps the error.
func (c chainTable) insert(ctx context.Context, q querier, insertSQL string, tip *chainTip, fixed, content []any) (int64, error) {
	if len(fixed) != len(c.fixed)-1 || len(content) != len(c.content) {
		return 0, fmt.Errorf("chain %s: %d fixed and %d content values, want %d and %d",
			c.name, len(fixed), len(content), len(c.fixed)-1, len(c.content))
	}
	if tip.id == 0 {
		last, err := c.lastLink(ctx, q)
		if err != nil {
			return 0, fmt.Errorf("chain %s: %w", c.name, err)
		}
		*tip = last
	}
	id := tip.id + 1
	vals := make([]any, 0, len(c.fixed)+len(c.content)+2)
	vals = append(append(append(vals, id), fixed...), content...)
	for i, v := range vals {
		switch v.(type) {
		case nil, int64, string, bool:
		default:
			// Anything else could be stored otherwise than it hashes.
			return 0, fmt.Errorf("chain %s: value %d is a %T", c.name, i, v)
		}
	}
	digest := mailproc.ChainDigest(vals[len(c.fixed):]...)
	hash := mailproc.ChainLink(tip.hash, vals[:len(c.fixed)], digest)
	res, err := q.ExecContext(ctx, insertSQL, append(vals, digest, hash)...)
	if err != nil {
		return 0, err
	}
	if got, err := res.LastInsertId(); err != nil || got != id {
		return 0, errors.Join(err, fmt.Errorf("chain %s: row inserted as %d, linked as %d", c.name, got, id))
	}
	*tip = chainTip{id: id, hash: hash}
	return id, nil
}

// lastLink is c's last row, or the genesis link of an empty table.
func (c chainTable) lastLink(ctx context.Context, q querier) (chainTip, error) {
	last := chainTip{hash: mailproc.ChainGenesis}
	err := q.QueryRowContext(ctx, c.lastLinkQuery()).Scan(&last.id, &last.hash)
	if errors.Is(err, sql.ErrNoRows) {
		return last, nil
	}
	return last, err
}

func (c chainTable) selectCols() string {
	return strings.Join(c.fixed, ", ") + ", " + strings.Join(c.content, ", ") + ", digest, hash, redacted_at"
}

// chainRow is one row as read for linking or checking.
type chainRow struct {
	id, caseID     int64
	fixed, content []any
	digest, hash   string
	redacted       bool
}

func (c chainTable) scan(rows *sql.Rows) (chainRow, error) {
	n := len(c.fixed) + len(c.content)
	vals := make([]any, n)
	dest := make([]any, n+3)
	for i := range vals {
		dest[i] = &vals[i]
	}
	var r chainRow
	var redacted sql.NullInt64
	dest[n], dest[n+1], dest[n+2] = &r.digest, &r.hash, &redacted
	if err := rows.Scan(dest...); err != nil {
		return r, err
	}
	for i, v := range vals {
		if b, ok := v.([]byte); ok {
			vals[i] = string(b)
		}
	}
	r.fixed, r.content = vals[:len(c.fixed)], vals[len(c.fixed):]
	r.id, _ = r.fixed[0].(int64)
	r.caseID, _ = r.fixed[1].(int64)
	r.redacted = redacted.Valid
	return r, nil
}

// chainTip is the last row of one chain as a write transaction knows it:
// looked up at its first insert, then the last row it linked (id and
// hash). It saves every insert after the first the lookup of the previous
// hash and lets the row go in already linked (chainTable.insert). It is
// only trusted inside the transaction that set it; a savepoint rolled back
// restores the tip it had before (intakeTx.Savepoint). link, for the rows
// of an old database, trusts it only for the row directly after it.
type chainTip struct {
	id   int64
	hash string
}

// prevHash returns the hash of the row before id: from tip when tip is
// that row, otherwise one primary-key lookup.
func (c chainTable) prevHash(ctx context.Context, q querier, id int64, tip *chainTip) (string, error) {
	if tip != nil && tip.id != 0 && tip.id == id-1 {
		return tip.hash, nil
	}
	var prev string
	err := q.QueryRowContext(ctx, "SELECT hash FROM "+c.name+" WHERE id < ? ORDER BY id DESC LIMIT 1", id).Scan(&prev)
	if errors.Is(err, sql.ErrNoRows) {
		return mailproc.ChainGenesis, nil
	}
	return prev, err
}

// link gives the row id of table c its digest and hash, chained to the row
// before it. It runs inside the transaction that inserted the row; tip
// (nil: none) is that transaction's last link of c, advanced to this row.
func (c chainTable) link(ctx context.Context, q querier, id int64, tip *chainTip) error {
	prev, err := c.prevHash(ctx, q, id, tip)
	if err != nil {
		return wrapErr(ctx, "chain "+c.name, err)
	}
	rows, err := q.QueryContext(ctx, "SELECT "+c.selectCols()+" FROM "+c.name+" WHERE id = ?", id)
	if err != nil {
		return wrapErr(ctx, "chain "+c.name, err)
	}
	var r chainRow
	found := rows.Next()
	if found {
		r, err = c.scan(rows)
	}
	rows.Close()
	if err != nil || !found {
		return wrapErr(ctx, "chain "+c.name, errors.Join(err, rows.Err(), errIf(!found, "row %d not found", id)))
	}
	digest := mailproc.ChainDigest(r.content...)
	hash := mailproc.ChainLink(prev, r.fixed, digest)
	if _, err = q.ExecContext(ctx, "UPDATE "+c.name+" SET digest = ?, hash = ? WHERE id = ?", digest, hash, id); err != nil {
		return wrapErr(ctx, "chain "+c.name, err)
	}
	if tip != nil {
		*tip = chainTip{id: id, hash: hash}
	}
	return nil
}

func errIf(cond bool, format string, args ...any) error {
	if !cond {
		return nil
	}
	return fmt.Errorf(format, args...)
}

// buildChains links every row that has no hash yet, in id order: the rows
// of a database upgraded from before the chain. Run by the migration.
func buildChains(ctx context.Context, tx *sql.Tx) error {
	for _, c := range []chainTable{eventChain, messageChain} {
		rows, err := tx.QueryContext(ctx, "SELECT id FROM "+c.name+" WHERE hash = '' ORDER BY id")
		if err != nil {
			return merr(ctx, "build chain "+c.name, err)
		}
		var ids []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return merr(ctx, "build chain "+c.name, err)
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return merr(ctx, "build chain "+c.name, err)
		}
		var tip chainTip
		for _, id := range ids {
			if err := c.link(ctx, tx, id, &tip); err != nil {
				return err
			}
		}
	}
	return nil
}

// ChainHead returns the last link of both chains.
func (db *DB) ChainHead(ctx context.Context) (mailproc.ChainHead, error) {
	h := mailproc.ChainHead{EventHash: mailproc.ChainGenesis, MessageHash: mailproc.ChainGenesis}
	for _, x := range []struct {
		table string
		id    *int64
		hash  *string
	}{{"events", &h.EventID, &h.EventHash}, {"messages", &h.MessageID, &h.MessageHash}} {
		err := db.db.QueryRowContext(ctx, "SELECT id, hash FROM "+x.table+" ORDER BY id DESC LIMIT 1").Scan(x.id, x.hash)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return h, wrapErr(ctx, "chain head", err)
		}
	}
	return h, nil
}

// Broken is what `mailproc verify` found first: the case (number) or file
// it names, and why.
type Broken struct {
	Case   string // registration number; "" when the row is on no case
	File   string // archive path, relative to the data dir; "" for a row
	Reason string
}

func (b *Broken) Error() string {
	switch {
	case b.File != "":
		return "berkas " + b.File + ": " + b.Reason
	case b.Case != "":
		return "kasus " + b.Case + ": " + b.Reason
	}
	return b.Reason
}

// VerifyResult counts what Verify checked.
type VerifyResult struct {
	Events, Messages, Files int
	Head                    mailproc.ChainHead
}

// Verify walks both chains and every archived file (messages and
// quarantine, each against its SHA-256, below dataDir). It returns a
// *Broken for the first row or file that does not match. An unredacted row
// is checked against its content, a redacted one (redacted_at set) against
// its stored digest only; an archive file may be missing only when its
// message is redacted.
func (db *DB) Verify(ctx context.Context, dataDir string) (VerifyResult, error) {
	var res VerifyResult
	for _, c := range []chainTable{eventChain, messageChain} {
		n, last, err := db.verifyChain(ctx, c)
		if err != nil {
			return res, err
		}
		if c.name == "events" {
			res.Events, res.Head.EventID, res.Head.EventHash = n, last.id, last.hash
		} else {
			res.Messages, res.Head.MessageID, res.Head.MessageHash = n, last.id, last.hash
		}
	}
	if res.Head.EventHash == "" {
		res.Head.EventHash = mailproc.ChainGenesis
	}
	if res.Head.MessageHash == "" {
		res.Head.MessageHash = mailproc.ChainGenesis
	}
	if err := db.verifyVerdicts(ctx); err != nil {
		return res, err
	}
	files, err := db.verifyFiles(ctx, dataDir)
	res.Files = files
	return res, err
}

// verifyVerdicts checks every case's verdict columns against its latest
// verdict event (EventVerdict), which the chain protects: a verdict changed,
// made or cleared in the cases table alone is found. A redacted verdict
// event cannot be compared and is taken as it is.
func (db *DB) verifyVerdicts(ctx context.Context) error {
	rows, err := db.db.QueryContext(ctx, "SELECT "+caseColumns+`,
			(SELECT detail FROM events WHERE id = eid), (SELECT redacted_at IS NOT NULL FROM events WHERE id = eid)
		FROM (SELECT *, (SELECT max(id) FROM events WHERE case_id = cases.id AND type = ?) AS eid FROM cases)
		WHERE verdict <> '' OR eid IS NOT NULL
		ORDER BY id`, string(mailproc.EventVerdict))
	if err != nil {
		return wrapErr(ctx, "verify verdicts", err)
	}
	defer rows.Close()
	for rows.Next() {
		var detail sql.NullString
		var redacted sql.NullBool
		c, err := scanCase(rowsWith{rows, []any{&detail, &redacted}})
		if err != nil {
			return wrapErr(ctx, "verify verdicts", err)
		}
		switch {
		case !detail.Valid:
			return &Broken{Case: c.Number, Reason: "putusan tanpa peristiwa putusan di rantai (diubah di tabel kasus)"}
		case redacted.Bool:
		case !c.Verdict.Decided() || detail.String != c.Verdict.Detail():
			return &Broken{Case: c.Number, Reason: "putusan di tabel kasus tidak sama dengan peristiwa putusan: " + detail.String}
		}
	}
	return wrapErr(ctx, "verify verdicts", rows.Err())
}

// rowsWith scans a case row followed by more columns.
type rowsWith struct {
	rows *sql.Rows
	more []any
}

func (r rowsWith) Scan(dest ...any) error { return r.rows.Scan(append(dest, r.more...)...) }

func (db *DB) verifyChain(ctx context.Context, c chainTable) (int, chainRow, error) {
	rows, err := db.db.QueryContext(ctx, "SELECT "+c.selectCols()+" FROM "+c.name+" ORDER BY id")
	if err != nil {
		return 0, chainRow{}, wrapErr(ctx, "verify "+c.name, err)
	}
	defer rows.Close()
	prev := mailproc.ChainGenesis
	var last chainRow
	n := 0
	for rows.Next() {
		r, err := c.scan(rows)
		if err != nil {
			return n, last, wrapErr(ctx, "verify "+c.name, err)
		}
		digest := r.digest
		reason := ""
		if !r.redacted {
			digest = mailproc.ChainDigest(r.content...)
		}
		switch {
		case r.hash == "":
			reason = "belum masuk rantai"
		case digest != r.digest:
			reason = "isi tidak cocok dengan sidik (diubah setelah dicatat)"
		case mailproc.ChainLink(prev, r.fixed, r.digest) != r.hash:
			reason = "mata rantai putus (baris ini atau sebelumnya diubah, disisipkan atau dihapus)"
		}
		if reason != "" {
			rows.Close()
			return n, last, db.broken(ctx, r.caseID, fmt.Sprintf("%s #%d: %s", c.noun, r.id, reason))
		}
		prev, last = r.hash, r
		n++
	}
	return n, last, wrapErr(ctx, "verify "+c.name, rows.Err())
}

// broken names the case of a broken row.
func (db *DB) broken(ctx context.Context, caseID int64, reason string) error {
	b := &Broken{Reason: reason}
	if caseID != 0 {
		var number string
		if err := db.db.QueryRowContext(ctx, "SELECT number FROM cases WHERE id = ?", caseID).Scan(&number); err == nil {
			b.Case = number
		} else {
			b.Case = fmt.Sprintf("#%d", caseID)
		}
	}
	return b
}

func (db *DB) verifyFiles(ctx context.Context, dataDir string) (int, error) {
	rows, err := db.db.QueryContext(ctx, `
		SELECT archive_path, sha256, redacted_at IS NOT NULL FROM messages WHERE archive_path <> ''
		UNION ALL
		SELECT archive_path, sha256, 0 FROM quarantine WHERE archive_path <> ''`)
	if err != nil {
		return 0, wrapErr(ctx, "verify archive", err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var path, want string
		var redacted bool
		if err := rows.Scan(&path, &want, &redacted); err != nil {
			return n, wrapErr(ctx, "verify archive", err)
		}
		got, err := fileSHA256(filepath.Join(dataDir, filepath.FromSlash(path)))
		switch {
		case errors.Is(err, os.ErrNotExist) && redacted:
			continue
		case errors.Is(err, os.ErrNotExist):
			return n, &Broken{File: path, Reason: "hilang dari arsip"}
		case err != nil:
			return n, fmt.Errorf("verify archive %s: %w", path, err)
		case !strings.EqualFold(got, want):
			return n, &Broken{File: path, Reason: "SHA-256 " + got + " tidak sama dengan yang dicatat " + want}
		}
		n++
	}
	return n, wrapErr(ctx, "verify archive", rows.Err())
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// CheckHead reports whether the rows a printed head names are still in the
// database with those hashes. Rows removed from the end of a chain leave no
// broken link; a report printed before the removal names a row that is
// gone, or whose hash changed.
func (db *DB) CheckHead(ctx context.Context, h mailproc.ChainHead) error {
	for _, x := range []struct {
		c    chainTable
		id   int64
		hash string
	}{{eventChain, h.EventID, h.EventHash}, {messageChain, h.MessageID, h.MessageHash}} {
		if x.id == 0 {
			continue // the chain was empty when the report was made
		}
		var hash string
		var caseID sql.NullInt64
		err := db.db.QueryRowContext(ctx, "SELECT hash, case_id FROM "+x.c.name+" WHERE id = ?", x.id).Scan(&hash, &caseID)
		if errors.Is(err, sql.ErrNoRows) {
			return &Broken{Reason: fmt.Sprintf("%s #%d dari kepala rantai laporan tidak ada lagi (riwayat dihapus)", x.c.noun, x.id)}
		}
		if err != nil {
			return wrapErr(ctx, "check head", err)
		}
		if !strings.HasPrefix(hash, strings.ToLower(x.hash)) {
			return db.broken(ctx, caseID.Int64, fmt.Sprintf("%s #%d: sidik %s tidak sama dengan kepala rantai laporan %s", x.c.noun, x.id, short(hash), x.hash))
		}
	}
	return nil
}

func short(hash string) string {
	if len(hash) > 16 {
		return hash[:16]
	}
	return hash
}

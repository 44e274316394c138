package mailproc

import (
	"strings"
	"time"
)

// Records: what the desk keeps, for how long, and what it removes on a
// citizen's request (issue 16). The decisions are here; the SQLite adapter
// applies them and the command removes the archived files.

const (
	// EventRetention records on a case that retention removed its mail
	// content (Jadwal Retensi Arsip).
	EventRetention EventType = "retensi"
	// EventForget records on a case that a personal-data request
	// (UU No. 27/2022) anonymised its citizen.
	EventForget EventType = "data_pribadi"
)

// Retention is how long after closing a case of each kind keeps its mail
// bodies, attachments and raw files; a missing or zero entry keeps them for
// ever.
type Retention map[Kind]time.Duration

// Due reports whether retention removes the mail content of c at now: the
// case is closed, its kind has a period, and the period since closing has
// passed. An open case is never due, however old.
func (r Retention) Due(c *Case, now time.Time) bool {
	keep := r[c.Kind]
	return keep > 0 && c.State == StateSelesai && !c.ClosedAt.IsZero() && !now.Before(c.ClosedAt.Add(keep))
}

// Cutoff is the closing time at or before which a case of kind is due, and
// false when the kind is kept for ever.
func (r Retention) Cutoff(kind Kind, now time.Time) (time.Time, bool) {
	keep := r[kind]
	if keep <= 0 {
		return time.Time{}, false
	}
	return now.Add(-keep), true
}

// AnonymousDomain is the domain of the address that replaces a forgotten
// citizen's: .invalid can never receive mail (RFC 2606).
const AnonymousDomain = "dihapus.invalid"

// Pseudonym is the address that replaces a forgotten citizen's everywhere:
// anonim-<tag>@dihapus.invalid. tag is random per request, so the address
// cannot be recomputed from the old one, while one citizen's cases still
// share one address and the counts stay.
func Pseudonym(tag string) string { return "anonim-" + tag + "@" + AnonymousDomain }

// ReplaceAddr replaces every occurrence of addr in s, in any letter case,
// with repl. Addresses compare case-insensitively in practice (the local part
// is case-sensitive only on paper), and a forgotten address must not survive
// in another spelling.
func ReplaceAddr(s, addr, repl string) string {
	if addr == "" {
		return s
	}
	var b strings.Builder
	n := len(addr)
	for i := 0; i < len(s); {
		if i+n <= len(s) && strings.EqualFold(s[i:i+n], addr) {
			b.WriteString(repl)
			i += n
			continue
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String()
}

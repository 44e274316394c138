package mailproc

import (
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
)

// AuthRequirement is desk.require_auth in effect: whether a reply from staff
// or a head must pass the Authentication-Results of the desk's own server
// (AuthVerifier), and that server's authserv-id.
//
// In "auto" mode it is off until the desk's server is seen stamping: the
// first mail from a staff or head address that carries a valid token of
// ours and whose topmost Authentication-Results header is by AuthservID.
// A stamp alone could be forged (a server that stamps nothing also strips
// nothing), and switching on by a forgery would make every genuine reply
// fail; so only a mail that already proves it answers our mail may teach
// it. The first such mail is recorded in the database (DeskStateAuthStamp)
// and the setting stays on from then, across restarts.
type AuthRequirement struct {
	AuthservID string
	Mode       AuthMode
	stamped    atomic.Bool
}

// AuthMode is desk.require_auth.
type AuthMode string

// The values of desk.require_auth.
const (
	AuthOn   AuthMode = "true"
	AuthOff  AuthMode = "false"
	AuthAuto AuthMode = "auto"
)

// UnmarshalTOML implements toml.Unmarshaler: a boolean or a string.
func (m *AuthMode) UnmarshalTOML(v any) error {
	switch x := v.(type) {
	case bool:
		*m = AuthOff
		if x {
			*m = AuthOn
		}
		return nil
	case string:
		return m.UnmarshalText([]byte(x))
	}
	return fmt.Errorf("want true, false or \"auto\" (got %v)", v)
}

// UnmarshalText implements encoding.TextUnmarshaler (the environment).
func (m *AuthMode) UnmarshalText(b []byte) error {
	s := strings.ToLower(strings.TrimSpace(string(b)))
	if s == string(AuthAuto) {
		*m = AuthAuto
		return nil
	}
	on, err := strconv.ParseBool(s)
	if err != nil {
		return fmt.Errorf("want true, false or \"auto\" (got %q)", string(b))
	}
	return m.UnmarshalTOML(on)
}

// MarshalText implements encoding.TextMarshaler.
func (m AuthMode) MarshalText() ([]byte, error) { return []byte(m), nil }

// DeskStateAuthStamp is the desk-state key of the first stamped staff mail.
const DeskStateAuthStamp = "auth_stamp_seen"

// Required is the authserv-id whose Authentication-Results a staff or head
// reply must pass, or "" when the check is off. Safe on a nil receiver.
func (a *AuthRequirement) Required() string {
	if a == nil || a.AuthservID == "" {
		return ""
	}
	switch a.Mode {
	case AuthOn:
		return a.AuthservID
	case AuthAuto:
		if a.stamped.Load() {
			return a.AuthservID
		}
	}
	return ""
}

// Stamped reports whether "auto" has seen the stamp.
func (a *AuthRequirement) Stamped() bool { return a != nil && a.stamped.Load() }

// SetStamped records that the stamp was seen (loaded from the database, or
// after the transaction that recorded it committed).
func (a *AuthRequirement) SetStamped() { a.stamped.Store(true) }

// Teaches reports whether m is the mail that switches "auto" on: auto mode,
// not yet on, and m's topmost Authentication-Results header is by our
// server. The caller checks that m is from staff or a head with a valid
// token.
func (a *AuthRequirement) Teaches(m *Message) bool {
	return a != nil && a.Mode == AuthAuto && a.AuthservID != "" && !a.stamped.Load() && StampedBy(m, a.AuthservID)
}

// StampedBy reports whether the topmost Authentication-Results header of m
// names authservID, the way the desk's own server writes it.
func StampedBy(m *Message, authservID string) bool {
	return authservID != "" && strings.EqualFold(TopAuthservID(m.AuthResults), authservID)
}

// TopAuthservID is the authserv-id of the topmost of a mail's
// Authentication-Results header values (top first), lower-cased, or "" when
// there is none or it names none (Exchange Online writes "spf=…" first).
func TopAuthservID(values []string) string {
	if len(values) == 0 {
		return ""
	}
	head, _, _ := strings.Cut(values[0], ";")
	f := strings.Fields(head)
	if len(f) == 0 || strings.Contains(f[0], "=") {
		return ""
	}
	return strings.ToLower(strings.Trim(f[0], `"`))
}

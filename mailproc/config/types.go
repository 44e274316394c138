package config

import (
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/dpk-kampar/mailproc/mailproc"
)

// Duration is a time.Duration written in the config file as text: any Go
// duration ("90s", "1h30m", "336h") and also a whole number of days with a
// "d" suffix, alone or in front of a Go duration ("14d", "1d12h").
// A bare number ("30") is an error: the unit is never guessed.
type Duration time.Duration

// D returns d as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// String writes whole days as "14d", anything else as time.Duration does
// without trailing zero units ("1h", "5m", "1h30m", "90s").
func (d Duration) String() string {
	const day = 24 * time.Hour
	td := time.Duration(d)
	if td >= day && td%day == 0 {
		return strconv.FormatInt(int64(td/day), 10) + "d"
	}
	str := td.String() // "1h0m0s" -> "1h", "5m0s" -> "5m"
	if strings.HasSuffix(str, "m0s") {
		str = str[:len(str)-2]
	}
	if strings.HasSuffix(str, "h0m") {
		str = str[:len(str)-2]
	}
	return str
}

// MarshalText implements encoding.TextMarshaler.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := ParseDuration(string(b))
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}

// ParseDuration parses a Go duration, optionally led by whole days ("14d",
// "1d12h", "-2d").
func ParseDuration(s string) (time.Duration, error) {
	in := s
	s = strings.TrimSpace(s)
	bad := fmt.Errorf("want a duration like \"30m\", \"1h\", \"14d\" or \"5 menit\", \"1 jam\", \"14 hari\" (got %q)", in)
	if d, ok := indonesianDuration(s); ok {
		return d, nil
	}
	neg := false
	rest := s
	if strings.HasPrefix(rest, "-") {
		neg, rest = true, rest[1:]
	} else {
		rest = strings.TrimPrefix(rest, "+")
	}
	var total time.Duration
	if i := strings.IndexByte(rest, 'd'); i >= 0 {
		days, err := strconv.ParseUint(rest[:i], 10, 32)
		if err != nil || i == 0 {
			return 0, bad
		}
		total = time.Duration(days) * 24 * time.Hour
		rest = rest[i+1:]
		if rest == "" {
			if neg {
				total = -total
			}
			return total, nil
		}
	}
	if rest == "" {
		return 0, bad
	}
	v, err := time.ParseDuration(rest)
	if err != nil || strings.HasPrefix(rest, "-") || strings.HasPrefix(rest, "+") {
		return 0, bad
	}
	total += v
	if neg {
		total = -total
	}
	return total, nil
}

// indonesianUnits are the units a desk writes in Indonesian.
var indonesianUnits = map[string]time.Duration{
	"detik": time.Second, "menit": time.Minute, "jam": time.Hour,
	"hari": 24 * time.Hour, "minggu": 7 * 24 * time.Hour,
}

// indonesianDuration reads "5 menit", "1 jam 30 menit", "14 hari": whole
// numbers in digits, each followed by its unit. Words for numbers
// ("lima menit") are not read: the unit is never guessed, nor the number.
func indonesianDuration(s string) (time.Duration, bool) {
	f := strings.Fields(strings.ToLower(s))
	if len(f) == 0 || len(f)%2 != 0 {
		return 0, false
	}
	var total time.Duration
	for i := 0; i < len(f); i += 2 {
		n, err := strconv.ParseUint(f[i], 10, 32)
		unit, ok := indonesianUnits[f[i+1]]
		if err != nil || !ok {
			return 0, false
		}
		total += time.Duration(n) * unit
	}
	return total, true
}

// Secret is a password or key. It prints, logs and marshals as "[redacted]"
// (or "" when unset), so a Config can be logged or dumped without leaking
// it; Reveal returns the value for the one place that needs it.
type Secret string

const redacted = "[redacted]"

// Reveal returns the secret itself. Call it only where the value is used
// (a LOGIN command, an HMAC key), never for display.
func (s Secret) Reveal() string { return string(s) }

// IsSet reports whether the secret has a value.
func (s Secret) IsSet() bool { return s != "" }

// String implements fmt.Stringer; it never shows the value.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return redacted
}

// GoString implements fmt.GoStringer for %#v.
func (s Secret) GoString() string { return strconv.Quote(s.String()) }

// LogValue implements slog.LogValuer.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalText implements encoding.TextMarshaler (TOML, JSON): redacted.
func (s Secret) MarshalText() ([]byte, error) { return append([]byte{}, s.String()...), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (s *Secret) UnmarshalText(b []byte) error {
	*s = Secret(b)
	return nil
}

// TLSMode says how a connection to a mail server is protected.
type TLSMode string

const (
	TLS      TLSMode = "tls"      // TLS from the first byte (IMAPS 993, SMTPS 465)
	StartTLS TLSMode = "starttls" // plain connection upgraded with STARTTLS (143, 587)
	NoTLS    TLSMode = "none"     // no encryption at all; loopback only unless insecure = true
)

// Calendar modes.
const (
	ModeOffice = "office" // deadlines count only office hours on working days
	Mode247    = "24/7"   // deadlines count every minute
)

// Authentication mechanisms: imap.auth is password, xoauth2 or
// oauthbearer; smtp.auth is plain, login, xoauth2 or none.
const (
	AuthPlain       = "plain"
	AuthLogin       = "login"
	AuthNone        = "none"
	AuthPassword    = "password"
	AuthXOAUTH2     = "xoauth2"     // OAuth 2.0 access token (Google Workspace, Microsoft 365)
	AuthOAuthBearer = "oauthbearer" // OAuth 2.0 access token, RFC 7628
)

// IsOAuth reports whether auth logs in with an OAuth access token.
func IsOAuth(auth string) bool { return auth == AuthXOAUTH2 || auth == AuthOAuthBearer }

// Span is one stretch of office hours within a day, as offsets from
// midnight local time: 07:30-16:00 is {7h30m, 16h}.
type Span struct {
	Start, End time.Duration
}

func (s Span) String() string {
	f := func(d time.Duration) string {
		return fmt.Sprintf("%02d:%02d", int(d/time.Hour), int(d%time.Hour/time.Minute))
	}
	return f(s.Start) + "-" + f(s.End)
}

// AuthMode is desk.require_auth: "true", "false" or "auto" (the file may
// write true and false as TOML booleans).
type AuthMode = mailproc.AuthMode

// The values of desk.require_auth.
const (
	AuthOn   = mailproc.AuthOn
	AuthOff  = mailproc.AuthOff
	AuthAuto = mailproc.AuthAuto
)

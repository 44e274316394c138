package config

import (
	"errors"
	"fmt"
	"os"
	"reflect"
	"strings"

	"github.com/BurntSushi/toml"
)

// ErrUnknownKey is wrapped by the error for a key in the file that mailproc
// does not know (most likely a typo).
var ErrUnknownKey = errors.New("unknown key")

// FieldError is a problem with one key, named as in the file
// ("imap.host", "chain[2].addresses", "desk.staff[1].address"; positions
// count from 1, as a person counts and as escalation levels are numbered).
type FieldError struct {
	Key string
	Err error
}

func (e *FieldError) Error() string { return e.Key + ": " + e.Err.Error() }
func (e *FieldError) Unwrap() error { return e.Err }

// Load reads the config file at path (none if path is ""), expands ${NAME}
// in its string values, applies MAILPROC_* environment overrides, reads
// secrets from their files, and validates the result. Relative paths
// (data_dir, template_dir, *_file …) are relative to the working directory.
func Load(path string) (*Config, error) {
	return load(path, os.LookupEnv, os.Environ())
}

func load(path string, lookup func(string) (string, bool), environ []string) (*Config, error) {
	c := DefaultConfig()
	var errs []error
	if path != "" {
		text, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("config %s: %w", path, err)
		}
		warnings, err := decodeFile(string(text), c)
		if err != nil && !isFieldErrors(err) { // a syntax error: nothing more can be read
			return nil, fmt.Errorf("config %s: %w", path, err)
		}
		errs = append(errs, err)
		c.fileWarnings = warnings
		errs = append(errs, c.expandAll(lookup))
	}
	where := "config " + path
	if path == "" {
		where = "config (environment only)"
	}
	// Every step runs even after an earlier one failed, so one run of
	// mailproc check lists every problem of the file at once.
	envSet, err := c.applyEnv(lookup)
	errs = append(errs, err)
	c.envWarnings = unknownEnv(environ)
	errs = append(errs, c.resolveSecrets(envSet), c.Validate())
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("%s:\n%w", where, err)
	}
	return c, nil
}

// isFieldErrors reports whether err holds only *FieldError (a per-key
// problem, after which the rest of the file is still worth checking).
func isFieldErrors(err error) bool {
	var j interface{ Unwrap() []error }
	if !errors.As(err, &j) {
		var fe *FieldError
		return errors.As(err, &fe)
	}
	for _, e := range j.Unwrap() {
		if !isFieldErrors(e) {
			return false
		}
	}
	return true
}

// Redacted returns a deep copy of c in which every secret that is set reads
// "[redacted]". Secrets already print redacted (see Secret); this copy is
// for handing the whole config to something that might reveal it.
func (c *Config) Redacted() *Config {
	r := *c
	r.Desk.Channels = clone(c.Desk.Channels)
	r.Desk.Ops = clone(c.Desk.Ops)
	r.Desk.Staff = clone(c.Desk.Staff)
	r.Calendar.Holidays = clone(c.Calendar.Holidays)
	r.holidays = clone(c.holidays)
	r.envWarnings = clone(c.envWarnings)
	r.fileWarnings = clone(c.fileWarnings)
	r.warnings = clone(c.warnings)
	for i := range r.week {
		r.week[i] = clone(c.week[i])
	}
	r.Chain = clone(c.Chain)
	for i := range r.Chain {
		r.Chain[i].Addresses = clone(c.Chain[i].Addresses)
	}
	eachSetting(reflect.ValueOf(&r).Elem(), func(s setting) {
		if s.secret && s.v.String() != "" {
			s.v.SetString(redacted)
		}
	})
	return &r
}

func clone[T any](s []T) []T {
	if s == nil {
		return nil
	}
	return append([]T(nil), s...)
}

// String renders the effective configuration as TOML, secrets redacted:
// what `mailproc check` shows.
func (c *Config) String() string {
	var b strings.Builder
	if err := toml.NewEncoder(&b).Encode(c.Redacted()); err != nil {
		return "config: " + err.Error()
	}
	return b.String()
}

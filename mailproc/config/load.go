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
	if path != "" {
		md, err := toml.DecodeFile(path, c)
		if err != nil {
			return nil, fmt.Errorf("config %s: %w", path, err)
		}
		if und := md.Undecoded(); len(und) > 0 {
			errs := make([]error, len(und))
			for i, k := range und {
				errs[i] = &FieldError{Key: k.String(), Err: ErrUnknownKey}
			}
			return nil, fmt.Errorf("config %s:\n%w", path, errors.Join(errs...))
		}
		if err := c.expandAll(lookup); err != nil {
			return nil, fmt.Errorf("config %s:\n%w", path, err)
		}
	}
	where := "config " + path
	if path == "" {
		where = "config (environment only)"
	}
	envSet, err := c.applyEnv(lookup)
	if err != nil {
		return nil, fmt.Errorf("%s:\n%w", where, err)
	}
	c.envWarnings = unknownEnv(environ)
	if err := c.resolveSecrets(envSet); err != nil {
		return nil, fmt.Errorf("%s:\n%w", where, err)
	}
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("%s:\n%w", where, err)
	}
	return c, nil
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

package config

import (
	"encoding"
	"errors"
	"fmt"
	"os"
	"reflect"
	"sort"
	"strconv"
	"strings"
)

// EnvPrefix starts every environment variable mailproc reads.
const EnvPrefix = "MAILPROC_"

// Key is one scalar (or list) setting that the environment can override.
type Key struct {
	Path   string // as in the file: "imap.password"
	Env    string // MAILPROC_IMAP_PASSWORD
	Secret bool   // a secret; Path+"_file" names a file holding it
	List   bool   // comma-separated in the environment
}

// Keys lists every setting that can be overridden from the environment, in
// file order. The name is MAILPROC_, the section, "_", the key, upper-cased:
// imap.port is MAILPROC_IMAP_PORT, desk.data_dir is MAILPROC_DESK_DATA_DIR.
// It is derived from the struct tags, so a new key is overridable without
// further code. Exempt: desk.staff and [[chain]] (lists of tables).
func Keys() []Key {
	var keys []Key
	eachSetting(reflect.ValueOf(&Config{}).Elem(), func(s setting) {
		keys = append(keys, Key{
			Path:   s.path,
			Env:    s.env,
			Secret: s.secret,
			List:   s.v.Kind() == reflect.Slice,
		})
	})
	return keys
}

// setting is one overridable field of a section.
type setting struct {
	section, key, path, env string
	secret                  bool
	v                       reflect.Value // settable
	sec                     reflect.Value // the section struct, for the _file companion
}

// eachSetting calls fn for every scalar or string-list field of every
// section struct of cfg (a Config value).
func eachSetting(cfg reflect.Value, fn func(setting)) {
	t := cfg.Type()
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		section := tomlName(sf)
		if section == "" || sf.Type.Kind() != reflect.Struct {
			continue // unexported, or [[chain]]
		}
		sec := cfg.Field(i)
		for j := 0; j < sf.Type.NumField(); j++ {
			f := sf.Type.Field(j)
			key := tomlName(f)
			if key == "" || f.Tag.Get("env") == "-" {
				continue
			}
			if f.Type.Kind() == reflect.Slice && f.Type.Elem().Kind() != reflect.String {
				continue // a list of tables
			}
			fn(setting{
				section: section, key: key,
				path:   section + "." + key,
				env:    EnvPrefix + strings.ToUpper(section+"_"+key),
				secret: f.Tag.Get("secret") == "true",
				v:      sec.Field(j),
				sec:    sec,
			})
		}
	}
}

func tomlName(f reflect.StructField) string {
	if !f.IsExported() {
		return ""
	}
	name, _, _ := strings.Cut(f.Tag.Get("toml"), ",")
	if name == "-" {
		return ""
	}
	return name
}

// fieldByKey finds the field of a section struct with that toml key.
func fieldByKey(sec reflect.Value, key string) (reflect.Value, bool) {
	t := sec.Type()
	for i := 0; i < t.NumField(); i++ {
		if tomlName(t.Field(i)) == key {
			return sec.Field(i), true
		}
	}
	return reflect.Value{}, false
}

var textUnmarshaler = reflect.TypeOf((*encoding.TextUnmarshaler)(nil)).Elem()

// setFromString parses s into v according to v's type.
func setFromString(v reflect.Value, s string) error {
	if v.Addr().Type().Implements(textUnmarshaler) {
		return v.Addr().Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(s))
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(s)
	case reflect.Int, reflect.Int64, reflect.Int32:
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil {
			return fmt.Errorf("want a whole number (got %q)", s)
		}
		v.SetInt(n)
	case reflect.Bool:
		b, err := strconv.ParseBool(strings.TrimSpace(s))
		if err != nil {
			return fmt.Errorf("want true or false (got %q)", s)
		}
		v.SetBool(b)
	case reflect.Slice:
		items := splitList(s)
		sl := reflect.MakeSlice(v.Type(), len(items), len(items))
		for i, it := range items {
			sl.Index(i).SetString(it)
		}
		v.Set(sl)
	default:
		return fmt.Errorf("cannot set a %s from the environment", v.Type())
	}
	return nil
}

// splitList splits an environment list: one item per line when the value
// has a newline (items may then contain commas), else comma-separated.
// Items are trimmed; empty items are dropped.
func splitList(s string) []string {
	sep := ","
	if strings.Contains(s, "\n") {
		sep = "\n"
	}
	var out []string
	for _, it := range strings.Split(s, sep) {
		if it = strings.TrimSpace(it); it != "" {
			out = append(out, it)
		}
	}
	return out
}

// applyEnv overrides c from the environment. A variable that is set (even
// to "") wins over the file. It returns the paths it set.
func (c *Config) applyEnv(lookup func(string) (string, bool)) (map[string]bool, error) {
	set := map[string]bool{}
	var errs []error
	eachSetting(reflect.ValueOf(c).Elem(), func(s setting) {
		val, ok := lookup(s.env)
		if !ok {
			return
		}
		if err := setFromString(s.v, val); err != nil {
			errs = append(errs, &FieldError{Key: s.path + " (from " + s.env + ")", Err: err})
			return
		}
		set[s.path] = true
	})
	return set, errors.Join(errs...)
}

// unknownEnv lists MAILPROC_<SECTION>_* variables that are no setting:
// most likely typos. Other MAILPROC_* variables (MAILPROC_CONFIG …) are the
// command's business.
func unknownEnv(environ []string) []string {
	known := map[string]bool{}
	sections := map[string]bool{}
	eachSetting(reflect.ValueOf(&Config{}).Elem(), func(s setting) {
		known[s.env] = true
		sections[EnvPrefix+strings.ToUpper(s.section)+"_"] = true
	})
	var out []string
	for _, kv := range environ {
		name, _, _ := strings.Cut(kv, "=")
		if known[name] || !strings.HasPrefix(name, EnvPrefix) {
			continue
		}
		for p := range sections {
			if strings.HasPrefix(name, p) {
				out = append(out, "environment variable "+name+" is not a mailproc setting (typo?)")
				break
			}
		}
	}
	sort.Strings(out)
	return out
}

// expandAll replaces ${NAME} in every string value of c (every section,
// desk.staff, [[chain]]) with the environment variable NAME. Numbers,
// booleans and durations are not expanded: override those with MAILPROC_*.
func (c *Config) expandAll(lookup func(string) (string, bool)) error {
	var errs []error
	var walk func(v reflect.Value, path string)
	walk = func(v reflect.Value, path string) {
		switch v.Kind() {
		case reflect.Struct:
			t := v.Type()
			for i := 0; i < t.NumField(); i++ {
				name := tomlName(t.Field(i))
				if name == "" {
					continue
				}
				p := name
				if path != "" {
					p = path + "." + name
				}
				walk(v.Field(i), p)
			}
		case reflect.Slice:
			for i := 0; i < v.Len(); i++ {
				walk(v.Index(i), fmt.Sprintf("%s[%d]", path, i+1))
			}
		case reflect.String:
			out, err := expand(v.String(), lookup)
			if err != nil {
				errs = append(errs, &FieldError{Key: path, Err: err})
				return
			}
			v.SetString(out)
		}
	}
	walk(reflect.ValueOf(c).Elem(), "")
	return errors.Join(errs...)
}

// expand replaces ${NAME} (NAME: letters, digits, underscore, not starting
// with a digit) with the variable's value; "$${" stands for a literal "${".
// Anything else, including $NAME and a lone $, is kept as written so that a
// password with a $ in it survives. A variable that is not set is an error;
// one set to "" expands to "".
func expand(s string, lookup func(string) (string, bool)) (string, error) {
	if !strings.Contains(s, "${") {
		return s, nil
	}
	var b strings.Builder
	var missing []string
	for i := 0; i < len(s); {
		if strings.HasPrefix(s[i:], "$${") {
			b.WriteString("${")
			i += 3
			continue
		}
		if strings.HasPrefix(s[i:], "${") {
			if end := strings.IndexByte(s[i+2:], '}'); end >= 0 {
				name := s[i+2 : i+2+end]
				if validEnvName(name) {
					val, ok := lookup(name)
					if !ok {
						missing = append(missing, "${"+name+"}")
					}
					b.WriteString(val)
					i += 2 + end + 1
					continue
				}
			}
		}
		b.WriteByte(s[i])
		i++
	}
	if len(missing) > 0 {
		return "", fmt.Errorf("environment variable %s is not set", strings.Join(missing, ", "))
	}
	return b.String(), nil
}

func validEnvName(name string) bool {
	if name == "" || (name[0] >= '0' && name[0] <= '9') {
		return false
	}
	for _, r := range name {
		if !(r == '_' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// resolveSecrets fills every secret from its <key>_file. An environment
// variable for a secret (or its _file) replaces both the value and the file
// given in the config file; setting both variables is an error, and so is
// setting both keys in the file.
func (c *Config) resolveSecrets(envSet map[string]bool) error {
	var errs []error
	eachSetting(reflect.ValueOf(c).Elem(), func(s setting) {
		if !s.secret {
			return
		}
		fileKey := s.key + "_file"
		fv, ok := fieldByKey(s.sec, fileKey)
		if !ok {
			panic("config: secret " + s.path + " has no " + fileKey + " field")
		}
		filePath := s.path + "_file"
		switch {
		case envSet[s.path] && envSet[filePath]:
			errs = append(errs, &FieldError{Key: s.path, Err: fmt.Errorf(
				"both %s and %s_FILE are set; use one", s.env, s.env)})
			return
		case envSet[s.path]:
			fv.SetString("")
		case envSet[filePath]:
			s.v.SetString("")
		}
		name := fv.String()
		if name == "" {
			return
		}
		if s.v.String() != "" {
			errs = append(errs, &FieldError{Key: s.path, Err: fmt.Errorf(
				"both %s and %s are set; use one", s.path, filePath)})
			return
		}
		b, err := os.ReadFile(name)
		if err != nil {
			errs = append(errs, &FieldError{Key: filePath, Err: err})
			return
		}
		val := strings.TrimRight(string(b), "\r\n")
		if val == "" {
			errs = append(errs, &FieldError{Key: filePath, Err: fmt.Errorf("%s is empty", name)})
			return
		}
		s.v.SetString(val)
	})
	return errors.Join(errs...)
}

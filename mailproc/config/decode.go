package config

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"
)

// decodeFile decodes the TOML text into c key by key, so that one wrong
// value hides no other: every unknown key (with the nearest known key as a
// "did you mean"), every value of the wrong type (said in words, the value
// echoed) and every value its type refuses (a duration, a TLS mode) comes
// back in one errors.Join of *FieldError. A syntax error stops it: the
// rest of the file cannot be read. Secrets written in the file itself come
// back as warnings.
func decodeFile(text string, c *Config) (warnings []string, err error) {
	var raw map[string]any
	if _, err := toml.Decode(text, &raw); err != nil {
		return nil, err
	}
	d := &decoder{}
	d.table(raw, reflect.ValueOf(c).Elem(), "")
	return d.warnings, errors.Join(d.errs...)
}

type decoder struct {
	errs     []error
	warnings []string
}

func (d *decoder) fail(key string, format string, args ...any) {
	d.errs = append(d.errs, &FieldError{Key: key, Err: fmt.Errorf(format, args...)})
}

// table decodes raw into the struct rv; prefix is rv's key ("desk.",
// "chain[2].", "" for the top).
func (d *decoder) table(raw map[string]any, rv reflect.Value, prefix string) {
	fields := map[string]int{}
	var names []string
	for i := range rv.NumField() {
		f := rv.Type().Field(i)
		name := f.Tag.Get("toml")
		if name == "" || name == "-" || !f.IsExported() {
			continue
		}
		fields[name] = i
		names = append(names, name)
	}
	keys := make([]string, 0, len(raw))
	for k := range raw {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		key := prefix + k
		i, ok := fields[k]
		if !ok {
			msg := ErrUnknownKey.Error()
			if near := nearest(k, names); near != "" {
				msg += fmt.Sprintf("; did you mean %s%s?", prefix, near)
			}
			d.errs = append(d.errs, &FieldError{Key: key, Err: fmt.Errorf("%w%s", ErrUnknownKey, strings.TrimPrefix(msg, ErrUnknownKey.Error()))})
			continue
		}
		f := rv.Type().Field(i)
		d.value(raw[k], rv.Field(i), key)
		if f.Tag.Get("secret") == "true" {
			if s, ok := raw[k].(string); ok && s != "" && !strings.HasPrefix(strings.TrimSpace(s), "${") {
				d.warnings = append(d.warnings, fmt.Sprintf(
					"%s: a secret written in the config file; move it to %s_file, the environment or a credential", key, key))
			}
		}
	}
}

// value decodes one value into fv, whose key is key.
func (d *decoder) value(val any, fv reflect.Value, key string) {
	t := fv.Type()
	isText := reflect.PointerTo(t).Implements(textUnmarshaler)
	switch {
	case t.Kind() == reflect.Struct && !isText:
		m, ok := val.(map[string]any)
		if !ok {
			d.fail(key, "want a table [%s], got %s", key, describe(val))
			return
		}
		d.table(m, fv, key+".")
		return
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Struct:
		list, ok := tables(val)
		if !ok {
			d.fail(key, "want one or more tables [[%s]], got %s", key, describe(val))
			return
		}
		out := reflect.MakeSlice(t, len(list), len(list))
		for i, m := range list {
			d.table(m, out.Index(i), fmt.Sprintf("%s[%d].", key, i+1))
		}
		fv.Set(out)
		return
	}
	// A leaf: let the TOML decoder convert it, alone, so its error names
	// only this key.
	var buf strings.Builder
	if err := toml.NewEncoder(&buf).Encode(map[string]any{"v": val}); err != nil {
		d.fail(key, "cannot read %s: %v", describe(val), err)
		return
	}
	holder := reflect.New(reflect.StructOf([]reflect.StructField{{Name: "V", Type: t, Tag: `toml:"v"`}}))
	holder.Elem().Field(0).Set(fv)
	if _, err := toml.Decode(buf.String(), holder.Interface()); err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) && isText {
			// The type's own words (ParseDuration, TLSMode) already
			// echo the value and give the form.
			d.fail(key, "%s", pe.Message)
			return
		}
		d.fail(key, "want %s, got %s", want(t), describe(val))
		return
	}
	fv.Set(holder.Elem().Field(0))
}

// tables accepts an array of tables as the TOML decoder hands it over.
func tables(val any) ([]map[string]any, bool) {
	switch v := val.(type) {
	case []map[string]any:
		return v, true
	case []any:
		out := make([]map[string]any, len(v))
		for i, e := range v {
			m, ok := e.(map[string]any)
			if !ok {
				return nil, false
			}
			out[i] = m
		}
		return out, true
	}
	return nil, false
}

// want says in words what a key of type t takes, with an example.
func want(t reflect.Type) string {
	if reflect.PointerTo(t).Implements(textUnmarshaler) {
		return `text in quotes, like "30m"`
	}
	switch t.Kind() {
	case reflect.Slice:
		return fmt.Sprintf("a list like [%s]", strings.TrimPrefix(want(t.Elem()), "text in quotes, like "))
	case reflect.String:
		return `text in quotes, like "kasi@dinas.go.id"`
	case reflect.Bool:
		return "true or false (without quotes)"
	case reflect.Int, reflect.Int64, reflect.Int32:
		return "a whole number without quotes, like 10"
	}
	return t.String()
}

// describe says what kind of value the file holds, echoing it.
func describe(val any) string {
	switch v := val.(type) {
	case string:
		return fmt.Sprintf("a string %q", v)
	case int64:
		return fmt.Sprintf("a number %d", v)
	case float64:
		return fmt.Sprintf("a number %v", v)
	case bool:
		return fmt.Sprintf("%v", v)
	case []any, []map[string]any:
		return "a list"
	case map[string]any:
		return "a table"
	}
	return fmt.Sprintf("%T %v", val, val)
}

// nearest returns the known key closest to k (at most two edits away, or
// one that contains it), "" if none is close.
func nearest(k string, known []string) string {
	best, bestD := "", 3
	for _, n := range known {
		dist := editDistance(k, n)
		if dist < bestD || (dist == bestD && n < best) {
			best, bestD = n, dist
		}
	}
	if best == "" {
		for _, n := range known {
			if len(k) >= 4 && (strings.Contains(n, k) || strings.Contains(k, n)) {
				return n
			}
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

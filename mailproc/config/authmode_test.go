package config

import (
	"strings"
	"testing"
)

// TestRequireAuth: desk.require_auth takes true, false (as TOML booleans or
// strings) and "auto", defaults to "auto", and refuses anything else by
// name; the environment sets it the same way.
func TestRequireAuth(t *testing.T) {
	withDesk := func(line string) string {
		return strings.Replace(minimal, "[desk]\n", "[desk]\nauthserv_id = \"mail.kamparkab.go.id\"\n"+line+"\n", 1)
	}
	for _, tc := range []struct {
		name, file string
		env        env
		want       AuthMode
		err        string
	}{
		{"default", withDesk(""), nil, AuthAuto, ""},
		{"toml true", withDesk("require_auth = true"), nil, AuthOn, ""},
		{"toml false", withDesk("require_auth = false"), nil, AuthOff, ""},
		{"string auto", withDesk(`require_auth = "auto"`), nil, AuthAuto, ""},
		{"string TRUE", withDesk(`require_auth = "TRUE"`), nil, AuthOn, ""},
		{"env overrides", withDesk("require_auth = true"), env{"MAILPROC_DESK_REQUIRE_AUTH": "auto"}, AuthAuto, ""},
		{"env false", withDesk(""), env{"MAILPROC_DESK_REQUIRE_AUTH": "0"}, AuthOff, ""},
		{"nonsense", withDesk(`require_auth = "kadang"`), nil, "", "desk.require_auth"},
		{"nonsense in env", withDesk(""), env{"MAILPROC_DESK_REQUIRE_AUTH": "maybe"}, "", "MAILPROC_DESK_REQUIRE_AUTH"},
		{"true without authserv_id", strings.Replace(minimal, "[desk]\n", "[desk]\nrequire_auth = true\n", 1), nil, "", "needs desk.authserv_id"},
	} {
		c, err := loadWith(t, tc.file, merge(secrets(), tc.env))
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: err %v, want one naming %q", tc.name, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if got := c.Desk.AuthMode(); got != tc.want {
			t.Errorf("%s: require_auth %q, want %q", tc.name, got, tc.want)
		}
	}
}

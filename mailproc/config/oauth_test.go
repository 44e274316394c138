package config

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var helper = []string{"/usr/local/bin/oauth2-token", "--account", "layanan@pustakaarsip.kamparkab.go.id"}

// googleConfig is the desk on Google Workspace: IMAP and SMTP on different
// hosts, both logging in with the helper's token.
func googleConfig() *Config {
	c := validConfig()
	c.IMAP.Host, c.IMAP.Password = "imap.gmail.com", ""
	c.IMAP.Auth, c.IMAP.TokenCommand = "OAuthBearer", helper
	c.SMTP.Host, c.SMTP.Username, c.SMTP.Auth = "smtp.gmail.com", c.IMAP.Username, "xoauth2"
	c.SMTP.TokenCommand = helper
	return c
}

func TestOAuthValid(t *testing.T) {
	c := googleConfig()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.IMAP.Auth != AuthOAuthBearer || c.SMTP.Auth != AuthXOAUTH2 || c.SMTP.Password != "" {
		t.Errorf("imap.auth %q, smtp.auth %q, smtp password set %v", c.IMAP.Auth, c.SMTP.Auth, c.SMTP.Password != "")
	}
	if w := c.Warnings(); len(w) != 0 {
		t.Errorf("warnings: %q", w)
	}
}

func TestDefaultIMAPAuthIsPassword(t *testing.T) {
	c := validConfig()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.IMAP.Auth != AuthPassword {
		t.Errorf("imap.auth = %q", c.IMAP.Auth)
	}
}

// SMTP on the IMAP host with no login of its own takes the IMAP token.
func TestSMTPTakesIMAPToken(t *testing.T) {
	c := validConfig()
	c.IMAP.Host, c.IMAP.Password = "outlook.office365.com", ""
	c.IMAP.Auth, c.IMAP.TokenFile = AuthXOAUTH2, "/run/mailproc/token"
	c.SMTP.Host = "outlook.office365.com"
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.SMTP.Auth != AuthXOAUTH2 || c.SMTP.Username != c.IMAP.Username || c.SMTP.TokenFile != "/run/mailproc/token" {
		t.Errorf("smtp auth %q, username %q, token_file %q", c.SMTP.Auth, c.SMTP.Username, c.SMTP.TokenFile)
	}
}

// A token source alone makes smtp.auth default to xoauth2.
func TestSMTPAuthDefaultsToXOAUTH2WithToken(t *testing.T) {
	c := validConfig()
	c.SMTP.Host, c.SMTP.Username, c.SMTP.TokenCommand = "smtp.office365.com", "layanan@pustakaarsip.kamparkab.go.id", helper
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.SMTP.Auth != AuthXOAUTH2 {
		t.Errorf("smtp.auth = %q", c.SMTP.Auth)
	}
}

func TestOAuthProblems(t *testing.T) {
	tests := []struct {
		name   string
		change func(c *Config)
		want   string
	}{
		{"imap.auth", func(c *Config) { c.IMAP.Auth = "plain" }, `imap.auth: must be one of password, xoauth2, oauthbearer (got "plain")`},
		{"imap no token source", func(c *Config) { c.IMAP.TokenCommand = nil },
			`imap.token_command: imap.token_file or imap.token_command is required when imap.auth is "oauthbearer"`},
		{"imap both", func(c *Config) { c.IMAP.TokenFile = "/run/token" },
			"imap.token_command: set imap.token_file or imap.token_command, not both"},
		{"imap empty program", func(c *Config) { c.IMAP.TokenCommand = []string{"", "x"} },
			"imap.token_command: the first element must be the program to run"},
		{"imap token with password", func(c *Config) { c.IMAP.Auth, c.IMAP.Password = "password", "p" },
			`imap.token_command: only used with imap.auth = "xoauth2" or "oauthbearer" (imap.auth is "password")`},
		{"imap password missing", func(c *Config) { c.IMAP.Auth, c.IMAP.TokenCommand = "password", nil }, "imap.password: required"},
		{"smtp.auth oauthbearer", func(c *Config) { c.SMTP.Auth = "oauthbearer" },
			`smtp.auth: must be one of plain, login, xoauth2, none (got "oauthbearer")`},
		{"smtp no token source", func(c *Config) { c.SMTP.TokenCommand = nil },
			`smtp.token_command: smtp.token_file or smtp.token_command is required when smtp.auth is "xoauth2"`},
		{"smtp both", func(c *Config) { c.SMTP.TokenFile = "/run/token" },
			"smtp.token_command: set smtp.token_file or smtp.token_command, not both"},
		{"smtp username", func(c *Config) { c.SMTP.Username = "" }, `smtp.username: required when smtp.auth is "xoauth2"`},
		{"smtp token with plain", func(c *Config) { c.SMTP.Auth, c.SMTP.Password = "plain", "p" },
			`smtp.token_command: only used with smtp.auth = "xoauth2" (smtp.auth is "plain")`},
		// IMAP logs in with a token: there is no IMAP password to borrow.
		{"smtp plain on the imap host", func(c *Config) {
			c.SMTP.Host, c.SMTP.Username, c.SMTP.Auth, c.SMTP.TokenCommand = "imap.gmail.com", "", "plain", nil
		}, `smtp.password: required when smtp.auth is "plain"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := googleConfig()
			tc.change(c)
			got := problems(c.Validate())
			if !contains(got, tc.want) {
				t.Errorf("problems %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestOAuthPasswordIgnoredWarns(t *testing.T) {
	c := googleConfig()
	c.IMAP.Password = "old"
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if w := c.Warnings(); !slices.Contains(w, `imap.password: not used with imap.auth = "oauthbearer"`) {
		t.Errorf("warnings %q", w)
	}
}

// The keys load from a file as the example documents them.
func TestOAuthFromFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "mailproc.toml")
	b, err := os.ReadFile(filepath.Join("..", "..", "mailproc.example.toml"))
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for _, r := range [][2]string{
		{`host = "mail.kamparkab.go.id"` + "\n# Default 993", `host = "imap.gmail.com"` + "\n# Default 993"},
		{`password_file = "/run/secrets/imap_password"`, `auth = "xoauth2"` + "\n" +
			`token_command = ["/usr/local/bin/oauth2-token", "--account", "layanan@pustakaarsip.kamparkab.go.id"]`},
		{"auth = \"password\"\n", ""},
		{`host = "mail.kamparkab.go.id"` + "\n# Default 465", `host = "smtp.gmail.com"` + "\n" +
			`username = "layanan@pustakaarsip.kamparkab.go.id"` + "\n" + `token_file = "/run/mailproc/smtp_token"` + "\n# Default 465"},
	} {
		if !strings.Contains(s, r[0]) {
			t.Fatalf("example has no %q", r[0])
		}
		s = strings.Replace(s, r[0], r[1], 1)
	}
	if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("MAILPROC_DESK_HMAC_SECRET", testHMAC)
	c, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if c.IMAP.Auth != AuthXOAUTH2 || !slices.Equal(c.IMAP.TokenCommand, helper) || c.IMAP.Password != "" {
		t.Errorf("imap: auth %q, token_command %q", c.IMAP.Auth, c.IMAP.TokenCommand)
	}
	if c.SMTP.Auth != AuthXOAUTH2 || c.SMTP.TokenFile != "/run/mailproc/smtp_token" {
		t.Errorf("smtp: auth %q, token_file %q", c.SMTP.Auth, c.SMTP.TokenFile)
	}
}

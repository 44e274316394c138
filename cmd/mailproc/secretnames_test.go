package main

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/dpk-kampar/mailproc/mailproc/config"
)

// TestSecretFileNames: the README, the example config, the systemd unit and
// its Litestream drop-in call each secret's file by one name, the one
// `mailproc check` suggests (imap.password → imap_password,
// desk.hmac_secret → hmac_secret): whether the file sits in /run/secrets,
// in $CREDENTIALS_DIRECTORY or in systemd's credential store.
func TestSecretFileNames(t *testing.T) {
	names := map[string]bool{}
	for _, k := range config.Keys() {
		if k.Secret {
			names[strings.ReplaceAll(strings.TrimPrefix(k.Path, "desk."), ".", "_")] = true
		}
	}
	if !names["imap_password"] || !names["hmac_secret"] {
		t.Fatalf("secret names %v", names)
	}
	ref := regexp.MustCompile(`(?:/run/secrets/|CREDENTIALS_DIRECTORY}?/|credstore(?:\.encrypted)?/mailproc\.|LoadCredential(?:Encrypted)?=)([a-z_]+)`)
	found := 0
	for _, file := range []string{"../../README.md", "../../mailproc.example.toml", "../../contrib/mailproc.service",
		"../../contrib/mailproc-litestream.conf", "../../Dockerfile"} {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range ref.FindAllStringSubmatch(string(b), -1) {
			found++
			if !names[m[1]] {
				t.Errorf("%s names a secret file %q (in %q); the names are those of `mailproc check`: %v", file, m[1], m[0], names)
			}
		}
	}
	if found < 10 {
		t.Errorf("only %d secret file references found: the pattern no longer matches the docs", found)
	}
}

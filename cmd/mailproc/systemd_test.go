package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestSystemdUnit runs `systemd-analyze verify` on contrib/mailproc.service
// as shipped (only ExecStart pointed at the binary under test): it must
// pass without a single complaint, an unknown key or a misspelt value
// included (systemd only warns about those and would ignore them).
func TestSystemdUnit(t *testing.T) {
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		if os.Getenv("MAILPROC_REQUIRE_STACK") != "" || os.Getenv("CI") == "true" {
			t.Fatal("systemd-analyze is required: apt-get install systemd")
		}
		t.Skip("no systemd-analyze")
	}
	unit, err := os.ReadFile("../../contrib/mailproc.service")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"StateDirectory=mailproc", "StateDirectoryMode=0750", "UMask=0027",
		"LoadCredentialEncrypted=imap_password:", "LoadCredentialEncrypted=hmac_secret:"} {
		if !bytes.Contains(unit, []byte(want)) {
			t.Errorf("the unit lacks %q", want)
		}
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "mailproc.service")
	unit = bytes.ReplaceAll(unit, []byte("/usr/local/bin/mailproc"), []byte(binary(t)))
	if err := os.WriteFile(path, unit, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(analyze, "verify", "--man=no", path).CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "" {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
}

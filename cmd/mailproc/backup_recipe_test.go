package main

import (
	"database/sql"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3"
)

// readmeSection is the README's text from the heading line head to the
// next heading of the same level.
func readmeSection(t *testing.T, head string) string {
	t.Helper()
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	i := strings.Index(s, "\n"+head+"\n")
	if i < 0 {
		t.Fatalf("README has no %q", head)
	}
	s = s[i+1+len(head):]
	level := head[:strings.IndexByte(head, ' ')+1]
	if j := strings.Index(s, "\n"+level); j >= 0 {
		s = s[:j]
	}
	return s
}

// shellCommands are the commands of the ```sh blocks of text, one per
// element: continuation lines joined, comments dropped, split at && ; |.
func shellCommands(text string) []string {
	var out []string
	for _, block := range regexp.MustCompile("(?s)```sh\n(.*?)```").FindAllStringSubmatch(text, -1) {
		joined := strings.ReplaceAll(block[1], "\\\n", " ")
		for _, line := range strings.Split(joined, "\n") {
			if i := strings.Index(line, "#"); i >= 0 {
				line = line[:i]
			}
			for _, cmd := range regexp.MustCompile(`&&|;|\|`).Split(line, -1) {
				if cmd = strings.TrimSpace(cmd); cmd != "" {
					out = append(out, cmd)
				}
			}
		}
	}
	return out
}

// TestBackupRecipeTools: every command of the README's Backups section
// (Litestream, the mirror, restore) is mailproc, litestream, docker, or
// what a fresh Debian 12 server has (coreutils, util-linux's runuser,
// systemd): no sqlite3, no rsync, no sudo.
func TestBackupRecipeTools(t *testing.T) {
	sec := readmeSection(t, "## Backups")
	allowed := map[string]bool{"mailproc": true, "litestream": true, "docker": true,
		"install": true, "cp": true, "systemctl": true}
	cmds := shellCommands(sec)
	if len(cmds) < 10 {
		t.Fatalf("only %d commands found in the Backups section", len(cmds))
	}
	for _, c := range cmds {
		f := strings.Fields(c)
		if f[0] == "runuser" { // runuser -u USER -- command …
			i := 0
			for i < len(f) && f[i] != "--" {
				i++
			}
			f = f[min(i+1, len(f)-1):]
		}
		if !allowed[f[0]] {
			t.Errorf("the Backups section runs %q (%s), which a fresh Debian server or the image lacks", f[0], c)
		}
	}
	for _, want := range []string{"install -d -o mailproc -g mailproc -m 0750 /var/backups/mailproc",
		"install -d -o 10001 -g 10001 -m 0750 /srv/backup/mailproc"} {
		if !strings.Contains(sec, want) {
			t.Errorf("the Backups section does not make the backup directory private: no %q", want)
		}
	}
}

// TestBackupPermissions: Litestream, run under the umask of the shipped
// unit (contrib/mailproc.service, which the Litestream drop-in does not
// change), writes a replica nobody else can read: no file or directory of
// it grants anything to others.
func TestBackupPermissions(t *testing.T) {
	ls := needLitestream(t)
	unit, err := os.ReadFile("../../contrib/mailproc.service")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^UMask=(0[0-7]{3})$`).FindSubmatch(unit)
	if m == nil {
		t.Fatal("contrib/mailproc.service sets no UMask=")
	}
	dropIn, err := os.ReadFile("../../contrib/mailproc-litestream.conf")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(dropIn), "UMask=") || !strings.Contains(string(dropIn), "ReadWritePaths=/var/backups/mailproc") {
		t.Errorf("the Litestream drop-in changes the umask or does not open /var/backups/mailproc:\n%s", dropIn)
	}

	dir := t.TempDir()
	dbPath, replica := filepath.Join(dir, "mailproc.db"), filepath.Join(dir, "backup", "litestream")
	db, err := sql.Open("sqlite3", "file:"+dbPath+"?_journal_mode=WAL")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE TABLE cases (id INTEGER PRIMARY KEY, subject TEXT)`); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "litestream.yml")
	if err := os.WriteFile(cfg, []byte(fmt.Sprintf("dbs:\n  - path: %s\n    replica:\n      type: file\n      path: %s\n", dbPath, replica)), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("sh", "-c", "umask "+string(m[1])+" && exec \"$0\" replicate -config \"$1\"", ls, cfg)
	out := new(strings.Builder)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	ltx := 0
	deadline := time.Now().Add(30 * time.Second)
	for i := 0; ltx < 2 && time.Now().Before(deadline); i++ {
		if _, err := db.Exec(`INSERT INTO cases (subject) VALUES (?)`, fmt.Sprintf("Buku rusak %d", i)); err != nil {
			t.Fatal(err)
		}
		time.Sleep(300 * time.Millisecond)
		ltx = 0
		filepath.WalkDir(replica, func(p string, d fs.DirEntry, err error) error {
			if err == nil && strings.HasSuffix(p, ".ltx") {
				ltx++
			}
			return nil
		})
	}
	if ltx < 2 {
		t.Fatalf("Litestream wrote %d replica files in 30 s:\n%s", ltx, out)
	}
	err = filepath.WalkDir(filepath.Join(dir, "backup"), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		if fi.Mode().Perm()&0o007 != 0 {
			t.Errorf("%s is %v: others may read it", p, fi.Mode().Perm())
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// needLitestream returns the litestream binary: MAILPROC_LITESTREAM
// (scripts/test and scripts/faults set it: scripts/litestream), or litestream on the PATH. Like needStack,
// it fails instead of skipping where the stack is required.
func needLitestream(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("MAILPROC_LITESTREAM"); p != "" {
		return p
	}
	if p, err := exec.LookPath("litestream"); err == nil {
		return p
	}
	if os.Getenv("MAILPROC_REQUIRE_STACK") != "" {
		t.Fatal("litestream is required: scripts/litestream installs it (go install github.com/benbjohnson/litestream/cmd/litestream@v0.5.18)")
	}
	t.Skip("no litestream on the PATH")
	return ""
}

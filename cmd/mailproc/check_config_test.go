package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCheckConfigAllAtOnce is the second "must show": a config with
// an unknown key (desk.complain_due), a malformed staff address ("Rina
// Marlina") and a malformed duration (info_due = "lima menit"): one run of
// mailproc check names all three keys, each with the expected form.
func TestCheckConfigAllAtOnce(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "mailproc.toml")
	body := `
[desk]
agency = "Dinas Perpustakaan dan Kearsipan Kabupaten Kampar"
address = "layanan@pustakaarsip.kamparkab.go.id"
data_dir = "` + dir + `"
ops = ["operator.tik@pustakaarsip.kamparkab.go.id"]
complain_due = "3d"
info_due = "lima menit"
[[desk.staff]]
name = "Rina Marlina"
address = "Rina Marlina"
[imap]
host = "127.0.0.1"
username = "layanan"
[[chain]]
title = "Kepala Dinas"
addresses = ["kadis@pustakaarsip.kamparkab.go.id"]
`
	if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("MAILPROC_IMAP_PASSWORD", "rahasia")
	t.Setenv("MAILPROC_DESK_HMAC_SECRET", strings.Repeat("k", 40))
	var out bytes.Buffer
	if code := run(context.Background(), []string{"check", "-config", cfg}, &out, &out); code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	for _, want := range []string{
		"MASALAH config: desk.complain_due: unknown key; did you mean desk.complaint_due?",
		`MASALAH config: desk.info_due: want a duration like "30m", "1h", "14d" or "5 menit", "1 jam", "14 hari" (got "lima menit")`,
		`MASALAH config: desk.staff[1].address: not an e-mail address: got "Rina Marlina", want a bare address like "petugas@dinas.go.id"`,
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("check output lacks %q", want)
		}
	}
	if t.Failed() {
		t.Logf("output:\n%s", out.String())
	}
}

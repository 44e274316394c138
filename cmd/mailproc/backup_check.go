package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"time"

	"github.com/dpk-kampar/mailproc/mailproc/config"
)

// checkBackup is the backup part of `mailproc check`: the archive mirror is
// writable, and Litestream's newest replicated change is not older than
// records.backup_max_age. ok and bad print a line each.
func checkBackup(ctx context.Context, cfg *config.Config, now time.Time, ok, bad func(string, ...any)) {
	r := cfg.Records
	if r.ArchiveMirror != "" {
		if err := checkDataDir(r.ArchiveMirror); err != nil {
			bad("records.archive_mirror: %v", err)
		} else {
			ok("archive mirror %s is writable", r.ArchiveMirror)
		}
	}
	if r.LitestreamConfig == "" {
		return
	}
	newest, err := litestreamNewest(ctx, r.LitestreamConfig, cfg.DatabasePath())
	if err != nil {
		bad("records.litestream_config: %v", err)
		return
	}
	age := now.Sub(newest).Truncate(time.Second)
	line := fmt.Sprintf("newest Litestream backup of %s: %s ago (%s)", cfg.DatabasePath(), age, newest.In(cfg.Location()).Format(time.RFC3339))
	if max := r.BackupMaxAge.D(); max > 0 && age > max {
		bad("%s, more than records.backup_max_age %s", line, r.BackupMaxAge)
		return
	}
	ok("%s", line)
}

// litestreamNewest asks Litestream (on the PATH) for the newest replicated
// change of the database: the latest LTX file at any compaction level.
func litestreamNewest(ctx context.Context, litestreamConfig, dbPath string) (time.Time, error) {
	out, err := exec.CommandContext(ctx, "litestream", "ltx", "-config", litestreamConfig, "-level", "all", "-json", dbPath).Output()
	if err != nil {
		if ee, isExit := err.(*exec.ExitError); isExit {
			return time.Time{}, fmt.Errorf("litestream ltx: %w: %s", err, ee.Stderr)
		}
		return time.Time{}, fmt.Errorf("litestream ltx: %w", err)
	}
	var files []struct {
		Timestamp time.Time `json:"timestamp"`
	}
	if err := json.Unmarshal(out, &files); err != nil {
		return time.Time{}, fmt.Errorf("litestream ltx: %w", err)
	}
	var newest time.Time
	for _, f := range files {
		if f.Timestamp.After(newest) {
			newest = f.Timestamp
		}
	}
	if newest.IsZero() {
		return time.Time{}, fmt.Errorf("litestream has no backup of %s yet", dbPath)
	}
	return newest, nil
}

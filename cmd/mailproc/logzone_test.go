package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/dpk-kampar/mailproc/mailproc/config"
)

// TestLogTimesInDeskZone: the daemon's log states its times in the desk's
// zone (WIB, +07:00), text and JSON alike, not in UTC.
func TestLogTimesInDeskZone(t *testing.T) {
	for _, format := range []string{"text", "json"} {
		cfg := config.DefaultConfig()
		cfg.Log.Format = format
		_ = cfg.Validate() // a default config lacks the desk; Validate still loads the zone
		var buf bytes.Buffer
		newLogger(&buf, cfg).Info("halo")
		if !strings.Contains(buf.String(), "+07:00") {
			t.Errorf("%s log time not in WIB: %s", format, buf.String())
		}
	}
}

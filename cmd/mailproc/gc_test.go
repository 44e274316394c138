package main

import (
	"runtime/debug"
	"testing"
)

// The daemon collects garbage less often than Go's default unless the
// operator's environment says otherwise, and always under a soft memory
// limit.
func TestTuneGC(t *testing.T) {
	pct, limit := debug.SetGCPercent(100), debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetGCPercent(pct); debug.SetMemoryLimit(limit) })
	for _, tt := range []struct {
		name, gogc, gomemlimit string
		wantPct                int
		wantLimit              int64
	}{
		{"defaults", "", "", gcPercent, gcMemoryLimit},
		{"GOGC set", "150", "", 100, gcMemoryLimit},
		{"GOMEMLIMIT set", "", "1GiB", gcPercent, 7 << 20},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("GOGC", tt.gogc)
			t.Setenv("GOMEMLIMIT", tt.gomemlimit)
			debug.SetGCPercent(100)       // what the runtime read from the environment
			debug.SetMemoryLimit(7 << 20) // stands for it here
			tuneGC()
			if got := debug.SetGCPercent(100); got != tt.wantPct {
				t.Errorf("GOGC %d, want %d", got, tt.wantPct)
			}
			if got := debug.SetMemoryLimit(-1); got != tt.wantLimit {
				t.Errorf("memory limit %d, want %d", got, tt.wantLimit)
			}
		})
	}
}

package main

import (
	"os"
	"runtime/debug"
)

// The daemon's garbage collector settings, unless GOGC or GOMEMLIMIT in
// the environment say otherwise. Its live heap is small (a few MB: a batch
// of parsed mails, the prepared statements) while a burst allocates tens of
// kB a mail, so the default GOGC=100 collects every few MB and the
// collector took a tenth of intake's CPU. Four times the live heap between
// collections cuts that to a quarter; the soft memory limit makes the
// collector work harder before the heap gets anywhere near the 64 MB the
// daemon is held to (BenchmarkSpinePeakRSS30MB).
const (
	gcPercent     = 400
	gcMemoryLimit = 40 << 20
)

// tuneGC applies the settings above where the environment sets none.
func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(gcMemoryLimit)
	}
}

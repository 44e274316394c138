//go:build race

package smtp

// raceEnabled: the race detector inflates allocation, so bounds on memory
// are not checked.
const raceEnabled = true

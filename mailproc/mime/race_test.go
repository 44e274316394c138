//go:build race

package mime

// raceEnabled: the race detector inflates allocation, so bounds on it are
// not checked.
const raceEnabled = true

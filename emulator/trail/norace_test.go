//go:build !race

package trail_test

// raceEnabled shrinks the heaviest tests under the race detector.
const raceEnabled = false

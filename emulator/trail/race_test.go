//go:build race

package trail_test

// raceEnabled shrinks the heaviest tests under the race detector, which
// makes compression about twenty times slower.
const raceEnabled = true

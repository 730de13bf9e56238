//go:build race

package main

// raceEnabled tells buildFiretrail to build with -race, as the test binary
// was, so that the build cache has every package.
const raceEnabled = true

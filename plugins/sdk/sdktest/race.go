//go:build race

package sdktest

// raceEnabled reports that this binary was built with the race detector.
const raceEnabled = true

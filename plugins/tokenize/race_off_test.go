//go:build !race

package tokenize

// raceEnabled is whether the race detector is on, which slows the
// reference codec tenfold: the long tests then do less.
const raceEnabled = false

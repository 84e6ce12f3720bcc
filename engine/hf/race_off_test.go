//go:build !race

package hf

// raceDetector says whether the tests run under the race detector, which
// makes the numerical tests ten times slower.
const raceDetector = false

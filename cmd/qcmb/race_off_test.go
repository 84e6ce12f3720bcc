//go:build !race

package main

// raceDetector says whether the tests run under the race detector, whose shadow memory
// makes a process's peak resident memory several times what the program itself uses.
const raceDetector = false

//go:build unix && !linux

package main

// mapPopulate: only Linux reads in a mapping's pages at once.
const mapPopulate = 0

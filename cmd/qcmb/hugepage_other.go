//go:build !linux

package main

// hugePageHeap: only Linux is asked for huge pages.
func hugePageHeap(int64) {}

package main

import (
	"runtime"
	"testing"
)

// TestHugePageHeapFreesWhatItAdvises: the advice leaves no memory in use, only free heap
// pages for what comes next, whatever the system's huge page setting.
func TestHugePageHeapFreesWhatItAdvises(t *testing.T) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	hugePageHeap(64 << 20)
	runtime.ReadMemStats(&after)
	if grown := int64(after.HeapInuse) - int64(before.HeapInuse); grown > 16<<20 {
		t.Fatalf("heap in use grew by %d MiB", grown>>20)
	}
	hugePageHeap(1 << 20) // too small to ask for: nothing happens
}

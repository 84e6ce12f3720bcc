package main

import (
	"bytes"
	"os"
	"runtime"
	"syscall"
)

// hugePageHeap asks Linux to back the first n bytes the heap grows into with transparent
// huge pages (2 MiB), where the system leaves them to madvise: it allocates them, marks
// them with madvise(MADV_HUGEPAGE) and frees them at once. Every first touch of a 4 KiB
// page is a fault, dear on a virtual machine, and the heap qcmb analyze builds is about
// twice its component file: 2 MiB faults make water-64 MBE-3 a third faster. Nothing is
// touched here, so resident memory still grows only as the heap is used. n is bounded by
// a quarter of the machine's memory.
func hugePageHeap(n int64) {
	mode, err := os.ReadFile("/sys/kernel/mm/transparent_hugepage/enabled")
	if err != nil || !bytes.Contains(mode, []byte("[madvise]")) {
		return // "always" gives huge pages unasked, "never" refuses them
	}
	var info syscall.Sysinfo_t
	if syscall.Sysinfo(&info) != nil {
		return
	}
	n = min(n, int64(info.Totalram)*int64(info.Unit)/4, 1<<30)
	if n < 4<<20 {
		return
	}
	b := make([]byte, n)
	if syscall.Madvise(b, syscall.MADV_HUGEPAGE) != nil {
		return
	}
	runtime.GC() // b is dead: its pages go back to the heap, still marked
}

package hf

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"sync"
)

// DefaultMemory is the memory budget of a calculation whose Options leave
// Memory zero: a quarter of the machine's physical memory, at most 1 GiB
// (executors run one calculation per core), or 1 GiB where the physical
// memory cannot be read.
func DefaultMemory() int64 {
	defaultMemoryOnce.Do(func() {
		defaultMemory = maxDefaultMemory
		if total := physicalMemory(); total > 0 {
			defaultMemory = min(total/4, maxDefaultMemory)
		}
	})
	return defaultMemory
}

const maxDefaultMemory = 1 << 30

var (
	defaultMemoryOnce sync.Once
	defaultMemory     int64
)

// physicalMemory reads MemTotal from /proc/meminfo (Linux); 0 elsewhere.
func physicalMemory() int64 {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 2 && fields[0] == "MemTotal:" {
			kb, err := strconv.ParseInt(fields[1], 10, 64)
			if err != nil {
				return 0
			}
			return kb * 1024
		}
	}
	return 0
}

// maxStoredValues is how many two-electron integrals the SCF may keep:
// half of the memory budget.
func (s *settings) maxStoredValues() int {
	if s.direct {
		return 0
	}
	return int(s.memory / 2 / 8)
}

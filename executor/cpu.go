package executor

import (
	"sync"
	"time"
)

// CPUKey is the extras key under which Serve reports, in each result or failure line, the
// processor time (float seconds, the worker's own and its finished child processes') that
// the line's task used. The Subprocess executor moves it into Outcome.CPU and deletes it, so
// results are the same as in-process.
const CPUKey = "qcmb:cpu_seconds"

// cpuMeter attributes the processor time of this process to the tasks running in it. When
// several run at once, the time used between two task starts or ends is shared among the
// tasks running then in proportion to their threads: exact for one task at a time (Serial,
// a worker process), an approximation for a Pool.
type cpuMeter struct {
	mu      sync.Mutex
	last    time.Duration
	running map[*cpuShare]struct{}
}

type cpuShare struct {
	threads int
	used    time.Duration
}

// advance shares the processor time used since the last call among the running tasks.
func (m *cpuMeter) advance() {
	now, ok := processCPU()
	if !ok {
		return
	}
	delta := now - m.last
	m.last = now
	total := 0
	for s := range m.running {
		total += s.threads
	}
	if total == 0 || delta <= 0 {
		return
	}
	for s := range m.running {
		s.used += delta * time.Duration(s.threads) / time.Duration(total)
	}
}

// exclude keeps d out of the tasks' shares: processor time that getrusage has just begun
// to count, of a resident process that ended and was waited for, which was reported as the
// tasks' own before (engine.Trace.ProcessEnded).
func (m *cpuMeter) exclude(d time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.last += d
}

// start begins metering a task that runs with threads threads (≤ 0 counts as 1).
func (m *cpuMeter) start(threads int) *cpuShare {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.running == nil {
		m.running = map[*cpuShare]struct{}{}
	}
	m.advance()
	s := &cpuShare{threads: max(threads, 1)}
	m.running[s] = struct{}{}
	return s
}

// stop ends metering s and returns the processor time attributed to it (0 where processor
// time cannot be measured).
func (m *cpuMeter) stop(s *cpuShare) time.Duration {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.advance()
	delete(m.running, s)
	return s.used
}

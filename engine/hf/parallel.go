package hf

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
)

// WorkerPanicError reports a panic recovered in one of the program's
// worker goroutines: a bug, returned as an error so that it ends one
// calculation rather than the whole process.
type WorkerPanicError struct {
	Value any    // the value passed to panic
	Stack []byte // the panicking goroutine's stack
}

func (e *WorkerPanicError) Error() string {
	return fmt.Sprintf("hf: internal error in a worker: %v", e.Value)
}

// parallelFor runs fn(worker, chunk) for chunk = 0..nchunks-1 on up to
// nthreads goroutines. Work is split into chunks whose results callers
// combine in chunk order, so results do not depend on the thread count.
// A panic in fn stops the remaining chunks and is returned as a
// *WorkerPanicError.
func parallelFor(nthreads, nchunks int, fn func(worker, chunk int)) error {
	if nthreads <= 0 {
		nthreads = runtime.GOMAXPROCS(0)
	}
	nthreads = min(nthreads, nchunks)
	var (
		next    atomic.Int64
		stopped atomic.Bool
		once    sync.Once
		perr    error
	)
	run := func(w int) {
		defer func() {
			if v := recover(); v != nil {
				stopped.Store(true)
				once.Do(func() { perr = &WorkerPanicError{Value: v, Stack: debug.Stack()} })
			}
		}()
		for !stopped.Load() {
			c := int(next.Add(1) - 1)
			if c >= nchunks {
				return
			}
			fn(w, c)
		}
	}
	if nthreads <= 1 {
		run(0)
		return perr
	}
	var wg sync.WaitGroup
	for w := 0; w < nthreads; w++ {
		wg.Go(func() { run(w) })
	}
	wg.Wait()
	return perr
}

func threadsFor(n int) int {
	if n <= 0 {
		return runtime.GOMAXPROCS(0)
	}
	return n
}

// splitByWork cuts [0,n) into at most nchunks contiguous ranges of about
// equal total cost.
func splitByWork(n, nchunks int, cost func(i int) float64) [][2]int {
	if n == 0 {
		return nil
	}
	total := 0.0
	for i := 0; i < n; i++ {
		total += cost(i)
	}
	if nchunks < 1 {
		nchunks = 1
	}
	target := total / float64(nchunks)
	var out [][2]int
	start := 0
	acc := 0.0
	for i := 0; i < n; i++ {
		acc += cost(i)
		if acc >= target && len(out) < nchunks-1 {
			out = append(out, [2]int{start, i + 1})
			start = i + 1
			acc = 0
		}
	}
	if start < n {
		out = append(out, [2]int{start, n})
	}
	return out
}

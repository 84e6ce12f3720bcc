package hf

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// parallelFor runs fn(worker, chunk) for chunk = 0..nchunks-1 on up to
// nthreads goroutines. Work is split into chunks whose results callers
// combine in chunk order, so results do not depend on the thread count.
func parallelFor(nthreads, nchunks int, fn func(worker, chunk int)) {
	if nthreads <= 0 {
		nthreads = runtime.GOMAXPROCS(0)
	}
	if nthreads > nchunks {
		nthreads = nchunks
	}
	if nthreads <= 1 {
		for c := 0; c < nchunks; c++ {
			fn(0, c)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < nthreads; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for {
				c := int(next.Add(1) - 1)
				if c >= nchunks {
					return
				}
				fn(w, c)
			}
		}(w)
	}
	wg.Wait()
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

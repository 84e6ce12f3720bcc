package main

import (
	"encoding/json"
	"fmt"
	"math"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/qcmb-go/qcmb/internal/jsontext"
)

// Component files run to hundreds of megabytes (a water-64 MBE-4 gradient is 434 MB), so
// they are read in one pass, one element at a time: the top-level array or object is split
// into its elements without building anything, and the elements are parsed on every core
// at once, straight into the values they hold, so memory stays near the size of the data.

// unquote decodes a raw JSON string (quotes included).
func unquote(raw []byte) (string, error) {
	var s string
	err := json.Unmarshal(raw, &s)
	return s, err
}

// parseMembers parses every member of the JSON array (open '[') or object (open '{') in
// data with parse, on every core at once, and hands each result to add in document order
// with the member's index and raw key (nil in an array). The first error in document
// order, from parse, add or the document's structure, ends it; where names a member in
// errors. Results are handed on as soon as those before them are, so only the members
// in flight are held, and after a parse error members further on are no longer parsed.
func parseMembers[T any](data []byte, open, end byte,
	parse func(key, value []byte) (T, error),
	add func(k int, key []byte, v T) error,
	where func(k int, key []byte) string,
) error {
	type member struct {
		key, value []byte
		v          T
		err        error
	}
	type job struct {
		index, first int
		members      []member
		done         chan struct{}
	}
	// Jobs of about 256 KiB keep both cores busy on small and large entries alike.
	const jobMembers, jobBytes = 64, 256 << 10
	var failedAt atomic.Int64 // index of the first job with a parse error
	failedAt.Store(math.MaxInt64)
	workers := runtime.GOMAXPROCS(0)
	work := make(chan *job, 2*workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			defer guardFaults()() // the data may be a mapped file
			for j := range work {
				for i := range j.members {
					if int64(j.index) > failedAt.Load() {
						break
					}
					m := &j.members[i]
					func() {
						defer recoverFault(&m.err, "")
						m.v, m.err = parse(m.key, m.value)
					}()
					if m.err != nil {
						for f := failedAt.Load(); int64(j.index) < f && !failedAt.CompareAndSwap(f, int64(j.index)); f = failedAt.Load() {
						}
						break
					}
				}
				close(j.done)
			}
		})
	}
	var (
		pending []*job     // sent and not yet handed on, in document order
		spare   [][]member // member slices of jobs handed on, for reuse
		err     error      // the first error handed on
		jobs, n int
	)
	// handOn passes on the results of the finished jobs at the head of pending, waiting
	// for them if wait is set.
	handOn := func(wait bool) {
		for len(pending) > 0 {
			j := pending[0]
			if !wait {
				select {
				case <-j.done:
				default:
					return
				}
			}
			<-j.done
			for i := range j.members {
				if err != nil {
					break
				}
				m := &j.members[i]
				if m.err != nil {
					err = fmt.Errorf("%s: %w", where(j.first+i, m.key), m.err)
				} else {
					err = add(j.first+i, m.key, m.v)
				}
			}
			clear(j.members)
			spare = append(spare, j.members[:0])
			pending = pending[1:]
		}
	}
	newJob := func() *job {
		j := &job{index: jobs, first: n, done: make(chan struct{})}
		if k := len(spare); k > 0 {
			j.members, spare = spare[k-1], spare[:k-1]
		} else {
			j.members = make([]member, 0, jobMembers)
		}
		return j
	}
	cur, size := newJob(), 0
	send := func() {
		if len(cur.members) > 0 {
			pending = append(pending, cur)
			work <- cur
			jobs++
			handOn(false)
		}
		cur, size = newJob(), 0
	}
	structErr := jsontext.EachMember(data, open, end, func(_ int, key, value []byte) error {
		if err != nil || failedAt.Load() != math.MaxInt64 {
			return errStopSplitting
		}
		cur.members = append(cur.members, member{key: key, value: value})
		n++
		if size += len(value); len(cur.members) == jobMembers || size >= jobBytes {
			send()
		}
		return nil
	})
	send()
	close(work)
	handOn(true)
	wg.Wait()
	if err != nil {
		return err
	}
	if structErr == errStopSplitting {
		return nil // cannot happen: the error that stopped it was returned above
	}
	return structErr
}

// errStopSplitting ends the split of a document whose members no longer need parsing.
var errStopSplitting = fmt.Errorf("stop")

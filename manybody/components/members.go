package components

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/qcmb-go/qcmb/internal/jsontext"
)

// parseMembers parses every member of the JSON array (open '[') or object (open '{') in
// data with parse, on every core at once, and hands each result to add in document order
// with the member's index and raw key (nil in an array). The first error in document
// order, from parse, add or the document's structure, ends it; where names a member in
// errors. Results are handed on as soon as those before them are, so only the members
// in flight are held, and after a parse error members further on are no longer parsed.
// It stops when ctx ends.
func parseMembers[T any](ctx context.Context, data []byte, open, end byte,
	parse func(key, value []byte) (T, error),
	add func(k int, key []byte, v T) error,
	where func(k int, key []byte) string,
) error {
	p := &pipeline[T]{parse: parse, add: add, where: where, work: make(chan *job[T], 2*runtime.GOMAXPROCS(0))}
	p.failedAt.Store(math.MaxInt64)
	p.cur = p.newJob()
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(p.worker)
	}
	structErr := jsontext.EachMember(data, open, end, func(_ int, key, value []byte) error {
		if p.err != nil || p.failedAt.Load() != math.MaxInt64 {
			return errStopSplitting
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		p.split(key, value)
		return nil
	})
	p.send()
	close(p.work)
	p.handOn(true)
	wg.Wait()
	switch {
	case p.err != nil:
		return p.err
	case errors.Is(structErr, errStopSplitting):
		return nil // cannot happen: the error that stopped it was returned above
	}
	return structErr
}

// errStopSplitting ends the split of a document whose members no longer need parsing.
var errStopSplitting = errors.New("stop")

// Jobs of about 256 KiB keep both cores busy on small and large entries alike.
const jobMembers, jobBytes = 64, 256 << 10

// member is one member of the document and, once parsed, its value or error.
type member[T any] struct {
	key, value []byte
	v          T
	err        error
}

// job is a run of members parsed by one worker; done is closed when it is.
type job[T any] struct {
	index, first int // the job's number and its first member's index
	members      []member[T]
	done         chan struct{}
}

// pipeline splits a document into jobs (in the calling goroutine), parses them on the
// workers and hands their results on in document order (in the calling goroutine again).
type pipeline[T any] struct {
	parse func(key, value []byte) (T, error)
	add   func(k int, key []byte, v T) error
	where func(k int, key []byte) string

	work     chan *job[T]
	failedAt atomic.Int64 // index of the first job with a parse error

	// Used by the calling goroutine only.
	pending []*job[T]     // sent and not yet handed on, in document order
	spare   [][]member[T] // member slices of jobs handed on, for reuse
	err     error         // the first error handed on
	jobs, n int           // jobs sent, members split
	cur     *job[T]       // the job being filled
	size    int           // bytes of cur's values
}

// worker is a worker: it parses the members of the jobs it is sent until a job before
// theirs failed.
func (p *pipeline[T]) worker() {
	for j := range p.work {
		for i := range j.members {
			if int64(j.index) > p.failedAt.Load() {
				break
			}
			m := &j.members[i]
			if m.v, m.err = p.parse(m.key, m.value); m.err != nil {
				p.markFailed(j.index)
				break
			}
		}
		close(j.done)
	}
}

// markFailed records that job index has a parse error, unless an earlier one has.
func (p *pipeline[T]) markFailed(index int) {
	for f := p.failedAt.Load(); int64(index) < f && !p.failedAt.CompareAndSwap(f, int64(index)); f = p.failedAt.Load() {
	}
}

// split adds a member to the current job, and sends the job when it is full.
func (p *pipeline[T]) split(key, value []byte) {
	p.cur.members = append(p.cur.members, member[T]{key: key, value: value})
	p.n++
	if p.size += len(value); len(p.cur.members) == jobMembers || p.size >= jobBytes {
		p.send()
	}
}

// send hands the current job, if it has members, to the workers, passes on what has
// finished, and starts a new job.
func (p *pipeline[T]) send() {
	if len(p.cur.members) > 0 {
		p.pending = append(p.pending, p.cur)
		p.work <- p.cur
		p.jobs++
		p.handOn(false)
	}
	p.cur, p.size = p.newJob(), 0
}

// newJob is an empty job after those sent, with a member slice reused if one is spare.
func (p *pipeline[T]) newJob() *job[T] {
	j := &job[T]{index: p.jobs, first: p.n, done: make(chan struct{})}
	if k := len(p.spare); k > 0 {
		j.members, p.spare = p.spare[k-1], p.spare[:k-1]
	} else {
		j.members = make([]member[T], 0, jobMembers)
	}
	return j
}

// handOn passes on the results of the finished jobs at the head of pending, waiting for
// them if wait is set.
func (p *pipeline[T]) handOn(wait bool) {
	for len(p.pending) > 0 {
		j := p.pending[0]
		if !wait {
			select {
			case <-j.done:
			default:
				return
			}
		}
		<-j.done
		for i := range j.members {
			if p.err != nil {
				break
			}
			m := &j.members[i]
			if m.err != nil {
				p.err = fmt.Errorf("%s: %w", p.where(j.first+i, m.key), m.err)
			} else {
				p.err = p.add(j.first+i, m.key, m.v)
			}
		}
		clear(j.members)
		p.spare = append(p.spare, j.members[:0])
		p.pending = p.pending[1:]
	}
}

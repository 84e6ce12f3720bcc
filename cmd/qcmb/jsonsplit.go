package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"runtime"
	"sync"
	"sync/atomic"
)

// Component files run to hundreds of megabytes (a water-64 MBE-4 gradient is 434 MB), so
// they are read in one pass, one element at a time: the top-level array or object is split
// into its elements without building anything, and the elements are parsed on every core
// at once, straight into the values they hold, so memory stays near the size of the data.

// skipSpace returns the index of the first non-space byte of data at or after i.
func skipSpace(data []byte, i int) int {
	for i < len(data) && (data[i] == ' ' || data[i] == '\n' || data[i] == '\r' || data[i] == '\t') {
		i++
	}
	return i
}

// valueEnd returns the index just past the JSON value that starts at data[i]: a string, an
// array or object (brackets matched outside strings), or a scalar. It checks only the
// structure it needs to find the end; the element's parser checks the rest.
func valueEnd(data []byte, i int) (int, error) {
	if i >= len(data) {
		return 0, fmt.Errorf("offset %d: unexpected end of input", i)
	}
	switch data[i] {
	case '"':
		return stringEnd(data, i)
	case '[', '{':
		depth := 0
		for j := i; j < len(data); j++ {
			j = nextStructural(data, j)
			if j == len(data) {
				break
			}
			switch data[j] {
			case '"':
				end, err := stringEnd(data, j)
				if err != nil {
					return 0, err
				}
				j = end - 1
			case '[', '{':
				depth++
			case ']', '}':
				depth--
				if depth == 0 {
					return j + 1, nil
				}
			}
		}
		return 0, fmt.Errorf("offset %d: unterminated %c", i, data[i])
	}
	j := i
	for j < len(data) && data[j] != ',' && data[j] != ']' && data[j] != '}' && data[j] != ' ' && data[j] != '\n' && data[j] != '\r' && data[j] != '\t' {
		j++
	}
	return j, nil
}

// structural marks the bytes that valueEnd stops at inside an array or object.
var structural = func() (t [256]bool) {
	for _, c := range []byte(`"[]{}`) {
		t[c] = true
	}
	return t
}()

// nextStructural returns the index of the first structural byte (`"[]{}`) at or after
// data[j], or len(data). Component files are mostly long runs of numbers between
// brackets: after a short byte-by-byte look, a run is crossed with bytes.IndexByte, which
// reads many bytes per instruction, up to the next ']' and then checked for the other
// structural bytes, in windows that grow fourfold from 256 bytes to 64 KiB, so that the
// bytes read stay within a few times the distance to the byte found.
func nextStructural(data []byte, j int) int {
	const look, maxWindow = 64, 64 << 10
	for end := min(j+look, len(data)); j < end; j++ {
		if structural[data[j]] {
			return j
		}
	}
	for window := 256; j < len(data); window = min(4*window, maxWindow) {
		seg := data[j:min(j+window, len(data))]
		if k := bytes.IndexByte(seg, ']'); k >= 0 {
			seg = seg[:k+1]
		}
		for _, c := range [...]byte{'[', '{', '}', '"'} {
			if k := bytes.IndexByte(seg[:len(seg)-1], c); k >= 0 {
				seg = seg[:k+1]
			}
		}
		if structural[seg[len(seg)-1]] {
			return j + len(seg) - 1
		}
		j += len(seg)
	}
	return len(data)
}

// stringEnd returns the index just past the string that starts at data[i] == '"'.
func stringEnd(data []byte, i int) (int, error) {
	for j := i + 1; j < len(data); j++ {
		switch data[j] {
		case '\\':
			j++
		case '"':
			return j + 1, nil
		}
	}
	return 0, fmt.Errorf("offset %d: unterminated string", i)
}

// eachMember calls fn with the raw key (a JSON string, quotes included; nil for arrays)
// and raw value of every member of the JSON object (open '{') or array (open '[') in data.
func eachMember(data []byte, open, close byte, fn func(k int, key, value []byte) error) error {
	i := skipSpace(data, 0)
	if i >= len(data) || data[i] != open {
		return fmt.Errorf("want a JSON %s", map[byte]string{'[': "array", '{': "object"}[open])
	}
	i = skipSpace(data, i+1)
	if i < len(data) && data[i] == close {
		return checkTrailing(data, i+1)
	}
	for k := 0; ; k++ {
		var key []byte
		if open == '{' {
			if i >= len(data) || data[i] != '"' {
				return fmt.Errorf("offset %d: want a member name", i)
			}
			end, err := stringEnd(data, i)
			if err != nil {
				return err
			}
			key = data[i:end]
			i = skipSpace(data, end)
			if i >= len(data) || data[i] != ':' {
				return fmt.Errorf("offset %d: want ':' after member name", i)
			}
			i = skipSpace(data, i+1)
		}
		end, err := valueEnd(data, i)
		if err != nil {
			return err
		}
		if err := fn(k, key, data[i:end]); err != nil {
			return err
		}
		i = skipSpace(data, end)
		if i >= len(data) {
			return fmt.Errorf("offset %d: unexpected end of input", i)
		}
		switch data[i] {
		case ',':
			i = skipSpace(data, i+1)
		case close:
			return checkTrailing(data, i+1)
		default:
			return fmt.Errorf("offset %d: want ',' or '%c'", i, close)
		}
	}
}

func checkTrailing(data []byte, i int) error {
	if i = skipSpace(data, i); i != len(data) {
		return fmt.Errorf("offset %d: data after the end of the document", i)
	}
	return nil
}

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
	structErr := eachMember(data, open, end, func(_ int, key, value []byte) error {
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

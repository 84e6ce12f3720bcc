package executor

import "sync"

// stderrKeep is how much of each worker's standard error is kept.
const stderrKeep = 64 << 10

// ring keeps the last bytes written to it.
type ring struct {
	mu   sync.Mutex
	buf  []byte // grows to len cap, then wraps
	next int    // where the next byte goes once full
	full bool
}

func newRing(size int) *ring { return &ring{buf: make([]byte, 0, size)} }

// Write implements io.Writer; it never fails.
func (r *ring) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := len(p)
	size := cap(r.buf)
	if len(p) >= size {
		p = p[len(p)-size:]
		r.buf = append(r.buf[:0], p...)
		r.next, r.full = 0, true
		return n, nil
	}
	if !r.full {
		room := size - len(r.buf)
		if len(p) <= room {
			r.buf = append(r.buf, p...)
			return n, nil
		}
		r.buf = append(r.buf, p[:room]...)
		p = p[room:]
		r.next, r.full = 0, true
	}
	for len(p) > 0 {
		c := copy(r.buf[r.next:], p)
		p = p[c:]
		r.next = (r.next + c) % size
	}
	return n, nil
}

// String returns the kept bytes in order.
func (r *ring) String() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.full {
		return string(r.buf)
	}
	return string(r.buf[r.next:]) + string(r.buf[:r.next])
}

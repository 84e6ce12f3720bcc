package external

import (
	"errors"
	"sync"

	"github.com/qcmb-go/qcmb/qcschema"
)

// residenceMu guards the pool of every Residence: a program value makes its pool on first
// use while copies of it may be read.
var residenceMu sync.Mutex

// Residence keeps the resident processes of a program: embedded in the program's struct,
// its Pool is made on first use and shared by the copies made after that (Copy), and its
// Close is the program's.
type Residence struct {
	pool *Pool
}

// Pool returns the resident processes' pool, making it on first use.
func (r *Residence) Pool() *Pool {
	residenceMu.Lock()
	defer residenceMu.Unlock()
	if r.pool == nil {
		r.pool = new(Pool)
	}
	return r.pool
}

// Close ends the resident processes (see Pool.Close).
func (r *Residence) Close() error {
	residenceMu.Lock()
	pool := r.pool
	residenceMu.Unlock()
	if pool == nil {
		return nil
	}
	return pool.Close()
}

// Copy returns a copy of the program *p, which embeds a Residence, read while no Residence
// makes its pool.
func Copy[T any](p *T) T {
	residenceMu.Lock()
	defer residenceMu.Unlock()
	return *p
}

// Compute runs a task in a resident process unless noResident, and in a process of its own
// (perTask) when noResident or when no resident process could be started.
func Compute(noResident bool, resident, perTask func() (*qcschema.AtomicResult, error)) (*qcschema.AtomicResult, error) {
	if !noResident {
		res, err := resident()
		var se *StartError
		if !errors.As(err, &se) {
			return res, err
		}
	}
	return perTask()
}

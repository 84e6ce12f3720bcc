package store

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"strings"
	"sync"

	"github.com/qcmb-go/qcmb/engine"
	"github.com/qcmb-go/qcmb/executor"
)

// keyDomain separates task keys from any other hash of the same bytes; bump it when the
// canonical form changes.
const keyDomain = "qcmb task key v1"

// TaskKey returns the key of a task: the SHA-256 over the program name (lower case,
// executor.DefaultProgram for ""), its version and the canonical payload. It also returns
// the payload's id, which the key leaves out.
//
// The canonical payload is the AtomicInput JSON with its "id" and extras[executor.ProgramKey]
// removed (and extras too when that leaves it empty), object members sorted by name and
// numbers written in one form, so that the same calculation planned from another input or
// another BSSE treatment has the same key.
func TaskKey(program, version string, payload []byte) (Key, string, error) {
	canon, id, err := canonicalPayload(payload)
	if err != nil {
		return Key{}, "", err
	}
	h := sha256.New()
	for _, part := range [][]byte{[]byte(keyDomain), []byte(programName(program)), []byte(version), canon} {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(part)))
		h.Write(n[:])
		h.Write(part)
	}
	var k Key
	h.Sum(k[:0])
	return k, id, nil
}

func programName(p string) string {
	if p == "" {
		return executor.DefaultProgram
	}
	return strings.ToLower(p)
}

// VersionFunc returns the version of a registered program.
type VersionFunc func(ctx context.Context, program string) (string, error)

// EngineVersion is the default VersionFunc: the version a program of the engine registry
// reports through engine.Finder, "" for programs that do not implement it. A program that
// is not registered, or cannot run here, has an error.
func EngineVersion(ctx context.Context, program string) (string, error) {
	p, err := engine.Lookup(program)
	if err != nil {
		return "", err
	}
	if f, ok := p.(engine.Finder); ok {
		return f.Find(ctx)
	}
	return "", nil
}

// Keyer computes task keys, asking each program for its version once.
type Keyer struct {
	version VersionFunc
	mu      sync.Mutex
	cache   map[string]string
}

// NewKeyer returns a Keyer that finds versions with version (nil means EngineVersion).
func NewKeyer(version VersionFunc) *Keyer {
	if version == nil {
		version = EngineVersion
	}
	return &Keyer{version: version, cache: map[string]string{}}
}

// Key returns the task's key and its payload's id.
func (k *Keyer) Key(ctx context.Context, t executor.Task) (Key, string, error) {
	v, err := k.Version(ctx, t.Program)
	if err != nil {
		return Key{}, "", err
	}
	return TaskKey(t.Program, v, t.Payload)
}

// Version returns the program's version, asking it once. A program whose version cannot
// be found (not installed here) has the empty version: its tasks will fail when they run,
// and their failures are recorded under that key. The error is ctx's, if it ended.
func (k *Keyer) Version(ctx context.Context, program string) (string, error) {
	name := programName(program)
	k.mu.Lock()
	v, ok := k.cache[name]
	k.mu.Unlock()
	if ok {
		return v, nil
	}
	v, err := k.version(ctx, name)
	if err != nil {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		v = ""
	}
	k.mu.Lock()
	k.cache[name] = v
	k.mu.Unlock()
	return v, nil
}

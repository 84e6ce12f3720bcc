package engine

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"sort"
	"strings"
	"sync"

	"github.com/qcmb-go/qcmb/qcschema"
)

// Program computes one single point. A failure of the calculation itself (bad basis, SCF
// that does not converge) is returned as a *qcschema.FailedOperation error so callers can
// report it as QCSchema does; other errors (context cancelled) are returned as they are.
type Program interface {
	Compute(ctx context.Context, input *qcschema.AtomicInput) (*qcschema.AtomicResult, error)
}

// ProgramFunc adapts an ordinary function to the Program interface.
type ProgramFunc func(ctx context.Context, input *qcschema.AtomicInput) (*qcschema.AtomicResult, error)

// Compute calls f(ctx, input).
func (f ProgramFunc) Compute(ctx context.Context, input *qcschema.AtomicInput) (*qcschema.AtomicResult, error) {
	return f(ctx, input)
}

// Finder is implemented by programs that can tell whether they are usable on this
// machine (an external executable found) and which version they are.
type Finder interface {
	// Find returns the program's version, or an error saying why it cannot run here.
	Find(ctx context.Context) (version string, err error)
}

// ErrUnknownProgram is wrapped by Lookup when no program has the name.
var ErrUnknownProgram = errors.New("unknown program")

var (
	registryMu sync.RWMutex
	registry   = map[string]Program{}
)

// Register makes a program available by name (case-insensitive). It panics if the name is
// empty, p is nil or the name is already taken: registration happens in init functions,
// where a duplicate is a programming error.
func Register(name string, p Program) {
	registryMu.Lock()
	defer registryMu.Unlock()
	key := strings.ToLower(name)
	if key == "" || p == nil {
		panic("engine: Register with empty name or nil program")
	}
	if _, dup := registry[key]; dup {
		panic("engine: Register called twice for program " + key)
	}
	registry[key] = p
}

// Lookup returns the program registered under name (case-insensitive).
func Lookup(name string) (Program, error) {
	registryMu.RLock()
	defer registryMu.RUnlock()
	key := strings.ToLower(name)
	if p, ok := registry[key]; ok {
		return p, nil
	}
	if p, ok := resolveLocked(key); ok {
		return p, nil
	}
	return nil, fmt.Errorf("engine: program %s: %w (registered: %s)", qcschema.Quote(name), ErrUnknownProgram, strings.Join(namesLocked(), ", "))
}

// Names lists the registered program names, sorted.
func Names() []string {
	registryMu.RLock()
	defer registryMu.RUnlock()
	return namesLocked()
}

func namesLocked() []string {
	out := make([]string, 0, len(registry))
	for k := range registry {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Info says whether a registered program can run here.
type Info struct {
	Name      string `json:"name"`
	Available bool   `json:"available"`
	Version   string `json:"version,omitempty"`
	// Via names the registered program that runs this one (e.g. "qcengine" for nwchem);
	// empty for registered programs.
	Via string `json:"via,omitempty"`
	// Reason says why the program is not available.
	Reason string `json:"reason,omitempty"`
}

// List reports every registered program with its availability and version, then every
// program a Resolver runs by name (with Via set). Programs that do not implement Finder
// are taken as available.
func List(ctx context.Context) []Info {
	names := Names()
	resolved := resolvedNames()
	out := make([]Info, 0, len(names)+len(resolved))
	for _, n := range names {
		out = append(out, infoOf(ctx, n, ""))
	}
	for _, r := range resolved {
		out = append(out, infoOf(ctx, r.name, r.via))
	}
	return out
}

func infoOf(ctx context.Context, name, via string) Info {
	info := Info{Name: name, Via: via, Available: true}
	_, v, err := Availability(ctx, name)
	info.Version = v
	if err != nil {
		info.Available = false
		info.Reason = errors.Unwrap(err).Error()
	}
	return info
}

// Compute looks up input's program by name and runs it. An input whose geometry fails
// qcschema.Molecule.CheckGeometry never reaches the program, and a panic of the program is
// returned as an error: both are *qcschema.FailedOperation.
func Compute(ctx context.Context, program string, input *qcschema.AtomicInput) (res *qcschema.AtomicResult, err error) {
	p, err := Lookup(program)
	if err != nil {
		return nil, err
	}
	if input == nil {
		return nil, errors.New("engine: nil input")
	}
	if err := input.Molecule.CheckGeometry(); err != nil {
		return nil, qcschema.NewFailedOperation(input, qcschema.ErrorInput, err.Error())
	}
	defer func() {
		if v := recover(); v != nil {
			fo := qcschema.NewFailedOperation(input, qcschema.ErrorUnknown, fmt.Sprintf("program %s panicked: %v", program, v))
			fo.ComputeError.Extras = map[string]any{"traceback": string(debug.Stack())}
			res, err = nil, fo
		}
	}()
	return p.Compute(ctx, input)
}

package engine

import (
	"context"
	"fmt"
	"sort"

	"github.com/qcmb-go/qcmb/qcschema"
)

// Checker is implemented by programs that can say before any work whether they can run a
// calculation: the driver, the method and basis of the model, the keywords and the
// elements of the molecule. A planner calls Check once per model chemistry with an input
// that stands for all of its tasks (the whole molecule), so that an unknown basis is one
// error before the run instead of one failure per task after it. Programs that do not
// implement Checker are asked nothing: their errors surface when tasks run.
type Checker interface {
	// Check returns nil if the program can compute in, or an error that says what it
	// cannot do (an unknown method, a basis without functions for an element, ...).
	Check(ctx context.Context, in *qcschema.AtomicInput) error
}

// Check asks p whether it can compute in: p's own answer when it implements Checker, nil
// otherwise.
func Check(ctx context.Context, p Program, in *qcschema.AtomicInput) error {
	if c, ok := p.(Checker); ok {
		return c.Check(ctx, in)
	}
	return nil
}

// Resolver is implemented by registered programs that run other programs by name, as the
// QCEngine bridge runs nwchem, cfour or gamess. Lookup asks the resolvers, in the order of
// their registered names, for a name that no program is registered under.
type Resolver interface {
	// Resolve returns the program that runs name, or false when name is not one of its
	// programs.
	Resolve(name string) (Program, bool)
	// Programs lists the names Resolve accepts, for listings such as qcmb engines.
	Programs() []string
}

// resolveLocked asks each registered Resolver for name. The caller holds registryMu.
func resolveLocked(name string) (Program, bool) {
	for _, n := range namesLocked() {
		if r, ok := registry[n].(Resolver); ok {
			if p, ok := r.Resolve(name); ok {
				return p, true
			}
		}
	}
	return nil, false
}

// resolvedNames lists, sorted, the names the registered resolvers accept that no program
// is registered under, with the name of the resolver that runs each.
func resolvedNames() []resolvedName {
	registryMu.RLock()
	defer registryMu.RUnlock()
	seen := map[string]bool{}
	var out []resolvedName
	for _, n := range namesLocked() {
		r, ok := registry[n].(Resolver)
		if !ok {
			continue
		}
		for _, name := range r.Programs() {
			if _, taken := registry[name]; taken || seen[name] {
				continue
			}
			seen[name] = true
			out = append(out, resolvedName{name: name, via: n})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

type resolvedName struct{ name, via string }

// Availability looks up the program registered or resolved under name and asks it whether
// it can run here: the program and its version, or an error that says why not (unknown
// name, executable missing).
func Availability(ctx context.Context, name string) (Program, string, error) {
	p, err := Lookup(name)
	if err != nil {
		return nil, "", err
	}
	f, ok := p.(Finder)
	if !ok {
		return p, "", nil
	}
	v, err := f.Find(ctx)
	if err != nil {
		return p, v, fmt.Errorf("engine: program %s is not available: %w", qcschema.Quote(name), err)
	}
	return p, v, nil
}

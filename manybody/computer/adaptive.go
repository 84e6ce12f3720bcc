package computer

import (
	"context"
	"fmt"

	"github.com/qcmb-go/qcmb/executor"
	"github.com/qcmb-go/qcmb/executor/store"
	"github.com/qcmb-go/qcmb/manybody"
	"github.com/qcmb-go/qcmb/qcschema"
)

// EstimatorPropertiesKey is the member of a ManyBodyResult's extras that holds, by task
// label, the properties of the tasks of an energy-screening estimator: the results that
// made the decisions, which are never part of the expansion.
const EstimatorPropertiesKey = "estimator_component_properties"

// expansionSource releases the tasks of an adaptive expansion as its decisions do.
type expansionSource struct {
	p     *Prepared
	x     *manybody.Expansion
	tasks []manybody.Task // the run's tasks, in the order released
}

func (s *expansionSource) first() (Batch, error) { return s.batch(s.x.Ready()) }

func (s *expansionSource) done(i int, res *qcschema.AtomicResult) (Batch, error) {
	comp, err := ComponentOf(s.p.Input.Specification.Driver, res)
	if err != nil {
		return Batch{}, err
	}
	more, err := s.x.Add(s.tasks[i], comp)
	if err != nil {
		return Batch{}, err
	}
	return s.batch(more)
}

func (s *expansionSource) bound() (int, bool) { return s.x.Bound(), s.x.Decided() }
func (s *expansionSource) grows() bool        { return true }

// batch serializes released tasks.
func (s *expansionSource) batch(ts []manybody.Task) (Batch, error) {
	b := Batch{Tasks: make([]executor.Task, len(ts)), MC: make([]string, len(ts)), Level: make([]int, len(ts))}
	for k, t := range ts {
		et, err := s.p.Task(t)
		if err != nil {
			return Batch{}, err
		}
		b.Tasks[k], b.MC[k], b.Level[k] = et, t.MC, t.Level
	}
	s.tasks = append(s.tasks, ts...)
	return b, nil
}

// runExpansion runs an adaptive expansion: the tasks its decisions release stream to the
// executor while others run, and the result sums the kept clusters.
func (c *Computer) runExpansion(ctx context.Context, p *Prepared) (*qcschema.ManyBodyResult, error) {
	src := &expansionSource{p: p, x: p.Core.NewExpansion()}
	results, err := c.stream(ctx, src, p.InputHash())
	if err != nil {
		return nil, err
	}
	byLabel := make(map[string]*qcschema.AtomicResult, len(results))
	for i, r := range results {
		byLabel[src.tasks[i].Label()] = r
	}
	return assembleExpansion(p, src.x, byLabel, true)
}

// replayExpansion runs the expansion of p with the given results, by task label, as those
// of its tasks: what Assemble and AssembleProperties do for an adaptive expansion. Every
// task the decisions release must have a result.
func replayExpansion(p *Prepared, results map[string]*qcschema.AtomicResult) (*qcschema.ManyBodyResult, error) {
	x := p.Core.NewExpansion()
	queue := x.Ready()
	for len(queue) > 0 {
		t := queue[0]
		queue = queue[1:]
		r, ok := results[t.Label()]
		if !ok || r == nil {
			return nil, fmt.Errorf("manybody: task %s: no result", t.Label())
		}
		comp, err := taskComponent(p, t, &r.Properties, r)
		if err != nil {
			return nil, fmt.Errorf("manybody: task %s: %w", t.Label(), err)
		}
		more, err := x.Add(t, comp)
		if err != nil {
			return nil, err
		}
		queue = append(queue, more...)
	}
	return assembleExpansion(p, x, results, false)
}

// assembleExpansion is the ManyBodyResult of a finished expansion whose results are
// given by task label: component properties (and results, when the protocols ask) of the
// expansion's own tasks, the estimator's properties apart in the extras, and
// extras.screening with what the decisions kept and dropped. full says that results hold
// whole AtomicResults (not just their properties, as qcmb analyze may give).
func assembleExpansion(p *Prepared, x *manybody.Expansion, results map[string]*qcschema.AtomicResult, full bool) (*qcschema.ManyBodyResult, error) {
	an, err := x.Analyze()
	if err != nil {
		return nil, err
	}
	plan, err := x.Plan()
	if err != nil {
		return nil, err
	}
	props := make(map[string]qcschema.AtomicResultProperties, len(plan.Tasks))
	var kept map[string]qcschema.AtomicResult
	if full && p.Input.Specification.Protocols.ComponentResults == "all" {
		kept = make(map[string]qcschema.AtomicResult, len(plan.Tasks))
	}
	for _, t := range plan.Tasks {
		r := results[t.Label()]
		props[t.Label()] = r.Properties
		if kept != nil {
			kept[t.Label()] = *r
		}
	}
	out := newResult(p, an, plan.Screening, props, kept)
	if est := p.Core.Estimator(); est != "" {
		estProps := map[string]qcschema.AtomicResultProperties{}
		for _, t := range p.Plan.Tasks {
			if r := results[t.Label()]; t.MC == est && r != nil {
				if _, ran := x.Result(t); ran {
					estProps[t.Label()] = r.Properties
				}
			}
		}
		out.Extras[EstimatorPropertiesKey] = estProps
	}
	return out, nil
}

// Replay finds what s holds for the tasks of p as a run would: for an adaptive expansion,
// the tasks its decisions release given the stored results, in the order released, and
// for each what s holds (see store.Lookup); the tasks after a missing result are not known
// yet and not listed. For a static plan, every task.
func (p *Prepared) Replay(ctx context.Context, s store.Store, opts ...store.Option) ([]executor.Task, []store.Found, error) {
	if !p.Core.Adaptive() {
		found, err := store.Lookup(ctx, s, p.Tasks, opts...)
		return p.Tasks, found, err
	}
	src := &expansionSource{p: p, x: p.Core.NewExpansion()}
	b, err := src.first()
	if err != nil {
		return nil, nil, err
	}
	var tasks []executor.Task
	var found []store.Found
	for len(b.Tasks) > 0 {
		f, err := store.Lookup(ctx, s, b.Tasks, opts...)
		if err != nil {
			return nil, nil, err
		}
		first := len(tasks)
		tasks, found = append(tasks, b.Tasks...), append(found, f...)
		next := Batch{}
		for k := range b.Tasks {
			if f[k].Result == nil {
				continue
			}
			more, err := src.done(first+k, f[k].Result)
			if err != nil {
				continue // a stored result the expansion cannot use: as if missing
			}
			next.Tasks = append(next.Tasks, more.Tasks...)
		}
		b = next
	}
	return tasks, found, nil
}

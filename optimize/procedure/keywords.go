package procedure

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/qcmb-go/qcmb/optimize"
	"github.com/qcmb-go/qcmb/qcschema"
)

// Optimizer keywords understood in specification.keywords, under optking's and
// geomeTRIC's names. Anything else is an error.
var keywordNames = []string{
	"g_convergence", "convergence_set", // optking, geomeTRIC
	"geom_maxiter", "maxiter", // optking, geomeTRIC
	"intrafrag_step_limit", "trust", // initial trust radius [bohr]
	"intrafrag_step_limit_min", "intrafrag_step_limit_max", "tmax", // bounds [bohr]
}

// Optimizer builds the optimizer that keywords describe.
func Optimizer(keywords map[string]any) (*optimize.Optimizer, error) {
	known := map[string]bool{}
	for _, k := range keywordNames {
		known[k] = true
	}
	kw := map[string]any{}
	for k, v := range keywords {
		lk := strings.ToLower(k)
		if !known[lk] {
			names := append([]string(nil), keywordNames...)
			sort.Strings(names)
			return nil, fmt.Errorf("optimization keyword %s is not known (known: %s)", qcschema.Quote(k), strings.Join(names, ", "))
		}
		kw[lk] = v
	}
	pick := func(names ...string) (string, any, error) {
		var name string
		var val any
		for _, n := range names {
			if v, ok := kw[n]; ok {
				if name != "" {
					return "", nil, fmt.Errorf("optimization keywords %q and %q say the same thing: give one", name, n)
				}
				name, val = n, v
			}
		}
		return name, val, nil
	}
	o := &optimize.Optimizer{}
	name, v, err := pick("g_convergence", "convergence_set")
	if err != nil {
		return nil, err
	}
	set := ""
	if name != "" {
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("optimization keyword %s: want a string, got %v", name, v)
		}
		set = s
	}
	if o.Convergence, err = optimize.ConvergenceSet(set); err != nil {
		return nil, err
	}
	numbers := []struct {
		names []string
		dst   *float64
	}{
		{[]string{"intrafrag_step_limit", "trust"}, &o.TrustRadius},
		{[]string{"intrafrag_step_limit_min"}, &o.MinTrust},
		{[]string{"intrafrag_step_limit_max", "tmax"}, &o.MaxTrust},
	}
	for _, n := range numbers {
		name, v, err := pick(n.names...)
		if err != nil {
			return nil, err
		}
		if name == "" {
			continue
		}
		x, ok := v.(float64)
		if !ok || !(x > 0) || math.IsInf(x, 0) {
			return nil, fmt.Errorf("optimization keyword %s: want a positive number, got %v", name, v)
		}
		*n.dst = x
	}
	name, v, err = pick("geom_maxiter", "maxiter")
	if err != nil {
		return nil, err
	}
	if name != "" {
		x, ok := v.(float64)
		if !ok || x < 1 || x != math.Trunc(x) || x > 1e6 {
			return nil, fmt.Errorf("optimization keyword %s: want a positive integer, got %v", name, v)
		}
		o.MaxIter = int(x)
	}
	return o, nil
}

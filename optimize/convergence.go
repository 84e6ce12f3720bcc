package optimize

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/qcmb-go/qcmb/qcschema"
)

// Rule says which of a Criteria's thresholds must hold, as optking decides.
type Rule int

const (
	// RuleAll: every active criterion must hold (turbomole, cfour, nwchem_loose).
	RuleAll Rule = iota
	// RuleGaussian: max and RMS force and max and RMS displacement must hold; or, on a
	// flat surface, the RMS force alone when it is 100 times below its threshold
	// (gau, gau_loose, gau_tight, gau_verytight, interfrag_tight).
	RuleGaussian
	// RuleQChem: the max force and one of the energy change or the max displacement
	// (qchem, molpro).
	RuleQChem
)

// Criteria are the thresholds of a convergence set. A zero threshold is inactive.
// Energies are in hartree, forces in hartree/bohr and displacements in bohr.
type Criteria struct {
	Name      string
	MaxEnergy float64 // |energy change| from the previous point
	MaxForce  float64
	RMSForce  float64
	MaxDisp   float64
	RMSDisp   float64
	Rule      Rule
}

// Measures are what the criteria are tested on at one point: the energy change from the
// previous point (+Inf at the first), the gradient there and the step that would follow.
type Measures struct {
	DeltaE   float64 `json:"delta_energy"`
	MaxForce float64 `json:"max_force"`
	RMSForce float64 `json:"rms_force"`
	MaxDisp  float64 `json:"max_disp"`
	RMSDisp  float64 `json:"rms_disp"`
}

// optking's CONVERGENCE_PRESETS (optking/v2/optparams.py) and the rules of
// optking/convcheck.py. interfrag_tight lists an energy threshold but is tested with
// the Gaussian rule, which does not use it, exactly as optking does.
var convergenceSets = map[string]Criteria{
	"qchem":           {MaxEnergy: 1.0e-6, MaxForce: 3.0e-4, MaxDisp: 1.2e-3, Rule: RuleQChem},
	"molpro":          {MaxEnergy: 1.0e-6, MaxForce: 3.0e-4, MaxDisp: 3.0e-4, Rule: RuleQChem},
	"gau":             {MaxForce: 4.5e-4, RMSForce: 3.0e-4, MaxDisp: 1.8e-3, RMSDisp: 1.2e-3, Rule: RuleGaussian},
	"gau_tight":       {MaxForce: 1.5e-5, RMSForce: 1.0e-5, MaxDisp: 6.0e-5, RMSDisp: 4.0e-5, Rule: RuleGaussian},
	"gau_verytight":   {MaxForce: 2.0e-6, RMSForce: 1.0e-6, MaxDisp: 6.0e-6, RMSDisp: 4.0e-6, Rule: RuleGaussian},
	"gau_loose":       {MaxForce: 2.5e-3, RMSForce: 1.7e-3, MaxDisp: 1.0e-2, RMSDisp: 6.7e-3, Rule: RuleGaussian},
	"turbomole":       {MaxEnergy: 1.0e-6, MaxForce: 1.0e-3, RMSForce: 5.0e-4, MaxDisp: 1.0e-3, RMSDisp: 5.0e-4, Rule: RuleAll},
	"cfour":           {RMSForce: 1.0e-4, Rule: RuleAll},
	"nwchem_loose":    {MaxForce: 4.5e-3, RMSForce: 3.0e-3, MaxDisp: 5.4e-3, RMSDisp: 3.6e-3, Rule: RuleAll},
	"interfrag_tight": {MaxEnergy: 1.0e-5, MaxForce: 1.5e-5, RMSForce: 1.0e-5, MaxDisp: 6.0e-4, RMSDisp: 4.0e-4, Rule: RuleGaussian},
}

// DefaultConvergence is the convergence set used when none is named.
const DefaultConvergence = "gau"

// ConvergenceSetNames lists the named convergence sets, sorted.
func ConvergenceSetNames() []string {
	out := make([]string, 0, len(convergenceSets))
	for k := range convergenceSets {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// ConvergenceSet returns the named set (case-insensitive; "" is DefaultConvergence).
func ConvergenceSet(name string) (Criteria, error) {
	key := strings.ToLower(strings.TrimSpace(name))
	if key == "" {
		key = DefaultConvergence
	}
	c, ok := convergenceSets[key]
	if !ok {
		return Criteria{}, fmt.Errorf("optimize: unknown convergence set %s (known: %s)", qcschema.Quote(name), strings.Join(ConvergenceSetNames(), ", "))
	}
	c.Name = key
	return c, nil
}

// Met reports whether m satisfies the criteria under their rule.
func (c Criteria) Met(m Measures) bool {
	below := func(v, threshold float64) bool { return math.Abs(v) < threshold }
	switch c.Rule {
	case RuleGaussian:
		if below(100*m.RMSForce, c.RMSForce) {
			return true // flat potential
		}
		return below(m.MaxForce, c.MaxForce) && below(m.RMSForce, c.RMSForce) &&
			below(m.MaxDisp, c.MaxDisp) && below(m.RMSDisp, c.RMSDisp)
	case RuleQChem:
		return below(m.MaxForce, c.MaxForce) && (below(m.DeltaE, c.MaxEnergy) || below(m.MaxDisp, c.MaxDisp))
	default:
		for _, t := range []struct{ v, threshold float64 }{
			{m.DeltaE, c.MaxEnergy}, {m.MaxForce, c.MaxForce}, {m.RMSForce, c.RMSForce},
			{m.MaxDisp, c.MaxDisp}, {m.RMSDisp, c.RMSDisp},
		} {
			if t.threshold > 0 && !below(t.v, t.threshold) {
				return false
			}
		}
		return true
	}
}

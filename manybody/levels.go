package manybody

import (
	"fmt"
	"sort"

	"github.com/qcmb-go/qcmb/qcschema"
)

// mcLevel is one model chemistry and the n-body levels it covers.
type mcLevel struct {
	name    string
	nbodies []int // sorted, contiguous; empty for the supersystem model chemistry
	ss      bool  // the supersystem model chemistry
	est     bool  // the estimator of energy screening: own-basis clusters of nbodies only
}

func (m *mcLevel) lo() int { return m.nbodies[0] }
func (m *mcLevel) hi() int { return m.nbodies[len(m.nbodies)-1] }
func (m *mcLevel) has(n int) bool {
	return len(m.nbodies) > 0 && n >= m.lo() && n <= m.hi()
}

// setLevels checks the model chemistry of every n-body level (contiguous from 1, at most
// the number of fragments, each model chemistry's levels contiguous) and of the
// supersystem, and groups the levels by model chemistry, ordered by the lowest level each
// covers, the supersystem last.
func (c *Core) setLevels(levels map[int]string, supersystem string) error {
	if len(levels) == 0 {
		return fmt.Errorf("levels: no n-body levels given")
	}
	ns := make([]int, 0, len(levels))
	for n, mc := range levels {
		if n < 1 {
			return fmt.Errorf("levels: n-body level %d < 1", n)
		}
		if mc == "" {
			return fmt.Errorf("levels: empty model chemistry for %d-body", n)
		}
		ns = append(ns, n)
	}
	sort.Ints(ns)
	c.maxNB = ns[len(ns)-1]
	if len(ns) != c.maxNB {
		return fmt.Errorf("levels: n-body levels must be contiguous from 1 to %d, got %v", c.maxNB, ns)
	}
	if c.maxNB > c.nfr {
		return fmt.Errorf("levels: max n-body %d exceeds the number of fragments %d", c.maxNB, c.nfr)
	}
	byMC := map[string][]int{}
	var order []string
	for _, n := range ns {
		mc := levels[n]
		if _, ok := byMC[mc]; !ok {
			order = append(order, mc)
		}
		byMC[mc] = append(byMC[mc], n)
	}
	// ns ascending orders the model chemistries by their lowest level.
	for _, mc := range order {
		nbs := byMC[mc]
		if nbs[len(nbs)-1]-nbs[0] != len(nbs)-1 {
			return fmt.Errorf("levels: n-body levels must be contiguous within a model chemistry (%s: %v); use another spec name", mc, nbs)
		}
		c.mcs = append(c.mcs, mcLevel{name: mc, nbodies: nbs})
	}
	if supersystem != "" {
		if _, ok := byMC[supersystem]; ok {
			return fmt.Errorf("levels: supersystem model chemistry %q also names n-body levels; use another spec name", qcschema.Excerpt(supersystem, qcschema.ExcerptLen))
		}
		c.ssIndex = len(c.mcs)
		c.mcs = append(c.mcs, mcLevel{name: supersystem, ss: true})
	}
	return nil
}

package manybody

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/qcmb-go/qcmb/qcschema"
)

// AutoMC is the model chemistry label QCManyBody uses when levels are not given.
const AutoMC = "(auto)"

// KeywordsFromInput resolves the keywords of a ManyBodyInput by the rules of QCManyBody's
// ManyBodyComputer:
//
//   - bsse_type defaults to [cp]; aliases are resolved and duplicates dropped.
//   - return_total_data defaults to false for the energy driver and true for gradient and
//     hessian; embedding charges require total data.
//   - levels absent: {nfragments: mc}; max_nbody given and different from the highest
//     level: {max_nbody: mc}, where mc is "(auto)" (or the name of the only specification
//     when that is not "(auto)").
//   - levels keys are "1", "2", ... or "supersystem"; a key n after key m covers the
//     levels m+1..n ({2: a, 3: b} means 1- and 2-body at a, 3-body at b).
//   - duplicate model chemistries in levels are an error; max_nbody must lie in
//     [1, nfragments]; supersystem_ie_only needs max_nbody == nfragments and no vmfc.
//   - screening (a qcmb extension): metric min_atom or centroid; cutoffs keyed by level
//     2..max_nbody, non-negative, not increasing with the level, converted to bohr from
//     units (angstrom by default, or bohr); not with bsse_type cp or supersystem_ie_only.
//     Its energy member: thresholds keyed by level 3..max_nbody, non-negative, converted
//     to hartree from units (hartree by default, or kcal/mol); an estimator must be a key
//     of specification.specification and none of the levels' model chemistries.
//     Its errors are *qcschema.ValidationError naming the keyword.
//
// Errors name the offending field.
func KeywordsFromInput(in *qcschema.ManyBodyInput) (Keywords, error) {
	kw, err := keywordsFromInput(in)
	if err != nil {
		return Keywords{}, fmt.Errorf("manybody: %w", err)
	}
	return kw, nil
}

// checkFragments refuses a molecule that is not split into fragments, or has a fragment of
// no atoms, naming the problem before the keywords' consequences of it.
func checkFragments(m *qcschema.Molecule) error {
	if len(m.Symbols) == 0 {
		return errors.New("molecule: no atoms (symbols is empty)")
	}
	if len(m.Fragments) == 0 {
		return errors.New("molecule.fragments: no fragments: a many-body expansion needs the molecule split into fragments (lists of 0-based atom indices)")
	}
	for f, atoms := range m.Fragments {
		if len(atoms) == 0 {
			return fmt.Errorf("molecule.fragments[%d]: a fragment of no atoms", f)
		}
	}
	return nil
}

func keywordsFromInput(in *qcschema.ManyBodyInput) (Keywords, error) {
	if in == nil {
		return Keywords{}, fmt.Errorf("nil ManyBodyInput")
	}
	src := in.Specification.Keywords
	nfr := len(in.Molecule.Fragments)
	var out Keywords
	if err := checkFragments(&in.Molecule); err != nil {
		return out, err
	}

	bt := []qcschema.BsseType(src.BsseType)
	switch {
	case bt == nil: // not given
		bt = []qcschema.BsseType{qcschema.BsseCP}
	case len(bt) == 0:
		return out, fmt.Errorf("specification.keywords.bsse_type: an empty list: give at least one of %s, %s or %s (or leave bsse_type out for %s)",
			qcschema.BsseNoCP, qcschema.BsseCP, qcschema.BsseVMFC, qcschema.BsseCP)
	}
	nbt, err := NormalizeBsseType(bt)
	if err != nil {
		return out, fmt.Errorf("specification.keywords.%w", err)
	}
	out.BsseType = nbt
	if out.EmbeddingCharges, err = embeddingFromInput(src.EmbeddingCharges, nfr); err != nil {
		return out, err
	}
	out.ReturnTotalData = returnTotalData(src.ReturnTotalData, in.Specification.Driver)
	if out.EmbeddingCharges != nil && !out.ReturnTotalData {
		return out, fmt.Errorf("specification.keywords.return_total_data: cannot return interaction data when using embedding charges")
	}
	specs := in.Specification.Specification
	auto := autoMC(specs)
	levels, err := levelsFromInput(src.Levels, len(specs), nfr, auto)
	if err != nil {
		return out, err
	}
	maxNB := levels.maxNbody()
	if src.MaxNbody != nil {
		v := *src.MaxNbody
		switch {
		case v < 1 || v > nfr:
			return out, fmt.Errorf("specification.keywords.max_nbody: %d should be between 1 and %d", v, nfr)
		case v != maxNB:
			levels = inputLevels{{v, auto}}
		}
		maxNB = v
	}
	if maxNB > nfr {
		return out, fmt.Errorf("specification.keywords.levels: max n-body %d exceeds the number of fragments %d", maxNB, nfr)
	}
	if src.SupersystemIEOnly {
		if err := checkSupersystemIEOnlyInput(maxNB, nfr, out.BsseType); err != nil {
			return out, err
		}
	}
	out.SupersystemIEOnly = src.SupersystemIEOnly
	if src.Screening != nil {
		if out.Screening, err = screeningFromInput(src.Screening, maxNB); err != nil {
			return out, err
		}
		if err := out.Screening.check("specification.keywords.", maxNB, out.BsseType, out.SupersystemIEOnly); err != nil {
			return out, err
		}
	}
	out.Levels, out.Supersystem = levels.expand()
	if err := levels.checkSpecs(specs); err != nil {
		return out, err
	}
	if out.Screening != nil && out.Screening.Energy != nil {
		return out, checkEstimatorInput(out.Screening.Energy, out.Levels, out.Supersystem, specs)
	}
	return out, nil
}

// checkEstimatorInput checks that the estimator of energy screening is a specification
// and none of the levels' model chemistries.
func checkEstimatorInput(e *EnergyScreening, levels map[int]string, supersystem string, specs map[string]qcschema.AtomicSpecification) error {
	const field = "specification.keywords.screening.energy"
	if err := e.checkEstimator(field, levelModelChemistries(levels, supersystem)); err != nil {
		return err
	}
	if _, ok := specs[e.Estimator]; e.Estimator != "" && len(specs) > 0 && !ok {
		return screenInvalid(field+".estimator", -1, "%q is not a key of specification.specification", qcschema.Excerpt(e.Estimator, qcschema.ExcerptLen))
	}
	return nil
}

// embeddingFromInput reads the embedding_charges keyword: one entry per 1-indexed fragment;
// nil when none is given.
func embeddingFromInput(src map[string][]float64, nfr int) (map[int][]float64, error) {
	if len(src) == 0 {
		return nil, nil
	}
	if len(src) != nfr {
		return nil, fmt.Errorf("specification.keywords.embedding_charges: want entries for each of the %d 1-indexed fragments, got %d", nfr, len(src))
	}
	out := make(map[int][]float64, len(src))
	for k, q := range src {
		f, err := strconv.Atoi(strings.TrimSpace(k))
		if err != nil || f < 1 || f > nfr {
			return nil, fmt.Errorf("specification.keywords.embedding_charges: key %q is not a fragment number in [1, %d]", qcschema.Excerpt(k, qcschema.ExcerptLen), nfr)
		}
		out[f] = append([]float64(nil), q...)
	}
	return out, nil
}

// returnTotalData is the keyword if given, else true for the gradient and hessian drivers.
func returnTotalData(given *bool, driver qcschema.Driver) bool {
	if given != nil {
		return *given
	}
	return driver == qcschema.DriverGradient || driver == qcschema.DriverHessian
}

// autoMC is the model chemistry of levels that are not named: "(auto)", or the name of the
// only specification when that is not "(auto)".
func autoMC(specs map[string]qcschema.AtomicSpecification) string {
	auto := AutoMC
	if _, ok := specs[AutoMC]; !ok && len(specs) == 1 {
		for name := range specs {
			auto = name
		}
	}
	return auto
}

// inputLevel is one key of the levels keyword: an n-body level, 0 for the supersystem.
type inputLevel struct {
	n  int
	mc string
}

// inputLevels are the keys of the levels keyword sorted by level, the supersystem last.
type inputLevels []inputLevel

// levelsFromInput reads the levels keyword, {nfr: auto} when absent, and checks that its
// model chemistries are named and distinct and that it has an n-body level.
func levelsFromInput(src map[string]string, nspecs, nfr int, auto string) (inputLevels, error) {
	var levels inputLevels
	if src == nil {
		if nspecs > 1 {
			return nil, fmt.Errorf("specification.keywords.levels: required when specification has %d model chemistries", nspecs)
		}
		levels = inputLevels{{nfr, auto}}
	}
	keys := slices.Sorted(maps.Keys(src)) // the first bad key is reported, whatever the map order
	for _, k := range keys {
		mc := src[k]
		key := strings.TrimSpace(k)
		if strings.EqualFold(key, "supersystem") {
			levels = append(levels, inputLevel{0, mc})
			continue
		}
		n, err := strconv.Atoi(key)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("specification.keywords.levels: key %q is neither a positive n-body level nor \"supersystem\"", qcschema.Excerpt(k, qcschema.ExcerptLen))
		}
		levels = append(levels, inputLevel{n, mc})
	}
	sort.Slice(levels, func(i, j int) bool {
		a, b := levels[i].n, levels[j].n
		if a == 0 {
			a = 1 << 30
		}
		if b == 0 {
			b = 1 << 30
		}
		return a < b
	})
	seen := map[string]bool{}
	for _, l := range levels {
		if l.mc == "" {
			return nil, fmt.Errorf("specification.keywords.levels: empty model chemistry")
		}
		if seen[l.mc] {
			return nil, fmt.Errorf("specification.keywords.levels: duplicate model chemistry %q; use one spec name per level group", qcschema.Excerpt(l.mc, qcschema.ExcerptLen))
		}
		seen[l.mc] = true
	}
	if levels.maxNbody() == 0 {
		return nil, fmt.Errorf("specification.keywords.levels: no n-body level given (only supersystem)")
	}
	return levels, nil
}

// maxNbody is the highest n-body level, 0 if there is none.
func (ls inputLevels) maxNbody() int {
	m := 0
	for _, l := range ls {
		m = max(m, l.n)
	}
	return m
}

// expand gives every level covered its model chemistry: a key n after key m covers the
// levels m+1..n.
func (ls inputLevels) expand() (levels map[int]string, supersystem string) {
	levels = map[int]string{}
	prev := 0
	for _, l := range ls {
		if l.n == 0 {
			supersystem = l.mc
			continue
		}
		for m := prev + 1; m <= l.n; m++ {
			levels[m] = l.mc
		}
		prev = l.n
	}
	return levels, supersystem
}

// checkSpecs checks that every model chemistry is a key of specs, when specs are given.
func (ls inputLevels) checkSpecs(specs map[string]qcschema.AtomicSpecification) error {
	if len(specs) == 0 {
		return nil
	}
	for _, l := range ls {
		if _, ok := specs[l.mc]; !ok {
			return fmt.Errorf("specification.keywords.levels: model chemistry %q is not a key of specification.specification", qcschema.Excerpt(l.mc, qcschema.ExcerptLen))
		}
	}
	return nil
}

// checkSupersystemIEOnlyInput checks supersystem_ie_only against max_nbody and bsse_type.
func checkSupersystemIEOnlyInput(maxNB, nfr int, bt []qcschema.BsseType) error {
	if maxNB != nfr {
		return fmt.Errorf("specification.keywords.supersystem_ie_only: cannot skip intermediate n-body jobs when max_nbody=%d != nfragments=%d", maxNB, nfr)
	}
	if slices.Contains(bt, qcschema.BsseVMFC) {
		return fmt.Errorf("specification.keywords.supersystem_ie_only: cannot skip intermediate n-body jobs when vmfc is in bsse_type; use cp instead")
	}
	return nil
}

// screeningFromInput resolves the screening keyword: levels as integers, cutoffs in bohr,
// energy thresholds in hartree.
func screeningFromInput(src *qcschema.Screening, maxNB int) (*Screening, error) {
	const field = "specification.keywords.screening"
	scale := 1.0
	switch strings.ToLower(strings.TrimSpace(src.Units)) {
	case "", "angstrom":
		scale = 1 / qcschema.AngstromPerBohr
	case "bohr":
	default:
		return nil, screenInvalid(field+".units", -1, "unknown units %s (want angstrom or bohr)", qcschema.Quote(src.Units))
	}
	out := &Screening{Metric: strings.ToLower(strings.TrimSpace(src.Metric)), Cutoffs: make(map[int]float64, len(src.Cutoffs))}
	keys := make([]string, 0, len(src.Cutoffs))
	for k := range src.Cutoffs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := src.Cutoffs[k]
		n, err := strconv.Atoi(strings.TrimSpace(k))
		if err != nil {
			return nil, screenInvalid(field+".cutoffs", -1, "key %s is not an n-body level", qcschema.Quote(k))
		}
		if n < 2 || n > maxNB {
			return nil, screenInvalid(field+".cutoffs", n, "level %d is outside 2..max_nbody (%d)", n, maxNB)
		}
		out.Cutoffs[n] = v * scale
	}
	if src.Energy != nil {
		e, err := energyScreeningFromInput(src.Energy, field+".energy")
		if err != nil {
			return nil, err
		}
		out.Energy = e
	}
	return out, nil
}

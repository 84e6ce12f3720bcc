package computer_test

import (
	"context"
	"fmt"
	"math"

	"github.com/qcmb-go/qcmb/engine"
	"github.com/qcmb-go/qcmb/executor"
	"github.com/qcmb-go/qcmb/manybody/computer"
	"github.com/qcmb-go/qcmb/qcschema"
)

// pairPotential is a toy program: a Lennard-Jones sum over the real atoms.
func pairPotential(ctx context.Context, in *qcschema.AtomicInput) (*qcschema.AtomicResult, error) {
	m := in.Molecule
	var e float64
	for i := range m.Symbols {
		for j := i + 1; j < len(m.Symbols); j++ {
			if !m.IsReal(i) || !m.IsReal(j) {
				continue
			}
			a, b := m.Coord(i), m.Coord(j)
			r := math.Sqrt((a[0]-b[0])*(a[0]-b[0]) + (a[1]-b[1])*(a[1]-b[1]) + (a[2]-b[2])*(a[2]-b[2]))
			s6 := math.Pow(5.6/r, 6)
			e += 4 * 3.5e-5 * (s6*s6 - s6)
		}
	}
	return &qcschema.AtomicResult{
		SchemaName: qcschema.SchemaOutput, SchemaVersion: 1, Driver: in.Driver, Success: true,
		ReturnResult: qcschema.ReturnResult{Scalar: e},
		Properties:   qcschema.AtomicResultProperties{ReturnEnergy: &e},
	}, nil
}

func init() {
	engine.Register("example-lj", engine.ProgramFunc(pairPotential))
}

// The Computer runs a whole QCSchema ManyBodyInput: here three helium atoms, each its own
// fragment, through 3-body with a pairwise-additive program on a two-worker pool. The
// 3-body contribution of a pairwise potential vanishes.
func ExampleComputer() {
	in := &qcschema.ManyBodyInput{
		Molecule: qcschema.Molecule{
			Symbols:   []string{"He", "He", "He"},
			Geometry:  []float64{0, 0, 0, 6, 0, 0, 3, 5.2, 0},
			Fragments: [][]int{{0}, {1}, {2}},
		},
		Specification: qcschema.ManyBodySpecification{
			Driver:   qcschema.DriverEnergy,
			Keywords: qcschema.ManyBodyKeywords{BsseType: qcschema.BsseList{qcschema.BsseNoCP}},
			Specification: map[string]qcschema.AtomicSpecification{
				"lj": {Program: "example-lj", Model: qcschema.Model{Method: "lj"}},
			},
		},
	}
	comp := &computer.Computer{Executor: executor.NewPool(2, executor.Options{})}
	res, err := comp.Compute(context.Background(), in)
	if err != nil {
		fmt.Println(err)
		return
	}
	p := res.Properties.Energies
	fmt.Printf("tasks: %d\n", len(res.ComponentProperties))
	fmt.Printf("interaction energy: %.3e Eh\n", res.ReturnResult.Scalar)
	fmt.Printf("2-body: %.3e Eh, 3-body: %.1f Eh\n",
		p["nocp_corrected_2_body_contribution_to_energy"], math.Abs(p["nocp_corrected_3_body_contribution_to_energy"]))
	// Output:
	// tasks: 7
	// interaction energy: -9.431e-05 Eh
	// 2-body: -9.431e-05 Eh, 3-body: 0.0 Eh
}

// ComputeV2 runs a QCSchema v2 input, here a helium dimer whose specification is one
// AtomicSpecification ("(auto)"), and returns the v2 result (the pair energy
// 4ε((σ/r)¹² − (σ/r)⁶) at r = 6 bohr), whose extras carry the
// properties under Psi4's QCVariable names.
func ExampleComputer_ComputeV2() {
	in := &qcschema.ManyBodyInputV2{
		Molecule: qcschema.Molecule{
			Symbols:   []string{"He", "He"},
			Geometry:  []float64{0, 0, 0, 6, 0, 0},
			Fragments: [][]int{{0}, {1}},
		},
		Specification: qcschema.ManyBodySpecificationV2{
			Driver:    qcschema.DriverEnergy,
			Keywords:  qcschema.ManyBodyKeywordsV2{ManyBodyKeywords: qcschema.ManyBodyKeywords{BsseType: qcschema.BsseList{qcschema.BsseNoCP}}},
			Protocols: qcschema.ManyBodyProtocolsV2{ClusterResults: "all"},
			Specification: map[string]qcschema.AtomicSpecificationV2{
				qcschema.AutoMC: {AtomicSpecification: qcschema.AtomicSpecification{Program: "example-lj", Model: qcschema.Model{Method: "lj"}}},
			},
		},
	}
	res, err := (&computer.Computer{}).ComputeV2(context.Background(), in)
	if err != nil {
		fmt.Println(err)
		return
	}
	qcvars := res.Extras[computer.QCVarsKey].(map[string]any)
	fmt.Println(res.SchemaName, len(res.ClusterResults), "cluster results")
	fmt.Printf("NOCP-CORRECTED INTERACTION ENERGY = %.3e Eh\n", qcvars["NOCP-CORRECTED INTERACTION ENERGY"])
	// Output:
	// qcschema_many_body_result 3 cluster results
	// NOCP-CORRECTED INTERACTION ENERGY = -3.137e-05 Eh
}

// AssembleProperties sums fragment results computed elsewhere, known by their task labels
// and properties alone, as qcmb analyze does: here a helium dimer with made-up monomer
// and dimer energies.
func ExampleAssembleProperties() {
	in := &qcschema.ManyBodyInput{
		Molecule: qcschema.Molecule{
			Symbols:   []string{"He", "He"},
			Geometry:  []float64{0, 0, 0, 6, 0, 0},
			Fragments: [][]int{{0}, {1}},
		},
		Specification: qcschema.ManyBodySpecification{
			Driver:   qcschema.DriverEnergy,
			Keywords: qcschema.ManyBodyKeywords{BsseType: qcschema.BsseList{qcschema.BsseNoCP}},
			Specification: map[string]qcschema.AtomicSpecification{
				"hf": {Program: "embedded", Model: qcschema.Model{Method: "hf", Basis: "cc-pvdz"}},
			},
		},
	}
	p, err := computer.PreparePlan(in)
	if err != nil {
		fmt.Println(err)
		return
	}
	energy := map[string]float64{`["hf", [1], [1]]`: -2.8552, `["hf", [2], [2]]`: -2.8552, `["hf", [1, 2], [1, 2]]`: -5.7105}
	props := map[string]qcschema.AtomicResultProperties{}
	for _, t := range p.Plan.Tasks {
		e := energy[t.Label()]
		props[t.Label()] = qcschema.AtomicResultProperties{ReturnEnergy: &e}
	}
	res, err := computer.AssembleProperties(p, props)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("interaction energy: %.4f Eh\n", res.ReturnResult.Scalar)
	// Output:
	// interaction energy: -0.0001 Eh
}

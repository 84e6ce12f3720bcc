package hf

import (
	"context"
	"encoding/json"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qcmb-go/qcmb/internal/qcmodels"
	"github.com/qcmb-go/qcmb/qcschema"
)

func recordInput(rec refRecord) *qcschema.AtomicInput {
	return &qcschema.AtomicInput{
		SchemaName:    qcschema.SchemaInput,
		SchemaVersion: 1,
		Molecule: qcschema.Molecule{
			Symbols:               rec.Molecule.Symbols,
			Geometry:              rec.Molecule.Geometry,
			Real:                  rec.Molecule.Real,
			MolecularCharge:       rec.Molecule.MolecularCharge,
			MolecularMultiplicity: rec.Molecule.MolecularMultiplicity,
			FixCom:                true,
			FixOrientation:        true,
		},
		Driver:   qcschema.Driver(rec.Driver),
		Model:    qcschema.Model{Method: rec.Model.Method, Basis: rec.Model.Basis},
		Keywords: map[string]any{"scf_type": "pk", "mp2_type": "conv", "e_convergence": 1e-10, "d_convergence": 1e-10, "puream": false},
	}
}

func TestComputeReference(t *testing.T) {
	skipUnderRace(t)
	for i, rec := range loadReference(t) {
		in := recordInput(rec)
		res, err := Compute(context.Background(), in)
		require.NoError(t, err, "record %d", i)
		// JSON round trip
		data, err := json.Marshal(res)
		require.NoError(t, err)
		var back qcschema.AtomicResult
		require.NoError(t, json.Unmarshal(data, &back))
		p := back.Properties
		assert.True(t, back.Success, "record %d: success", i)
		assert.Equal(t, "qcschema_output", back.SchemaName, "record %d: schema_name", i)
		if assert.NotNil(t, back.Stdout, "record %d: stdout", i) {
			assert.Contains(t, *back.Stdout, "SCF total energy", "record %d: stdout", i)
		}
		assert.InDelta(t, rec.ReturnEnergy, *p.ReturnEnergy, 1e-6, "record %d: return energy", i)
		assert.InDelta(t, rec.SCFTotalEnergy, *p.SCFTotalEnergy, 1e-6, "record %d: SCF energy", i)
		assert.InDelta(t, rec.NuclearRepulsionEnergy, *p.NuclearRepulsionEnergy, 1e-8, "record %d: nuclear repulsion", i)
		assert.Equal(t, len(rec.Molecule.Symbols), *p.CalcinfoNAtom, "record %d: calcinfo_natom", i)
		assert.Positive(t, *p.CalcinfoNBasis, "record %d: calcinfo_nbasis", i)
		assert.Positive(t, *p.SCFIterations, "record %d: scf_iterations", i)
		switch rec.Driver {
		case "gradient":
			require.Len(t, back.ReturnResult.Array, len(rec.ReturnGradient), "record %d: gradient", i)
			for k, v := range rec.ReturnGradient {
				assert.InDelta(t, v, back.ReturnResult.Array[k], 1e-5, "record %d: gradient[%d]", i, k)
			}
		case "energy":
			assert.InDelta(t, rec.ReturnEnergy, back.ReturnResult.Scalar, 1e-6, "record %d: return_result", i)
		}
		if rec.Model.Method == "mp2" && assert.NotNil(t, p.MP2CorrelationEnergy, "record %d: mp2 correlation", i) {
			assert.InDelta(t, rec.ReturnEnergy-rec.SCFTotalEnergy, *p.MP2CorrelationEnergy, 1e-6, "record %d: mp2 correlation", i)
			assert.InDelta(t, *p.MP2CorrelationEnergy, *p.MP2SameSpinCorrelationEnergy+*p.MP2OppositeSpinCorrelationEnergy, 1e-12,
				"record %d: mp2 same-spin + opposite-spin correlation", i)
		}
	}
}

func TestComputeHessianAndCharges(t *testing.T) {
	in := &qcschema.AtomicInput{
		Molecule: qcschema.Molecule{
			Symbols:  []string{"H", "H"},
			Geometry: []float64{0, 0, 0, 0, 0, 1.4},
			Extras:   map[string]any{"embedding_charges": []any{[]any{0.3, []any{0.0, 2.0, 0.7}}, []any{-0.3, 0.0, -3.0, 0.7}}},
		},
		Driver: qcschema.DriverHessian,
		Model:  qcschema.Model{Method: "hf", Basis: "sto-3g"},
	}
	res, err := Compute(context.Background(), in)
	require.NoError(t, err)
	require.Len(t, res.ReturnResult.Array, 36, "Hessian")
	require.Len(t, res.Properties.ReturnGradient, 6, "gradient")
	_, ok := res.Extras["embedding_charges_nuclear_energy"]
	assert.True(t, ok, "charge-nucleus energy not reported")
}

func TestComputeFailures(t *testing.T) {
	base := func() *qcschema.AtomicInput {
		return &qcschema.AtomicInput{
			Molecule: qcschema.Molecule{Symbols: []string{"O", "H", "H"}, Geometry: []float64{0, 0, -0.13, 0, -1.49, 1.03, 0, 1.49, 1.03}},
			Driver:   qcschema.DriverEnergy,
			Model:    qcschema.Model{Method: "hf", Basis: "sto-3g"},
		}
	}
	cases := []struct {
		name   string
		mod    func(*qcschema.AtomicInput)
		typ    string
		substr string
	}{
		{"unknown keyword", func(in *qcschema.AtomicInput) { in.Keywords = map[string]any{"basis_guess": true} }, qcschema.ErrorInput, "basis_guess"},
		{"bad guess", func(in *qcschema.AtomicInput) { in.Keywords = map[string]any{"guess": "huckel"} }, qcschema.ErrorInput, "guess"},
		{"bad scf_type", func(in *qcschema.AtomicInput) { in.Keywords = map[string]any{"scf_type": "df"} }, qcschema.ErrorInput, "scf_type"},
		{"puream junk", func(in *qcschema.AtomicInput) { in.Keywords = map[string]any{"puream": "maybe"} }, qcschema.ErrorInput, "puream"},
		{"freeze_core", func(in *qcschema.AtomicInput) { in.Keywords = map[string]any{"freeze_core": "true"} }, qcschema.ErrorInput, "freeze_core"},
		{"bad maxiter", func(in *qcschema.AtomicInput) { in.Keywords = map[string]any{"maxiter": 2.5} }, qcschema.ErrorInput, "maxiter"},
		{"bad memory", func(in *qcschema.AtomicInput) { in.Keywords = map[string]any{"memory": 1.5e3 + 0.5} }, qcschema.ErrorInput, "memory"},
		{"unknown method", func(in *qcschema.AtomicInput) { in.Model.Method = "ccsd" }, qcschema.ErrorInput, "ccsd"},
		{"unknown basis", func(in *qcschema.AtomicInput) { in.Model.Basis = "aug-cc-pvqz" }, qcschema.ErrorInput, "aug-cc-pvqz"},
		{"unknown element", func(in *qcschema.AtomicInput) { in.Molecule.Symbols[0] = "Qq" }, qcschema.ErrorInput, "Qq"},
		{"bad geometry", func(in *qcschema.AtomicInput) { in.Molecule.Geometry = in.Molecule.Geometry[:5] }, qcschema.ErrorInput, "geometry"},
		{"properties driver", func(in *qcschema.AtomicInput) { in.Driver = qcschema.DriverProperties }, qcschema.ErrorInput, "driver"},
		{"multiplicity", func(in *qcschema.AtomicInput) { in.Molecule.MolecularMultiplicity = 2 }, qcschema.ErrorInput, "multiplicity"},
		{"bad charges", func(in *qcschema.AtomicInput) {
			in.Molecule.Extras = map[string]any{"embedding_charges": []any{[]any{1.0}}}
		}, qcschema.ErrorInput, "embedding_charges"},
		{"no convergence", func(in *qcschema.AtomicInput) { in.Keywords = map[string]any{"maxiter": 2} }, qcschema.ErrorConvergence, "did not converge"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := base()
			c.mod(in)
			_, err := Compute(context.Background(), in)
			var fo *qcschema.FailedOperation
			require.ErrorAs(t, err, &fo)
			assert.Equal(t, c.typ, fo.ComputeError.ErrorType, fo.ComputeError.ErrorMessage)
			assert.Contains(t, fo.ComputeError.ErrorMessage, c.substr)
		})
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Compute(ctx, base())
	assert.ErrorIs(t, err, context.Canceled, "cancelled")
}

func TestCheck(t *testing.T) {
	water := qcschema.Molecule{Symbols: []string{"O", "H", "H"}, Geometry: []float64{0, 0, 0, 0, 1.4, 1.1, 0, -1.4, 1.1}, MolecularMultiplicity: 1}
	uranium := qcschema.Molecule{Symbols: []string{"U"}, Geometry: []float64{0, 0, 0}, MolecularMultiplicity: 1}
	tests := []struct {
		name    string
		mol     qcschema.Molecule
		model   qcschema.Model
		kw      map[string]any
		wantErr string
	}{
		{name: "hf/6-31g*", mol: water, model: qcschema.Model{Method: "hf", Basis: "6-31G*"}},
		{name: "mp2/cc-pvdz", mol: water, model: qcschema.Model{Method: "mp2", Basis: "cc-pVDZ"}},
		{name: "unknown basis", mol: water, model: qcschema.Model{Method: "hf", Basis: "def2-qzvpp"}, wantErr: "def2-qzvpp"},
		{name: "unknown method", mol: water, model: qcschema.Model{Method: "ccsd(t)", Basis: "sto-3g"}, wantErr: "ccsd(t)"},
		{name: "element outside basis", mol: uranium, model: qcschema.Model{Method: "hf", Basis: "sto-3g"}, wantErr: "U"},
		{name: "unknown keyword", mol: water, model: qcschema.Model{Method: "hf", Basis: "sto-3g"}, kw: map[string]any{"bogus": 1}, wantErr: "bogus"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := &qcschema.AtomicInput{Molecule: tt.mol, Driver: qcschema.DriverGradient, Model: tt.model, Keywords: tt.kw}
			err := Program{}.Check(context.Background(), in)
			if tt.wantErr == "" {
				require.NoError(t, err, "Check")
				return
			}
			require.ErrorContains(t, err, tt.wantErr, "Check")
		})
	}
}

// TestResultsFitQCElemental: the AtomicResult of every method, driver and reference the
// embedded program has fits QCElemental's AtomicResult model (package qcmodels; CI checks
// the same results with QCElemental itself): only QCElemental's property names, MP2
// derivatives among the QCVariables in extras["qcvars"] as Psi4 keeps them, and the
// program's own name as the creator.
func TestResultsFitQCElemental(t *testing.T) {
	water := qcschema.Molecule{Symbols: []string{"O", "H", "H"}, Geometry: []float64{0, 0, -0.13, 0, 1.43, 1.03, 0, -1.43, 1.03}}
	cation := water
	cation.MolecularCharge, cation.MolecularMultiplicity = 1, 2
	for _, mol := range []struct {
		name string
		mol  qcschema.Molecule
	}{{"rhf", water}, {"uhf", cation}} {
		for _, method := range []string{"hf", "mp2"} {
			for _, driver := range []qcschema.Driver{qcschema.DriverEnergy, qcschema.DriverGradient, qcschema.DriverHessian} {
				t.Run(mol.name+"/"+method+"/"+string(driver), func(t *testing.T) {
					in := &qcschema.AtomicInput{Molecule: mol.mol, Driver: driver, Model: qcschema.Model{Method: method, Basis: "sto-3g"}}
					res, err := Compute(context.Background(), in)
					require.NoError(t, err)
					data, err := json.Marshal(res)
					require.NoError(t, err)
					require.NoError(t, qcmodels.Check(qcmodels.AtomicResultV1(), data))
					assert.Equal(t, Name, res.Provenance.Creator, "creator, want the program's name")
					var doc struct {
						Properties map[string]json.RawMessage `json:"properties"`
						Extras     struct {
							QCVars map[string][]float64 `json:"qcvars"`
						} `json:"extras"`
					}
					require.NoError(t, json.Unmarshal(data, &doc))
					want := map[string][]float64{}
					if method == "mp2" && driver != qcschema.DriverEnergy {
						want["MP2 TOTAL GRADIENT"] = res.Properties.ReturnGradient
						if driver == qcschema.DriverHessian {
							want["MP2 TOTAL HESSIAN"] = res.Properties.ReturnHessian
						}
					}
					for name, v := range want {
						assert.NotEmpty(t, v, "the result's %s", name)
						assert.True(t, slices.Equal(v, doc.Extras.QCVars[name]), "extras.qcvars[%q] = %v, want the result's %v", name, doc.Extras.QCVars[name], v)
					}
					assert.Len(t, doc.Extras.QCVars, len(want), "extras.qcvars QCVariables")
				})
			}
		}
	}
}

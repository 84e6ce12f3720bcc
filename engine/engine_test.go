package engine_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qcmb-go/qcmb/engine"
	"github.com/qcmb-go/qcmb/qcschema"
)

// constant is a program that returns a fixed energy.
func constant(e float64) engine.ProgramFunc {
	return func(ctx context.Context, in *qcschema.AtomicInput) (*qcschema.AtomicResult, error) {
		return &qcschema.AtomicResult{
			SchemaName: qcschema.SchemaOutput, SchemaVersion: 1, Driver: in.Driver, Success: true,
			ReturnResult: qcschema.ReturnResult{Scalar: e},
			Properties:   qcschema.AtomicResultProperties{ReturnEnergy: &e},
		}, nil
	}
}

// missing is a program whose executable is not installed.
type missing struct{ engine.ProgramFunc }

func (missing) Find(context.Context) (string, error) { return "", errors.New("not found on PATH") }

// ghostless cannot place basis functions on ghost atoms.
type ghostless struct{ engine.ProgramFunc }

func (ghostless) SupportsGhosts() bool { return false }

func init() {
	engine.Register("engine-test-constant", constant(-1.5))
	engine.Register("engine-test-missing", missing{constant(0)})
	engine.Register("engine-test-ghostless", ghostless{constant(0)})
}

func TestLookupAndCompute(t *testing.T) {
	for _, name := range []string{"engine-test-constant", "ENGINE-TEST-Constant"} {
		res, err := engine.Compute(context.Background(), name, &qcschema.AtomicInput{Driver: qcschema.DriverEnergy})
		require.NoError(t, err, name)
		require.Equal(t, -1.5, res.ReturnResult.Scalar, "%s: energy", name)
	}
	_, err := engine.Lookup("no-such-program")
	require.ErrorIs(t, err, engine.ErrUnknownProgram, "Lookup of an unknown name")
}

func TestList(t *testing.T) {
	infos := map[string]engine.Info{}
	for _, in := range engine.List(context.Background()) {
		infos[in.Name] = in
	}
	tests := []struct {
		name      string
		available bool
		reason    string
	}{
		{"engine-test-constant", true, ""},
		{"engine-test-missing", false, "not found on PATH"},
	}
	for _, tt := range tests {
		got, ok := infos[tt.name]
		require.True(t, ok, "%s not listed", tt.name)
		assert.Equal(t, tt.available, got.Available, "%s: available", tt.name)
		assert.Equal(t, tt.reason, got.Reason, "%s: reason", tt.name)
	}
}

func TestSupportsGhosts(t *testing.T) {
	for name, want := range map[string]bool{"engine-test-constant": true, "engine-test-ghostless": false} {
		p, err := engine.Lookup(name)
		require.NoError(t, err)
		assert.Equal(t, want, engine.SupportsGhosts(p), "SupportsGhosts(%s)", name)
	}
}

func TestRegisterTwicePanics(t *testing.T) {
	assert.Panics(t, func() { engine.Register("engine-test-constant", constant(0)) }, "registering a taken name")
}

// A program is any function from AtomicInput to AtomicResult; register it once, under a
// name, and every executor can run it.
func ExampleRegister() {
	engine.Register("example-constant", engine.ProgramFunc(
		func(ctx context.Context, in *qcschema.AtomicInput) (*qcschema.AtomicResult, error) {
			e := -76.0
			return &qcschema.AtomicResult{Success: true, Driver: in.Driver,
				ReturnResult: qcschema.ReturnResult{Scalar: e},
				Properties:   qcschema.AtomicResultProperties{ReturnEnergy: &e}}, nil
		}))
	res, err := engine.Compute(context.Background(), "example-constant", &qcschema.AtomicInput{Driver: qcschema.DriverEnergy})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(*res.Properties.ReturnEnergy)
	// Output: -76
}

// bridge runs any program whose name starts with "bridged-", as the QCEngine bridge runs
// programs it knows by name.
type bridge struct{ engine.ProgramFunc }

func (bridge) Resolve(name string) (engine.Program, bool) {
	if strings.HasPrefix(name, "bridged-") {
		return constant(float64(len(name))), true
	}
	return nil, false
}

func (bridge) Programs() []string { return []string{"bridged-one", "engine-test-constant"} }

// picky checks its inputs before any work: only method "hf" with basis "sto-3g".
type picky struct{ engine.ProgramFunc }

func (picky) Check(_ context.Context, in *qcschema.AtomicInput) error {
	if in.Model.Method != "hf" || in.Model.Basis != "sto-3g" {
		return fmt.Errorf("cannot do %s/%s", in.Model.Method, in.Model.Basis)
	}
	return nil
}

func init() {
	engine.Register("engine-test-bridge", bridge{constant(0)})
	engine.Register("engine-test-picky", picky{constant(0)})
}

func TestResolverLookup(t *testing.T) {
	tests := []struct {
		name    string
		energy  float64
		unknown bool
	}{
		{name: "bridged-nwchem", energy: float64(len("bridged-nwchem"))},
		{name: "BRIDGED-X", energy: float64(len("bridged-x"))},
		{name: "engine-test-constant", energy: -1.5}, // a registered name wins over resolvers
		{name: "not-bridged", unknown: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := engine.Lookup(tt.name)
			if tt.unknown {
				require.ErrorIs(t, err, engine.ErrUnknownProgram, "Lookup(%q)", tt.name)
				return
			}
			require.NoError(t, err)
			res, err := p.Compute(context.Background(), &qcschema.AtomicInput{Driver: qcschema.DriverEnergy})
			require.NoError(t, err)
			assert.Equal(t, tt.energy, res.ReturnResult.Scalar, "energy")
		})
	}
}

func TestListIncludesResolvedPrograms(t *testing.T) {
	var got *engine.Info
	for _, in := range engine.List(context.Background()) {
		if in.Name == "bridged-one" {
			got = &in
		}
		if in.Name == "engine-test-constant" {
			assert.Empty(t, in.Via, "registered program listed as resolved via another")
		}
	}
	require.NotNil(t, got, "bridged-one not in List")
	require.Equal(t, "engine-test-bridge", got.Via, "bridged-one in List = %+v: via", got)
	require.True(t, got.Available, "bridged-one in List = %+v: available", got)
}

func TestCheckAndAvailability(t *testing.T) {
	ctx := context.Background()
	p, err := engine.Lookup("engine-test-picky")
	require.NoError(t, err)
	ok := &qcschema.AtomicInput{Model: qcschema.Model{Method: "hf", Basis: "sto-3g"}}
	bad := &qcschema.AtomicInput{Model: qcschema.Model{Method: "hf", Basis: "nonsense-basis"}}
	assert.NoError(t, engine.Check(ctx, p, ok), "Check(hf/sto-3g)")
	assert.ErrorContains(t, engine.Check(ctx, p, bad), "nonsense-basis", "Check(hf/nonsense-basis) names the basis")
	assert.NoError(t, engine.Check(ctx, constant(0), bad), "a program without Checker is asked nothing")
	_, _, err = engine.Availability(ctx, "engine-test-missing")
	assert.ErrorContains(t, err, "not found on PATH", "Availability(missing) gives the Finder's reason")
	_, _, err = engine.Availability(ctx, "no-such-program")
	assert.ErrorIs(t, err, engine.ErrUnknownProgram, "Availability(unknown)")
}

package engine_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

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
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if res.ReturnResult.Scalar != -1.5 {
			t.Fatalf("%s: energy %v, want -1.5", name, res.ReturnResult.Scalar)
		}
	}
	_, err := engine.Lookup("no-such-program")
	if !errors.Is(err, engine.ErrUnknownProgram) {
		t.Fatalf("Lookup of an unknown name: %v, want ErrUnknownProgram", err)
	}
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
		if !ok {
			t.Fatalf("%s not listed", tt.name)
		}
		if got.Available != tt.available || got.Reason != tt.reason {
			t.Errorf("%s: %+v, want available=%v reason=%q", tt.name, got, tt.available, tt.reason)
		}
	}
}

func TestSupportsGhosts(t *testing.T) {
	for name, want := range map[string]bool{"engine-test-constant": true, "engine-test-ghostless": false} {
		p, err := engine.Lookup(name)
		if err != nil {
			t.Fatal(err)
		}
		if got := engine.SupportsGhosts(p); got != want {
			t.Errorf("SupportsGhosts(%s) = %v, want %v", name, got, want)
		}
	}
}

func TestRegisterTwicePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("registering a taken name did not panic")
		}
	}()
	engine.Register("engine-test-constant", constant(0))
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
				if !errors.Is(err, engine.ErrUnknownProgram) {
					t.Fatalf("Lookup(%q) = %v, want ErrUnknownProgram", tt.name, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			res, err := p.Compute(context.Background(), &qcschema.AtomicInput{Driver: qcschema.DriverEnergy})
			if err != nil {
				t.Fatal(err)
			}
			if res.ReturnResult.Scalar != tt.energy {
				t.Errorf("energy %v, want %v", res.ReturnResult.Scalar, tt.energy)
			}
		})
	}
}

func TestListIncludesResolvedPrograms(t *testing.T) {
	var got *engine.Info
	for _, in := range engine.List(context.Background()) {
		if in.Name == "bridged-one" {
			got = &in
		}
		if in.Name == "engine-test-constant" && in.Via != "" {
			t.Errorf("registered program listed as resolved via %q", in.Via)
		}
	}
	if got == nil || got.Via != "engine-test-bridge" || !got.Available {
		t.Fatalf("bridged-one in List = %+v, want available via engine-test-bridge", got)
	}
}

func TestCheckAndAvailability(t *testing.T) {
	ctx := context.Background()
	p, err := engine.Lookup("engine-test-picky")
	if err != nil {
		t.Fatal(err)
	}
	ok := &qcschema.AtomicInput{Model: qcschema.Model{Method: "hf", Basis: "sto-3g"}}
	bad := &qcschema.AtomicInput{Model: qcschema.Model{Method: "hf", Basis: "nonsense-basis"}}
	if err := engine.Check(ctx, p, ok); err != nil {
		t.Errorf("Check(hf/sto-3g) = %v", err)
	}
	if err := engine.Check(ctx, p, bad); err == nil || !strings.Contains(err.Error(), "nonsense-basis") {
		t.Errorf("Check(hf/nonsense-basis) = %v, want an error naming the basis", err)
	}
	if err := engine.Check(ctx, constant(0), bad); err != nil {
		t.Errorf("a program without Checker is asked nothing, got %v", err)
	}
	if _, _, err := engine.Availability(ctx, "engine-test-missing"); err == nil || !strings.Contains(err.Error(), "not found on PATH") {
		t.Errorf("Availability(missing) = %v, want the Finder's reason", err)
	}
	if _, _, err := engine.Availability(ctx, "no-such-program"); !errors.Is(err, engine.ErrUnknownProgram) {
		t.Errorf("Availability(unknown) = %v, want ErrUnknownProgram", err)
	}
}

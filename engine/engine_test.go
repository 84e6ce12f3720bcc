package engine_test

import (
	"context"
	"errors"
	"fmt"
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

// Command water4 is qcmb's main demonstration: the many-body expansion of a cyclic water
// tetramer through 4-body with cp, nocp and vmfc counterpoise treatments, computed three
// times (serial, goroutine pool, worker subprocesses). It prints the n-body table and the
// timing statistics of each run and checks that the three results are bitwise identical.
// The serial run keeps its results in an in-memory result store; a last run answers every
// task from that store, as "qcmb run" does when a run is resumed.
//
//	go run ./examples/water4 [--program embedded] [--method hf] [--basis sto-3g] [--workers 2]
package main

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"time"

	_ "github.com/qcmb-go/qcmb/engine/hf"
	_ "github.com/qcmb-go/qcmb/engine/psi4"
	_ "github.com/qcmb-go/qcmb/engine/qcengine"
	_ "github.com/qcmb-go/qcmb/engine/xtb"
	"github.com/qcmb-go/qcmb/executor"
	"github.com/qcmb-go/qcmb/executor/store"
	"github.com/qcmb-go/qcmb/manybody/computer"
	"github.com/qcmb-go/qcmb/qcschema"
	"github.com/qcmb-go/qcmb/stats"
)

//go:embed water4.xyz
var water4XYZ string

func main() {
	program := flag.String("program", "embedded", "program for every fragment (embedded, psi4, ...)")
	method := flag.String("method", "hf", "method")
	basis := flag.String("basis", "sto-3g", "basis set")
	workers := flag.Int("workers", 2, "workers of the pool and subprocess executors")
	worker := flag.Bool("worker", false, "serve the NDJSON worker protocol on stdin/stdout (used by the subprocess run)")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if *worker {
		if err := executor.Serve(ctx, os.Stdin, os.Stdout, executor.EngineRunner()); err != nil {
			fmt.Fprintln(os.Stderr, "water4 worker:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(ctx, *program, *method, *basis, *workers); err != nil {
		fmt.Fprintln(os.Stderr, "water4:", err)
		os.Exit(1)
	}
}

// input builds the ManyBodyInput: four water fragments, all three BSSE treatments through
// 4-body, total energies.
func input(program, method, basis string) (*qcschema.ManyBodyInput, error) {
	mol, err := qcschema.ParseXYZ(strings.NewReader(water4XYZ))
	if err != nil {
		return nil, err
	}
	// One fragment per water; charges and multiplicities are filled per fragment again.
	mol.Fragments = [][]int{{0, 1, 2}, {3, 4, 5}, {6, 7, 8}, {9, 10, 11}}
	mol.FragmentCharges, mol.FragmentMultiplicities = nil, nil
	if err := mol.Normalize(); err != nil {
		return nil, err
	}
	rtd := true
	keywords := map[string]any{}
	if program == "psi4" {
		keywords = map[string]any{"scf_type": "pk", "e_convergence": 1e-10, "d_convergence": 1e-8, "puream": false}
	}
	return &qcschema.ManyBodyInput{
		SchemaName:    qcschema.SchemaManyBodyInput,
		SchemaVersion: 1,
		Molecule:      *mol,
		Specification: qcschema.ManyBodySpecification{
			SchemaName:    qcschema.SchemaManyBodySpecification,
			SchemaVersion: 1,
			Driver:        qcschema.DriverEnergy,
			Keywords: qcschema.ManyBodyKeywords{
				SchemaName:      qcschema.SchemaManyBodyKeywords,
				SchemaVersion:   1,
				BsseType:        qcschema.BsseList{qcschema.BsseCP, qcschema.BsseNoCP, qcschema.BsseVMFC},
				ReturnTotalData: &rtd,
			},
			Specification: map[string]qcschema.AtomicSpecification{
				"(auto)": {
					SchemaName:    qcschema.SchemaAtomicSpecification,
					SchemaVersion: 1,
					Program:       program,
					Driver:        qcschema.DriverEnergy,
					Model:         qcschema.Model{Method: method, Basis: basis},
					Keywords:      keywords,
				},
			},
		},
	}, nil
}

func run(ctx context.Context, program, method, basis string, workers int) error {
	in, err := input(program, method, basis)
	if err != nil {
		return err
	}
	prep, err := computer.Prepare(in)
	if err != nil {
		return err
	}
	fmt.Printf("water tetramer, %s/%s with program %q: %d fragment calculations (cp, nocp, vmfc through 4-body)\n\n",
		method, basis, program, len(prep.Tasks))

	self, err := os.Executable()
	if err != nil {
		return err
	}
	opt := executor.Options{Retries: 1, Backoff: 50 * time.Millisecond}
	runs := []struct {
		name    string
		ex      executor.Executor
		workers int
	}{
		{"serial", executor.NewSerial(opt), 1},
		{"pool", executor.NewPool(workers, opt), workers},
		{"subprocess", executor.NewSubprocess(workers, []string{self, "-worker"}, opt), workers},
	}
	var first []byte
	var serialWall time.Duration
	results := store.NewMemory()
	for i, r := range runs {
		rec := stats.NewRecorder()
		if i > 0 {
			rec.SetMeasuredSerial(serialWall)
		}
		comp := &computer.Computer{Executor: r.ex, Stats: rec}
		if i == 0 {
			comp.Store = results
		}
		res, err := comp.Run(ctx, prep)
		if err != nil {
			return fmt.Errorf("%s run: %w", r.name, err)
		}
		report := rec.Report(r.workers)
		if i == 0 {
			serialWall = report.Wall
			fmt.Println(*res.Stdout)
		}
		fmt.Printf("=== %s executor, %d worker(s) ===\n", r.name, r.workers)
		if err := report.WriteText(os.Stdout); err != nil {
			return err
		}
		fmt.Println()
		got, err := fingerprint(res)
		if err != nil {
			return err
		}
		if first == nil {
			first = got
		} else if !bytes.Equal(first, got) {
			return errors.New(r.name + " result differs from the serial result")
		}
	}
	fmt.Println("serial, pool and subprocess results are bitwise identical")

	// A rerun finds every task in the store that the serial run filled.
	rec := stats.NewRecorder()
	res, err := (&computer.Computer{Executor: runs[1].ex, Store: results, Stats: rec}).Run(ctx, prep)
	if err != nil {
		return fmt.Errorf("rerun from the store: %w", err)
	}
	report := rec.Report(workers)
	got, err := fingerprint(res)
	if err != nil {
		return err
	}
	if report.Reused != len(prep.Tasks) || !bytes.Equal(first, got) {
		return fmt.Errorf("rerun from the store: %d of %d tasks reused, identical result %v", report.Reused, len(prep.Tasks), bytes.Equal(first, got))
	}
	fmt.Printf("rerun from the result store: %d tasks reused, none computed, in %s; the result is bitwise identical\n",
		report.Reused, stats.FormatDuration(report.Wall))
	return nil
}

// fingerprint is the JSON of everything computed: return value, properties and every
// component's properties (provenance and timings left out).
func fingerprint(res *qcschema.ManyBodyResult) ([]byte, error) {
	return json.Marshal(struct {
		R qcschema.ReturnResult
		P qcschema.ManyBodyResultProperties
		C map[string]qcschema.AtomicResultProperties
	}{res.ReturnResult, res.Properties, res.ComponentProperties})
}

package manybody_test

import (
	"context"
	"fmt"
	"log"

	"github.com/qcmb-go/qcmb/engine/hf"
	"github.com/qcmb-go/qcmb/manybody"
	"github.com/qcmb-go/qcmb/qcschema"
)

// An adaptive expansion driven by a hand-written executor: two goroutines compute tasks
// with the embedded Hartree-Fock program while the loop hands results to the Expansion
// and feeds the tasks they release back to the workers. Energy screening computes a
// trimer only when one of its dimers has a 2-body increment of at least 1 millihartree,
// and a tetramer only when one of its trimers has a 3-body increment of at least 0.3
// millihartree; workers get tetramers while trimers still run.
func ExampleExpansion() {
	mol, err := qcschema.ParsePsi4(`
O  -1.487204  -1.285695  -1.451264
H  -0.655367  -1.099876  -1.886868
H  -1.751829  -0.447719  -1.071787
--
O  -1.759422  -1.636540   1.749159
H  -2.307320  -2.238365   2.252989
H  -1.775448  -1.986118   0.858221
--
O  -1.336577   1.275753  -1.454582
H  -0.620844   1.780753  -1.840499
H  -2.011704   1.925982  -1.260576
--
O  -1.701091   1.523266   1.669873
H  -1.692242   0.592034   1.448607
H  -1.585249   1.545342   2.619782
--
O   1.486692  -1.736627  -1.396488
H   2.154349  -2.403367  -1.557497
H   1.476230  -1.632329  -0.445045
--
O   1.742131  -1.378931   1.396834
H   1.927216  -2.002469   2.099099
H   0.943991  -0.931271   1.677557`) // a water hexamer, angstrom
	if err != nil {
		log.Fatal(err)
	}
	core, err := manybody.NewCore(mol, manybody.Keywords{
		BsseType:        []qcschema.BsseType{qcschema.BsseNoCP},
		Levels:          map[int]string{1: "hf", 2: "hf", 3: "hf", 4: "hf"},
		ReturnTotalData: true,
		Screening: &manybody.Screening{Energy: &manybody.EnergyScreening{
			Thresholds: map[int]float64{3: 1e-3, 4: 3e-4}, // hartree
		}},
	})
	if err != nil {
		log.Fatal(err)
	}
	type result struct {
		task manybody.Task
		comp manybody.Component
		err  error
	}
	todo, done := make(chan manybody.Task), make(chan result)
	for range 2 {
		go func() {
			for task := range todo {
				sub, err := core.Molecule(task)
				if err != nil {
					done <- result{task: task, err: err}
					continue
				}
				res, err := hf.Compute(context.Background(), &qcschema.AtomicInput{
					Molecule: *sub, Driver: qcschema.DriverEnergy,
					Model: qcschema.Model{Method: "hf", Basis: "sto-3g"},
				})
				if err != nil {
					done <- result{task: task, err: err}
					continue
				}
				done <- result{task: task, comp: manybody.Component{Energy: *res.Properties.ReturnEnergy}}
			}
		}()
	}

	x := core.NewExpansion()
	fmt.Printf("before any result: at most %d tasks\n", x.Bound())
	queue := x.Ready()
	running := 0
	for len(queue) > 0 || running > 0 {
		// Hand a task to an idle worker, or take a result.
		var send chan manybody.Task
		var next manybody.Task
		if len(queue) > 0 {
			send, next = todo, queue[0]
		}
		select {
		case send <- next:
			queue = queue[1:]
			running++
		case r := <-done:
			running--
			if r.err != nil {
				log.Fatal(r.err)
			}
			more, err := x.Add(r.task, r.comp)
			if err != nil {
				log.Fatal(err)
			}
			queue = append(queue, more...)
		}
	}
	close(todo)

	a, err := x.Analyze()
	if err != nil {
		log.Fatal(err)
	}
	plan, _ := x.Plan()
	fmt.Printf("computed %d tasks\n", len(plan.Tasks))
	for _, l := range plan.Screening.Energy.Levels[2:] {
		fmt.Printf("%d-body: kept %d of %d\n", l.Level, *l.Kept, l.Candidates)
	}
	fmt.Printf("total energy: %.6f hartree\n", a.ReturnEnergy)
	// Output:
	// before any result: at most 56 tasks
	// computed 45 tasks
	// 3-body: kept 18 of 20
	// 4-body: kept 6 of 15
	// total energy: -449.806956 hartree
}

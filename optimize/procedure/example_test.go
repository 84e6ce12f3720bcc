package procedure_test

import (
	"context"
	"fmt"
	"os"

	_ "github.com/qcmb-go/qcmb/engine/hf" // the "embedded" program
	"github.com/qcmb-go/qcmb/executor"
	"github.com/qcmb-go/qcmb/optimize/procedure"
	"github.com/qcmb-go/qcmb/qcschema"
)

// Optimize the water dimer through its nocp many-body expansion at HF/STO-3G, every step
// on one pool of workers.
func ExampleProcedure_Run() {
	data, err := os.ReadFile("../../testdata/optimize/water_dimer_nocp_sto3g.json")
	if err != nil {
		fmt.Println(err)
		return
	}
	in, err := qcschema.DecodeOptimizationInput(data)
	if err != nil {
		fmt.Println(err)
		return
	}
	p := &procedure.Procedure{Executor: executor.NewPool(2, executor.Options{})}
	res, err := p.Run(context.Background(), in)
	if err != nil {
		fmt.Println(err)
		return
	}
	last := res.TrajectoryResults[len(res.TrajectoryResults)-1].ManyBody
	fmt.Printf("E = %.6f hartree; the final step ran %d cluster calculations\n", *res.Properties.ReturnEnergy, len(last.ClusterProperties))
	// Output: E = -149.941244 hartree; the final step ran 3 cluster calculations
}

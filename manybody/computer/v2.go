package computer

import (
	"context"

	"github.com/qcmb-go/qcmb/qcschema"
)

// QCVarsKey is the member of a ManyBodyResult's extras that holds the properties under
// their QCVariable names (qcschema.QCVariableName), as Psi4 writes them.
const QCVarsKey = "qcvars"

// ComputeV2 runs a QCSchema v2 input and returns its v2 result: the same plan, tasks and
// numbers as the v1 input in.ToV1() gives, converted with ManyBodyResult.ToV2. A
// *RunError reports failed tasks as Compute does.
func (c *Computer) ComputeV2(ctx context.Context, in *qcschema.ManyBodyInputV2) (*qcschema.ManyBodyResultV2, error) {
	res, err := c.Compute(ctx, in.ToV1())
	if err != nil {
		return nil, err
	}
	return res.ToV2(in), nil
}

package main

import (
	"encoding/json"
	"fmt"

	"github.com/qcmb-go/qcmb/qcschema"
)

// manyBodyInput is a ManyBodyInput document as read: v1 is what qcmb plans and runs; v2
// is the original of a QCSchema v2 document, whose result is written as v2.
type manyBodyInput struct {
	v1 *qcschema.ManyBodyInput
	v2 *qcschema.ManyBodyInputV2
}

// readManyBodyInput reads a v1 or v2 ManyBodyInput (told apart by schema_name and
// schema_version) strictly, naming the file in errors.
func readManyBodyInput(path string) (manyBodyInput, error) {
	data, err := readInput(path)
	if err != nil {
		return manyBodyInput{}, err
	}
	version, err := qcschema.ManyBodyVersion(data)
	if err != nil {
		return manyBodyInput{}, fmt.Errorf("%s: %w", path, err)
	}
	if version == 2 {
		var in qcschema.ManyBodyInputV2
		if err := json.Unmarshal(data, &in); err != nil {
			return manyBodyInput{}, fmt.Errorf("%s: %w", path, err)
		}
		return manyBodyInput{v1: in.ToV1(), v2: &in}, nil
	}
	var in qcschema.ManyBodyInput
	if err := json.Unmarshal(data, &in); err != nil {
		return manyBodyInput{}, fmt.Errorf("%s: %w", path, err)
	}
	return manyBodyInput{v1: &in}, nil
}

// result is what to write for res: res for a v1 input, its v2 form for a v2 input.
func (in manyBodyInput) result(res *qcschema.ManyBodyResult) any {
	if in.v2 != nil {
		return res.ToV2(in.v2)
	}
	return res
}

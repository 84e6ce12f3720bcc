package main

import (
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
func readManyBodyInput(read inputReader, path string) (manyBodyInput, error) {
	data, err := read.read(path)
	if err != nil {
		return manyBodyInput{}, err
	}
	if err := wrongDocument(path, data); err != nil {
		return manyBodyInput{}, err
	}
	v1, v2, err := qcschema.DecodeManyBodyInput(data)
	if err != nil {
		return manyBodyInput{}, decodeError(path, data, err)
	}
	if v2 != nil {
		v1 = v2.ToV1()
	}
	return manyBodyInput{v1: v1, v2: v2}, nil
}

// result is what to write for res: res for a v1 input, its v2 form for a v2 input.
func (in manyBodyInput) result(res *qcschema.ManyBodyResult) any {
	if in.v2 != nil {
		return res.ToV2(in.v2)
	}
	return res
}

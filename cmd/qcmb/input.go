package main

import (
	"encoding/json"
	"fmt"

	"github.com/qcmb-go/qcmb/qcschema"
)

// readManyBodyInput reads the ManyBodyInput in path, and says what to do instead when the
// file holds another kind of QCSchema document.
func readManyBodyInput(path string) (*qcschema.ManyBodyInput, error) {
	var raw json.RawMessage
	if err := readJSON(path, &raw); err != nil {
		return nil, err
	}
	if err := wrongDocument(path, raw); err != nil {
		return nil, err
	}
	var in qcschema.ManyBodyInput
	if err := json.Unmarshal(raw, &in); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &in, nil
}

// wrongDocument recognises QCSchema documents that are not a ManyBodyInput by their
// schema_name, or an AtomicInput without one by its top-level driver and model.
func wrongDocument(path string, raw []byte) error {
	var head struct {
		SchemaName string          `json:"schema_name"`
		Driver     json.RawMessage `json:"driver"`
		Model      json.RawMessage `json:"model"`
	}
	if json.Unmarshal(raw, &head) != nil {
		return nil // not an object: the ManyBodyInput decoder says what is wrong
	}
	switch head.SchemaName {
	case qcschema.SchemaInput, "qcschema_atomic_input":
		return fmt.Errorf("%s is an AtomicInput (schema_name %q), one single point, not a ManyBodyInput: run it with qcmb compute %s", path, head.SchemaName, path)
	case qcschema.SchemaOutput, "qcschema_atomic_result", qcschema.SchemaManyBodyResult, "qcschema_many_body_result":
		return fmt.Errorf("%s is a result (schema_name %q), not a ManyBodyInput", path, head.SchemaName)
	case "":
		if head.Driver != nil && head.Model != nil {
			return fmt.Errorf("%s looks like an AtomicInput (top-level driver and model), one single point, not a ManyBodyInput: run it with qcmb compute %s", path, path)
		}
	}
	return nil
}

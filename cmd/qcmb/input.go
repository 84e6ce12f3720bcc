package main

import (
	"encoding/json"
	"fmt"
)

// wrongDocument recognises an AtomicInput written without a schema_name by its top-level
// driver and model, which a ManyBodyInput nests in its specification. (Documents that name
// their schema are told apart by the qcschema decoder.)
func wrongDocument(path string, raw []byte) error {
	var head struct {
		SchemaName *string         `json:"schema_name"`
		Driver     json.RawMessage `json:"driver"`
		Model      json.RawMessage `json:"model"`
	}
	if json.Unmarshal(raw, &head) != nil || head.SchemaName != nil {
		return nil // the ManyBodyInput decoder says what is wrong
	}
	if head.Driver != nil && head.Model != nil {
		return fmt.Errorf("%s looks like an AtomicInput (top-level driver and model), a single point, not a ManyBodyInput: run it with qcmb compute %s", path, path)
	}
	return nil
}

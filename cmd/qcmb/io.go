package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
)

// readJSON decodes the JSON document in path ("-" for stdin) into v, naming the file in
// errors.
func readJSON(path string, v any) error {
	var data []byte
	var err error
	if path == "-" {
		data, err = io.ReadAll(os.Stdin)
	} else {
		data, err = os.ReadFile(path)
	}
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

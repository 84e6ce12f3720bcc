package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
)

// readJSON decodes the JSON document in path ("-" for stdin) into v, naming the file in
// errors.
func readJSON(path string, v any) error {
	data, err := readInput(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// readInput reads the file at path, or standard input for "-".
func readInput(path string) ([]byte, error) {
	if path == "-" {
		return io.ReadAll(os.Stdin)
	}
	return os.ReadFile(path)
}

// writeJSON writes v indented, with a final newline.
func writeJSON(w io.Writer, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(buf.Bytes())
	return err
}

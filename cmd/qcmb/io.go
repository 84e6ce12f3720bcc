package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/qcmb-go/qcmb/executor/store/sqlite"
	"github.com/qcmb-go/qcmb/internal/infile"
	"github.com/qcmb-go/qcmb/internal/jsontext"
	"github.com/qcmb-go/qcmb/internal/outfile"
	"github.com/qcmb-go/qcmb/qcschema"
)

// defaultMaxInput is the default of --max-input: far above any real input, and a bound on
// what reading /dev/zero or a runaway pipe can take.
const defaultMaxInput infile.Size = 1 << 30

// inputReader reads input files ("-" for standard input): at most limit bytes, giving
// up when ctx ends (SIGINT, SIGTERM).
type inputReader struct {
	ctx   context.Context
	limit infile.Size
}

// inputsOf is how cmd reads its input files: at most its --max-input bytes, giving up when
// its context ends.
func inputsOf(cmd *cobra.Command) inputReader {
	r := inputReader{ctx: cmd.Context(), limit: defaultMaxInput}
	if r.ctx == nil {
		r.ctx = context.Background()
	}
	if f := cmd.Flags().Lookup("max-input"); f != nil {
		r.limit = *f.Value.(*infile.Size)
	}
	return r
}

// read reads the file whole.
func (in inputReader) read(path string) ([]byte, error) {
	if path == "-" {
		data, err := infile.ReadAll(in.ctx, os.Stdin, in.limit, 0)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, maxInputHint(err))
		}
		return data, nil
	}
	data, err := infile.ReadFile(in.ctx, path, in.limit)
	return data, maxInputHint(err)
}

// maxInputHint adds to an input over the size limit the flag that sets it.
func maxInputHint(err error) error {
	var tl *infile.TooLargeError
	if errors.As(err, &tl) {
		return fmt.Errorf("%w (see --max-input)", err)
	}
	return err
}

// readJSON decodes the JSON document in path ("-" for stdin) into v, naming the file in
// errors. It reads at most cmd's --max-input bytes and stops when cmd's context ends.
func readJSON(cmd *cobra.Command, path string, v any) error {
	data, err := inputsOf(cmd).read(path)
	if err != nil {
		return err
	}
	if err := qcschema.CheckDepth(data, qcschema.MaxDepth); err != nil {
		return decodeError(path, data, err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		return decodeError(path, data, err)
	}
	return nil
}

// decodeError is err, the failure to decode the JSON document data read from path, named
// by path; when data is no JSON at all, the syntax error at its line and column instead
// (PATH:LINE:COLUMN: what is wrong). Decoders report the first problem they meet, which
// for text that is no JSON may be a field before the fault or a bare offset.
func decodeError(path string, data []byte, err error) error {
	if se := jsontext.CheckSyntax(path, data); se != nil {
		return se
	}
	return fmt.Errorf("%s: %w", path, err)
}

// checkOutputs checks, before any work, that every output can be written and that none
// is the same file as another output, one of the inputs, or a file of the result store
// at store ("" for none).
func checkOutputs(outputs []outfile.Named, inputs []string, store string) error {
	var keep []outfile.Named
	for _, in := range inputs {
		keep = append(keep, outfile.Named{Label: "the input", Path: in})
	}
	if store != "" {
		for i, p := range sqlite.Files(store) {
			label := "--store"
			if i > 0 {
				label = "the result store's"
			}
			keep = append(keep, outfile.Named{Label: label, Path: p})
		}
	}
	if err := outfile.Distinct(outputs, keep); err != nil {
		return err
	}
	for _, o := range outputs {
		if err := outfile.Check(o.Label, o.Path); err != nil {
			return err
		}
	}
	return nil
}

package outfile

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/qcmb-go/qcmb/qcschema"
)

// streamer is implemented by documents that write their own compact JSON in pieces
// (qcschema.ManyBodyResult streams its component properties one by one), so a result with
// thousands of Hessians never exists whole in memory.
type streamer interface {
	WriteJSON(w io.Writer) error
}

// WriteJSON writes v as indented JSON with a final newline, in qcschema.IndentWriter's
// layout: arrays of numbers stay on one line, so a gradient reads as rows of numbers
// rather than one number per line. A QCSchema document is encoded once, by its own
// MarshalJSON or WriteJSON, and laid out as it streams through, instead of encoding/json's
// encode, compact and re-indent; a ManyBodyResult's component properties, the bulk of it,
// are encoded straight into the layout.
func WriteJSON(w io.Writer, v any) error {
	iw := qcschema.NewIndentWriter(w)
	var err error
	switch d := v.(type) {
	case streamer:
		err = d.WriteJSON(iw)
	case json.Marshaler:
		var data []byte
		if data, err = d.MarshalJSON(); err == nil {
			_, err = iw.Write(data)
		}
	default:
		var data []byte
		if data, err = json.Marshal(v); err == nil {
			_, err = iw.Write(data)
		}
	}
	if err == nil {
		err = iw.Flush()
	}
	if err != nil {
		return err
	}
	_, err = io.WriteString(w, "\n")
	return err
}

// WriteFile writes v to the file at path as WriteJSON does, atomically (see Write).
func WriteFile(path string, v any) error {
	return Write(path, func(w io.Writer) error { return WriteJSON(w, v) })
}

// Check makes sure that path (given with flag, which errors name) can be written before
// any work starts: it is not a directory, an existing file is writable (it is not
// changed here), and its directory takes new files (Write puts a temporary file there;
// one is created and removed again). An empty path is no output.
func Check(flag, path string) error {
	if path == "" {
		return nil
	}
	target, err := resolve(path)
	if err != nil {
		return fmt.Errorf("%s %s: %w", flag, path, err)
	}
	info, err := os.Stat(target)
	switch {
	case err == nil && info.IsDir():
		return fmt.Errorf("%s %s: is a directory", flag, path)
	case err == nil:
		fh, err := os.OpenFile(target, os.O_WRONLY, 0)
		if err != nil {
			return fmt.Errorf("%s: %w", flag, err)
		}
		fh.Close()
		if !info.Mode().IsRegular() || special(target) {
			return nil // a device or pipe is written in place
		}
	case !errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%s: %w", flag, err)
	}
	tmp, err := createTemp(target, 0o644)
	if err != nil {
		return fmt.Errorf("%s: %w", flag, err)
	}
	tmp.Close()
	if err := os.Remove(tmp.Name()); err != nil {
		return fmt.Errorf("%s: %w", flag, err)
	}
	return nil
}

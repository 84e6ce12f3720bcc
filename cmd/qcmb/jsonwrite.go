package main

import (
	"encoding/json"
	"io"

	"github.com/qcmb-go/qcmb/qcschema"
)

// streamer is implemented by documents that write their own compact JSON in pieces
// (qcschema.ManyBodyResult streams its component properties one by one), so a result with
// thousands of Hessians never exists whole in memory.
type streamer interface {
	WriteJSON(w io.Writer) error
}

// writeJSON writes v as indented JSON with a final newline, in qcschema.IndentWriter's
// layout: arrays of numbers stay on one line, so a gradient reads as rows of numbers
// rather than one number per line. A QCSchema document is encoded once, by its own
// MarshalJSON or WriteJSON, and laid out as it streams through, instead of encoding/json's
// encode, compact and re-indent; a ManyBodyResult's component properties, the bulk of it,
// are encoded straight into the layout.
func writeJSON(w io.Writer, v any) error {
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

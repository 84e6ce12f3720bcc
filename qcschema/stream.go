package qcschema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
)

// componentPropertiesMarker is how MarshalJSON writes an empty component_properties
// member. It can stand only once in a result: member names are unique, and inside JSON
// strings its quotes would be escaped.
var componentPropertiesMarker = []byte(`"component_properties":{}`)

// WriteJSON writes r to w as MarshalJSON does, byte for byte, but streams the component
// properties one task at a time, so that the result of thousands of fragment Hessians is
// never held whole in memory.
func (r ManyBodyResult) WriteJSON(w io.Writer) error {
	comps := r.ComponentProperties
	r.ComponentProperties = map[string]AtomicResultProperties{}
	head, err := r.MarshalJSON()
	if err != nil {
		return err
	}
	at := bytes.Index(head, componentPropertiesMarker)
	if at < 0 {
		return fmt.Errorf("qcschema: ManyBodyResult encoding has no component_properties")
	}
	if _, err := w.Write(head[:at]); err != nil {
		return err
	}
	if _, err := io.WriteString(w, `"component_properties":{`); err != nil {
		return err
	}
	labels := make([]string, 0, len(comps))
	for l := range comps {
		labels = append(labels, l)
	}
	slices.Sort(labels) // encoding/json's map order
	for i, l := range labels {
		key, err := json.Marshal(l)
		if err != nil {
			return err
		}
		val, err := comps[l].MarshalJSON()
		if err != nil {
			return fmt.Errorf("qcschema: component_properties %s: %w", l, err)
		}
		if i > 0 {
			key = append([]byte{','}, key...)
		}
		if _, err := w.Write(append(key, ':')); err != nil {
			return err
		}
		if _, err := w.Write(val); err != nil {
			return err
		}
	}
	if _, err := io.WriteString(w, "}"); err != nil {
		return err
	}
	_, err = w.Write(head[at+len(componentPropertiesMarker):])
	return err
}

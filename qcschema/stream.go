package qcschema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"slices"
	"sync"
)

// componentPropertiesMarker is how MarshalJSON writes an empty component_properties
// member. It can stand only once in a result: member names are unique, and inside JSON
// strings its quotes would be escaped.
var componentPropertiesMarker = []byte(`"component_properties":{}`)

// encodeMember is one member of the component_properties object: a comma unless first,
// the label and its properties.
func encodeMember(comma bool, label string, p AtomicResultProperties) ([]byte, error) {
	key, err := json.Marshal(label)
	if err != nil {
		return nil, err
	}
	val, err := p.MarshalJSON()
	if err != nil {
		return nil, fmt.Errorf("qcschema: component_properties %s: %w", label, err)
	}
	out := make([]byte, 0, len(key)+len(val)+2)
	if comma {
		out = append(out, ',')
	}
	out = append(out, key...)
	out = append(out, ':')
	return append(out, val...), nil
}

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
	// Entries are encoded in batches, each batch on every core at once and written in
	// order, so memory holds one batch and formatting numbers, the bulk of the work, runs
	// in parallel.
	const batch = 256
	encoded := make([][]byte, batch)
	errs := make([]error, batch)
	workers := runtime.GOMAXPROCS(0)
	for lo := 0; lo < len(labels); lo += batch {
		part := labels[lo:min(lo+batch, len(labels))]
		var wg sync.WaitGroup
		for k := 0; k < workers; k++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for j := k; j < len(part); j += workers {
					encoded[j], errs[j] = encodeMember(lo+j > 0, part[j], comps[part[j]])
				}
			}()
		}
		wg.Wait()
		for j := range part {
			if errs[j] != nil {
				return errs[j]
			}
			if _, err := w.Write(encoded[j]); err != nil {
				return err
			}
		}
	}
	if _, err := io.WriteString(w, "}"); err != nil {
		return err
	}
	_, err = w.Write(head[at+len(componentPropertiesMarker):])
	return err
}

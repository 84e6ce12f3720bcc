package qcschema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"slices"
	"sync"
	"unicode/utf8"
)

// componentPropertiesMarker is how MarshalJSON writes an empty component_properties
// member. It can stand only once in a result: member names are unique, and inside JSON
// strings its quotes would be escaped.
var componentPropertiesMarker = []byte(`"component_properties":{}`)

// A MemberFormatter is a writer that reformats the JSON written to it (an indenter, say)
// and can also format members of a document on their own, so that WriteJSON formats the
// thousands of component properties on every core instead of in one stream, as
// io.WriterTo lets io.Copy skip a buffer.
type MemberFormatter interface {
	io.Writer
	// AppendMember appends to dst member, one compact `"name":value` member of an object
	// nested depth levels deep in the document, after a comma unless it is the object's
	// first, as Write would have written it at that place. It is called from several
	// goroutines at once.
	AppendMember(dst, member []byte, depth int, first bool) []byte
	// WriteFormatted writes, in document order, bytes that AppendMember returned.
	WriteFormatted(p []byte) (int, error)
}

// appendJSONString appends s as encoding/json writes a string (HTML characters escaped).
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= utf8.RuneSelf || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s) // a string always encodes
			return append(b, q...)
		}
	}
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			b = append(b, '\\')
		}
		b = append(b, s[i])
	}
	return append(b, '"')
}

// appendMember appends one member of the component_properties object: a comma unless
// first, the label and its properties.
func appendMember(b []byte, comma bool, label string, p *AtomicResultProperties) ([]byte, error) {
	if comma {
		b = append(b, ',')
	}
	b = appendJSONString(b, label)
	b = append(b, ':')
	b, err := p.AppendJSON(b)
	if err != nil {
		return b, fmt.Errorf("qcschema: component_properties %s: %w", label, err)
	}
	return b, nil
}

// WriteJSON writes r to w as MarshalJSON does, byte for byte, but streams the component
// properties one task at a time, so that the result of thousands of fragment Hessians is
// never held whole in memory. When w is a MemberFormatter, it formats the component
// properties in parallel.
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
	f, formats := w.(MemberFormatter)
	write := w.Write
	if formats {
		write = f.WriteFormatted
	}
	// Entries are encoded in batches, each batch on every core at once and written in
	// order, so memory holds one batch and formatting numbers, the bulk of the work, runs
	// in parallel. A batch ends at a count or a size, whichever comes first, so that a
	// batch of large Hessians stays small; buffers are reused from batch to batch.
	const (
		batchCount = 256
		batchBytes = 8 << 20
	)
	workers := runtime.GOMAXPROCS(0)
	encoded := make([][]byte, batchCount)
	errs := make([]error, batchCount)
	scratch := make([][]byte, workers)
	for lo := 0; lo < len(labels); {
		hi, size := lo, 0
		for hi < len(labels) && hi-lo < batchCount && (hi == lo || size < batchBytes) {
			p := comps[labels[hi]]
			size += 24 * (len(p.ReturnGradient) + len(p.ReturnHessian) + len(p.SCFTotalGradient) + len(p.SCFTotalHessian) + len(p.MP2TotalGradient))
			hi++
		}
		part := labels[lo:hi]
		var wg sync.WaitGroup
		for k := 0; k < workers; k++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for j := k; j < len(part); j += workers {
					p := comps[part[j]]
					first := lo+j == 0
					if encoded[j] == nil { // room for an energy and a gradient of 30 atoms
						encoded[j] = make([]byte, 0, 4<<10)
					}
					if !formats {
						encoded[j], errs[j] = appendMember(encoded[j][:0], !first, part[j], &p)
						continue
					}
					scratch[k], errs[j] = appendMember(scratch[k][:0], false, part[j], &p)
					if errs[j] == nil {
						encoded[j] = f.AppendMember(encoded[j][:0], scratch[k], 2, first)
					}
				}
			}()
		}
		wg.Wait()
		for j := range part {
			if errs[j] != nil {
				return errs[j]
			}
			if _, err := write(encoded[j]); err != nil {
				return err
			}
		}
		lo = hi
	}
	if _, err := io.WriteString(w, "}"); err != nil {
		return err
	}
	_, err = w.Write(head[at+len(componentPropertiesMarker):])
	return err
}

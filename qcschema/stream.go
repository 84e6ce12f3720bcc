package qcschema

import (
	"bytes"
	"fmt"
	"io"
	"iter"
	"runtime"
	"slices"
	"sync"

	"github.com/qcmb-go/qcmb/internal/jsontext"
)

// componentPropertiesMarker is how MarshalJSON writes an empty component_properties
// member. It can stand only once in a result: member names are unique, and inside JSON
// strings its quotes would be escaped.
var componentPropertiesMarker = []byte(`"component_properties":{}`)

// appendMember appends one member of the component_properties object: a comma unless
// first, the label and its properties, compact or with indent in IndentWriter's layout.
func appendMember(b []byte, first, indent bool, label string, p *AtomicResultProperties) ([]byte, error) {
	if !first {
		b = append(b, ',')
	}
	if indent {
		b = appendNewline(b, 2)
	}
	b = jsontext.AppendString(b, label, jsontext.EscapeHTML)
	b = append(b, ':')
	if indent {
		b = append(b, ' ')
	}
	b, err := p.appendJSON(b, indent, 2)
	if err != nil {
		return b, fmt.Errorf("qcschema: component_properties %s: %w", label, err)
	}
	return b, nil
}

// WriteJSON writes r to w as MarshalJSON does, byte for byte, but streams the component
// properties one task at a time, so that the result of thousands of fragment Hessians is
// never held whole in memory. They are encoded on every core, straight into the
// IndentWriter's layout when w is one.
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
	iw, indent := w.(*IndentWriter)
	for b := range encodeMembers(labels, comps, indent) {
		for j := range b.labels {
			if err = b.errs[j]; err == nil && indent {
				err = iw.writeFormatted(b.encoded[j])
			} else if err == nil {
				_, err = w.Write(b.encoded[j])
			}
			if err != nil {
				break
			}
		}
		b.done()
		if err != nil {
			return err
		}
	}
	if _, err := io.WriteString(w, "}"); err != nil {
		return err
	}
	_, err = w.Write(head[at+len(componentPropertiesMarker):])
	return err
}

// memberBatch is a batch of encoded component_properties members.
type memberBatch struct {
	labels  []string
	encoded [][]byte
	errs    []error
	done    func() // hands the batch back for reuse
}

// encodeMembers encodes the members of comps in the order of labels, compact or with
// indent in IndentWriter's layout, and yields them in batches. Each batch is encoded on every core at once while
// the one before is written, and its buffers are reused two batches on, so memory holds
// two batches. A batch ends at a count or a size, whichever comes first, so that a batch
// of large Hessians stays small. The caller must call done on every batch it is given;
// stopping early leaves no goroutine behind.
func encodeMembers(labels []string, comps map[string]AtomicResultProperties, indent bool) iter.Seq[*memberBatch] {
	const (
		batchCount = 256
		batchBytes = 8 << 20
	)
	return func(yield func(*memberBatch) bool) {
		workers := runtime.GOMAXPROCS(0)
		free := make(chan *memberBatch, 2)
		for range 2 {
			b := &memberBatch{encoded: make([][]byte, batchCount), errs: make([]error, batchCount)}
			b.done = func() { free <- b }
			free <- b
		}
		ready := make(chan *memberBatch)
		stop := make(chan struct{})
		go func() {
			defer close(ready)
			for lo := 0; lo < len(labels); {
				var b *memberBatch
				select {
				case b = <-free:
				case <-stop:
					return
				}
				hi, size := lo, 0
				for hi < len(labels) && hi-lo < batchCount && (hi == lo || size < batchBytes) {
					p := comps[labels[hi]]
					size += 24 * (len(p.ReturnGradient) + len(p.ReturnHessian) + len(p.SCFTotalGradient) + len(p.SCFTotalHessian))
					hi++
				}
				b.labels = labels[lo:hi]
				var wg sync.WaitGroup
				for k := range workers {
					wg.Go(func() {
						for j := k; j < len(b.labels); j += workers {
							p := comps[b.labels[j]]
							first := lo+j == 0
							if b.encoded[j] == nil { // room for an energy and a gradient of 30 atoms
								b.encoded[j] = make([]byte, 0, 4<<10)
							}
							b.encoded[j], b.errs[j] = appendMember(b.encoded[j][:0], first, indent, b.labels[j], &p)
						}
					})
				}
				wg.Wait()
				select {
				case ready <- b:
				case <-stop:
					return
				}
				lo = hi
			}
		}()
		defer func() {
			close(stop)
			for range ready { // the encoder has stopped once ready is closed
			}
		}()
		for b := range ready {
			if !yield(b) {
				return
			}
		}
	}
}

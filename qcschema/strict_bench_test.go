package qcschema

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

func benchInput(b *testing.B) []byte {
	b.Helper()
	data, err := os.ReadFile(filepath.Join("..", "testdata", "inputs", "qcmanybody_water_trimer_vmfc_embedding_energy.json"))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	return data
}

// BenchmarkDecodeManyBodyInput decodes the QCManyBody water-trimer input, strict checks
// included (about 1.3 times the lenient decode: one more validity scan by encoding/json
// and the member check).
func BenchmarkDecodeManyBodyInput(b *testing.B) {
	data := benchInput(b)
	for b.Loop() {
		var in ManyBodyInput
		if err := json.Unmarshal(data, &in); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCheckMembers is the member check alone: a third of json.Valid's time.
func BenchmarkCheckMembers(b *testing.B) {
	data := benchInput(b)
	for b.Loop() {
		if err := checkMembers(data, manyBodyInputShape); err != nil {
			b.Fatal(err)
		}
	}
}

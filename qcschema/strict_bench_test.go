package qcschema

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func benchInput(b *testing.B) []byte {
	b.Helper()
	data, err := os.ReadFile(filepath.Join("..", "testdata", "inputs", "qcmanybody_water_trimer_vmfc_embedding_energy.json"))
	require.NoError(b, err)
	b.SetBytes(int64(len(data)))
	return data
}

// BenchmarkDecodeManyBodyInput decodes the QCManyBody water-trimer input strictly as
// qcmb does, with DecodeManyBodyInput: within 1.2 times the lenient json.Unmarshal of the
// same document before inputs were strict.
func BenchmarkDecodeManyBodyInput(b *testing.B) {
	data := benchInput(b)
	for b.Loop() {
		if _, _, err := DecodeManyBodyInput(data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkUnmarshalManyBodyInput is json.Unmarshal into a ManyBodyInput: strict too, but
// encoding/json scans a document whose type decodes itself twice more (about 1.7 times the
// lenient decode).
func BenchmarkUnmarshalManyBodyInput(b *testing.B) {
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

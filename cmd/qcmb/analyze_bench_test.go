package main

import (
	"io"
	"os"
	"testing"
)

// BenchmarkAnalyzeFiles assembles the result of the input and components in the directory
// named by QCMB_ANALYZE_BENCH_DIR (input.json, components.json), as qcmb analyze does.
func BenchmarkAnalyzeFiles(b *testing.B) {
	dir := os.Getenv("QCMB_ANALYZE_BENCH_DIR")
	if dir == "" {
		b.Skip("QCMB_ANALYZE_BENCH_DIR not set")
	}
	for b.Loop() {
		if err := analyzeFiles(dir+"/input.json", dir+"/components.json", io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}

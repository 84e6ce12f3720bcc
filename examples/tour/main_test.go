package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestTour runs the tour: the Core with the embedded program and the Computer on a pool
// give the same cp interaction energy of the water dimer at HF/STO-3G.
func TestTour(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, tour(context.Background(), &out))
	text := out.String()
	// The Core's table (cp, then nocp) and the Computer's result.
	assert.Regexp(t, `FULL/RTN §A  2 +-149\.928795119\d* +-0\.002232913\d*`, text)
	assert.Regexp(t, `FULL/RTN §A  2 +-149\.935375926\d* +-0\.008813720\d*`, text)
	assert.Contains(t, text, "cp interaction energy: -0.002232913 Eh")
	assert.Contains(t, text, "tasks             3 (0 failed, 0 retries)")
}

// TestREADMEGoSnippets keeps every Go snippet of the README compiling and running: each
// is a verbatim part of a file under examples/, whose tests run it.
func TestREADMEGoSnippets(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	require.NoError(t, err)
	snippets := regexp.MustCompile("(?s)```go\n(.*?)```").FindAllSubmatch(readme, -1)
	require.NotEmpty(t, snippets, "the README has Go snippets")
	files, err := filepath.Glob(filepath.Join("..", "*", "*.go"))
	require.NoError(t, err)
	var sources []string
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		// The README indents with four spaces where gofmt writes tabs.
		sources = append(sources, strings.ReplaceAll(string(data), "\t", "    "))
	}
	for _, s := range snippets {
		snippet := string(s[1])
		found := false
		for _, src := range sources {
			found = found || strings.Contains(src, snippet)
		}
		first, _, _ := strings.Cut(snippet, "\n")
		assert.True(t, found, "README Go snippet starting %q is no part of a file under examples/", first)
	}
}

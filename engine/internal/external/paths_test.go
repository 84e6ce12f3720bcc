package external

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCheckPaths(t *testing.T) {
	for _, tc := range []struct {
		name    string
		kw      map[string]any
		wantErr string // "" for accepted
	}{
		{"plain options", map[string]any{"scf_type": "df", "basis": "6-31g*", "docc": []any{3.0, 1.0}, "molden_write": true}, ""},
		{"relative file name", map[string]any{"writer_file_label": "orbitals", "x": "sub/dir/file"}, ""},
		{"absolute", map[string]any{"molden_write": true, "writer_file_label": "/some/path"}, `keyword writer_file_label = "/some/path"`},
		{"dot dot", map[string]any{"writer_file_label": "a/../../etc/x"}, "writer_file_label"},
		{"home", map[string]any{"writer_file_label": "~/x"}, "writer_file_label"},
		{"windows drive", map[string]any{"out": `C:\x`}, "keyword out"},
		{"windows backslash", map[string]any{"out": `..\x`}, "keyword out"},
		{"nested in function_kwargs", map[string]any{"function_kwargs": map[string]any{"write_orbitals": "/tmp/orbs"}}, "keyword function_kwargs"},
		{"in a list", map[string]any{"files": []any{"ok", "/etc/passwd"}}, "keyword files"},
		{"long value cut", map[string]any{"f": "/" + strings.Repeat("a", 100000)}, "... (100001 bytes)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckPaths(tc.kw)
			if tc.wantErr == "" {
				assert.NoError(t, err, "refused")
			} else {
				assert.ErrorContains(t, err, tc.wantErr)
			}
			if err != nil {
				assert.LessOrEqual(t, len(err.Error()), 500, "bytes of the error")
			}
		})
	}
}

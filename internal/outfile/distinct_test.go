package outfile_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/qcmb-go/qcmb/internal/outfile"
)

// TestDistinct: an output that is the same file as another output, an input or a store
// file is found by identity (other spellings, links, hard links, files yet to be
// created), and the error names both paths.
func TestDistinct(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	require.NoError(t, os.WriteFile("in.json", []byte("{}"), 0o644))
	require.NoError(t, os.WriteFile("st.db", []byte("db"), 0o644))
	require.NoError(t, os.Mkdir("sub", 0o755))
	require.NoError(t, os.Symlink("in.json", "in-link.json"))
	require.NoError(t, os.Link("st.db", "st-hard.db"))
	require.NoError(t, os.Symlink(dir, "dir-link"))
	keep := []outfile.Named{{Label: "the input", Path: "in.json"}, {Label: "--store", Path: "st.db"},
		{Label: "the result store's write-ahead log", Path: "st.db-wal"}, {Label: "the result store's shared memory", Path: "st.db-shm"}}
	cases := []struct {
		name    string
		outputs []outfile.Named
		want    string // "" for no clash
	}{
		{"distinct", []outfile.Named{{"-o", "out.json"}, {"--stats-json", "stats.json"}, {"--report", "sub/r.html"}}, ""},
		{"store", []outfile.Named{{"-o", "st.db"}}, "-o st.db and --store st.db are the same file"},
		{"store spelled otherwise", []outfile.Named{{"--stats-json", "./sub/../st.db"}}, "--stats-json ./sub/../st.db and --store st.db are the same file"},
		{"hard link to the store", []outfile.Named{{"--report", "st-hard.db"}}, "--report st-hard.db and --store st.db"},
		{"write-ahead log not yet there", []outfile.Named{{"-o", "dir-link/st.db-wal"}}, "-o dir-link/st.db-wal and the result store's write-ahead log st.db-wal"},
		{"shared memory", []outfile.Named{{"-o", filepath.Join(dir, "st.db-shm")}}, "the result store's shared memory st.db-shm"},
		{"input", []outfile.Named{{"-o", "in.json"}}, "-o in.json and the input in.json"},
		{"input through a link", []outfile.Named{{"-o", "in-link.json"}}, "-o in-link.json and the input in.json"},
		{"two outputs", []outfile.Named{{"-o", "x.json"}, {"--stats-json", "./x.json"}}, "--stats-json ./x.json and -o x.json are the same file"},
		{"new files in an absent directory", []outfile.Named{{"-o", "no/x.json"}, {"--report", "no/./x.json"}}, "--report no/./x.json and -o no/x.json"},
		{"devices clash with nothing", []outfile.Named{{"-o", os.DevNull}, {"--stats-json", os.DevNull}, {"--report", "-"}}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := outfile.Distinct(c.outputs, keep)
			if c.want == "" {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
		})
	}
}

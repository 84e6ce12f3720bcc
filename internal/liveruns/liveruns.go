package liveruns

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/qcmb-go/qcmb/internal/procid"
	"github.com/qcmb-go/qcmb/internal/proctoken"
)

const (
	// TokenEnv marks every process of a run with the run's token.
	TokenEnv = "QCMB_RUN"
	// TempEnv keeps the temporary directory the run started with, before TMPDIR became
	// the run's root: where the registry is, for the processes of the run.
	TempEnv = "QCMB_TMPDIR"
)

// entry is a run's file in the registry.
type entry struct {
	Token   string         `json:"token"`
	Process procid.Process `json:"process"`
	Started time.Time      `json:"started"`
}

// Run is this process's run: its token, its scratch root (TMPDIR of everything it starts)
// and its registry directory.
type Run struct {
	Token string
	Root  string
	Dir   string
	own   bool // registered by this process, which ends it
}

// Begin sweeps the registry of this machine's runs, removing what dead runs left, and
// registers this process as a run: it sets TokenEnv, TempEnv and TMPDIR in this process's
// environment, which every process it starts inherits. A process that a run of this
// machine started (a worker) joins that run: nothing is swept or registered, and End does
// nothing. On systems without TMPDIR (Windows) nothing is done.
func Begin() (*Run, error) {
	if !supported {
		return &Run{}, nil
	}
	base := baseTemp()
	dir := registryDir(base)
	if tok := os.Getenv(TokenEnv); isToken(tok) {
		root := filepath.Join(dir, tok)
		if within(os.TempDir(), root) && exists(entryPath(dir, tok)) {
			return &Run{Token: tok, Root: root, Dir: dir}, nil
		}
	}
	Sweep(dir)
	r, err := register(dir)
	if err != nil {
		return &Run{}, fmt.Errorf("registering the run in %s (what a killed run leaves cannot be removed later): %w", dir, err)
	}
	for k, v := range map[string]string{TokenEnv: r.Token, TempEnv: base, "TMPDIR": r.Root} {
		if err := os.Setenv(k, v); err != nil {
			r.End()
			return &Run{}, err
		}
	}
	return r, nil
}

// End ends a run Begin registered: it kills the processes of the run that are still
// alive (other than this one: what escaped its programs), removes its scratch root and
// its registry file, and the registry directory if no run is left in it.
func (r *Run) End() {
	if r == nil || !r.own {
		return
	}
	clean(r.Dir, r.Token)
	_ = os.Remove(r.Dir) // only if empty: no run is alive
}

// Sweep removes what the dead runs of registry directory dir left: their processes,
// scratch roots and registry files. Runs of other hosts (a registry on a shared file
// system), and runs whose process cannot be told gone, are left alone.
func Sweep(dir string) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range ents {
		name := e.Name()
		switch {
		case strings.HasSuffix(name, ".json") && isToken(strings.TrimSuffix(name, ".json")):
			tok := strings.TrimSuffix(name, ".json")
			data, err := os.ReadFile(filepath.Join(dir, name))
			var en entry
			if err != nil || json.Unmarshal(data, &en) != nil || en.Token != tok {
				continue // being written, or not ours to judge
			}
			if en.Process.State() == procid.Gone {
				clean(dir, tok)
			}
		case strings.HasSuffix(name, ".tmp"):
			// A registration cut short between writing and renaming its file.
			if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > time.Minute {
				_ = os.Remove(filepath.Join(dir, name))
			}
		}
	}
}

// clean kills the processes marked with tok and removes the run's root and registry file.
func clean(dir, tok string) {
	proctoken.Kill(TokenEnv, tok)
	_ = os.RemoveAll(filepath.Join(dir, tok))
	_ = os.Remove(entryPath(dir, tok))
}

// register makes the registry directory if need be, writes this run's file and makes its
// root. A run that removes the directory, empty, at the same moment makes it try again.
func register(dir string) (*Run, error) {
	var err error
	for range 5 {
		if err = ownDir(dir); err != nil {
			return nil, err
		}
		tok := proctoken.New()
		r := &Run{Token: tok, Root: filepath.Join(dir, tok), Dir: dir, own: true}
		data, _ := json.Marshal(entry{Token: tok, Process: procid.Self(), Started: time.Now().UTC()})
		tmp := entryPath(dir, tok) + ".tmp"
		if err = os.WriteFile(tmp, data, 0o600); err == nil {
			if err = os.Rename(tmp, entryPath(dir, tok)); err == nil {
				if err = os.Mkdir(r.Root, 0o700); err == nil {
					return r, nil
				}
				_ = os.Remove(entryPath(dir, tok))
			}
			_ = os.Remove(tmp)
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
	}
	return nil, err
}

// ownDir makes dir (mode 0700) and checks that it is a directory of this user's, and not a
// link someone else placed in a shared /tmp.
func ownDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	info, err := os.Lstat(dir)
	if err != nil {
		return err
	}
	if !info.IsDir() || !ownedBySelf(info) || info.Mode().Perm()&0o077 != 0 {
		return fmt.Errorf("%s is not a private directory of this user's", dir)
	}
	return nil
}

// registryDir is the registry directory under the temporary directory base.
func registryDir(base string) string {
	return filepath.Join(base, "qcmb-runs-"+strconv.Itoa(os.Getuid()))
}

func entryPath(dir, tok string) string { return filepath.Join(dir, tok+".json") }

// baseTemp is the temporary directory the registry is in: the one the run that started
// this process began with (TempEnv), else TMPDIR, else /tmp; the first that exists (a
// Slurm worker on another node inherits paths of the submitting host's).
func baseTemp() string {
	for _, d := range []string{os.Getenv(TempEnv), os.TempDir(), "/tmp"} {
		if d != "" && isDir(d) {
			return d
		}
	}
	return os.TempDir()
}

// isToken reports whether s is a token as proctoken.New makes them: it names files.
func isToken(s string) bool {
	if len(s) != 24 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !(s[i] >= '0' && s[i] <= '9' || s[i] >= 'a' && s[i] <= 'f') {
			return false
		}
	}
	return true
}

// within reports whether path is root or inside it.
func within(path, root string) bool {
	path, root = filepath.Clean(path), filepath.Clean(root)
	return path == root || strings.HasPrefix(path, root+string(filepath.Separator))
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

func isDir(path string) bool {
	info, err := os.Stat(path)
	return err == nil && info.IsDir()
}

package outfile

import (
	"fmt"
	"os"
	"path/filepath"
)

// Named is a file a command was given: Label names it in errors (a flag such as "-o", or
// "the input"), Path is the path as given. "" and "-" (standard input or output) name no
// file.
type Named struct {
	Label, Path string
}

// Distinct checks, before any work, that no output is the same file as another output
// or as one of keep (inputs, a result store and its companion files): writing it would
// destroy what the other holds. Files are compared by identity, not by name: through
// links, other spellings of a path and hard links; a file that does not exist yet is
// identified by its directory's identity and its name. Outputs that are devices or pipes
// (a terminal, /dev/null) clash with nothing. The error names both paths.
func Distinct(outputs, keep []Named) error {
	ids := make([]identity, len(outputs))
	for i, o := range outputs {
		ids[i] = identify(o.Path)
		for j := range i {
			if ids[i].same(ids[j]) {
				return clash(o, outputs[j])
			}
		}
	}
	for _, k := range keep {
		kid := identify(k.Path)
		for i, o := range outputs {
			if ids[i].same(kid) {
				return clash(o, k)
			}
		}
	}
	return nil
}

func clash(out, other Named) error {
	return fmt.Errorf("%s %s and %s %s are the same file: writing %s would destroy it; choose another path for %s",
		out.Label, out.Path, other.Label, other.Path, out.Label, out.Label)
}

// identity tells files apart: an existing file by its device and inode (os.SameFile), one
// to be created by its directory's and its own name, or by its absolute path when the
// directory does not exist either.
type identity struct {
	none bool        // no file: standard input or output, a device or a pipe
	file os.FileInfo // the file, if it exists
	dir  os.FileInfo // its directory, if the file does not exist and the directory does
	name string      // its base name, if it does not exist
	abs  string      // its absolute path, if neither exists
}

func identify(path string) identity {
	if path == "" || path == "-" {
		return identity{none: true}
	}
	target, err := resolve(path)
	if err != nil {
		target = path
	}
	if info, err := os.Stat(target); err == nil {
		if !info.Mode().IsRegular() && !info.IsDir() {
			return identity{none: true}
		}
		return identity{file: info}
	}
	id := identity{name: filepath.Base(target)}
	if dir, err := os.Stat(filepath.Dir(target)); err == nil {
		id.dir = dir
		return id
	}
	id.abs, _ = filepath.Abs(target)
	return id
}

func (a identity) same(b identity) bool {
	switch {
	case a.none || b.none:
		return false
	case a.file != nil || b.file != nil:
		return a.file != nil && b.file != nil && os.SameFile(a.file, b.file)
	case a.dir != nil || b.dir != nil:
		return a.dir != nil && b.dir != nil && os.SameFile(a.dir, b.dir) && a.name == b.name
	}
	return a.abs != "" && a.abs == b.abs
}
